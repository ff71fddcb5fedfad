"""The same report as a Word document: the rendered HTML walked into python-docx (offices edit and
circulate reports in Word). Headings, paragraphs, tables and lists are kept; the survey bar chart
becomes a table of its figures; the cover and contents become the first page.

Fonts follow Chinese government documents: 宋体 for text, 黑体 for headings (Word substitutes what
a machine lacks). Written atomically like the PDF.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from pinggu.core.document_store import StoredObject, keep
from pinggu.core.errors import ReportError

BODY_FONT, HEADING_FONT = "宋体", "黑体"


def _east_asian(run, font: str) -> None:
    from docx.oxml.ns import qn

    run.font.name = font
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), font)


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def _table(document, element) -> None:
    rows = element.xpath(".//tr")
    if not rows:
        return
    width = max(len(row.xpath("./th|./td")) for row in rows)
    table = document.add_table(rows=0, cols=width)
    table.style = "Table Grid"
    for row in rows:
        cells = table.add_row().cells
        for i, cell in enumerate(row.xpath("./th|./td")):
            paragraph = cells[i].paragraphs[0]
            run = paragraph.add_run(_text(cell))
            run.bold = cell.tag == "th"
            _east_asian(run, HEADING_FONT if cell.tag == "th" else BODY_FONT)


def _bars(document, element) -> None:
    rows = [
        [_text(part) for part in row.xpath("./div[@class='bar-label' or @class='bar-value']")]
        for row in element.xpath("./div")
    ]
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, (label, value), strict=True):
            _east_asian(cell.paragraphs[0].add_run(text), BODY_FONT)


def _heading(document, text: str, level: int) -> None:
    heading = document.add_heading(level=level)
    run = heading.add_run(text)
    _east_asian(run, HEADING_FONT)


def _paragraph(document, text: str, style: str | None = None) -> None:
    if text:
        _east_asian(document.add_paragraph(style=style).add_run(text), BODY_FONT)


def _walk(document, element) -> None:
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        css = child.get("class") or ""
        if tag in ("h1", "h2", "h3", "h4"):
            _heading(document, _text(child), {"h1": 0, "h2": 1, "h3": 2, "h4": 3}[tag])
        elif tag == "p":
            _paragraph(document, _text(child))
        elif tag == "table":
            _table(document, child)
            document.add_paragraph()  # keeps consecutive tables apart
        elif tag in ("ol", "ul"):
            for item in child.xpath("./li"):  # the items carry their own numbering (一、二、…)
                _paragraph(document, _text(item))
        elif tag == "div" and "bars" in css:
            _bars(document, child)
            document.add_paragraph()
        elif tag == "dl":
            for term, value in zip(child.xpath("./dt"), child.xpath("./dd"), strict=False):
                _paragraph(document, f"{_text(term)}：{_text(value)}")
        elif tag == "nav":
            document.add_page_break()
            _walk(document, child)
            document.add_page_break()
        else:
            _walk(document, child)


def html_to_docx(html: str):
    """A python-docx Document with the content of the report HTML."""
    import lxml.html
    from docx import Document

    document = Document()
    style = document.styles["Normal"]
    style.font.name = BODY_FONT
    style.element.get_or_add_rPr().get_or_add_rFonts().set(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", BODY_FONT
    )
    body = lxml.html.document_fromstring(html).find("body")
    _walk(document, body)
    return document


def write_docx(html: str, target: Path) -> str:
    """Write the report as .docx atomically; return its SHA-256."""
    from pinggu.reporting.pdf import file_sha256

    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".docx.part")
    os.close(handle)
    try:
        html_to_docx(html).save(temporary)
        os.replace(temporary, target)
    except Exception as error:
        Path(temporary).unlink(missing_ok=True)
        raise ReportError(f"Word 报告生成失败：{error}", path=str(target)) from error
    return file_sha256(target)


def write_pdf_and_docx(html: str, stem: Path) -> dict[str, tuple[Path, str]]:
    """One rendered report as `stem`.pdf and `stem`.docx: {"pdf": (path, sha256), "docx": (path, sha256)}."""
    from pinggu.reporting.pdf import write_pdf

    pdf, docx = stem.with_name(stem.name + ".pdf"), stem.with_name(stem.name + ".docx")
    return {"pdf": (pdf, write_pdf(html, pdf)), "docx": (docx, write_docx(html, docx))}


def keep_pdf_and_docx(html: str, name: str) -> tuple[StoredObject, StoredObject]:
    """Render the report in a scratch folder and keep the PDF and the Word file in the document store."""
    with tempfile.TemporaryDirectory(prefix="pinggu-render-") as work:
        written = write_pdf_and_docx(html, Path(work) / name)
        return keep(written["pdf"][0]), keep(written["docx"][0])
