"""Citations checked against the seeds' text, article by article (issue: letter of the seeds).

ordos = 001 《鄂尔多斯市重大行政决策实施情况跟踪反馈和后评估办法》; minhang = 004, three 细则 issued together
by 闵府发〔2023〕20号.
"""

from __future__ import annotations

import pytest

from pinggu.rules.profiles import load_profile


@pytest.mark.rule("C-FOLLOWUP")
def test_ordos_follow_up_cites_the_paragraph_that_obliges_the_lead_unit():
    # ordos 20(3): 市人民政府作出停止执行或者修改决策的决定后，决策承办单位应当及时落实……; 20(2) is the government's decision.
    assert load_profile("ordos").followup.basis.startswith("第二十条第三款")


@pytest.mark.rule("C-FOLLOWUP")
def test_minhang_follow_up_is_the_lead_units_duty_under_article_14():
    # minhang 14(2): 决策承办单位应当及时贯彻落实，并采取相应的措施，尽可能减少……损失. Not seed silent.
    followup = load_profile("minhang").followup
    assert followup.basis.startswith("第十四条第二款")
    assert "seed silent" not in followup.basis.split("（")[0]


@pytest.mark.rule("R-ORDOS")
def test_ordos_part_seven_shows_problems_and_risks():
    # ordos 19(2)(7) 决策是否存在负面因素或其它不利影响 ← the problems-and-risks indicator (19(2)(3)(7)),
    # not the long-term-impact one (18(5)).
    profile = load_profile("ordos")
    part = profile.report_outline.index("决策是否存在负面因素或其它不利影响")
    assert profile.report_sections[part] == ("indicator:problems_risks",)
    assert any("indicator:benefit_impact" in blocks for blocks in profile.report_sections)


@pytest.mark.rule("MH-A10")
def test_minhang_archive_deadline_cites_the_archive_regulation():
    profile = load_profile("minhang")
    (deadline,) = [d for d in profile.deadlines if d.rule == "MH-A10"]
    assert (
        profile.citation(deadline.basis) == "《闵行区人民政府重大行政决策全过程记录和档案管理工作实施细则》第十条第一款"
    )
    assert profile.citation("第十四条第二款") == "《闵行区人民政府重大行政决策后评估程序实施细则》第十四条第二款"


# --- what of a basis a document or a message may print (issue 27, 2) --------------------------------

ANNOTATIONS = ("default", "seed silent")


@pytest.mark.parametrize(
    ("basis", "printed"),
    [
        ("第十五条第一款（期限 default: seed silent）", "第十五条第一款"),
        (
            "第四条第二款（执行单位配合跟踪反馈；周期和期限 default: seed silent）",
            "第四条第二款（执行单位配合跟踪反馈）",
        ),
        (
            "第四条第二款（三）（“较多意见”的数量和期间 default: seed silent；且须理由充分）",
            "第四条第二款（三）（且须理由充分）",
        ),
        ("督查第五条第一款、督查第六条第一款（报送期限 default: seed silent）", "督查第五条第一款、督查第六条第一款"),
        (
            "第十六条第一款：吸收人大代表、政协委员参与评估；专家、受托机构与公众代表 default: seed silent（第十七条专家咨询）",
            "第十六条第一款：吸收人大代表、政协委员参与评估",
        ),
        ("default: seed silent（办法没有督查条款）", ""),  # the regulation is silent: nothing to cite
        ("第七条（三）", "第七条（三）"),
        ("第十一条（二）", "第十一条（二）"),
    ],
)
def test_a_basis_is_printed_without_the_profiles_annotation(basis, printed):
    from pinggu.rules.profiles import printed_basis

    assert printed_basis(basis) == printed


def _bases(model, path=()):
    """(path, basis) of every basis a profile holds (fields named basis or ending in _basis), however deep."""
    from pydantic import BaseModel

    if isinstance(model, BaseModel):
        for name in type(model).model_fields:
            value = getattr(model, name)
            if isinstance(value, str) and (name == "basis" or name.endswith("_basis")):
                yield ".".join((*path, name)), value
            else:
                yield from _bases(value, (*path, name))
    elif isinstance(model, tuple | list):
        for i, item in enumerate(model):
            yield from _bases(item, (*path, str(i)))
    elif isinstance(model, dict):
        for key, item in model.items():
            yield from _bases(item, (*path, str(key)))


@pytest.mark.parametrize("profile_id", ["bazhou", "changli", "minhang", "ningxia_commerce", "ordos"])
def test_no_citation_of_any_basis_prints_the_profiles_annotation(profile_id):
    profile = load_profile(profile_id)
    bases = list(_bases(profile))
    assert len(bases) > 20 and any(any(mark in basis for mark in ANNOTATIONS) for _, basis in bases)
    for where, basis in bases:
        for printed in (profile.citation(basis), profile.cited(basis)):
            assert not any(mark in printed for mark in ANNOTATIONS), (where, printed)
    # The regulations without rectification articles: the supervision report prints none (not the annotation).
    if profile_id in ("bazhou", "ningxia_commerce"):
        assert profile.citation(profile.tracking.rectification_basis) == ""
