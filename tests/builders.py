"""Builders of test data: plain functions, no fixtures."""

from __future__ import annotations

import csv
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"


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


def report_approval(choice: str = "通过", conclusion: str | None = "继续执行", comment: str = "") -> dict:
    """A decision-body approval form answer."""
    return {"approver": "刘志强", "approver_role": "区长", "choice": choice, "conclusion": conclusion, "comment": comment}


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
