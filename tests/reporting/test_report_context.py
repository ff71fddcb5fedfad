"""The report template against its typed contract (pinggu.reporting.context.ReportContext), without a server.

Every name the report template reads, and every ``c.<field>`` its blocks read, must be a field of
ReportContext; a full and a minimal context must both render. A template that reads a field the
context does not have fails here instead of in an end-to-end run.
"""

from __future__ import annotations

import pytest
from builders import report_context
from jinja2 import nodes

from pinggu.reporting.context import REPORT_TEMPLATE, ReportContext, render_report
from pinggu.reporting.pdf import _environment

TEMPLATES = (REPORT_TEMPLATE, "blocks.html.j2")


def _parse(template: str) -> nodes.Template:
    environment = _environment()
    source, _, _ = environment.loader.get_source(environment, template)
    return environment.parse(source)


def fields_read(template: str) -> set[str]:
    """Context fields the template reads: ``c.x`` / ``c["x"]`` anywhere, bare names at the top level."""
    tree = _parse(template)
    read = {
        node.attr
        for node in tree.find_all(nodes.Getattr)
        if isinstance(node.node, nodes.Name) and node.node.name == "c"
    } | {
        node.arg.value
        for node in tree.find_all(nodes.Getitem)
        if isinstance(node.node, nodes.Name) and node.node.name == "c" and isinstance(node.arg, nodes.Const)
    }
    if template == REPORT_TEMPLATE:
        assigned = {node.name for node in tree.find_all(nodes.Name) if node.ctx in ("store", "param")}
        loads = {node.name for node in tree.find_all(nodes.Name) if node.ctx == "load"}
        read |= loads - assigned - {"c", "blocks", "loop"}
    return read


@pytest.mark.parametrize("template", TEMPLATES)
def test_the_template_reads_only_fields_of_the_report_context(template):
    read = fields_read(template)
    assert read, "the parser found nothing: the check itself is broken"
    assert read <= set(ReportContext.model_fields), sorted(read - set(ReportContext.model_fields))


def test_the_check_catches_a_field_the_context_lacks(monkeypatch):
    fields = dict(ReportContext.model_fields)
    fields.pop("preliminary")
    monkeypatch.setattr(ReportContext, "model_fields", fields)
    assert not fields_read("blocks.html.j2") <= set(ReportContext.model_fields)


@pytest.mark.parametrize("final", [True, False])
def test_a_full_context_renders(final):
    html = render_report(report_context("bazhou", final=final))
    assert "关于高标准农田建设的实施方案" in html
    assert ("正式报告" in html) is final
    assert ("送审稿" in html) is not final


def test_a_context_with_every_optional_part_empty_renders():
    full = report_context("minhang", final=False)
    empty = full.model_copy(
        update={
            "survey": None,
            "opinions": None,
            "records": [],
            "expert_review": None,
            "third_party": None,
            "follow_up": None,
            "recommended": None,
            "departure_reason": None,
            "approvals": [],
            "deadlines": [],
            "conclusion": None,
        }
    )
    html = render_report(ReportContext.model_validate(empty.model_dump()))
    assert full.decision["title"] in html


def test_the_context_refuses_an_unknown_field():
    data = report_context("bazhou").model_dump()
    with pytest.raises(ValueError, match="extra"):
        ReportContext.model_validate({**data, "unplanned": 1})
