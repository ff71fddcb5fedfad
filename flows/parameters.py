"""Flow parameters with Chinese titles, so the Prefect UI's run form reads naturally."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from rules.team import TEAM_ROLES
from rules.vocabulary import METHODS

TeamRole = Literal[TEAM_ROLES]  # type: ignore[valid-type]
MethodChoice = Literal[METHODS]  # type: ignore[valid-type]
ScopeChoice = Literal["整体评估", "部分评估"]
SCOPE_IDS = {"整体评估": "whole", "部分评估": "partial"}


class TeamMemberSpec(BaseModel):
    """一名评估小组成员。"""

    name: str = Field(title="姓名", min_length=1)
    role: TeamRole = Field(title="角色")
    unit: str | None = Field(default=None, title="所在单位")
    did_pre_decision_argumentation: bool = Field(
        default=False,
        title="是否参与过该决策的决策前论证或评估",
        description="参与过的人员不得参加后评估（宁夏商务厅办法第八条、闵行区细则第七条、昌黎县规定第六十四条）",
    )
