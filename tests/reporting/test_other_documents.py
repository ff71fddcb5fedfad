"""The tracking-feedback report (OR-8) and the supervision report (OR-10): what the unit or office writes,
read from a YAML file and checked, and the PDF and Word rendered from it with what was recorded beside it."""

from __future__ import annotations

from datetime import date

import pytest
from docx import Document
from driving import pdf_text

from pinggu.core.errors import InputFileError
from pinggu.reporting.other_documents import read_input, render_document

DECISION = {"code": "S-2022-009", "title": "关于公共租赁住房管理的实施方案", "lead_unit": "市住建局"}
TRACKING = """reporter: 市住建局 王强
progress: 已完成年度任务的80%。
effect: 保障对象满意度提升。
problems: 部分项目进度滞后。
proposals: 加强资金调度。
next_steps: 四季度完成剩余任务。
"""
SUPERVISION = """methods: [书面督查, 实地督查]
execution: 总体按计划推进。
effect: 成效明显。
problems: 个别区县滞后。
proposals: 建立月调度机制。
leader_matters: 协调土地指标。
rectifications:
  - {item: 补齐房源缺口, unit: 东胜区住建局, deadline: 2027-03-31}
"""


@pytest.mark.rule("OR-8")
def test_tracking_report_has_the_four_required_parts(tmp_path):
    (tmp_path / "跟踪.yaml").write_text(TRACKING, encoding="utf-8")
    pdf, docx = render_document(
        "tracking", DECISION, read_input("tracking", tmp_path / "跟踪.yaml"), tmp_path, date(2026, 11, 22),
        period="2026年10月", unit="市住建局", submitted_on=date(2026, 11, 5), due=date(2026, 11, 10), late=False,
        milestones=[],
    )  # fmt: skip
    text = pdf_text(pdf)
    # ordos 8: 工作进展、执行效果、执行中存在问题和解决建议、下一步工作安排 — in that order, each with
    # what the unit wrote for it under its own heading.
    parts = [
        ("一、工作进展", "已完成年度任务的80%。"),
        ("二、执行效果", "保障对象满意度提升。"),
        ("三、执行中存在的问题和解决建议", "部分项目进度滞后。"),
        ("三、执行中存在的问题和解决建议", "加强资金调度。"),
        ("四、下一步工作安排", "四季度完成剩余任务。"),
    ]
    for (heading, content), (next_heading, _) in zip(parts, [*parts[1:], ("", "")], strict=True):
        assert text.index(heading) < text.index(content), heading
        if next_heading and next_heading != heading:
            assert text.index(content) < text.index(next_heading), content
    paragraphs = [p.text for p in Document(docx).paragraphs]
    headings = [p for p in paragraphs if p[:2] in ("一、", "二、", "三、", "四、", "五、")]
    assert headings == ["一、工作进展", "二、执行效果", "三、执行中存在的问题和解决建议", "四、下一步工作安排"]


@pytest.mark.rule("OR-10")
def test_supervision_report_lists_rectification_items_with_their_deadlines(tmp_path):
    (tmp_path / "督查.yaml").write_text(SUPERVISION, encoding="utf-8")
    pdf, docx = render_document(
        "supervision", DECISION, read_input("supervision", tmp_path / "督查.yaml"), tmp_path, date(2026, 11, 22),
        supervisor="市人民政府督查室", held_on=date(2026, 11, 20), reviewer="市人民政府", rectification_basis="第十条第二款",
    )  # fmt: skip
    text = pdf_text(pdf)
    for shown in (
        "一、重大行政决策执行情况",
        "五、需提请领导协调的事项",
        "协调土地指标",
        "补齐房源缺口",
        "2027-03-31",
        "书面督查、实地督查",
    ):
        assert shown in text
    # ordos 10 ¶2: each rectification item with the unit that must complete it and by when, on one row.
    rows = [[cell.text for cell in row.cells] for table in Document(docx).tables for row in table.rows]
    assert any(row[-3:] == ["补齐房源缺口", "东胜区住建局", "2027-03-31"] for row in rows), rows


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("reporter: 王强\nprogress: ''\n", "“工作进展”不能为空"),
        ("reporter: 王强\nfoo: 1\n", "“foo”不是可用的项目"),
        (TRACKING + "serious: 发生不可抗力\n", "报告了须及时报告的情况，请在“情况说明”中写明"),
        (TRACKING + "serious: 地震\n", "“须及时报告的情况”"),
        ("- 不是键值\n", "应为“键: 内容”的形式"),
        ("period: [\n", "格式有误"),
    ],
)
def test_bad_input_is_refused_with_the_item_named(tmp_path, text, message):
    (tmp_path / "in.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError) as refused:
        read_input("tracking", tmp_path / "in.yaml")
    assert message in str(refused.value) + "".join(str(p) for p in refused.value.problems)


def test_bad_rectification_deadline_is_named(tmp_path):
    (tmp_path / "in.yaml").write_text(SUPERVISION.replace("2027-03-31", "明年三月"), encoding="utf-8")
    with pytest.raises(InputFileError) as refused:
        read_input("supervision", tmp_path / "in.yaml")
    assert "督查结论中要求整改的事项／第 1 项／整改期限" in "".join(str(p) for p in refused.value.problems)


def test_the_sample_inputs_an_operator_copies_are_valid():
    from pinggu.core.settings import SAMPLES_DIR

    report = read_input("tracking", SAMPLES_DIR / "tracking_report.yaml")
    assert [(m.seq, m.done_on) for m in report.milestones_done] == [(1, date(2027, 1, 20))]
    findings = read_input("supervision", SAMPLES_DIR / "supervision.yaml")
    assert [r.unit for r in findings.rectifications] == ["马桥镇人民政府", "区农业农村委"]
