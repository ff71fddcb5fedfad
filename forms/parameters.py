"""Flow parameters with Chinese titles, so the Prefect UI's run form reads naturally."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field

from pinggu.core.choices import OneOf
from pinggu.rules.team import TEAM_ROLES
from pinggu.rules.vocabulary import EVALUATION_TYPE_NAMES, METHODS, SCOPE_NAMES

# The Chinese names of a registry (pinggu.rules.team, pinggu.rules.vocabulary), as the run form offers them.
TeamRole = Annotated[str, OneOf(TEAM_ROLES)]
MethodChoice = Annotated[str, OneOf(METHODS)]
EvaluationTypeChoice = Annotated[str, OneOf(EVALUATION_TYPE_NAMES.values())]
ScopeChoice = Annotated[str, OneOf(SCOPE_NAMES.values())]


class TeamMemberSpec(BaseModel):
    """一名评估小组成员。"""

    name: str = Field(title="姓名", min_length=1)
    role: TeamRole = Field(title="角色")
    unit: str | None = Field(default=None, title="所在单位")
    did_pre_decision_argumentation: bool = Field(
        default=False,
        title="是否参与过该决策的决策前论证或评估",
        description="参与过的人员不得参加后评估（TEAM-CONFLICT）",
    )


class ThirdPartySpec(BaseModel):
    """委托第三方机构评估：机构须已登记（pinggu agency register），委托协议写明规定的事项。"""

    agency: str = Field(title="受托机构名称", min_length=1)
    matter: str | None = Field(default=None, title="评估事项")
    quality: str | None = Field(default=None, title="质量要求")
    deadline: date | None = Field(default=None, title="完成期限")
    fee: str | None = Field(default=None, title="评估经费")
    ownership: str | None = Field(default=None, title="评估成果归属")
    confidentiality: str | None = Field(default=None, title="保密条款")
    liability: str | None = Field(default=None, title="违约责任")
    subcontracting_consent: bool = Field(default=False, title="是否同意转委托")
    did_pre_decision_argumentation: bool = Field(
        default=False, title="该机构是否参与过决策前论证", description="参与过的机构不得受托（TEAM-CONFLICT）"
    )
