"""Every profile's report outline, rendered to PDF: its headings in order, Chinese text, page numbers."""

from __future__ import annotations

import pytest
from builders import report_context
from driving import pdf_text

from pinggu.reporting.context import render_report
from pinggu.reporting.pdf import write_pdf
from pinggu.rules.profiles import load_profile

OUTLINE_RULES = {
    "bazhou": "R-BAZHOU",
    "changli": "R-BAZHOU",
    "ordos": "R-ORDOS",
    "ningxia_commerce": "R-NINGXIA",
    "minhang": "R-MINHANG",
}


@pytest.mark.parametrize("profile_id", sorted(OUTLINE_RULES))
def test_each_profile_report_follows_its_outline(profile_id, tmp_path, request):
    request.node.add_marker(pytest.mark.rule(OUTLINE_RULES[profile_id], "R-PROCESS"))
    profile = load_profile(profile_id)
    target = tmp_path / "report.pdf"
    write_pdf(render_report(report_context(profile_id)), target)
    text = pdf_text(target)
    numbered = [
        f"{'一二三四五六七八九'[i]}、{''.join(heading.split())}" for i, heading in enumerate(profile.report_outline)
    ]
    in_toc = [text.find(heading) for heading in numbered]
    in_body = [text.rfind(heading) for heading in numbered]
    assert all(p >= 0 for p in in_toc), [h for h, p in zip(numbered, in_toc, strict=True) if p < 0]
    assert in_toc == sorted(in_toc) and in_body == sorted(in_body)  # the outline's order, in the contents and the body
    assert in_body[0] > in_toc[-1]
    for shown in ("评估小组", "问卷调查", "意见征集及处理情况", "专家论证", "评估结论：调整", "审定与审批记录"):
        assert shown in text, shown
    assert "第1页" not in text and "共" in text


@pytest.mark.rule("S-MID", "S-FINAL")
@pytest.mark.parametrize("evaluation_type", ["midterm", "final"])
def test_midterm_and_final_reports_list_their_parts_and_where_they_are_answered(evaluation_type, tmp_path):
    profile = load_profile("bazhou")
    html = render_report(report_context("bazhou", evaluation_type))
    for part in profile.type_parts(evaluation_type):
        assert part in html
    assert "二、实施绩效、制度设计等跟踪反馈与后评估内容分析（指标评分）" in html


@pytest.mark.rule("MH-14")
def test_minhang_states_the_score_and_the_indicators_it_rests_on():
    html = render_report(report_context("minhang"))
    assert "按得分推荐的结论" in html and "预期目标和效果实现程度" in html


@pytest.mark.parametrize("profile_id", sorted(OUTLINE_RULES))
def test_the_word_report_has_the_same_outline_and_chinese_text(profile_id, tmp_path, request):
    from docx import Document

    from pinggu.reporting.docx import write_docx

    request.node.add_marker(pytest.mark.rule(OUTLINE_RULES[profile_id]))
    profile = load_profile(profile_id)
    target = tmp_path / "report.docx"
    write_docx(render_report(report_context(profile_id)), target)
    document = Document(target)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    numbered = [f"{'一二三四五六七八九'[i]}、{heading}" for i, heading in enumerate(profile.report_outline)]
    assert headings == ["目 录", *numbered]
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert "满意率" in cells and "王明" in cells
    assert "评估结论：调整" in [p.text for p in document.paragraphs]
