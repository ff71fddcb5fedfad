"""What rendering keeps for the process (reporting/pdf.py): one font configuration and TLS context, compiled
templates, and the warm-up the serving process's fork server does (deployments/warm.py).

Kept work must not change a document: the same HTML gives the same PDF bytes whether the process has
rendered other documents before or not, in the process that warmed up and in a process forked from it,
with the Noto CJK faces embedded; and an edited template is read again, not served from the cache.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
from builders import report_context
from pypdf import PdfReader

from pinggu.reporting import pdf
from pinggu.reporting.context import render_report

OTHER_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><link rel="stylesheet" href="report.css">
</head><body><h1>另一份文件</h1><p>鼠牛虎兔龙蛇马羊猴鸡狗猪，<strong>甲乙丙丁</strong>。</p></body></html>"""


def _fresh_configuration_pdf(html: str) -> bytes:
    """The PDF as before the cache: WeasyPrint's own font configuration and URL fetcher for this document."""
    from weasyprint import HTML

    return HTML(string=html, base_url=str(pdf.TEMPLATES_DIR)).write_pdf()


def _embedded_fonts(data: bytes, tmp_path) -> set[str]:
    target = tmp_path / "fonts.pdf"
    target.write_bytes(data)
    fonts = set()
    for page in PdfReader(target).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            assert "/FontFile3" in descendant["/FontDescriptor"] or "/FontFile2" in descendant["/FontDescriptor"]
            fonts.add(str(font["/BaseFont"]).split("+", 1)[-1])
    return fonts


def test_a_report_is_the_same_with_the_shared_font_configuration(tmp_path):
    html = render_report(report_context("minhang", final=False))
    first = pdf._pdf_bytes_to(html, None)
    pdf._pdf_bytes_to(OTHER_PAGE, None)  # other glyphs and sizes through the same font map
    again = pdf._pdf_bytes_to(html, None)
    assert first == again
    assert first == _fresh_configuration_pdf(html)
    assert pdf._font_configuration.cache_info().currsize == 1
    assert _embedded_fonts(first, tmp_path) >= {"Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC-Bold"}


def test_write_pdf_writes_what_the_shared_configuration_renders(tmp_path):
    target = tmp_path / "other.pdf"
    digest = pdf.write_pdf(OTHER_PAGE, target)
    assert target.read_bytes() == pdf._pdf_bytes_to(OTHER_PAGE, None) == _fresh_configuration_pdf(OTHER_PAGE)
    assert len(digest) == 64


def test_a_run_forked_after_the_warm_up_renders_the_same_pdf(tmp_path):
    pdf.warm_up()
    expected = pdf._pdf_bytes_to(OTHER_PAGE, None)
    target = tmp_path / "child.pdf"
    pid = os.fork()
    if pid == 0:  # as a flow run forked from the fork server: inherits the open fonts and compiled templates
        try:
            pdf.write_pdf(OTHER_PAGE, target)
        finally:
            os._exit(0)
    deadline = time.monotonic() + 120
    while (done := os.waitpid(pid, os.WNOHANG))[0] == 0:
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail("the forked render did not finish in 120 s")
        time.sleep(0.05)
    assert os.waitstatus_to_exitcode(done[1]) == 0
    assert target.read_bytes() == expected


def test_warm_up_compiles_every_report_template():
    pdf.warm_up()
    environment = pdf._environment()
    compiled = {name for _, name in environment.cache}  # jinja2's cache: (loader, name) → compiled template
    assert {"evaluation_report.html.j2", "blocks.html.j2", "evaluation_plan.html.j2"} <= compiled


def test_an_edited_template_is_read_again(tmp_path, monkeypatch):
    environment = pdf._environment()
    monkeypatch.setattr(environment.loader, "searchpath", [str(tmp_path)])
    template = tmp_path / "render_cache_probe.html.j2"
    template.write_text("<p>{{ word }}</p>", encoding="utf-8")
    assert pdf.render_html(template.name, {"word": "初稿"}) == "<p>初稿</p>"
    template.write_text("<p>改稿：{{ word }}</p>", encoding="utf-8")
    os.utime(template, (time.time() + 5, time.time() + 5))  # a later modification time, as an edit gives
    assert pdf.render_html(template.name, {"word": "初稿"}) == "<p>改稿：初稿</p>"
