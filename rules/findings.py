"""The preliminary finding drawn from the analysed evidence (S-IMPL; no preset conclusion, C-NOPRESET)."""

from __future__ import annotations

from typing import Any

# Items whose satisfaction falls below this share are named as problems in the finding.
LOW_SATISFACTION = 0.6


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _survey_finding(figures: dict[str, Any]) -> str:
    parts = [
        f"共回收有效问卷 {figures['respondents']} 份",
        f"政策知晓率 {_pct(figures.get('awareness_rate'))}",
        f"总体满意率 {_pct(figures.get('satisfaction_rate'))}",
    ]
    weak = [
        item["question"]
        for item in figures["items"]
        if item["kind"] == "satisfaction" and item["n"] and item["rate"] < LOW_SATISFACTION
    ]
    text = "，".join(parts) + "。"
    if weak:
        return text + f"满意率低于 {LOW_SATISFACTION:.0%} 的方面：{'、'.join(weak)}，建议作为整改重点。"
    return text + f"各满意度题目的满意率均不低于 {LOW_SATISFACTION:.0%}。"


def _opinions_finding(summary: dict[str, Any]) -> str:
    topics = "、".join(f"{topic}（{count} 条）" for topic, count in list(summary["by_topic"].items())[:3])
    return (
        f"征集意见 {summary['total']} 条，已处理 {summary['handled']} 条、待处理 {summary['pending']} 条；"
        f"意见集中于{topics}。"
    )


def preliminary_finding(analysis: dict[str, Any], score: dict[str, Any] | None = None) -> str:
    """Summarise the analysed evidence as the preliminary finding; it states facts and proposes no conclusion.

    `analysis` holds ``survey`` (SurveyFigures.to_dict() or None), ``opinions`` (summarise_opinions or
    None) and ``records`` (meeting minutes and field records with their summaries); `score` a ScoreCard dict.
    """
    parts = []
    if analysis.get("survey"):
        parts.append(_survey_finding(analysis["survey"]))
    if analysis.get("opinions"):
        parts.append(_opinions_finding(analysis["opinions"]))
    for record in analysis.get("records", []):
        parts.append(f"{record['title']}：{record['summary']}")
    if score and score.get("total") is not None:
        parts.append(f"按指标体系计分 {score['total']:g} 分，等次为{score['grade']}。")
    if not parts:
        parts.append("尚无可分析的评估材料。")
    return "".join(parts) + "评估结论由决策机关审定时确定。"
