"""Render report templates (Jinja2) to HTML and to PDF (WeasyPrint) with embedded CJK fonts."""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from pinggu.core.document_store import file_sha256
from pinggu.core.errors import ReportError
from pinggu.core.faults import fault_point
from pinggu.core.settings import PROJECT_ROOT

TEMPLATES_DIR = PROJECT_ROOT / "report_templates"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,  # a missing figure must fail loudly, never print blank
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["percent"] = lambda value, digits=1: "—" if value is None else f"{value * 100:.{digits}f}%"
    env.filters["number"] = lambda value, digits=2: "—" if value is None else f"{value:.{digits}f}"
    return env


def render_html(template: str, context: dict[str, Any]) -> str:
    """Render one template of report_templates/ with the given context."""
    return _environment().get_template(template).render(**context)


def write_pdf(html: str, target: Path) -> str:
    """Write the HTML as a PDF at `target` atomically and return the file's sha256."""
    from weasyprint import HTML  # imported here: it loads Pango/HarfBuzz, which CLI start-up does not need

    fault_point("render")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".pdf.part")
    os.close(handle)
    try:
        HTML(string=html, base_url=str(TEMPLATES_DIR)).write_pdf(temporary)
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise ReportError(f"无法写入报告文件 {target}：{error}", path=str(target)) from error
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return file_sha256(target)
