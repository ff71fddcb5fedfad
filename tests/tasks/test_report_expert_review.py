"""What the evaluation report says of the expert review, and that it prints no profile annotation (issue 27, 2).

bazhou 11: (一) 起草报告 (二) 组织有关专家对报告进行论证 (三) 正式形成报告 (四) 提交决策机关审定; changli 58(3) the
same; ningxia 10(4) 可以组织有关专家进行论证，形成最终的评估报告. The draft is rendered before the experts argue
it, so it may not say 「本次评估程序不设专家论证」 where the procedure has a review still to come; the draft the
decision body approves is formed again after the review and shows it. A profile's ``default: seed silent``
annotation (e.g. the follow-up's 「（期限 default: seed silent）」) never reaches the PDF or Word report.

Runs on the test home's database; each test makes decisions of its own (prefix RPT).
"""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import builders
import pytest
from builders import session_scope
from driving import pdf_text

from pinggu.models import evaluations as store
from pinggu.models.tables import Approval, FollowUp, StepRecord, now_beijing
from pinggu.reporting.context import render_report
from pinggu.rules.gates import GateId
from pinggu.services.evaluation.report_context import report_context

ANNOTATIONS = ("default", "seed silent", "seedsilent")  # pdf_text drops spaces
NOT_IN_PROCEDURE = "本次评估程序不设专家论证"
STILL_TO_COME = "专家论证尚未进行"


def _evaluation(profile: str, type: str = "ordinary", methods: tuple[str, ...] = ("问卷调查",)) -> int:
    """An evaluation of a new decision with its plan, analysis, score and preliminary finding done."""
    full = builders.report_context(profile, type).model_dump(mode="json")
    results = (
        ("preparation", "plan", full["plan"]),
        ("implementation", "analysis", {key: full[key] for key in ("survey", "opinions", "records")}),
        ("implementation", "scoring", full["score"]),
        ("implementation", "preliminary", {"text": full["preliminary"]}),
    )
    with session_scope() as session:
        evaluation = builders.add_evaluation(session, profile, type=type, methods=methods, prefix="RPT")
        for stage, step, result in results:
            session.add(
                StepRecord(
                    evaluation_id=evaluation.id,
                    stage=stage,
                    step=step,
                    status="done",
                    result=result,
                    finished_at=now_beijing(),
                )
            )
        return evaluation.id


def _answer(evaluation_id: int, gate: str, choice: str, **fields) -> None:
    with session_scope() as session:
        session.add(
            Approval(
                evaluation_id=evaluation_id,
                gate=gate,
                attempt=1,
                pause_key=f"{gate}-{uuid.uuid4().hex[:8]}",
                approver="王明",
                approver_role="评估小组组长",
                choice=choice,
                **fields,
            )
        )


def _reviewed(evaluation_id: int) -> None:
    _answer(
        evaluation_id,
        GateId.expert_review,
        "提交",
        comment="评估方法规范，数据可信",
        details={
            "experts": ["周立平", "吴晓"],
            "opinion": "评估方法规范，数据可信",
            "handling": "已在第二部分补充说明",
        },
    )


def _html(evaluation_id: int, *, final: bool = False) -> str:
    with session_scope() as session:
        evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
        return render_report(report_context(session, evaluation, final=final))


@pytest.mark.rule("S-CONCL")
@pytest.mark.parametrize("profile", ["minhang", "bazhou", "ningxia_commerce"])
def test_a_draft_rendered_before_the_expert_review_says_the_review_is_still_to_come(profile):
    evaluation_type = "ningxia_90day" if profile == "ningxia_commerce" else "ordinary"
    html = _html(_evaluation(profile, evaluation_type))
    assert STILL_TO_COME in html and NOT_IN_PROCEDURE not in html


@pytest.mark.rule("S-CONCL")
def test_a_draft_rendered_after_the_expert_review_shows_the_experts_their_opinion_and_its_handling():
    evaluation_id = _evaluation("minhang")
    _reviewed(evaluation_id)
    html = _html(evaluation_id)
    assert "周立平、吴晓" in html and "评估方法规范，数据可信" in html and "已在第二部分补充说明" in html
    assert STILL_TO_COME not in html and NOT_IN_PROCEDURE not in html


@pytest.mark.rule("S-CONCL")
def test_a_draft_rendered_after_a_review_skipped_with_a_reason_gives_the_reason():
    evaluation_id = _evaluation("minhang")
    reason = "本决策事项已经区政府常务会议专题论证"
    _answer(evaluation_id, GateId.expert_review, "不组织", comment=reason, details={"skipped": True, "reason": reason})
    html = _html(evaluation_id)
    assert f"未组织专家论证。理由：{reason}" in html
    assert STILL_TO_COME not in html and NOT_IN_PROCEDURE not in html


@pytest.mark.rule("S-CONCL", "S-SIMPLE")
def test_only_a_procedure_without_an_expert_review_says_it_has_none():
    # bazhou 13: the simplified procedure "最终形成报告" with no expert review.
    html = _html(_evaluation("bazhou", "simplified", ("座谈会",)))
    assert NOT_IN_PROCEDURE in html and STILL_TO_COME not in html


@pytest.mark.rule("S-CONCL")
def test_the_draft_under_the_decision_bodys_approval_is_formed_again_after_the_expert_review():
    from pinggu.tasks.conclusion import draft_report, reviewed_draft

    evaluation_id = _evaluation("minhang")
    draft_report.fn(evaluation_id)
    _reviewed(evaluation_id)
    reviewed_draft.fn(evaluation_id)
    with session_scope() as session:
        drafts = [d for d in store.documents(session=session, evaluation_id=evaluation_id) if d.kind == "draft_report"]
        current = store.current_document(session=session, evaluation_id=evaluation_id, kind="draft_report")
    assert [(d.title, d.superseded) for d in drafts] == [
        ("评估报告送审稿", True),
        ("评估报告送审稿（专家论证后）", False),
    ]
    assert current is not None and current.title == "评估报告送审稿（专家论证后）"  # what the approval gate shows
    before, after = pdf_text(drafts[0].path), pdf_text(current.path)
    assert STILL_TO_COME in before
    assert "周立平、吴晓" in after and STILL_TO_COME not in after and NOT_IN_PROCEDURE not in after


@pytest.mark.rule("S-CONCL", "G-APPROVE")
def test_the_conclusion_stage_forms_the_draft_again_between_the_expert_review_and_the_approval(monkeypatch):
    import pinggu.flows.stages as stages

    done: list[str] = []

    def step(name: str):
        return lambda evaluation_id, run_id: done.append(name)

    def ask(evaluation_id, gate, run_id):
        done.append(f"ask {gate}")
        return SimpleNamespace(rework=None, comment=None)

    for name in ("draft_report", "reviewed_draft", "complete_work", "submit_report"):
        monkeypatch.setattr(stages, name, step(name))
    monkeypatch.setattr(stages, "ask", ask)
    monkeypatch.setattr(stages, "route", lambda evaluation_id: SimpleNamespace(gates=(GateId.expert_review,)))
    stages.conclude(1, "run")
    assert done == [
        "draft_report",
        "ask expert_review",
        "reviewed_draft",
        "complete_work",
        "submit_report",
        "ask approval",
    ]


def _followed_up(profile: str, basis: str | None = None) -> int:
    """An approved evaluation (conclusion 调整) with its follow-up opened by the step, or stored with `basis`."""
    import pinggu.tasks.conclusion

    evaluation_id = _evaluation(profile)
    _reviewed(evaluation_id)
    _answer(evaluation_id, GateId.approval, "通过", conclusion="调整")
    with session_scope() as session:
        evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
        evaluation.conclusion = "调整"
        session.add(evaluation)
        if basis is not None:  # a follow-up opened before citations left the annotations out
            session.add(
                FollowUp(
                    evaluation_id=evaluation_id,
                    decision_code=evaluation.decision_code,
                    conclusion="调整",
                    unit="区住房保障局",
                    action="评估结论为“调整”：采取有效措施",
                    basis=basis,
                    due_date=now_beijing().date(),
                )
            )
    if basis is None:
        pinggu.tasks.conclusion.open_follow_up.fn(evaluation_id)
    return evaluation_id


@pytest.mark.rule("C-FOLLOWUP")
@pytest.mark.parametrize(
    ("profile", "article"),
    [
        ("bazhou", "《霸州市重大行政决策实施情况跟踪反馈与后评估规定（征求意见稿）》第十五条第一款"),
        ("ordos", "《鄂尔多斯市重大行政决策实施情况跟踪反馈和后评估办法》第二十条第三款"),
        ("minhang", "《闵行区人民政府重大行政决策后评估程序实施细则》第十四条第二款"),
    ],
)
def test_the_final_report_cites_the_follow_ups_article_without_the_profiles_annotation(profile, article):
    # Every profile's followup.basis reads "第…条…（期限 default: seed silent）": the 30 days are the program's.
    evaluation_id = _followed_up(profile)
    with session_scope() as session:
        (item,) = store.follow_ups(session=session, evaluation_id=evaluation_id)
        context = report_context(
            session, store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id), final=True
        )
    assert item.basis == article
    assert context.follow_up is not None and context.follow_up.endswith(f"（{article}）")
    html = render_report(context)
    assert article in html and not any(mark in html for mark in ANNOTATIONS)


@pytest.mark.rule("C-FOLLOWUP")
def test_a_follow_up_stored_with_the_annotation_is_printed_without_it_in_the_pdf_and_the_word_report(tmp_path):
    from docx import Document

    from pinggu.reporting.docx import write_pdf_and_docx

    article = "《霸州市重大行政决策实施情况跟踪反馈与后评估规定（征求意见稿）》第十五条第一款"
    evaluation_id = _followed_up("bazhou", basis=f"{article}（期限 default: seed silent）")
    written = write_pdf_and_docx(_html(evaluation_id, final=True), tmp_path / "后评估报告")
    pdf, docx = written["pdf"][0], written["docx"][0]
    words = "\n".join(p.text for p in Document(docx).paragraphs)
    for text in (pdf_text(pdf), words):
        assert "采取有效措施" in text and not any(mark in text for mark in ANNOTATIONS)
