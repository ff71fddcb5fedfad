"""What a decision's archive must hold (CL-48: changli 48, minhang 档案 8), as plain rules.

Changli 48 asks that the records and materials of every step of the procedure be filed completely; it lists
none. Minhang's 档案细则 第八条 lists them, and its list is the one applied to every decision's archive:

（一）决策草案以及起草说明；（二）法律、法规和政策依据；（三）征求意见的材料以及意见采纳情况说明；
（四）履行公众参与、专家论证、风险评估、公平竞争审查、决策后评估等程序的相关资料；（五）合法性审查意见；
（六）集体讨论决定的会议资料和会议纪要；（七）正式印发公布的文本和相关解读材料；（八）其他需要归档的材料.

Item (四) is three materials here, one per step of the procedure that produces it. The 公平竞争审查 is filed
with the draft (changli 40 ¶3(一): 决策草案及其说明，含公平竞争审查情况); the 决策后评估 comes years later and
has its own package (`pinggu archive export <评估编号>`). Item (八) is never missing: it is whatever else the
office files. The whole-process record (档案 5: 记录工作应当贯穿重大行政决策全过程) is required besides.

Pure Python: no Prefect, no database.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from pinggu.core.errors import StateConflict
from pinggu.rules.decision_procedure import ProcedureStep


class DecisionMaterial(StrEnum):
    """A material of a decision's archive (档案 8's items, the record, and anything else filed)."""

    draft = "draft"
    basis = "basis"
    opinions = "opinions"
    participation = "participation"
    experts = "experts"
    risk = "risk"
    legality = "legality"
    meeting = "meeting"
    publication = "publication"
    record = "record"
    other = "other"


@dataclass(frozen=True)
class MaterialSpec:
    """How the list names a material, its short name (what an operator types), the item of 档案 8 (or the article)
    it comes from, and the step of the procedure that produces it (None: required of every decision)."""

    name: str
    short: str
    item: str
    step: ProcedureStep | None


MATERIALS: dict[DecisionMaterial, MaterialSpec] = {
    DecisionMaterial.draft: MaterialSpec("决策草案以及起草说明", "决策草案", "第八条（一）", None),
    DecisionMaterial.basis: MaterialSpec("决策所依据的法律、法规和政策依据", "决策依据", "第八条（二）", None),
    DecisionMaterial.opinions: MaterialSpec(
        "征求意见的材料以及意见采纳情况说明", "征求意见", "第八条（三）", ProcedureStep.participation
    ),
    DecisionMaterial.participation: MaterialSpec(
        "履行公众参与程序的相关资料", "公众参与", "第八条（四）", ProcedureStep.participation
    ),
    DecisionMaterial.experts: MaterialSpec(
        "履行专家论证程序的相关资料", "专家论证", "第八条（四）", ProcedureStep.experts
    ),
    DecisionMaterial.risk: MaterialSpec("履行风险评估程序的相关资料", "风险评估", "第八条（四）", ProcedureStep.risk),
    DecisionMaterial.legality: MaterialSpec("合法性审查意见", "合法性审查", "第八条（五）", ProcedureStep.legality),
    DecisionMaterial.meeting: MaterialSpec(
        "集体讨论决定的会议资料和会议纪要", "会议纪要", "第八条（六）", ProcedureStep.meeting
    ),
    DecisionMaterial.publication: MaterialSpec(
        "正式印发公布的文本和相关解读材料", "公布文本", "第八条（七）", ProcedureStep.publication
    ),
    DecisionMaterial.record: MaterialSpec("决策全过程记录", "全过程记录", "第五条", None),
    DecisionMaterial.other: MaterialSpec("其他需要归档的材料", "其他材料", "第八条（八）", None),
}

# A file an answer of the procedure carries is that step's material (the poll's survey data: 公众参与).
STEP_MATERIALS: dict[ProcedureStep, DecisionMaterial] = {
    ProcedureStep.launch: DecisionMaterial.draft,
    ProcedureStep.catalog: DecisionMaterial.other,
    ProcedureStep.participation: DecisionMaterial.participation,
    ProcedureStep.experts: DecisionMaterial.experts,
    ProcedureStep.expert_opinions: DecisionMaterial.experts,  # the experts' own signed opinions (会签)
    ProcedureStep.risk: DecisionMaterial.risk,
    ProcedureStep.risk_decision: DecisionMaterial.risk,
    ProcedureStep.legality: DecisionMaterial.legality,
    ProcedureStep.meeting: DecisionMaterial.meeting,
    ProcedureStep.publication: DecisionMaterial.publication,
}


def listed_name(material: DecisionMaterial) -> str:
    """The material as the lack list names it: its name and where the regulation lists it."""
    spec = MATERIALS[material]
    return f"{spec.name}（{spec.item}）"


def material_named(text: str) -> DecisionMaterial:
    """The material an operator names by its short name (决策草案), its name or its key (draft); else StateConflict,
    listing the short names."""
    wanted = text.strip()
    for material, spec in MATERIALS.items():
        if wanted in (material.value, spec.short, spec.name):
            return material
    choices = "、".join(spec.short for spec in MATERIALS.values())
    raise StateConflict(f"没有名为“{wanted}”的归档材料，可选：{choices}")


def required_decision_materials(done: Collection[ProcedureStep] | None) -> list[DecisionMaterial]:
    """The materials a decision's archive must hold, in the list's order.

    ``done``: the steps the decision procedure has accepted an answer for, or None for a decision made outside
    pinggu's procedure (imported into the catalog), of which every material is required. A step not (yet) done
    — a procedure still under way, or ended before it (not adopted, not implemented) — produced no material to
    file, so its material is not required; the draft, its basis and the record always are.
    """
    return [
        material
        for material, spec in MATERIALS.items()
        if material is not DecisionMaterial.other and (done is None or spec.step is None or spec.step in done)
    ]
