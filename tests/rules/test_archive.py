"""What a decision's archive must hold (rules/archive.py: CL-48, minhang 档案 8), exactly: the list's names and
items, what a procedure ended early or still under way need not hold yet, and the names an operator may type."""

from __future__ import annotations

import pytest

from pinggu.core.errors import StateConflict
from pinggu.rules.archive import (
    MATERIALS,
    STEP_MATERIALS,
    DecisionMaterial,
    listed_name,
    material_named,
    required_decision_materials,
)
from pinggu.rules.decision_procedure import ProcedureStep

EVERY = [
    "决策草案以及起草说明（第八条（一））",
    "决策所依据的法律、法规和政策依据（第八条（二））",
    "征求意见的材料以及意见采纳情况说明（第八条（三））",
    "履行公众参与程序的相关资料（第八条（四））",
    "履行专家论证程序的相关资料（第八条（四））",
    "履行风险评估程序的相关资料（第八条（四））",
    "合法性审查意见（第八条（五））",
    "集体讨论决定的会议资料和会议纪要（第八条（六））",
    "正式印发公布的文本和相关解读材料（第八条（七））",
    "决策全过程记录（第五条）",
]


@pytest.mark.rule("CL-48")
def test_a_decision_made_outside_the_procedure_must_hold_the_whole_list_but_item_eight():
    # 档案 8 (八) 其他材料 is whatever else the office files: never missing.
    assert [listed_name(m) for m in required_decision_materials(None)] == EVERY
    assert [listed_name(m) for m in required_decision_materials(set(ProcedureStep))] == EVERY


@pytest.mark.rule("CL-48")
def test_a_procedure_ended_at_the_high_risk_needs_no_review_minutes_or_published_text():
    # changli 37: the county government decided not to implement — no legality review, meeting or publication.
    done = {ProcedureStep.launch, ProcedureStep.catalog, ProcedureStep.participation, ProcedureStep.experts}
    done |= {ProcedureStep.risk, ProcedureStep.risk_decision}
    assert [m.value for m in required_decision_materials(done)] == [
        "draft", "basis", "opinions", "participation", "experts", "risk", "record",
    ]  # fmt: skip
    assert [m.value for m in required_decision_materials(set())] == ["draft", "basis", "record"]


def test_each_step_files_its_own_material_and_each_material_has_one_short_name():
    assert STEP_MATERIALS[ProcedureStep.participation] is DecisionMaterial.participation
    assert STEP_MATERIALS[ProcedureStep.risk_decision] is DecisionMaterial.risk
    assert set(STEP_MATERIALS) == set(ProcedureStep)
    shorts = [spec.short for spec in MATERIALS.values()]
    assert len(set(shorts)) == len(shorts) == len(DecisionMaterial)
    assert material_named(" 会议纪要 ") is material_named("meeting") is DecisionMaterial.meeting
    assert material_named("合法性审查意见") is DecisionMaterial.legality
    with pytest.raises(StateConflict) as unknown:
        material_named("草稿")
    assert unknown.value.message == (
        "没有名为“草稿”的归档材料，可选：决策草案、决策依据、征求意见、公众参与、专家论证、风险评估、合法性审查、"
        "会议纪要、公布文本、全过程记录、其他材料"
    )
