"""The decision procedure's forms: each step's answer (pinggu.rules.decision_procedure) as a Prefect RunInput, so the
run suspends with it and the Prefect UI shows it with Chinese labels and the choices as drop-downs."""

from __future__ import annotations

from prefect.input import RunInput

from pinggu.forms.chinese import ChineseRunInput
from pinggu.rules.decision_procedure import (
    CatalogAnswer,
    ExpertsAnswer,
    LaunchAnswer,
    LegalityAnswer,
    MeetingAnswer,
    ParticipationAnswer,
    ProcedureStep,
    PublicationAnswer,
    RiskAnswer,
    RiskDecisionAnswer,
)


class LaunchForm(ChineseRunInput, LaunchAnswer):  # type: ignore[misc]  # pydantic models combined; mypy cannot merge their constructors
    """决策启动：是否属于重大行政决策（第三条）、事项建议的研究论证（第八条）。"""


class CatalogForm(ChineseRunInput, CatalogAnswer):  # type: ignore[misc]  # pydantic models combined; mypy cannot merge their constructors
    """纳入决策事项目录（第九条、第十条）。"""


class ParticipationForm(ChineseRunInput, ParticipationAnswer):  # type: ignore[misc]  # pydantic models combined; mypy cannot merge their constructors
    """公众参与和民意调查（第十四条至第二十二条）。"""


class ExpertsForm(ChineseRunInput, ExpertsAnswer):  # type: ignore[misc]  # pydantic models combined; mypy cannot merge their constructors
    """专家论证（第三十条至第三十二条）。"""


class ExpertOpinionsForm(ChineseRunInput):
    """专家签署书面论证意见（会签，第三十二条（三））：论证专家各自登录网页签署本人的书面论证意见，签署人数达到第三十一条的要求后流程继续；此处无须填写。"""


class RiskForm(ChineseRunInput, RiskAnswer):  # type: ignore[misc]  # pydantic models combined; mypy cannot merge their constructors
    """风险评估（第三十四条至第三十七条）。"""


class RiskDecisionForm(ChineseRunInput, RiskDecisionAnswer):  # type: ignore[misc]  # pydantic models combined; mypy cannot merge their constructors
    """高风险事项的决策：县政府作出不实施的决策，或者调整决策方案、降低风险等级后再行决策（第三十七条）。"""


class LegalityForm(ChineseRunInput, LegalityAnswer):  # type: ignore[misc]  # pydantic models combined; mypy cannot merge their constructors
    """合法性审查和综合会审（第三十九条至第四十四条）。"""


class MeetingForm(ChineseRunInput, MeetingAnswer):  # type: ignore[misc]  # pydantic models combined; mypy cannot merge their constructors
    """集体讨论决定（第四十五条、第四十六条）。"""


class PublicationForm(ChineseRunInput, PublicationAnswer):  # type: ignore[misc]  # pydantic models combined; mypy cannot merge their constructors
    """决策公布、归档和实施后评估计划（第四十七条、第四十八条、第十二条第二款）。"""


FORMS: dict[ProcedureStep, type[RunInput]] = {
    ProcedureStep.launch: LaunchForm,
    ProcedureStep.catalog: CatalogForm,
    ProcedureStep.participation: ParticipationForm,
    ProcedureStep.experts: ExpertsForm,
    ProcedureStep.expert_opinions: ExpertOpinionsForm,
    ProcedureStep.risk: RiskForm,
    ProcedureStep.risk_decision: RiskDecisionForm,
    ProcedureStep.legality: LegalityForm,
    ProcedureStep.meeting: MeetingForm,
    ProcedureStep.publication: PublicationForm,
}
