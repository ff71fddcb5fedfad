"""Render report templates (Jinja2) to HTML and to PDF (WeasyPrint) with embedded CJK fonts."""

from __future__ import annotations

import os
import ssl
import tempfile
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from pinggu.core.document_store import file_sha256
from pinggu.core.errors import ReportError
from pinggu.core.faults import fault_point
from pinggu.core.resources import package_data

TEMPLATES_DIR = package_data("report_templates")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,  # a missing figure must fail loudly, never print blank
        auto_reload=True,  # compiled once per process, but a template edited on disk is read again
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["percent"] = lambda value, digits=1: "—" if value is None else f"{value * 100:.{digits}f}%"
    env.filters["number"] = lambda value, digits=2: "—" if value is None else f"{value:.{digits}f}"
    return env


def render_html(template: str, context: dict[str, Any]) -> str:
    """Render one template of report_templates/ with the given context."""
    return _environment().get_template(template).render(**context)


# Pango's font map is not safe to share between threads: one document is laid out at a time per process.
_FONTS_IN_USE = threading.Lock()


@lru_cache(maxsize=1)
def _font_configuration():
    """The process's one WeasyPrint font configuration.

    A configuration of its own per document would load Fontconfig's configuration and open the
    Noto CJK collections (20–27 MB each) again for every report. Shared, the faces a document used stay
    open for the next; the PDF is byte for byte the same (tests/reporting/test_render_cache.py).
    Built in the serving process's fork server (pinggu.deployments.warm), it is inherited by every
    run forked from it: FreeType maps the font files read-only and keeps no descriptor open.
    """
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    """One TLS context per process for WeasyPrint's URL fetcher (it builds one per document otherwise, ~25 ms
    of reading the system's certificates, although a report reads only report.css from this package)."""
    return ssl.create_default_context()


def _pdf_bytes_to(html: str, target: str | None) -> bytes | None:
    from weasyprint import HTML  # imported here: it loads Pango/HarfBuzz, which CLI start-up does not need
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(ssl_context=_tls_context())
    with _FONTS_IN_USE:
        return HTML(string=html, base_url=str(TEMPLATES_DIR), url_fetcher=fetcher).write_pdf(
            target, font_config=_font_configuration()
        )


def write_pdf(html: str, target: Path) -> str:
    """Write the HTML as a PDF at `target` atomically and return the file's sha256."""
    fault_point("render")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".pdf.part")
    os.close(handle)
    try:
        _pdf_bytes_to(html, temporary)
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise ReportError(f"无法写入报告文件 {target}：{error}", path=str(target)) from error
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return file_sha256(target)


# A page that uses each face a report uses (Noto Serif CJK SC and Noto Sans CJK SC, regular and bold),
# report.css and its page furniture, a table and the survey chart's bars.
_WARM_UP_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<link rel="stylesheet" href="report.css"><title>预热</title></head><body>
<h1>评估报告</h1><h2>一、评估概况</h2><p>评估<strong>结论</strong>。</p><p class="conclusion">继续执行</p>
<table><tr><th>指标</th><td class="num">98.00</td></tr></table>
<div class="bars"><div class="bar-row"><div class="bar-label">满意</div><div class="bar-track">
<div class="bar-fill" style="width: 50%"></div></div><div class="bar-value">50.0%</div></div></div>
</body></html>"""


def warm_up() -> None:
    """Do once, before any report is asked for, what the first report of a process would otherwise do.

    Compiles every report template and lays out and writes a one-page document (PDF and Word) with
    the report's fonts, so a run forked afterwards (deployments/serve.py) starts rendering warm.
    """
    from pinggu.reporting.docx import html_to_docx

    environment = _environment()
    for name in environment.list_templates(filter_func=lambda name: name.endswith(".j2")):
        environment.get_template(name)
    _pdf_bytes_to(_WARM_UP_PAGE, None)
    html_to_docx(_WARM_UP_PAGE)
