"""Who acts under each profile, against the words of its regulation (issue 30 item 11).

Each row quotes the article that names the actor and asserts the profile's value, so that a wrong actor
planted in a profile file (another office supervising, the lead unit asked for changli's tracking reports, no
leaders' approval of changli's supervision report …) fails here: the quote must be in that very article of the
seed (regulations/, the seeds' own text), the name the quote gives must be in the profile's value, and the value
must be the one expected. Where a regulation names nobody, the profile's value is its default: the article shows
the act without an actor, and the profile's basis says ``default: seed silent``.

Seeds: bazhou = 000, ordos = 001, ningxia_commerce = 002, changli = 003, minhang = 004 (three 细则 in one file:
后评估, 督查, 档案; an article of the second is cited 督查第十一条, as the profile's bases do).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from pinggu.rules.profiles import Profile, load_profiles
from pinggu.rules.tracking import Recipient

REPO = Path(__file__).resolve().parents[2]
PROFILES = load_profiles()

# An article begins a line (or, in minhang's file, follows a space): 第十一条 then a space or its bracketed title.
_HEADER = re.compile(r"(?:^|(?<=\s))第([一二三四五六七八九十百零]+)条(?=\s|（|\()", re.MULTILINE)
# minhang's file holds three 细则, each numbered from 第一条: how the profile's bases name each one's articles.
_PARTS = {"minhang": ("", "督查", "档案")}


def _squash(text: str) -> str:
    """Without line breaks and spaces (the seeds wrap mid-sentence), ASCII punctuation as full-width."""
    return re.sub(r"\s+", "", text).replace(",", "，").replace(";", "；").replace("(", "（").replace(")", "）")


@functools.cache
def articles(profile_id: str) -> dict[str, str]:
    """Each article of the profile's seed by its number as the profile cites it (第五十三条, 督查第十一条), squashed;
    two articles with one number (ningxia's two 第十二条) are joined."""
    text = (REPO / "regulations" / PROFILES[profile_id].seed).read_text(encoding="utf-8")
    parts = _PARTS.get(profile_id, ("",))
    headers = list(_HEADER.finditer(text))
    found: dict[str, str] = {}
    part = 0
    for i, header in enumerate(headers):
        if header.group(1) == "一" and found:
            part += 1
        end = headers[i + 1].start() if i + 1 < len(headers) else len(text)
        key = f"{parts[part]}{header.group(0)}"
        found[key] = found.get(key, "") + _squash(text[header.start() : end])
    return found


def test_the_seeds_are_cut_into_their_articles():
    assert len(articles("changli")) == 72 and articles("changli")["第五十三条"].startswith("第五十三条督查结束后")
    assert len(articles("bazhou")) == 24 and articles("bazhou")["第十一条"].startswith("第十一条结论形成阶段")
    # ordos's first three articles have titles but no numbers in the published text.
    assert len(articles("ordos")) == 21 and articles("ordos")["第十条"].startswith("第十条执行情况督查")
    # ningxia numbers two articles 第十二条: both are kept.
    assert len(articles("ningxia_commerce")) == 19 and "十五日内" in articles("ningxia_commerce")["第十二条"]
    minhang = articles("minhang")
    assert len(minhang) == 18 + 13 + 15
    assert minhang["第十一条"].startswith("第十一条（评估方法）")
    assert minhang["督查第十一条"].startswith("第十一条（督查整改）")
    assert minhang["档案第十条"].startswith("第十条（档案报备）")


def value(profile: Profile, path: str) -> object:
    """A profile's value by a dotted path; ``gates.approval`` is the gate with that id, a number a list position,
    an enum its Chinese value."""
    node: object = profile
    for part in path.split("."):
        if isinstance(node, tuple) and part.isdigit():
            node = node[int(part)]
        elif isinstance(node, tuple):
            (node,) = (gate for gate in node if getattr(gate, "id", None) == part)
        else:
            node = getattr(node, part)
    return getattr(node, "value", node)


def actor(profile, path, expected, article, quote, named):
    """The profile's value at path is expected; the article's own words (quote) name the actor as ``named`` (a
    name, or several for a list)."""
    return pytest.param(profile, path, expected, article, quote, named, id=f"{profile}-{path}-{article}")


ACTORS = [
    # --- changli: chapter 8 (决策执行和督导检查), chapter 9 (跟踪反馈与后评估)
    actor(
        "changli",
        "tracking.supervisor",
        "县政府办公室",
        "第四十九条",
        "县政府办公室负责组织开展县政府决策事项的督查工作",
        "县政府办公室",
    ),
    actor(
        "changli",
        "tracking.supervisor",
        "县政府办公室",
        "第五十二条",
        "县政府办公室主要采取书面督查、实地督查等方式进行督导检查",
        "县政府办公室",
    ),
    actor(
        "changli",
        "tracking.reports_from",
        "决策实施单位",
        "第五十条",
        "每月进行跟踪督办，督促决策实施单位如期完成所承担的任务",
        "决策实施单位",
    ),
    actor(
        "changli",
        "tracking.supervision_report.approved_by",
        "县政府领导",
        "第五十三条",
        "经县政府领导审定后，县政府办公室应当及时将专报及批示意见反馈",
        "县政府领导",
    ),
    actor(
        "changli",
        "tracking.supervision_report.recipients",
        ("被督查单位", "县决策咨询服务中心", "决策承办单位", "决策实施单位"),
        "第五十三条",
        "反馈被督查单位及县决策咨询服务中心、决策承办单位、决策实施单位等相关部门",
        ("被督查单位", "县决策咨询服务中心", "决策承办单位", "决策实施单位"),
    ),
    actor(
        "changli",
        "tracking.rectification_reviewer",
        "县政府办公室",
        "第五十三条",
        "县政府办公室对整改情况进行检查",
        "县政府办公室",
    ),
    actor("changli", "gates.approval.actor", "县政府（决策机关）", "第五十八条", "4.报告提交县政府审定", "县政府"),
    actor(
        "changli",
        "gates.expert_review.actor",
        "有关专家（由承担评估具体工作的单位组织，可依托县专家库，第六十四条）",
        "第五十八条",
        "2.组织有关专家对跟踪反馈与后评估报告进行论证",
        "有关专家",
    ),
    actor(
        "changli",
        "gates.expert_review.actor",
        "有关专家（由承担评估具体工作的单位组织，可依托县专家库，第六十四条）",
        "第六十四条",
        "县政府和决策执行机关可以依托专家库自行评估",
        "专家库",
    ),
    actor(
        "changli",
        "gates.survey.actor",
        "评估小组",
        "第五十八条",
        "1.成立小组。小组由承担评估具体工作的单位相关人员组成",
        "小组",
    ),
    # --- minhang: 督查细则 4, 5, 6, 11; 后评估细则 4, 12–14
    actor(
        "minhang",
        "tracking.supervisor",
        "区政府办公室",
        "督查第四条",
        "区政府办公室负责组织开展区级层面重大行政决策事项的督查",
        "区政府办公室",
    ),
    actor(
        "minhang",
        "tracking.reports_from",
        "决策承办单位",
        "督查第五条",
        "区政府重大行政决策事项的承办单位应当依法、全面、及时、正确执行重大行政决策，严格落实重大行政决策程序，"
        "及时向区政府报告决策执行等情况",
        "承办单位",
    ),
    actor(
        "minhang",
        "tracking.reports_from",
        "决策承办单位",
        "督查第六条",
        "每月进行跟踪督办，督促决策承办单位按照计划时间节点完成所承担的任务",
        "决策承办单位",
    ),
    actor(
        "minhang",
        "tracking.supervision_report.recipients",
        ("被督查单位",),
        "督查第十一条",
        "区政府办公室应当及时将督查情况反馈被督查单位",
        ("被督查单位",),
    ),
    actor(
        "minhang",
        "tracking.rectification_reviewer",
        "区政府办公室",
        "督查第十一条",
        "将整改情况书面报告区政府办公室。区政府办公室可以视情对整改情况进行抽查",
        "区政府办公室",
    ),
    actor(
        "minhang",
        "gates.approval.actor",
        "区政府（评估报告汇总至区政府办公室）",
        "第十四条",
        "区政府根据评估报告和实际情况，可以决定继续实施、中止执行、终止执行或者调整决策",
        "区政府",
    ),
    actor(
        "minhang",
        "gates.approval.actor",
        "区政府（评估报告汇总至区政府办公室）",
        "第十三条",
        "应当在规定时限内完成评估报告，并汇总至区政府办公室",
        "区政府办公室",
    ),
    actor(
        "minhang",
        "gates.survey.actor",
        "决策评估单位（评估小组）",
        "第十二条",
        "（一）成立评估小组。评估小组由决策评估单位、相关领域专家、决策事项涉及单位代表、第三方机构等组成",
        ("决策评估单位", "评估小组"),
    ),
    actor(
        "minhang",
        "gates.expert_review.actor",
        "相关领域专家（评估小组以外的专家，由决策评估单位组织）",
        "第十二条",
        "评估小组由决策评估单位、相关领域专家",
        ("相关领域专家", "决策评估单位"),
    ),
    actor(
        "minhang",
        "plan_approver.actor",
        "评估办公室（区政府办公室）",
        "第四条",
        "区政府办公室统筹组织区政府重大行政决策后评估工作，综合考虑重大行政决策的社会关注度、执行进展情况、"
        "实施过程中出现的问题等因素，制定年度评估计划",
        "区政府办公室",
    ),
    actor(
        "minhang",
        "evaluating_unit.0.unit",
        "区政府办公室",
        "第四条",
        "对涉及全区层面、影响较大、社会关注度高的决策事项，区政府办公室可以自行组织或者委托第三方机构开展决策后评估",
        "区政府办公室",
    ),
    actor(
        "minhang",
        "evaluating_unit.1.unit",
        "区财政局",
        "第四条",
        "对涉及财政政策资金使用且区政府办公室未组织评估的决策事项，由区财政局组织开展决策后评估",
        "区财政局",
    ),
    actor(
        "minhang",
        "evaluating_unit.2.unit",
        "{lead_unit}（非承办处室）",
        "第四条",
        "决策后评估工作由决策承办单位组织实施，具体工作可以由承办决策事项业务科室（部门）以外的其他科室（部门）负责",
        "承办",
    ),
    # --- ordos: 5, 8, 10, 14, 19
    actor(
        "ordos",
        "tracking.supervisor",
        "市人民政府督查室",
        "第十条",
        "市人民政府督查室负责决策承办单位执行重大行政决策有关情况",
        "市人民政府督查室",
    ),
    actor(
        "ordos",
        "tracking.rectification_reviewer",
        "市人民政府",
        "第十条",
        "按照要求完成督查结论中要求整改的事项，并报市人民政府审核",
        "市人民政府",
    ),
    actor(
        "ordos",
        "tracking.reports_from",
        "决策承办单位",
        "第八条",
        "重大行政决策承办单位根据跟踪反馈情况，拟定跟踪反馈报告",
        "承办单位",
    ),
    actor(
        "ordos",
        "gates.third_party_acceptance.actor",
        "决策承办单位",
        "第十四条",
        "委托第三方机构开展决策后评估的，评估报告应当经决策承办单位审查验收并予以确认",
        "决策承办单位",
    ),
    actor(
        "ordos",
        "gates.approval.actor",
        "市人民政府（决策机关）",
        "第十九条",
        "决策承办单位应当在一个月内形成书面评估报告并提交市人民政府",
        "市人民政府",
    ),
    actor(
        "ordos",
        "gates.approval.actor",
        "市人民政府（决策机关）",
        "第二十条",
        "市人民政府根据评估结果和实际情况，可以决定决策继续执行、停止执行或者修改",
        "市人民政府",
    ),
    actor(
        "ordos",
        "gates.survey.actor",
        "评估机关",
        "第五条",
        "重大行政决策承办单位或者市人民政府指定的单位（下称评估机关）具体负责跟踪反馈、后评估工作",
        "评估机关",
    ),
    # --- bazhou: 2, 9, 11
    actor(
        "bazhou", "gates.approval.actor", "决策机关（市政府）", "第十一条", "（四）将报告提交决策机关审定", "决策机关"
    ),
    actor("bazhou", "gates.approval.actor", "决策机关（市政府）", "第二条", "市政府（以下简称决策机关）", "市政府"),
    actor(
        "bazhou",
        "gates.expert_review.actor",
        "有关专家（由承担评估具体工作的单位组织）",
        "第十一条",
        "（二）组织有关专家对跟踪反馈与后评估报告进行论证",
        "有关专家",
    ),
    actor(
        "bazhou",
        "gates.survey.actor",
        "评估小组",
        "第九条",
        "（一）成立小组。小组由承担评估具体工作的单位相关人员组成",
        "小组",
    ),
    # --- ningxia_commerce: 4, 10, 12
    actor(
        "ningxia_commerce",
        "gates.start_approval.actor",
        "厅决策机关（厅党组会议、厅务会议或厅专题会议）",
        "第十条",
        "（二）承办处室提请厅决策机关研究审议是否开展评估工作以及评估工作的具体事宜",
        "厅决策机关",
    ),
    actor(
        "ningxia_commerce",
        "gates.start_approval.actor",
        "厅决策机关（厅党组会议、厅务会议或厅专题会议）",
        "第四条",
        "本办法所称厅决策机关是指厅党组会议、厅务会议以及厅专题会议",
        ("厅决策机关", "厅党组会议", "厅务会议", "厅专题会议"),
    ),
    actor(
        "ningxia_commerce",
        "gates.approval.actor",
        "厅决策机关（厅党组会议、厅务会议或厅专题会议）",
        "第十二条",
        "承办处室应根据评估报告和实际情况向厅决策机关提请审议重大行政决策执行事宜",
        "厅决策机关",
    ),
    actor(
        "ningxia_commerce",
        "gates.survey.actor",
        "承办处室（评估小组）",
        "第十条",
        "（一）承办处室结合工作实际成立评估小组、制定评估方案",
        ("承办处室", "评估小组"),
    ),
    actor(
        "ningxia_commerce",
        "gates.expert_review.actor",
        "有关专家（由承办处室组织）",
        "第十条",
        "可以组织有关专家进行论证",
        "有关专家",
    ),
]


@pytest.mark.rule("OR-10", "CL-50", "CL-53", "G-APPROVE")
@pytest.mark.parametrize(("profile", "path", "expected", "article", "quote", "named"), ACTORS)
def test_each_actor_is_the_one_the_article_names(profile, path, expected, article, quote, named):
    assert value(PROFILES[profile], path) == expected
    assert _squash(quote) in articles(profile)[article], (profile, article, quote)
    for name in (named,) if isinstance(named, str) else named:
        assert name in quote, name
        assert any(name in part for part in ((expected,) if isinstance(expected, str) else expected)), name


@pytest.mark.rule("CL-53")
def test_the_changli_recipients_are_the_roles_the_flow_sends_to():
    # changli 53 names three of them by role (they are found per decision) and one body outright.
    assert PROFILES["changli"].tracking.supervision_report.roles() == (
        Recipient.supervised,
        "县决策咨询服务中心",
        Recipient.lead_unit,
        Recipient.implementing_units,
    )


def silent(profile, path, expected, article, shown, absent):
    """The regulation shows the act (``shown``, in the article) but names nobody for it (none of ``absent`` is in
    the article): the profile's value is its default."""
    return pytest.param(profile, path, expected, article, shown, absent, id=f"{profile}-{path}")


SILENT = [
    # changli 58(一)2, bazhou 9(二), ordos 14(一), minhang 12(二): a plan is drawn up; nobody is named to approve it.
    silent(
        "changli",
        "gates.plan_approval.actor",
        "承担评估具体工作的单位负责人",
        "第五十八条",
        "2.制定方案。",
        ("审定方案", "方案审定", "批准"),
    ),
    silent(
        "bazhou",
        "gates.plan_approval.actor",
        "承担评估具体工作的单位负责人",
        "第九条",
        "（二）制定方案。",
        ("审定", "批准"),
    ),
    silent(
        "ordos", "gates.plan_approval.actor", "评估机关负责人", "第十四条", "（一）制订评估方案。", ("审定", "批准")
    ),
    silent(
        "minhang",
        "gates.plan_approval.actor",
        "决策评估单位负责人",
        "第十二条",
        "（二）制订评估方案。",
        ("审定", "批准"),
    ),
    # ordos 10: a written supervision report, neither approved nor sent anywhere by the article.
    silent("ordos", "tracking.supervision_report.approved_by", None, "第十条", "并形成书面督查报告", ("审定", "反馈")),
    silent("ordos", "tracking.supervision_report.recipients", (), "第十条", "并形成书面督查报告", ("审定", "反馈")),
    # minhang 督查 10–11: the report is fed back as written; no leader approves it first.
    silent(
        "minhang",
        "tracking.supervision_report.approved_by",
        None,
        "督查第十条",
        "督查结束后，区政府办公室应当形成书面督查报告",
        ("审定", "批示"),
    ),
    silent(
        "minhang",
        "tracking.supervision_report.approved_by",
        None,
        "督查第十一条",
        "督查报告形成后，区政府办公室应当及时将督查情况反馈被督查单位",
        ("审定", "批示"),
    ),
]


@pytest.mark.rule("OR-10", "CL-53")
@pytest.mark.parametrize(("profile", "path", "expected", "article", "shown", "absent"), SILENT)
def test_where_the_article_names_nobody_the_profile_keeps_its_default(profile, path, expected, article, shown, absent):
    assert value(PROFILES[profile], path) == expected
    text = articles(profile)[article]
    assert _squash(shown) in text
    assert not [word for word in absent if word in text]


@pytest.mark.rule("OR-10", "CL-53", "CL-50")
@pytest.mark.parametrize(
    ("profile", "supervisor", "reviewer", "reports_from"),
    [
        # bazhou never says 承办单位; the article its report_basis cites, 4 ¶2, has the 执行单位 provide the materials
        # and data of tracking, state the problems and risks and make proposals: the 决策实施单位 report.
        ("bazhou", "市人民政府办公室", "市人民政府办公室", "决策实施单位"),
        ("ningxia_commerce", "厅办公室", "厅办公室", "决策承办单位"),
    ],
)
def test_a_regulation_without_supervision_articles_leaves_every_tracking_actor_to_the_profile(
    profile, supervisor, reviewer, reports_from
):
    tracking = PROFILES[profile].tracking
    assert (tracking.supervisor, tracking.rectification_reviewer, tracking.reports_from.value) == (
        supervisor,
        reviewer,
        reports_from,
    )
    assert (tracking.supervision_report.approved_by, tracking.supervision_report.recipients) == (None, ())
    seed = "".join(articles(profile).values())
    for word in ("督查", "督办", "跟踪反馈报告", "整改情况"):
        assert word not in seed, word
    for basis in (tracking.supervision_basis, tracking.rectification_basis, tracking.supervision_report.basis):
        assert basis.startswith("default: seed silent"), basis
    assert "default: seed silent" in tracking.report_basis
