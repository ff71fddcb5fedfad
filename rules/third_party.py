"""Entrusting an evaluation to a third party (SPEC §10): who qualifies and what the agreement settles.

    TP-QUALIFY     bazhou 17–18, changli 64–65, minhang 7: a university, research institute, law
                   firm, social organisation or consultancy with a good credit record, the necessary
                   equipment and facilities, and staff versed in the law, administration and methods
    TP-AGREEMENT   minhang 8: a written agreement settling matter, quality, deadline, fee, ownership
                   of results, confidentiality and liability (each profile says which it requires)
    TP-NOSUB       bazhou 17, ningxia 4, minhang 8, changli 64: no subcontracting or re-entrustment
                   without the entrusting unit's consent (hiring outside experts is not subcontracting)
    TP-CREDIT      bazhou 21, ningxia 17, changli 66: a false report goes into the agency's credit
                   record — and an agency whose record is bad is not entrusted again
    TEAM-CONFLICT  ningxia 8, minhang 7, changli 64: not whoever did the main pre-decision argumentation

Which of these apply, and on which article, is the decision's profile's to say (``safeguards``);
``citations_of(profile)`` gives what each refusal cites. Registering an agency is not tied to any
decision, so what is checked then cites no article.

Pure Python: no Prefect, no database. Every check raises ``RuleViolation`` with a Chinese message,
or returns None.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date

from pinggu.core.errors import RuleViolation, StateConflict
from pinggu.rules.profiles import AGREEMENT_FIELDS, Profile
from pinggu.rules.team import conflicted

AGENCY_KINDS = ("高等学校", "科研机构", "律师事务所", "社会组织", "咨询机构")
"""Kinds of agency the seeds name (bazhou 17, changli 64; ningxia 4 and minhang 7 name fewer)."""

CREDIT_GOOD = "良好"
CREDIT_BAD = "不良"
CREDIT_STATUSES = (CREDIT_GOOD, CREDIT_BAD)

FALSE_REPORT = "虚假报告"
"""Kind of credit-record entry for a report contrary to the facts (TP-CREDIT)."""

AGREEMENT_FIELD_NAMES: dict[str, str] = dict(AGREEMENT_FIELDS)
"""Agreement field → its Chinese name (minhang 8's wording; the profiles use the same keys)."""


@dataclass(frozen=True)
class Citations:
    """What each third-party refusal cites, from the decision's profile; None: the rule does not apply there."""

    qualify: str | None = ""
    credit: str | None = ""
    nosub: str | None = ""
    conflict: str | None = ""


def citations_of(profile: Profile) -> Citations:
    """The citations of a profile's safeguards (None where it does not apply one)."""
    guards = profile.safeguards
    return Citations(
        qualify=profile.applied(guards.agency_qualification),
        credit=profile.applied(guards.agency_credit),
        nosub=profile.applied(guards.no_subcontracting),
        conflict=profile.applied(guards.team_conflict),
    )


def _cited(basis: str | None) -> str:
    return f"（{basis}）" if basis else ""


def normalise_name(name: str) -> str:
    """An agency's name as stored and compared: surrounding blanks dropped, inner runs collapsed."""
    return " ".join(name.split())


@dataclass(frozen=True)
class AgencyFacts:
    """What the entrusting unit knows of an agency (did_pre_decision_argumentation: for one decision)."""

    name: str
    kind: str
    credit_status: str = CREDIT_GOOD
    has_equipment: bool = True
    qualified_staff: bool = True
    did_pre_decision_argumentation: bool = False


@dataclass(frozen=True)
class Agreement:
    """The written entrustment agreement (委托协议); None or blank means the field is not settled."""

    matter: str | None = None  # 委托（评估）事项
    quality: str | None = None  # 质量要求
    deadline: date | None = None  # 完成期限
    fee: str | None = None  # 评估经费，as written, e.g. "人民币8万元"
    ownership: str | None = None  # 评估成果归属
    confidentiality: str | None = None  # 保密条款
    liability: str | None = None  # 违约责任
    subcontracting_consent: bool = False  # 委托人是否同意转委托（TP-NOSUB）

    def missing(self, required_fields: Iterable[str]) -> list[str]:
        """Keys of the required fields this agreement leaves unsettled, in the order given."""
        out = []
        for key in required_fields:
            if key not in AGREEMENT_FIELD_NAMES:
                raise ValueError(f"unknown agreement field {key!r}; known: {', '.join(AGREEMENT_FIELD_NAMES)}")
            value = getattr(self, key)
            if value is None or (isinstance(value, str) and not value.strip()):
                out.append(key)
        return out

    def to_dict(self) -> dict[str, object]:
        """The fields as plain values (deadline as YYYY-MM-DD), for an audit event or a form."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return {key: value.isoformat() if isinstance(value, date) else value for key, value in values.items()}


def validate_facts(agency: AgencyFacts) -> None:
    """Refuse a blank name, an unknown kind (TP-QUALIFY) or an unknown credit status."""
    if not normalise_name(agency.name):
        raise StateConflict("评估机构名称不能为空，请填写机构全称")
    if agency.kind not in AGENCY_KINDS:
        raise RuleViolation(
            f"评估机构 {agency.name} 的类别“{agency.kind}”无效，可选：{'、'.join(AGENCY_KINDS)}",
            rule="TP-QUALIFY",
            agency=agency.name,
        )
    if agency.credit_status not in CREDIT_STATUSES:
        raise StateConflict(
            f"评估机构 {agency.name} 的信用记录“{agency.credit_status}”无效，应为“{CREDIT_GOOD}”或“{CREDIT_BAD}”",
            agency=agency.name,
        )


def check_entrustment_allowed(profile_third_party_allowed: bool, basis: str = "") -> None:
    """Refuse to entrust when the decision's profile does not let a third party evaluate."""
    if not profile_third_party_allowed:
        cited = f"（{basis}）" if basis else ""
        raise RuleViolation(
            f"该决策适用的规定不允许委托第三方机构开展评估，请由评估单位自行评估{cited}", rule="TP-QUALIFY"
        )


def check_qualified(agency: AgencyFacts, citations: Citations = Citations()) -> None:
    """Refuse an agency of an unknown kind, with a bad credit record, or lacking equipment or staff
    (each where the decision's profile applies the rule)."""
    validate_facts(agency)
    if citations.credit is not None and agency.credit_status == CREDIT_BAD:
        raise RuleViolation(
            f"评估机构 {agency.name} 信用记录不良，不得受委托开展评估，请另选信用记录良好的机构{_cited(citations.credit)}",
            rule="TP-CREDIT",
            agency=agency.name,
        )
    lacking = []
    if not agency.has_equipment:
        lacking.append("不具备开展评估工作的必要设备、设施")
    if not agency.qualified_staff:
        lacking.append("指定参与评估的工作人员不具备熟悉相关法律及政策、行政事务和掌握评估方法技术的专业素质")
    if lacking and citations.qualify is not None:
        raise RuleViolation(
            f"评估机构 {agency.name} 不符合受委托条件：{'；'.join(lacking)}。请另选机构或补足条件后重新登记"
            f"{_cited(citations.qualify)}",
            rule="TP-QUALIFY",
            agency=agency.name,
            lacking=lacking,
        )


def check_agreement(agreement: Agreement, required_fields: Iterable[str], basis: str = "") -> None:
    """Refuse an agreement that leaves any required field unsettled, naming every one in Chinese."""
    missing = agreement.missing(required_fields)
    if missing:
        names = "、".join(AGREEMENT_FIELD_NAMES[key] for key in missing)
        raise RuleViolation(
            f"书面委托协议未写明：{names}。请在委托协议中补充后重试{_cited(basis)}",
            rule="TP-AGREEMENT",
            missing=missing,
        )


def check_subcontract(agreement: Agreement, citations: Citations = Citations()) -> None:
    """Refuse subcontracting or re-entrusting the matter unless the agreement records consent (TP-NOSUB)."""
    if citations.nosub is not None and not agreement.subcontracting_consent:
        raise RuleViolation(
            "未经委托单位同意，受委托评估机构不得将评估事项转包或转委托给其他单位或者个人；"
            f"可以外聘专家参与评估{_cited(citations.nosub)}",
            rule="TP-NOSUB",
        )


def check_not_conflicted(
    agency_name: str, assessors: Iterable[str], declared: bool = False, citations: Citations = Citations()
) -> None:
    """Refuse an agency that did (or is declared to have done) the decision's main pre-decision argumentation."""
    if citations.conflict is not None and conflicted(agency_name, declared, assessors):
        raise RuleViolation(
            f"评估机构 {agency_name} 曾承担该决策作出前的主要论证评估工作，不得受委托开展本次后评估，请另选机构"
            f"{_cited(citations.conflict)}",
            rule="TEAM-CONFLICT",
            agency=agency_name,
        )


def check_entrustment(
    agency: AgencyFacts,
    agreement: Agreement,
    *,
    assessors: Iterable[str],
    required_fields: Iterable[str],
    allowed: bool,
    basis: str = "",
    citations: Citations = Citations(),
) -> None:
    """All checks of an entrustment, in the order an operator fixes them: may we, whom, on what terms."""
    check_entrustment_allowed(allowed, basis)
    check_qualified(agency, citations)
    check_not_conflicted(agency.name, assessors, agency.did_pre_decision_argumentation, citations)
    check_agreement(agreement, required_fields, basis)
