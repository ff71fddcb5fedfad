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


def report_approval(
    choice: str = "通过", conclusion: str | None = "继续执行", comment: str = "", **more: str
) -> dict:
    """A decision-body approval form answer (more: departure_reason, rework)."""
    return {
        "approver": "刘志强", "approver_role": "区长", "choice": choice, "conclusion": conclusion, "comment": comment, **more,
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
    from rules.profiles import load_profile
    from rules.scoring import inputs_needed

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
