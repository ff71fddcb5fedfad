"""Jurisdiction profiles (SPEC §3): the five files load, broken files are refused, the values match the seeds.

Seeds: bazhou = 000_…, ordos = 001_…, ningxia_commerce = 002_…, changli = 003_…, minhang = 004_…
(regulations/). Each check of a seed fact cites its article and carries the rule id of
the register (rules/register.yaml).
"""

from __future__ import annotations

import ast
import copy
import functools
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from pinggu.core.errors import InputFileError, NotFound
from pinggu.rules import profiles as profiles_module
from pinggu.rules.periods import Period, PeriodUnit, add_period
from pinggu.rules.planning_types import EVENT_KINDS, EXEMPTION_KINDS, TIME_TRIGGERS, DecisionFacts, PlanPolicy, UnitRule
from pinggu.rules.profiles import (
    EXEMPTIONS,
    PROFILES_DIR,
    Profile,
    known_profile_ids,
    load_profile,
    load_profiles,
    read_profile_file,
)
from pinggu.rules.register import registered_ids
from pinggu.rules.vocabulary import EVALUATION_TYPE_NAMES, Conclusion

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "regulations"
FIVE = ("bazhou", "changli", "minhang", "ningxia_commerce", "ordos")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@pytest.fixture(scope="module")
def profiles() -> dict[str, Profile]:
    return load_profiles()


def _seed_text(profile: Profile) -> str:
    # Compare without line breaks, spaces or the seeds' occasional ASCII punctuation.
    text = (SEEDS / profile.seed).read_text(encoding="utf-8")
    return _squash(text)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).replace(",", "，").replace(";", "；").replace("(", "（").replace(")", "）")


# --- every profile loads ------------------------------------------------------------------------


def test_the_five_profiles_load(profiles):
    if "PINGGU_PROFILES_DIR" not in os.environ:
        assert PROFILES_DIR == REPO / "profiles"
    # The files are the only registry of profile names (pinggu.catalog asks known_profile_ids()).
    assert tuple(sorted(profiles)) == FIVE == known_profile_ids()
    for profile_id, profile in profiles.items():
        assert profile.id == profile_id
        assert load_profile(profile_id) is profile  # cached
        policy = profile.plan_policy()
        assert isinstance(policy, PlanPolicy) and policy.profile == profile_id
        assert policy.time_triggers <= set(TIME_TRIGGERS) and policy.event_kinds <= set(EVENT_KINDS)
        assert all(isinstance(rule, UnitRule) for rule in policy.unit_rules)
        assert not policy.unit_rules[-1].conditions


@pytest.mark.parametrize("profile_id", FIVE)
def test_each_profile_names_its_seed_and_quotes_its_outline(profiles, profile_id):
    profile = profiles[profile_id]
    seed = _seed_text(profile)
    assert _squash(profile.title) in seed
    # The report outline is the seed's own wording (bazhou 12, ordos 19, ningxia 7, changli 59, minhang 13).
    for heading in profile.report_outline:
        assert _squash(heading) in seed, heading
    # Midterm/final parts are the seed's wording where it has them (bazhou 15, changli 62); ordos 12
    # names the types only, so its parts are marked "default: seed silent" in the file.
    if profile_id != "ordos":
        for heading in (*profile.midterm_parts, *profile.final_parts):
            assert _squash(heading) in seed, heading


def test_deadline_rule_ids_are_registered(profiles):
    registered = registered_ids()
    for profile in profiles.values():
        for deadline in profile.deadlines:
            assert deadline.rule in registered, (profile.id, deadline.rule)


def test_profiles_are_frozen(profiles):
    with pytest.raises(ValidationError, match="frozen"):
        profiles["bazhou"].name = "别处"  # type: ignore[misc]


# --- broken profiles are refused with the file, the key and the problem -------------------------


def _set(path: str, value):
    def change(data: dict) -> None:
        *parents, last = _parts(path)
        node = data
        for part in parents:
            node = node[part]
        node[last] = value

    return change


def _drop(path: str):
    def change(data: dict) -> None:
        *parents, last = _parts(path)
        node = data
        for part in parents:
            node = node[part]
        del node[last]

    return change


def _parts(path: str) -> list:
    return [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", path)]


def _swap_gates(data: dict) -> None:
    data["gates"][0], data["gates"][1] = data["gates"][1], data["gates"][0]


def case(name: str, base: str, change, key: str, problem: str):
    """One broken file: the base profile changed, the key the message must name, words of the problem."""
    return pytest.param(base, change, key, problem, id=name)


NX, MH, BZ = "ningxia_commerce", "minhang", "bazhou"
BROKEN = [
    case("unknown top-level key", NX, _set("colour", "red"), "colour", "不认识的键"),
    case("unknown gate key", NX, _set("gates[2].nmae", "x"), "gates[2].nmae", "不认识的键"),
    case("missing key", NX, _drop("title"), "title", "缺少此项"),
    case("weights not 100", NX, _set("indicators[0].weight", 35), "indicators", "权重之和应为 100"),
    case(
        "second-level weights not 100",
        NX,
        _set("indicators[0].items[0].weight", 45),
        "indicators[0].items",
        "二级指标权重之和应为 100",
    ),
    case(
        "data_threshold without thresholds",
        NX,
        _drop("indicators[0].items[0].thresholds"),
        "indicators[0].items[0].thresholds",
        "data_threshold",
    ),
    case(
        "survey_rate without item",
        NX,
        _drop("indicators[4].items[0].item"),
        "indicators[4].items[0].item",
        "survey_rate",
    ),
    case("band gap", NX, _set("grade_bands[1].max", 89), "grade_bands[1].max", "空档"),
    case("band overlap", NX, _set("grade_bands[2].max", 85), "grade_bands[1].min", "重叠"),
    case("bands stop short of 100", NX, _set("grade_bands[0].max", 99), "grade_bands[0].max", "100"),
    case(
        "unknown conclusion", NX, _set("grade_bands[2].conclusion", "修改"), "grade_bands[2].conclusion", "不是可用的值"
    ),
    case(
        "bad period unit",
        NX,
        _set("deadlines[1].period.unit", "weeks"),
        "deadlines[1].period.unit",
        "期间单位“weeks”无效",
    ),
    case(
        "period amount as text",
        NX,
        _set("deadlines[1].period.amount", "15"),
        "deadlines[1].period.amount",
        "正整数",
    ),
    case(
        "deadline from an event to itself",
        NX,
        _set("deadlines[1].until", "evaluation_completed"),
        "deadlines[1].until",
        "不能与",
    ),
    case(
        "default window beside a statutory one",
        NX,
        _set("default_window", {"amount": 90, "unit": "days"}),
        "default_window",
        "不写默认期限",
    ),
    case(
        "last unit rule with conditions",
        NX,
        _set("evaluating_unit[0].conditions", {"broad_impact": True}),
        "evaluating_unit[0].conditions",
        "最后一条规则不能有条件",
    ),
    case(
        "catch-all unit rule before the end",
        MH,
        _set("evaluating_unit[1].conditions", {}),
        "evaluating_unit[1].conditions",
        "只能放在最后",
    ),
    case(
        "unit rule on an unknown fact",
        MH,
        _set("evaluating_unit[1].conditions", {"fiscal": True}),
        "evaluating_unit[1].conditions.fiscal",
        "不是可用作条件的决策信息字段",
    ),
    case(
        "unit rule on an impossible value",
        MH,
        _set("evaluating_unit[0].conditions.public_attention", "很高"),
        "evaluating_unit[0].conditions.public_attention",
        "高、中、低",
    ),
    case("unknown placeholder", MH, _set("evaluating_unit[2].unit", "{lead}"), "evaluating_unit[2].unit", "占位符"),
    case("unknown gate type", NX, _set("gates[1].id", "hearing"), "gates[1].id", "不是可用的值"),
    case(
        "team without unit staff",
        MH,
        _set("team_roles.roles", ["法律专家"]),
        "team_roles.roles",
        "须包含“单位工作人员”",
    ),
    case("unknown team role", MH, _set("team_roles.roles[1]", "志愿者"), "team_roles.roles[1]", "不是可用的值"),
    case(
        "reason event not among events",
        NX,
        _set("triggers.events_need_reason[0]", "unit_application"),
        "triggers.events_need_reason[0]",
        "不在 events 中",
    ),
    case("reason events without basis", NX, _set("triggers.reason_basis", None), "triggers.reason_basis", "同时写明"),
    case("gates out of order", MH, _swap_gates, "gates[1].id", "顺序不对"),
    case("no approval gate", MH, _drop("gates[3]"), "gates", "缺少决策机关审定关口"),
    case("optional approval", MH, _set("gates[3].required", False), "gates[3].required", "不能省略"),
    case(
        "gate for a type not offered",
        MH,
        _set("gates[0].applies_to", ["midterm"]),
        "gates[0].applies_to[0]",
        "不在 evaluation_types 中",
    ),
    case(
        "time trigger without its type",
        MH,
        _set("triggers.time", ["half_term"]),
        "triggers.time[0]",
        "evaluation_types 中没有",
    ),
    case("unknown event kind", MH, _set("triggers.events[2]", "many_complaints"), "triggers.events[2]", "不是可用的值"),
    case(
        "approval for an event not recognised",
        MH,
        _set("triggers.events_need_approval", ["controversy_risk"]),
        "triggers.events_need_approval[0]",
        "不在 events 中",
    ),
    case("planned type not offered", MH, _set("planned_type", "midterm"), "planned_type", "不在 evaluation_types 中"),
    case("stage shares not 100", MH, _set("stage_schedule.conclusion", 40), "stage_schedule", "之和应为 100"),
    case("yes/no as text", MH, _set("score_required", "是"), "score_required", "true 或 false"),
    case(
        "unknown agreement field",
        MH,
        _set("third_party.agreement_fields[0]", "scope"),
        "third_party.agreement_fields[0]",
        "不是可用的值",
    ),
    case("simplified without its methods", BZ, _drop("simplified_methods"), "simplified_methods", "简易程序"),
    case("midterm without its parts", BZ, _drop("midterm_parts"), "midterm_parts", "midterm"),
    case(
        "exemption without its article",
        BZ,
        _drop("triggers.exemptions[1].basis"),
        "triggers.exemptions[1].basis",
        "缺少此项",
    ),
    case(
        "unknown exemption",
        BZ,
        _set("triggers.exemptions[0].id", "small_matter"),
        "triggers.exemptions[0].id",
        "不是可用的值",
    ),
    case(
        "exemption twice",
        MH,
        _set("triggers.exemptions", [{"id": "already_evaluated", "basis": "第三条第二款"}] * 2),
        "triggers.exemptions",
        "重复",
    ),
    case("approval without its article", MH, _drop("triggers.approval_basis"), "triggers.approval_basis", "由谁同意"),
    case("report part without content", MH, _set("report_sections[5]", []), "report_sections[5]", "至少显示一项内容"),
    case(
        "unknown report block", MH, _set("report_sections[5][0]", "gossip"), "report_sections[5][0]", "不是可用的内容"
    ),
    case(
        "report indicator not in the system",
        MH,
        _set("report_sections[2][0]", "indicator:weather"),
        "report_sections[2][0]",
        "不在 indicators 中",
    ),
    case("report without its approvals", MH, _set("report_sections[5]", ["process"]), "report_sections", "R-PROCESS"),
    case("report sections not matching the outline", MH, _drop("report_sections[5]"), "report_sections", "一一对应"),
]


@functools.cache
def _base_data(profile_id: str) -> dict:
    return yaml.load((PROFILES_DIR / f"{profile_id}.yaml").read_text(encoding="utf-8"), Loader=_YAML_LOADER)


@pytest.mark.parametrize(("base", "change", "key", "problem"), BROKEN)
def test_a_broken_profile_is_refused_naming_file_and_key(tmp_path, base, change, key, problem):
    data = copy.deepcopy(_base_data(base))
    change(data)
    path = tmp_path / f"{base}.yaml"
    text = yaml.dump(data, Dumper=_YAML_DUMPER, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")

    with pytest.raises(InputFileError) as caught:
        load_profiles(tmp_path)

    message = str(caught.value)
    assert str(path) in message and caught.value.context["file"] == str(path)
    assert f"键“{key}”" in message and caught.value.context["key"] == key
    assert problem in message
    assert re.search(r"第 \d+ 行", message)  # the line in the file
    # A message for people, not a pydantic traceback.
    assert "pydantic" not in message and "validation error" not in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_id_must_equal_the_file_name(tmp_path):
    path = tmp_path / "ningxia.yaml"
    path.write_text((PROFILES_DIR / "ningxia_commerce.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        read_profile_file(path)
    message = str(caught.value)
    assert str(path) in message and "键“id”" in message and "与文件名 ningxia.yaml 不一致" in message
    assert caught.value.context["key"] == "id"


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        pytest.param(
            lambda t: t.replace("score_required: true", "score_required: true\nscore_required: false"),
            "键“score_required”重复",
            id="key written twice",
        ),
        pytest.param(lambda t: t.replace("title: ", "title: [", 1), "不是有效的 YAML", id="invalid YAML"),
        pytest.param(lambda t: "", "应为键值对", id="empty file"),
    ],
)
def test_unreadable_yaml_is_refused_with_its_line(tmp_path, edit, problem):
    path = tmp_path / "minhang.yaml"
    path.write_text(edit((PROFILES_DIR / "minhang.yaml").read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        read_profile_file(path)
    assert str(path) in str(caught.value) and problem in str(caught.value)


def test_directory_and_unknown_ids(tmp_path, monkeypatch):
    (tmp_path / "ordos.yaml").write_text((PROFILES_DIR / "ordos.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "README.md").write_text("not a profile", encoding="utf-8")
    assert known_profile_ids(tmp_path) == ("ordos",)
    assert load_profile("ordos", tmp_path).name == "鄂尔多斯市"
    with pytest.raises(NotFound, match="未知的规则“minhang”，可用的规则：ordos"):
        load_profile("minhang", tmp_path)
    with pytest.raises(NotFound, match="未知的规则“nowhere”"):
        load_profile("nowhere")
    with pytest.raises(InputFileError, match="不存在"):
        load_profiles(tmp_path / "missing")
    # PINGGU_PROFILES_DIR replaces the default directory.
    monkeypatch.setenv("PINGGU_PROFILES_DIR", str(tmp_path))
    assert tuple(load_profiles()) == ("ordos",)


def _refusal(path: Path, problems: list[tuple[int | None, str]], key: str | None = None) -> None:
    with pytest.raises(InputFileError) as caught:
        read_profile_file(path)
    assert caught.value.message == (
        f"规则配置文件 {path} 有误，未加载；请按 rules/profiles/__init__.py 开头的格式说明修改后重试"
    )
    assert caught.value.context == {"file": str(path), "key": key}
    assert [(problem.row, problem.reason) for problem in caught.value.problems] == problems


def test_unreadable_profile_files_are_refused_in_full_with_their_line(tmp_path):
    text = (PROFILES_DIR / "minhang.yaml").read_text(encoding="utf-8")
    path = tmp_path / "minhang.yaml"
    path.write_bytes(text.encode("gbk"))
    _refusal(path, [(None, "文件应为 UTF-8 编码")])
    # score_required is on line 108 of profiles/minhang.yaml; the second one lands on line 109.
    path.write_text(text.replace("score_required: true", "score_required: true\nscore_required: false"), "utf-8")
    _refusal(path, [(109, "不是有效的 YAML（键“score_required”重复（第 108 行已有））")])
    path.write_text("- id\n- name\n", encoding="utf-8")
    _refusal(path, [(None, "文件内容应为键值对（id、name、gates …）")])
    other = tmp_path / "ordos.yaml"
    other.write_text(text, encoding="utf-8")
    _refusal(other, [(11, "键“id”：“minhang”与文件名 ordos.yaml 不一致")], key="id")
    (tmp_path / "folder.yaml").mkdir()
    with pytest.raises(InputFileError) as caught:
        read_profile_file(tmp_path / "folder.yaml")
    assert caught.value.problems[0].reason.startswith("无法读取文件（")
    assert caught.value.context == {"file": str(tmp_path / "folder.yaml"), "key": None}


def test_invalid_yaml_is_refused_at_the_line_the_parser_stopped(tmp_path):
    text = (PROFILES_DIR / "minhang.yaml").read_text(encoding="utf-8")
    path = tmp_path / "minhang.yaml"
    path.write_text(text.replace("title: ", "title: [", 1), encoding="utf-8")  # title is line 15
    with pytest.raises(InputFileError) as caught:
        read_profile_file(path)
    (problem,) = caught.value.problems
    assert problem.row == 16 and problem.reason.startswith("不是有效的 YAML（")


def test_profile_directory_refusals_read_in_full(tmp_path):
    with pytest.raises(InputFileError) as missing:
        load_profiles(tmp_path / "nope")
    assert missing.value.message == f"规则配置目录 {tmp_path / 'nope'} 不存在；请检查环境变量 PINGGU_PROFILES_DIR"
    assert missing.value.context == {"file": str(tmp_path / "nope")}
    with pytest.raises(InputFileError) as empty:
        load_profiles(tmp_path)
    assert empty.value.message == f"规则配置目录 {tmp_path} 中没有 .yaml 规则文件"
    assert empty.value.context == {"file": str(tmp_path)}
    with pytest.raises(NotFound) as unknown:
        load_profile("nowhere")
    assert unknown.value.message == "未知的规则“nowhere”，可用的规则：bazhou、changli、minhang、ningxia_commerce、ordos"
    assert unknown.value.context == {"profile": "nowhere"}
    with pytest.raises(NotFound) as none:
        load_profile("nowhere", tmp_path)
    assert none.value.message == "未知的规则“nowhere”，可用的规则：无"
    (tmp_path / "ordos.yaml").write_text((PROFILES_DIR / "ordos.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert list(load_profiles(tmp_path)) == ["ordos"] and load_profiles(tmp_path)["ordos"].id == "ordos"


# --- the values against the seeds ---------------------------------------------------------------


@pytest.mark.rule("NX-11")
def test_ningxia_evaluation_within_90_days_of_the_approved_start(profiles):
    # ningxia 11: "应当在确定评估开始之日起九十日内完成评估工作".
    ningxia = profiles["ningxia_commerce"]
    deadline = ningxia.deadline("NX-11")
    assert deadline.period == Period(90, PeriodUnit.days)
    assert (deadline.counted_from, deadline.until) == ("start_approved", "evaluation_completed")
    assert ningxia.evaluation_window == Period(90, PeriodUnit.days) == ningxia.plan_policy().due
    assert ningxia.default_window is None
    # Day 90 after 2026-03-02 is Sunday 2026-05-31 → the next working day (P-HOLIDAY).
    assert add_period(date(2026, 3, 2), deadline.period).due == date(2026, 6, 1)


@pytest.mark.rule("NX-12")
def test_ningxia_submission_within_15_days_of_completion(profiles):
    # ningxia 12 (the second one): "评估工作完成之日起十五日内，承办处室应……向厅决策机关提请审议".
    deadline = profiles["ningxia_commerce"].deadline("NX-12")
    assert deadline.period == Period(15, PeriodUnit.days)
    assert (deadline.counted_from, deadline.until) == ("evaluation_completed", "report_submitted")


@pytest.mark.rule("OR-19")
def test_ordos_report_within_one_month_of_completion(profiles):
    # ordos 19 ¶1: "后评估工作完成后，决策承办单位应当在一个月内形成书面评估报告并提交市人民政府".
    ordos = profiles["ordos"]
    deadline = ordos.deadline("OR-19")
    assert deadline.period == Period(1, PeriodUnit.months)
    assert (deadline.counted_from, deadline.until) == ("evaluation_completed", "report_submitted")
    # Ordos sets no time limit for the evaluation itself: the default window applies.
    assert ordos.plan_policy().due == ordos.default_window == Period(90, PeriodUnit.days)


@pytest.mark.rule("C-FOLLOWUP")
@pytest.mark.parametrize(
    ("profile_id", "article"),
    [
        ("bazhou", "第十五条"),  # ¶1: "应当采取有效措施，避免或者减少经济损失和不良社会影响"
        ("changli", "第六十二条"),  # ¶1: the same words
        ("ningxia_commerce", "第十四条"),  # the same words
        ("ordos", "第二十条"),  # ¶3: "应当及时落实，并采取措施，避免或者减少……损失和社会影响"
        ("minhang", "第十四条"),  # ¶2: "决策承办单位应当及时贯彻落实，并采取相应的措施，尽可能减少……损失"
    ],
    ids=["bazhou", "changli", "ningxia_commerce", "ordos", "minhang"],
)
def test_follow_up_window_is_30_days_where_the_seed_sets_none(profiles, profile_id, article):
    # The seeds say "及时" / "有效" and give no time limit; each profile documents the same default,
    # 30 days (profiles/*.yaml `followup.window`, "# default: seed silent"), so the open follow-up is
    # due 30 days after the approval (tests/tasks/test_conclusion.py checks the date itself).
    rule = profiles[profile_id].followup
    assert rule.window == Period(30, PeriodUnit.days)
    assert article in rule.basis and "default: seed silent" in rule.basis
    assert "措施" in rule.action


@pytest.mark.rule("MH-A10")
def test_minhang_archive_within_10_working_days_of_issue(profiles):
    # minhang 档案 10 ¶1: "在重大行政决策出台后10个工作日内，将全套重大行政决策档案资料扫描电子档……报备".
    deadline = profiles["minhang"].deadline("MH-A10")
    assert deadline.period == Period(10, PeriodUnit.working_days)
    assert (deadline.counted_from, deadline.until) == ("decision_issued", "archive_filed")
    with pytest.raises(KeyError):
        profiles["bazhou"].deadline("MH-A10")


def _facts(**changes) -> DecisionFacts:
    base = dict(
        code="T-1",
        title="测试决策",
        profile="minhang",
        category="重大公共政策",
        lead_unit="区发展和改革委员会",
        decision_body="闵行区人民政府",
        broad_impact=False,
        starts_on=date(2024, 1, 1),
        ends_on=None,
        progress_percent=None,
        uses_fiscal_funds=False,
        superior_evaluates=False,
        public_attention="中",
        last_evaluation_type=None,
        last_evaluation_on=None,
    )
    return DecisionFacts(**{**base, **changes})


def _unit(policy: PlanPolicy, facts: DecisionFacts) -> str:
    # UnitRule's documented meaning: the first rule whose conditions all hold wins.
    rule = next(r for r in policy.unit_rules if all(getattr(facts, k) == v for k, v in r.conditions.items()))
    return rule.unit.format(lead_unit=facts.lead_unit, decision_body=facts.decision_body)


@pytest.mark.rule("MH-4", "MH-4-DIV")
@pytest.mark.parametrize(
    ("facts", "unit"),
    [
        # minhang 4 ¶2: district-wide, high-attention → the district office.
        pytest.param(
            _facts(broad_impact=True, public_attention="高"), "区政府办公室", id="4(2) broad and high attention"
        ),
        pytest.param(
            _facts(broad_impact=True, public_attention="高", uses_fiscal_funds=True),
            "区政府办公室",
            id="4(2) the office takes it before the finance bureau",
        ),
        # minhang 4 ¶3: fiscal funds the office does not take → the finance bureau.
        pytest.param(_facts(uses_fiscal_funds=True), "区财政局", id="4(3) fiscal funds"),
        pytest.param(
            _facts(broad_impact=True, public_attention="中", uses_fiscal_funds=True),
            "区财政局",
            id="4(3) broad but not high attention",
        ),
        # minhang 4 ¶4: otherwise the lead unit, by a division other than the one that ran it.
        pytest.param(_facts(broad_impact=True), "区发展和改革委员会（非承办处室）", id="4(4) otherwise the lead unit"),
    ],
)
def test_minhang_evaluating_unit(profiles, facts, unit):
    policy = profiles["minhang"].plan_policy()
    assert _unit(policy, facts) == unit
    assert "MH-4-DIV" in policy.unit_rules[-1].note


@pytest.mark.rule("MH-6-4", "T-EVENT")
def test_minhang_triggers(profiles):
    # minhang 6: five statutory situations, (3) split into many opinions / negative public opinion;
    # 6(4): a unit's application counts once the district government agrees. No time triggers
    # (minhang 4: the office plans by attention, progress and problems), no simplified procedure.
    minhang = profiles["minhang"]
    policy = minhang.plan_policy()
    assert policy.event_kinds == {
        "basis_changed",
        "effect_not_met",
        "many_opinions",
        "negative_public_opinion",
        "unit_application",
        "body_deems_necessary",
        # 督查 5 ¶2: a problem or force majeure the lead unit reports at once; the district government decides
        # whether to evaluate (6(5)), so it waits for its consent like an application.
        "serious_problem_reported",
    }
    assert policy.events_need_approval == {"unit_application", "serious_problem_reported"}
    assert policy.time_triggers == frozenset()
    assert minhang.evaluation_types == ("ordinary",)
    assert policy.exemptions == {"already_evaluated"}  # minhang 3 ¶2 (X-DONE)


@pytest.mark.rule("MH-14")
def test_minhang_scores_and_concludes_from_the_score(profiles):
    # minhang 10: evaluate against the indicator system; 14 ¶1: "根据评估得分情况，明确提出评估意见及结论".
    minhang = profiles["minhang"]
    assert minhang.score_required
    assert sum(indicator.weight for indicator in minhang.indicators) == 100
    # minhang 13 (3): the public's satisfaction is scored from the survey.
    acceptance = next(i for i in minhang.indicators if i.id == "acceptance")
    assert [(item.scoring, item.item) for item in acceptance.items] == [("survey_rate", "satisfaction")]
    assert minhang.grade_for(95).conclusion is Conclusion.continue_execution
    assert minhang.grade_for(59.9).grade == "差"


@pytest.mark.parametrize("profile_id", FIVE)
def test_default_grade_bands(profiles, profile_id):
    # SPEC §8: ≥ 90 优, 80–89 良, 60–79 中, < 60 差 (no seed sets bands).
    profile = profiles[profile_id]
    assert [(score, profile.grade_for(score).grade) for score in (100, 90, 89.99, 80, 79.5, 60, 59.99, 0)] == [
        (100, "优"),
        (90, "优"),
        (89.99, "良"),
        (80, "良"),
        (79.5, "中"),
        (60, "中"),
        (59.99, "差"),
        (0, "差"),
    ]
    assert profile.grade_for(85).conclusion is Conclusion.continue_execution
    assert profile.grade_for(70).conclusion is Conclusion.adjust
    assert profile.grade_for(10).conclusion is Conclusion.suspend
    with pytest.raises(ValueError, match="0 至 100"):
        profile.grade_for(101)


@pytest.mark.rule("R-BAZHOU")
def test_bazhou_and_changli_outline(profiles):
    # bazhou 12 = changli 59: four parts; midterm/final focus from bazhou 15 ¶4–5 = changli 62 ¶4–5.
    bazhou, changli = profiles["bazhou"], profiles["changli"]
    assert bazhou.report_outline == changli.report_outline
    assert len(bazhou.report_outline) == 4
    assert bazhou.report_outline[2] == "跟踪反馈与后评估结论及建议"
    assert bazhou.type_parts("midterm") == changli.type_parts("midterm")
    assert "修正执行不当情况" in bazhou.type_parts("midterm")
    assert "成功的经验" in bazhou.type_parts("final")
    assert bazhou.type_parts("ordinary") == ()


@pytest.mark.rule("R-ORDOS")
def test_ordos_outline(profiles):
    # ordos 19 ¶2: nine parts, (8) the conclusion among continue / suspend / terminate / adjust.
    outline = profiles["ordos"].report_outline
    assert len(outline) == 9
    assert all(word in outline[7] for word in ("继续执行", "中止执行", "终止执行", "调整"))
    assert outline[3].startswith("决策与法律、法规、规章")


@pytest.mark.rule("R-NINGXIA")
def test_ningxia_outline(profiles):
    # ningxia 7: five parts.
    outline = profiles["ningxia_commerce"].report_outline
    assert len(outline) == 5
    assert outline[3] == "重大行政决策继续实施、调整或者终止执行的意见建议"


@pytest.mark.rule("R-MINHANG")
def test_minhang_outline(profiles):
    # minhang 13 ¶2: six parts (the seed numbers two of them "(三)"), satisfaction in the third;
    # the score itself is required by score_required (MH-14).
    minhang = profiles["minhang"]
    assert len(minhang.report_outline) == 6
    assert "满意度" in minhang.report_outline[2]
    assert "潜在风险" in minhang.report_outline[3]
    assert minhang.score_required


@pytest.mark.rule("NX-10")
def test_ningxia_decides_whether_to_evaluate_before_it_starts(profiles):
    # ningxia 10(2): the 承办处室 asks the 厅决策机关 whether to evaluate at all; 4 ¶3 names the body.
    ningxia = profiles["ningxia_commerce"]
    assert ningxia.evaluation_types == ("ningxia_90day",) and ningxia.planned_type == "ningxia_90day"
    gates = ningxia.gates_for("ningxia_90day")
    assert [gate.id for gate in gates] == ["start_approval", "survey", "expert_review", "approval"]
    assert "厅决策机关" in gates[0].actor and gates[0].required
    # ningxia 10(4): "可以组织有关专家进行论证" — optional.
    assert not gates[2].required
    # ningxia 4 ¶2: seven situations, no time triggers.
    policy = ningxia.plan_policy()
    assert policy.time_triggers == frozenset()
    assert {"superior_request", "other_division_request", "special_provision"} <= policy.event_kinds


@pytest.mark.rule("OR-14")
def test_ordos_third_party_report_accepted_by_the_lead_unit(profiles):
    # ordos 14(3): "委托第三方机构开展决策后评估的，评估报告应当经决策承办单位审查验收并予以确认".
    ordos = profiles["ordos"]
    assert [g.id for g in ordos.gates_for("ordinary")] == ["plan_approval", "survey", "expert_review", "approval"]
    entrusted = [g.id for g in ordos.gates_for("ordinary", entrusted=True)]
    assert entrusted == ["plan_approval", "survey", "expert_review", "third_party_acceptance", "approval"]
    acceptance = ordos.gates[3]
    assert acceptance.entrusted_only and acceptance.actor == "决策承办单位"
    # Only ordos has this gate in its seed.
    assert [p for p in profiles.values() if any(g.id == "third_party_acceptance" for g in p.gates)] == [ordos]


@pytest.mark.rule("S-SIMPLE")
def test_simplified_procedure_only_where_the_seed_has_it(profiles):
    # bazhou 13, changli 60: one of symposium / online questionnaire / opinion solicitation / argument meeting,
    # without a separate plan gate or expert review, still ending in approval.
    offering = sorted(p.id for p in profiles.values() if "simplified" in p.evaluation_types)
    assert offering == ["bazhou", "changli"]
    for profile_id in offering:
        profile = profiles[profile_id]
        assert set(profile.simplified_methods) == {"座谈会", "问卷调查", "意见征询", "论证会"}
        assert [g.id for g in profile.gates_for("simplified")] == ["survey", "approval"]


@pytest.mark.rule("T-ONE-YEAR", "T-HALF", "T-ENDED", "T-PROMPT", "X-12M", "X-SUPERIOR")
def test_time_triggers_and_exemptions(profiles):
    # bazhou 15, ordos 12, changli 62: one year / half term / ended, and controversy → promptly;
    # bazhou 16, changli 63: the 12-month and superior-body exemptions.
    for profile_id in ("bazhou", "ordos", "changli"):
        policy = profiles[profile_id].plan_policy()
        assert policy.time_triggers == set(TIME_TRIGGERS), profile_id
        assert "controversy_risk" in policy.event_kinds
        assert {"midterm", "final", "ordinary"} <= set(profiles[profile_id].evaluation_types)
    for profile_id in ("bazhou", "changli"):
        assert profiles[profile_id].plan_policy().exemptions == {"within_12_months", "superior_evaluates"}
    assert profiles["ordos"].plan_policy().exemptions == frozenset()
    # ordos 11: "可组织" — the office decides on (1)–(4); 12 "应当" for controversy and time triggers.
    assert profiles["ordos"].plan_policy().events_need_approval == {
        "basis_changed",
        "effect_not_met",
        "many_opinions",
        "unit_application",
        "serious_problem_reported",
    }
    assert profiles["bazhou"].plan_policy().events_need_approval == frozenset()


# What each seed exempts, with the article; ordos (001_…) and ningxia (002_…) exempt nothing: ordos 2
# ("国家、自治区另有规定的，从其规定") defers to other rules but grants no exemption.
SEED_EXEMPTIONS = {
    "bazhou": {"within_12_months": "第十六条第一款", "superior_evaluates": "第十六条第二款"},
    "changli": {"within_12_months": "第六十三条第一款", "superior_evaluates": "第六十三条第二款"},
    "minhang": {"already_evaluated": "第三条第二款"},
    "ordos": {},
    "ningxia_commerce": {},
}
# The seeds' own words for each exemption (bazhou 16 = changli 63; minhang 3 ¶2).
EXEMPTION_WORDS = {
    "within_12_months": "可以不再重复组织执行评估",
    "superior_evaluates": "应当由上级机关组织决策评估的，可以不重复组织",
    "already_evaluated": "已对决策事项进行评价或者评估的，可以不作重复评估",
}


@pytest.mark.rule("X-12M", "X-SUPERIOR", "X-DONE")
@pytest.mark.parametrize("profile_id", FIVE)
def test_plan_policy_has_the_exemptions_its_seed_gives(profiles, profile_id):
    # X-12M, X-SUPERIOR: bazhou 16 ¶1–2, changli 63 ¶1–2; X-DONE: minhang 3 ¶2; none in ordos, ningxia.
    profile = profiles[profile_id]
    policy = profile.plan_policy()
    expected = SEED_EXEMPTIONS[profile_id]
    assert policy.exemptions == set(expected)
    assert policy.exemption_basis == {kind: f"《{profile.title}》{article}" for kind, article in expected.items()}
    seed = _seed_text(profile)
    for kind, words in EXEMPTION_WORDS.items():
        assert (words in seed) == (kind in expected), (profile_id, kind)


@pytest.mark.rule("MH-6-4", "T-EVENT")
@pytest.mark.parametrize(
    ("profile_id", "article", "kinds"),
    [
        # minhang 6(4): "并经区政府同意的"; 督查 5 ¶2: a reported problem or force majeure, for the district to judge
        ("minhang", "第六条（四）", {"unit_application", "serious_problem_reported"}),
        (
            "ordos",
            "第十一条",
            {"basis_changed", "effect_not_met", "many_opinions", "unit_application", "serious_problem_reported"},
        ),  # ordos 11 "可组织"; 9: the lead unit's report (OR-9) too
        ("bazhou", None, set()),
        ("changli", None, set()),
        # ningxia 4 ¶1: the 厅决策机关 decides whether to evaluate what no situation of 4 ¶2 covers
        ("ningxia_commerce", "第四条第一款", {"serious_problem_reported"}),
    ],
)
def test_plan_policy_cites_who_agrees_to_an_event(profiles, profile_id, article, kinds):
    profile = profiles[profile_id]
    policy = profile.plan_policy()
    assert policy.events_need_approval == kinds
    if article is None:
        assert policy.approval_basis == ""
    else:
        assert policy.approval_basis.startswith(f"《{profile.title}》{article}")


def test_exemption_names_cover_the_planning_ids():
    assert tuple(EXEMPTIONS) == EXEMPTION_KINDS


@pytest.mark.rule("TP-AGREEMENT")
def test_minhang_agreement_fields(profiles):
    # minhang 8 ¶1: 评估事项、质量要求、完成期限、评估经费、评估成果归属、保密条款和违约责任.
    third_party = profiles["minhang"].third_party
    assert third_party.allowed
    assert third_party.agreement_fields == (
        "matter",
        "quality",
        "deadline",
        "fee",
        "ownership",
        "confidentiality",
        "liability",
    )


def test_default_window_and_stage_offsets(profiles):
    # Seeds other than ningxia set no evaluation time limit (minhang 4: set per item in the annual plan).
    for profile_id in ("bazhou", "changli", "minhang", "ordos"):
        assert profiles[profile_id].plan_policy().due == Period(90, PeriodUnit.days)
    assert profiles["bazhou"].stage_offsets(90) == {"preparation": 18, "implementation": 63, "conclusion": 90}
    for profile in profiles.values():
        assert set(profile.evaluation_types) <= set(EVALUATION_TYPE_NAMES)


# --- the engine never branches on a jurisdiction's name -----------------------------------------


def _mentions(source: str, ids: tuple[str, ...]) -> list[str]:
    """Profile ids (or other words) used in code (string literals, names) — documentation excepted."""
    pattern = re.compile(r"(?<![A-Za-z0-9])(" + "|".join(map(re.escape, ids)) + r")(?![A-Za-z0-9])")
    tree = ast.parse(source)
    skip: set[int] = set()
    for node in ast.walk(tree):
        # A string standing alone as a statement is documentation: a docstring, or the attribute
        # docstring under a constant. It has no effect, so it cannot branch on a name.
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            skip.add(id(node.value))
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        texts = []
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            texts.append(node.value)
        elif isinstance(node, ast.Name):
            texts.append(node.id)
        elif isinstance(node, ast.Attribute):
            texts.append(node.attr)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            texts.append(node.name)
        elif isinstance(node, ast.arg | ast.keyword) and node.arg:
            texts.append(node.arg)
        elif isinstance(node, ast.alias):
            texts.append(node.asname or node.name)
        found += [f"line {node.lineno}: {text!r}" for text in texts if pattern.search(text)]
    return found


def test_the_detector_finds_a_branch_on_a_name():
    source = (
        "def due(profile):\n"
        '    """Not for bazhou."""\n'
        "    # minhang 4\n"
        '    "changli 62: a bare string is documentation too"\n'
        '    return 90 if profile == "ningxia_commerce" else f"{ordos_days}"\n'
    )
    assert _mentions(source, FIVE) == ["line 5: 'ningxia_commerce'", "line 5: 'ordos_days'"]


def test_no_code_under_rules_names_a_profile():
    # House rule (docs/contributing.md): profiles are validated data; the engine never branches on a jurisdiction's name.
    # Comments and docstrings may cite a seed ("minhang 6(4)"). There is no exception: the list of
    # profiles is the files themselves (known_profile_ids()).
    offenders = {}
    for path in sorted((REPO / "rules").rglob("*.py")):
        found = _mentions(path.read_text(encoding="utf-8"), FIVE)
        if found:
            offenders[str(path.relative_to(REPO))] = found
    assert offenders == {}


def test_the_annual_plan_cites_no_jurisdiction_of_its_own(profiles):
    # Citations in the plan (exemptions, pending approvals) come from the profiles: the planning code
    # holds no jurisdiction's Chinese name in a string, outside docstrings and comments.
    names = tuple(sorted({profile.name for profile in profiles.values()}))
    offenders = {}
    for name in (
        "annual_plan.py",
        "planning_types.py",
        *(f"profiles/{m.name}" for m in (REPO / "rules" / "profiles").glob("*.py")),
    ):
        found = _mentions((REPO / "rules" / name).read_text(encoding="utf-8"), names)
        if found:
            offenders[name] = found
    assert offenders == {}


def test_profiles_module_imports_no_orchestration_or_database():
    code = (
        "import sys, pinggu.rules.profiles; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'prefect', 'sqlmodel', 'models', 'tasks', 'flows'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    assert profiles_module.__file__ is not None
