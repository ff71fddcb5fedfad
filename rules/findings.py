"""The preliminary finding drawn from the analysed evidence (S-IMPL; no preset conclusion, C-NOPRESET)."""

from __future__ import annotations

# Items whose satisfaction falls below this share are named as problems in the finding.
LOW_SATISFACTION = 0.6


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def preliminary_finding(figures: dict) -> str:
    """Summarise survey figures as the preliminary finding; it states facts and proposes no conclusion."""
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
        text += f"满意率低于 {LOW_SATISFACTION:.0%} 的方面：{'、'.join(weak)}，建议作为整改重点。"
    else:
        text += f"各满意度题目的满意率均不低于 {LOW_SATISFACTION:.0%}。"
    return text + "评估结论由决策机关审定时确定。"
