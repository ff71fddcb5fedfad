"""The stages and the recorded steps of every evaluation, once: id, Chinese name, stage (SPEC §4).

A step is work the flow does itself and the ledger records (pinggu.tasks.ledger); its id is what the
ledger, the rework rules and the report's history refer to, and its result model (pinggu.rules.step_results) is
what the ledger validates, stores and gives back typed. A new step is added here with its result model,
then run by a task decorated with ``pinggu.tasks.ledger.ledger_step(StepId.…)``, then called from flows/stages.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar, cast

from pydantic import ValidationError

from pinggu.core.errors import StepResultInvalid
from pinggu.rules.step_results import (
    AnalysisResult,
    ArchiveResult,
    FollowUpResult,
    PlanResult,
    PreliminaryResult,
    ReportResult,
    ReportSubmittedResult,
    ScoringResult,
    StepResult,
    TeamResult,
    WorkCompletedResult,
)

R = TypeVar("R", bound=StepResult)


class Stage(StrEnum):
    """The three stages every evaluation type passes, in order."""

    preparation = "preparation"
    implementation = "implementation"
    conclusion = "conclusion"


STAGE_NAMES: dict[str, str] = {
    Stage.preparation: "准备阶段",
    Stage.implementation: "实施阶段",
    Stage.conclusion: "结论形成阶段",
}

STAGE_ORDER: tuple[Stage, ...] = tuple(Stage)


class StepId(StrEnum):
    """A step the ledger records at most once per attempt."""

    team = "team"
    plan = "plan"
    analysis = "analysis"
    scoring = "scoring"
    preliminary = "preliminary"
    draft_report = "draft_report"
    reviewed_draft = "reviewed_draft"
    work_completed = "work_completed"
    report_submitted = "report_submitted"
    follow_up = "follow_up"
    final_report = "final_report"
    archive = "archive"


@dataclass(frozen=True)
class StepSpec:
    """What a step is called (its Prefect task's name and the report's history), where it belongs, and the
    model of the result it records (validated and returned typed by pinggu.tasks.ledger.run_step)."""

    id: StepId
    name: str
    stage: Stage
    result: type[StepResult]


STEPS: dict[StepId, StepSpec] = {
    spec.id: spec
    for spec in (
        StepSpec(StepId.team, "组建评估小组", Stage.preparation, TeamResult),
        StepSpec(StepId.plan, "制定评估方案", Stage.preparation, PlanResult),
        StepSpec(StepId.analysis, "分析评估材料", Stage.implementation, AnalysisResult),
        StepSpec(StepId.scoring, "指标评分", Stage.implementation, ScoringResult),
        StepSpec(StepId.preliminary, "形成初步结论", Stage.implementation, PreliminaryResult),
        StepSpec(StepId.draft_report, "起草评估报告", Stage.conclusion, ReportResult),
        # bazhou 11(3), changli 58(3)3, ningxia 10(4): after the experts argued it, the report is formed again,
        # so what the decision body approves holds their opinion and its handling (or why none was sought).
        StepSpec(StepId.reviewed_draft, "专家论证后形成报告送审稿", Stage.conclusion, ReportResult),
        StepSpec(StepId.work_completed, "评估工作完成（起算报送期限）", Stage.conclusion, WorkCompletedResult),
        # NX-12, OR-19: the lead unit's duty is met when it submits the report, not when the body answers.
        StepSpec(StepId.report_submitted, "报送评估报告（提请审定）", Stage.conclusion, ReportSubmittedResult),
        StepSpec(StepId.follow_up, "开启后续措施事项", Stage.conclusion, FollowUpResult),
        StepSpec(StepId.final_report, "正式形成评估报告", Stage.conclusion, ReportResult),
        StepSpec(StepId.archive, "归档", Stage.conclusion, ArchiveResult),
    )
}


def step_name(step: str) -> str:
    """A step's Chinese name; an id no longer registered (an old record) is shown as it is."""
    try:
        return STEPS[StepId(step)].name
    except ValueError:
        return step


# pydantic's error types, in the words an operator reads.
_PROBLEMS = {
    "missing": "缺少此项",
    "extra_forbidden": "不应有此项",
    "model_type": "应为一组字段",
    "dict_type": "应为一组字段",
    "tuple_type": "应为列表",
    "list_type": "应为列表",
    "string_type": "应为文字",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为是或否",
    "datetime_type": "应为时间",
    "datetime_parsing": "应为时间",
    "date_from_datetime_parsing": "应为日期",
    "literal_error": "不是可用的取值",
    "enum": "不是可用的取值",
    "date_type": "应为日期",
    "date_parsing": "应为日期",
    "greater_than_equal": "不能小于零",
}


def validation_problems(error: ValidationError) -> list[str]:
    """Each problem pydantic found, as an operator reads it: where (the field's path) and what, in Chinese."""
    return [
        f"{'.'.join(str(part) for part in problem['loc']) or '（整体）'}：{_PROBLEMS.get(problem['type'], problem['msg'])}"
        for problem in error.errors()
    ]


def problem_summary(problems: list[str]) -> str:
    """The first ten problems, joined, and how many more there are: the part of a message an operator reads."""
    return "；".join(problems[:10]) + (f"；另有 {len(problems) - 10} 处" if len(problems) > 10 else "")


def _invalid(step: StepId, error: ValidationError, *, stored: bool) -> StepResultInvalid:
    problems = validation_problems(error)
    what = "已记录的结果无法读取（数据库中的记录与结果格式不符）" if stored else "结果不符合其格式，未予记录"
    return StepResultInvalid(
        f"步骤“{STEPS[step].name}”的{what}：{problem_summary(problems)}",
        step=str(step),
        problems=problems,
    )


def validate_result(step: StepId, result: StepResult | Mapping[str, Any]) -> StepResult:
    """A result a step is about to record, checked against its registry entry's model through the JSON it is
    stored as (so what is stored always reads back); a mismatch is ``StepResultInvalid`` in Chinese."""
    model = STEPS[step].result
    if isinstance(result, StepResult) and type(result) is not model:
        raise StepResultInvalid(
            f"步骤“{STEPS[step].name}”的结果应为 {model.__name__}，实为 {type(result).__name__}，未予记录",
            step=str(step),
        )
    # Through its stored JSON: a result built without validation (model_construct) is checked all the same.
    raw = (
        result.model_dump(mode="json", exclude_unset=True, warnings=False) if isinstance(result, StepResult) else result
    )
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise _invalid(step, error, stored=False) from None


def validate_as(step: StepId, result: StepResult | Mapping[str, Any], model: type[R]) -> R:
    """`validate_result` typed as `model`, which must be the model the registry names for the step (a step's
    body builds its result from a plain mapping another module computed: the plan, the score card)."""
    if model is not STEPS[step].result:  # the caller's type and the registry disagree: a programming error
        raise TypeError(f"{step} records {STEPS[step].result.__name__}, not {model.__name__}")
    return cast(R, validate_result(step, result))


def parse_stored(step: StepId | str, stored: Mapping[str, Any] | None) -> StepResult:
    """A recorded result read back as its registry entry's model; a key the step no longer writes is ignored,
    so a row kept from an older version still reads (no migration)."""
    step = StepId(step)
    try:
        return STEPS[step].result.model_validate(stored or {}, extra="ignore")
    except ValidationError as error:
        raise _invalid(step, error, stored=True) from None


def read_result(step: StepId | str, stored: Mapping[str, Any] | None, model: type[R]) -> R:
    """A recorded result read back typed as `model`, which must be the model the registry names for the step."""
    result = parse_stored(step, stored)
    if not isinstance(result, model):  # the caller's type and the registry disagree: a programming error
        raise TypeError(f"{step} records {type(result).__name__}, not {model.__name__}")
    return result
