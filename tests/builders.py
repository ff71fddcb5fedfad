"""Builders of test data: plain functions, no fixtures."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from pinggu.reporting.context import ReportContext

import csv
from datetime import date
from pathlib import Path

from pinggu.core.settings import SAMPLES_DIR as SAMPLES  # noqa: E402


def session_scope(engine: Engine | None = None) -> AbstractContextManager[Session]:
    """A plain write session for a test's own arrangements, committed at its end; not retried, so product code
    writes through pinggu.models.db.transaction instead (tests/test_architecture.py)."""
    from pinggu.models.db import _session_scope

    return _session_scope(engine)


def team(*extra: dict) -> list[dict]:
    """A valid evaluation team, plus any extra members."""
    return [
        {"name": "王明", "role": "单位工作人员", "unit": "区司法局"},
        {"name": "李华", "role": "法律专家", "unit": "某大学法学院"},
        *extra,
    ]


def plan_approval(choice: str = "同意", comment: str = "", approver: str = "张建国") -> dict:
    """A plan-approval form answer."""
    return {"approver": approver, "approver_role": "区政府办公室主任", "choice": choice, "comment": comment}


def report_approval(choice: str = "通过", conclusion: str | None = "继续执行", comment: str = "", **more: str) -> dict:
    """A decision-body approval form answer (more: departure_reason, rework)."""
    return {
        "approver": "刘志强",
        "approver_role": "区长",
        "choice": choice,
        "conclusion": conclusion,
        "comment": comment,
        **more,
    }


def expert_review(experts: str = "周立平、吴晓") -> dict:
    """An expert-review form answer."""
    return {
        "experts": experts,
        "opinion": "评估方法规范，数据可信",
        "handling": "已采纳",
        "submitter": "王明",
        "submitter_role": "评估小组组长",
    }


def survey_submission(path: Path) -> dict:
    """A survey-submission form answer for a file."""
    return {"file": str(path), "submitter": "赵敏", "submitter_role": "承办单位 科员"}


def bad_survey(path: Path) -> Path:
    """The sample survey with one answer off the satisfaction scale (row 5, column Q3 满意度)."""
    with (SAMPLES / "survey.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    column = rows[0].index("Q3 满意度")
    rows[4][column] = "还行吧"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def start_approval(choice: str = "同意开展", comment: str = "") -> dict:
    """A Ningxia start-decision form answer (NX-10)."""
    return {"approver": "马厅长", "approver_role": "厅长（厅务会议主持人）", "choice": choice, "comment": comment}


def records_submission(path: Path, summary: str = "2026年3月召开座谈会，12家单位参加，普遍认为政策有效") -> dict:
    """A minutes / field-records submission form answer; writes a small text file at `path`."""
    path.write_text("会议纪要\n时间：2026年3月5日\n参加人员：各街道代表\n", encoding="utf-8")
    return {"file": str(path), "summary": summary, "submitter": "赵敏", "submitter_role": "承办单位 科员"}


def expert_marks_submission(profile_id: str, path: Path, mark: float = 85, completion: float = 92) -> dict:
    """An expert-marks form answer: two experts mark every expert-scored indicator of the profile."""
    from pinggu.rules.profiles import load_profile
    from pinggu.rules.scoring import inputs_needed

    needed = inputs_needed(load_profile(profile_id))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["指标", "专家", "分数"])
        for key, _ in needed["expert_marks"]:
            writer.writerow([key, "周立平", mark])
            writer.writerow([key, "吴晓", mark])
    data = "\n".join(f"{measure}：{completion}" for measure, _ in needed["data"])
    return {"file": str(path), "data_values": data, "submitter": "王明", "submitter_role": "评估小组组长"}


def acceptance(choice: str = "验收通过", comment: str = "") -> dict:
    """A third-party report acceptance form answer (OR-14)."""
    return {"approver": "高峰", "approver_role": "承办单位负责人", "choice": choice, "comment": comment}


def agreement_terms(matter: str = "某区老旧小区加装电梯补贴政策后评估"):
    """The terms of an entrustment agreement with every field a profile may require (TP-AGREEMENT)."""
    from datetime import date

    from pinggu.rules.third_party import Agreement

    return Agreement(
        matter=matter,
        quality="符合后评估指标体系",
        deadline=date(2026, 9, 30),
        fee="人民币8万元",
        ownership="归委托单位",
        confidentiality="保密",
        liability="违约赔偿",
    )


def agreement(agency: str) -> dict:
    """A complete entrustment agreement for the third_party parameter (TP-AGREEMENT)."""
    return {
        "agency": agency,
        "matter": "决策实施情况后评估",
        "quality": "符合评估方案要求",
        "deadline": "2027-03-31",
        "fee": "人民币8万元",
        "ownership": "成果归委托方",
        "confidentiality": "不得泄露评估中知悉的信息",
        "liability": "按合同法承担违约责任",
    }


def report_context(
    profile_id: str, evaluation_type: str = "ordinary", *, final: bool = True, repeats: int = 1
) -> ReportContext:
    """A complete report context (as pinggu.services.evaluation.report_context builds it) from the sample
    survey and opinions, scored against the profile; `repeats` multiplies the breakdown tables."""
    from pinggu.analysis.opinions import read_opinions, summarise_opinions
    from pinggu.analysis.survey_figures import summarise_survey
    from pinggu.analysis.survey_reading import read_survey
    from pinggu.reporting.context import ReportContext
    from pinggu.rules.plan import draft_plan
    from pinggu.rules.profiles import load_profile
    from pinggu.rules.scoring import inputs_needed, score
    from pinggu.rules.vocabulary import EVALUATION_TYPE_NAMES
    from pinggu.services.evaluation.report_context import outline_of, where_in_report

    profile = load_profile(profile_id)
    survey = summarise_survey(read_survey(SAMPLES / "survey.csv")).to_dict()
    survey.update(source_title="问卷数据（survey.csv，600 份）", source_sha256="ab" * 32)
    survey["breakdowns"] = {
        f"{name}（{n}）" if n else name: rows for n in range(repeats) for name, rows in survey["breakdowns"].items()
    }
    needed = inputs_needed(profile)
    card = score(
        profile,
        survey=survey,
        expert_marks={key: [80, 90] for key, _ in needed["expert_marks"]},
        data={measure: 88 for measure, _ in needed["data"]},
    ).to_dict()
    outline = outline_of(profile)
    stage = {
        "name": "准备阶段",
        "target_date": "2026-12-12",
        "started": "2026-11-22 09:00",
        "finished": "2026-11-23 10:00",
    }
    context = {
        "report": {"status": "正式报告" if final else "送审稿", "generated_on": "2026-11-22"},
        "profile_title": profile.title,
        "outline": outline,
        "decision": {
            "code": "S-2024-001",
            "title": "关于高标准农田建设的实施方案",
            "decision_body": "人民政府",
            "lead_unit": "发展和改革委员会",
            "category": "重大公共政策",
            "decided_on": "2024-08-19",
            "starts_on": "2024-08-30",
            "ends_on": "2029-08-29",
            "progress_percent": 26,
        },
        "evaluation": {
            "code": "PG-2026-0001",
            "type_name": EVALUATION_TYPE_NAMES[evaluation_type],
            "scope_name": "整体评估",
            "scope_parts": [],
        },
        "team": team(),
        "plan": draft_plan(
            profile=profile,
            decision_title="关于高标准农田建设的实施方案",
            lead_unit="发展和改革委员会",
            evaluation_type=evaluation_type,
            scope="whole",
            scope_parts=[],
            methods=["问卷调查", "座谈会", "意见征询"],
            targets={"preparation": date(2026, 12, 12), "implementation": None, "conclusion": None},
            budget_yuan=50000.0,
        ),
        "stages": [stage] * 3,
        "schedule_provisional": False,
        "materials": [{"title": "问卷数据（survey.csv，600 份）", "sha256": "ab" * 32}],
        "survey": survey,
        "opinions": summarise_opinions(read_opinions(SAMPLES / "opinions.csv")),
        "records": [
            {
                "kind": "minutes",
                "title": "会议纪要（座谈会.pdf）",
                "summary": "12家单位参加座谈，普遍认为政策有效。",
                "sha256": "cd" * 32,
            }
        ],
        "score": card,
        "indicators": {indicator["id"]: indicator for indicator in card["indicators"]},
        "indicator_names": {indicator.id: indicator.name for indicator in profile.indicators},
        "recommended": card["recommended"],
        "departure_reason": None,
        "preliminary": "共回收有效问卷 600 份。评估结论由决策机关审定时确定。",
        "expert_review": {"experts": ["周立平", "吴晓"], "opinion": "评估方法规范", "handling": "已采纳"},
        "expert_review_planned": evaluation_type != "simplified",
        "type_parts": [
            {"part": part, "where": where_in_report(part, outline)} for part in profile.type_parts(evaluation_type)
        ],
        "third_party": None,
        "deadlines": [],
        "follow_up": "发展和改革委员会应于 2026-12-22 前采取有效措施（第十五条第一款）" if final else None,
        "approvals": [
            {
                "gate_name": "决策机关审定",
                "approver": "刘志强",
                "role": "区长",
                "choice": "通过",
                "conclusion": "调整",
                "comment": None,
                "decided_at": "2026-11-22 10:00",
            }
        ]
        if final
        else [],
        "conclusion": "调整" if final else None,
        "process": [{"at": "2026-11-22 09:00", "what": "组建评估小组", "outcome": "第1次 · 完成"}],
    }
    return ReportContext.model_validate(context)


def add_decision(session, profile: str = "bazhou", *, prefix: str = "T", **fields):
    """A new catalog decision under `profile` that no other test touches, in `session`."""
    import uuid
    from datetime import date

    from pinggu.models.tables import Decision

    values = {
        "title": "某区老旧小区加装电梯补贴政策",
        "profile": profile,
        "decision_body": "区政府",
        "lead_unit": "区住房保障局",
        "category": "重大公共政策",
        "starts_on": date(2024, 1, 1),
    } | fields
    decision = Decision(code=f"{prefix}-{uuid.uuid4().hex[:8]}", **values)
    session.add(decision)
    session.flush()
    return decision


def add_evaluation(
    session,
    profile: str = "bazhou",
    *,
    type: str = "ordinary",
    methods: tuple[str, ...] = ("问卷调查",),
    stage_targets: dict | None = None,
    flow_run_id: str | None = None,
    prefix: str = "T",
    **decision_fields,
):
    """A new decision under `profile` that no other test touches, and an evaluation of it, in `session`."""
    from pinggu.models import evaluations as store

    decision = add_decision(session, profile, prefix=prefix, **decision_fields)
    evaluation = store.create_evaluation(
        session=session,
        decision=decision,
        type=type,
        scope="whole",
        scope_parts=[],
        methods=list(methods),
        stage_targets=stage_targets or {},
        flow_run_id=flow_run_id,
    )
    assert evaluation.id is not None
    return evaluation


def open_follow_up(due, *, profile: str = "bazhou", unit: str = "区住房保障局"):
    """An evaluation concluded 调整 with its follow-up opened today (as pinggu.tasks.conclusion.open_follow_up does)."""
    from pinggu.models import evaluations as store
    from pinggu.models.tables import now_beijing

    with session_scope() as session:
        evaluation = add_evaluation(session, profile, prefix="FUP", lead_unit=unit)
        evaluation.conclusion, evaluation.status, evaluation.completed_at = "调整", "completed", now_beijing()
        session.add(evaluation)
        item = store.open_follow_up(
            session=session,
            evaluation=evaluation,
            conclusion="调整",
            unit=unit,
            action="评估结论为“调整”：采取有效措施，避免或者减少经济损失和不良社会影响",
            basis="《霸州市重大行政决策跟踪反馈与后评估规定》第十五条第一款",
            due_date=due,
        )
        return evaluation.code, item.id
