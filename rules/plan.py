"""The evaluation plan (评估方案) and its stage schedule, as plain data (S-PREP)."""

from __future__ import annotations

from datetime import date

from rules.periods import DueDate, add_days, add_period
from rules.profiles import Profile
from rules.vocabulary import EVALUATION_TYPE_NAMES, SCOPE_NAMES, STAGE_NAMES


def stage_targets(start: date, profile: Profile, due: date | None = None) -> dict[str, DueDate]:
    """Target completion date of each stage: the evaluation window split by the profile's stage
    shares, each counted from the evaluation's start (Civil Code 201–203). The window ends on `due`
    when the annual plan set a time limit (minhang 4), else after the profile's statutory or default period."""
    if due is not None and due <= start:
        raise ValueError(f"评估完成期限 {due} 应晚于评估开始日 {start}")
    window_days = ((due or add_period(start, profile.evaluation_window).due) - start).days
    return {stage: add_days(start, days) for stage, days in profile.stage_offsets(window_days).items()}


def draft_plan(
    *,
    decision_title: str,
    lead_unit: str,
    evaluation_type: str,
    scope: str,
    scope_parts: list[str],
    methods: list[str],
    targets: dict[str, date | None],
    budget_yuan: float | None,
) -> dict:
    """The plan with the contents bazhou 9(2) requires: purpose, object and content, standards and
    methods, steps and schedule, budget, organisational guarantee."""
    covered = f"，重点评估：{'、'.join(scope_parts)}" if scope == "partial" and scope_parts else ""
    return {
        "purpose": f"全面了解《{decision_title}》的实施情况、实施绩效和存在问题，为决策机关决定继续执行、调整、中止执行或终止执行提供依据。",
        "content": f"《{decision_title}》的执行情况、实施效果、社会认知度和满意度{covered}。",
        "type": EVALUATION_TYPE_NAMES[evaluation_type],
        "scope": SCOPE_NAMES[scope],
        "scope_parts": scope_parts,
        "methods": methods,
        "schedule": [
            {"stage": STAGE_NAMES[stage], "target_date": target.isoformat() if target else None} for stage, target in targets.items()
        ],
        "budget": f"{budget_yuan:,.2f} 元" if budget_yuan is not None else "由承担评估具体工作的单位在部门预算内统筹安排",
        "organisation": f"由评估小组具体实施，{lead_unit}提供决策实施的材料和数据并如实说明问题和风险（霸州市规定第四条）。",
    }
