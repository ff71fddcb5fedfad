"""The rule register (rules/register.yaml): it loads, every source is cited in full, and every rule id a
test marks is registered — the register is the repository's own, not a document beside it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pinggu.rules.register import SourcePart, chinese_number, load_register, marked_rules, registered_ids, source_parts

TESTS = Path(__file__).resolve().parents[1]
PROFILES = frozenset({"bazhou", "ordos", "ningxia_commerce", "changli", "minhang"})


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "一"),
        (10, "十"),
        (11, "十一"),
        (19, "十九"),
        (20, "二十"),
        (62, "六十二"),
        (100, "一百"),
        (101, "一百零一"),
        (110, "一百一十"),
        (115, "一百一十五"),
        (201, "二百零一"),
        (203, "二百零三"),
        (999, "九百九十九"),
    ],
)
def test_article_numbers_are_written_as_the_regulations_write_them(n, text):
    assert chinese_number(n) == text


@pytest.mark.parametrize("n", [0, 1000, -3])
def test_an_article_number_out_of_range_is_refused(n):
    with pytest.raises(ValueError, match=f"条款序号 {n} 超出范围"):
        chinese_number(n)


@pytest.mark.parametrize(
    ("source", "parts"),
    [
        ("bazhou 15", [("bazhou", "第十五条")]),
        ("ordos 12(1)", [("ordos", "第十二条（一）")]),
        ("ningxia_commerce 12 (2nd)", [("ningxia_commerce", "第十二条第二款")]),
        ("changli 34–36", [("changli", "第三十四条至第三十六条")]),
        ("changli 42–43", [("changli", "第四十二条、第四十三条")]),
        ("ordos 7/16", [("ordos", "第七条、第十六条")]),
        ("minhang 档案 10", [("minhang", "档案第十条")]),
        ("minhang 10, 14", [("minhang", "第十条"), ("minhang", "第十四条")]),
        ("ordos 9, minhang 督查 5", [("ordos", "第九条"), ("minhang", "督查第五条")]),
        ("Civil Code 201", [(None, "《中华人民共和国民法典》第二百零一条")]),
        ("official calendar", [(None, "国务院办公厅每年发布的部分节假日安排的通知")]),
        ("—", []),
    ],
)
def test_a_short_source_becomes_one_article_per_regulation(source, parts):
    assert source_parts(source, PROFILES) == tuple(SourcePart(profile, article) for profile, article in parts)


@pytest.mark.parametrize(
    ("source", "message"),
    [("shanghai 3", "无法识别的出处“shanghai 3”"), ("bazhou fifteen", "无法识别的条款“fifteen”")],
)
def test_a_source_that_cannot_be_cited_is_refused(source, message):
    with pytest.raises(ValueError, match=message):
        source_parts(source, PROFILES)


def test_the_register_loads_with_unique_ids_and_every_source_citable():
    register = load_register()
    assert len(register) == len(registered_ids()) == 88
    assert {"T-PROMPT", "MH-4", "NX-12", "P-HOLIDAY", "CL-47", "E-SCALE"} <= registered_ids()
    assert [rule.id for rule in register if rule.phase == 2][:2] == ["CL-15", "CL-16"]


def test_a_broken_register_is_refused_naming_the_rule(tmp_path):
    path = tmp_path / "register.yaml"
    path.write_text("- {id: X-1, title: 甲, phase: 1, source: nowhere 3, rule: r}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="register.yaml 中 X-1 的出处有误：无法识别的出处“nowhere 3”"):
        load_register(path)
    path.write_text(
        "- {id: X-1, title: 甲, phase: 1, source: bazhou 3, rule: r}\n"
        "- {id: X-1, title: 乙, phase: 1, source: —, rule: s}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="编号重复：X-1"):
        load_register(path)
    path.write_text("- {id: X-1, phase: 1, source: bazhou 3, rule: r}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"(?s)register.yaml 无法读取：.*\ntitle\n.*Field required"):
        load_register(path)


_CJK = re.compile(r"[\u4e00-\u9fff]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")


def test_every_rule_has_a_one_line_chinese_title():
    # Operators read the titles (pinggu rules): Chinese only, apart from a rule id or a number.
    ids = sorted(registered_ids(), key=len, reverse=True)  # longest first: CL-15-FEEDBACK before CL-15
    for rule in load_register():
        assert "\n" not in rule.title and rule.title == rule.title.strip(), rule.id
        assert _CJK.search(rule.title), (rule.id, rule.title)
        rest = rule.title
        for rule_id in ids:
            rest = rest.replace(rule_id, "")
        assert not _ASCII_LETTER.search(rest), (rule.id, rule.title)


def test_every_rule_a_test_marks_is_registered():
    # A typo in a marker ("MH4") would otherwise claim a rule is tested that is not.
    marked = marked_rules(TESTS)
    assert set(marked) - registered_ids() == set()
    assert "tests/rules/test_annual_plan.py" in marked["T-PROMPT"]


def test_pinggu_rules_prints_each_citation_and_the_tests():
    from pinggu.cli import app

    result = CliRunner().invoke(app, ["rules", "t-prompt", "--json"])
    assert result.exit_code == 0, result.output
    (entry,) = json.loads(result.output)
    assert entry["title"] == "执行中出现较大争议或风险的，及时启动评估"
    assert entry["rule"] == "major controversy/risk during execution → evaluation started promptly"
    assert [(c["profile"], c["citation"]) for c in entry["citations"]] == [
        ("bazhou", "《霸州市重大行政决策实施情况跟踪反馈与后评估规定（征求意见稿）》第十五条"),
        ("ordos", "《鄂尔多斯市重大行政决策实施情况跟踪反馈和后评估办法》第十二条（一）"),
        ("changli", "《昌黎县人民政府重大行政决策程序规定（试行）》第六十二条"),
    ]
    assert "tests/flows/test_annual_plan_e2e.py" in entry["tests"]

    (holiday,) = json.loads(CliRunner().invoke(app, ["rules", "P-HOLIDAY", "--json"]).output)
    assert holiday["title"] == "期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日"

    printed = CliRunner().invoke(app, ["rules", "T-PROMPT"])
    assert printed.exit_code == 0, printed.output
    assert "T-PROMPT  执行中出现较大争议或风险的，及时启动评估" in printed.output
    assert "major controversy" not in printed.output

    # Every registered rule is checked by a test now, the decision procedure's (CL-*) included.
    untested = json.loads(CliRunner().invoke(app, ["rules", "--untested", "--json"]).output)
    assert untested == []

    unknown = CliRunner().invoke(app, ["rules", "NO-SUCH"])
    assert unknown.exit_code == 1 and "规则登记表中没有编号为 NO-SUCH 的规则" in unknown.output
