"""Recording event triggers (services/planning.add_trigger): what a profile requires of each event."""

from __future__ import annotations

import uuid
from datetime import date

import builders
import pytest
from builders import session_scope
from sqlmodel import select

from pinggu.core.errors import RuleViolation
from pinggu.models.tables import TriggerEvent
from pinggu.services.planning import add_trigger

NINGXIA_DECISION = "S-2022-002"  # the sample catalog's decision under the ningxia_commerce profile
CHANGLI_DECISION = "S-2021-004"  # the sample catalog's decision under the changli profile


def _recorded(kind: str) -> int:
    with session_scope() as session:
        query = select(TriggerEvent).where(TriggerEvent.decision_code == NINGXIA_DECISION, TriggerEvent.kind == kind)
        return len(session.exec(query).all())


@pytest.mark.rule("T-EVENT")
@pytest.mark.parametrize("kind", ["many_opinions", "other_division_request"])
def test_ningxia_events_that_need_sufficient_reasons_are_refused_without_one(sample_catalog, kind):
    # ningxia 4(2)(3) 提出较多意见，且理由充分的; (6) 其他处室认为有必要开展评估，且理由充分的.
    before = _recorded(kind)
    with pytest.raises(RuleViolation) as refused:
        add_trigger(NINGXIA_DECISION, kind, date(2026, 10, 8), "  ", "办公室 赵敏")
    assert "《宁夏回族自治区商务厅重大行政决策实施情况跟踪反馈与后评估办法（试行）》第四条第二款（三）（六）" in str(
        refused.value
    )
    assert refused.value.rule == "T-EVENT" and _recorded(kind) == before  # nothing written

    summary = add_trigger(
        NINGXIA_DECISION, kind, date(2026, 10, 8), "群众来信二十余件，反映补贴标准偏低，经核属实", "办公室 赵敏"
    )
    assert summary.startswith(f"已记录 {NINGXIA_DECISION}") and _recorded(kind) == before + 1


@pytest.mark.rule("T-EVENT")
def test_an_event_without_that_condition_needs_no_reason(sample_catalog):
    before = _recorded("basis_changed")
    add_trigger(NINGXIA_DECISION, "basis_changed", date(2026, 10, 8), "", "办公室 赵敏")
    assert _recorded("basis_changed") == before + 1


def _bazhou_reform(tmp_path, code: str, assists: str) -> None:
    """A bazhou reform decision in force since 2025-03-10 that the superior body evaluates."""
    import csv

    from builders import SAMPLES

    from pinggu.catalog import import_catalog

    with (SAMPLES / "catalog.csv").open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        sample = next(reader)
    values = sample | {
        "编号": code,
        "规则": "bazhou",
        "决策类别": "重大改革事项",
        "决策日期": "2025-03-01",
        "实施起始日": "2025-03-10",
        "实施终止日": "",
        "上级组织评估": "是",
        "协助上级评估": assists,
    }
    path = tmp_path / f"{code}-{assists}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(values))
        writer.writeheader()
        writer.writerow(values)
    import_catalog(path)


@pytest.mark.rule("X-SUPERIOR")
def test_assisting_the_superiors_evaluation_keeps_the_decision_in_the_plan(settings, tmp_path):
    # bazhou 16(2): 应当由上级机关组织决策评估的，可以不重复组织执行评估，接受上级委任或根据上级要求协助评估的除外.
    from pinggu.services.planning import build_plan

    code = f"BZ-ASSIST-{uuid.uuid4().hex[:6]}"
    _bazhou_reform(tmp_path, code, "是")
    plan = build_plan(2026, date(2026, 1, 5), profile="bazhou")
    assert code in {item.decision for item in plan.items} and code not in {e.decision for e in plan.exempt}

    _bazhou_reform(tmp_path, code, "否")  # the catalog corrected: no longer assisting
    plan = build_plan(2026, date(2026, 1, 5), profile="bazhou")
    assert [e.reason for e in plan.exempt if e.decision == code] == ["superior_evaluates"]


@pytest.mark.rule("OR-9", "T-EVENT")
def test_a_serious_problem_the_lead_unit_reports_is_an_event_the_government_may_act_on(settings):
    # ordos 9: 承办单位……发现重大行政决策存在问题、客观情况发生重大变化或者决策执行中发生不可抗力等严重影响决策
    # 目标实现的，应当及时向市人民政府报告; ordos 11: 市人民政府办公室“可组织”后评估 — so it waits for that approval.

    with session_scope() as session:
        code = builders.add_decision(
            session, "ordos", prefix="OR9", title="关于中心城区停车设施建设的实施方案",
            decision_body="市人民政府", lead_unit="市住房和城乡建设局", category="重大公共建设项目",
        ).code  # fmt: skip
    summary = add_trigger(
        code, "serious_problem_reported", date(2026, 10, 8), "地质条件变化，二期无法按期开工", "市住建局 王强"
    )
    assert summary.startswith(f"已记录 {code}：承办单位报告决策存在问题、客观情况重大变化或不可抗力")
    assert "须经同意后方启动评估" in summary and "第十一条" in summary

    from pinggu.services.planning import build_plan

    plan = build_plan(2026, date(2026, 10, 9), profile="ordos")
    assert code in {pending.decision for pending in plan.pending}


@pytest.mark.rule("T-EVENT")
def test_a_profile_that_does_not_list_the_report_as_a_trigger_refuses_it(sample_catalog):
    # changli files a reported problem under 62 ¶2 (controversy_risk) and a major change under 57(1): it has no
    # event of its own for the report (ningxia does since issue 30, for the 厅决策机关 to decide on).
    with pytest.raises(RuleViolation, match="未规定"):
        add_trigger(CHANGLI_DECISION, "serious_problem_reported", date(2026, 10, 8), "某问题", "办公室 赵敏")
