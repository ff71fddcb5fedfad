"""The access policy (rules/access.py) as one table, the password policy and derived login names."""

from __future__ import annotations

import pytest

from pinggu.rules.access import Resource, ResourceKind, Viewer, derive_login, login_problem, may_see, password_problems

OFFICE = Viewer(1, "张建国", "区人民政府办公室", ("评估办公室",), ())
SUPERVISOR = Viewer(2, "孙督", "县政府督查室", ("督查",), ("changli",))
ADMIN = Viewer(3, "管理员甲", "信息中心", (), ("minhang",), admin=True)
BODY = Viewer(4, "刘志强", "人民政府", ("决策机关",), ())
TEAM = Viewer(5, "王明", "评估小组", ("评估小组",), ())
LEAD = Viewer(6, "高峰", "决策承办单位", ("决策承办单位",), ())
NINGXIA = Viewer(7, "马厅长", "宁夏回族自治区商务厅", ("厅决策机关",), ("ningxia_commerce",))
OUTSIDER = Viewer(8, "路人", "某街道", ("群众",), ())

EVALUATION = Resource(ResourceKind.evaluation, "minhang", actors=("决策机关（区政府）", "评估小组"), team=("李华",))
TEAM_ONLY = Resource(ResourceKind.evaluation, "bazhou", actors=("决策机关（县政府）",), team=("王明",))
TRACKING = Resource(ResourceKind.tracking, "changli", actors=("县政府办公室",), units=("决策承办单位",))
NX_EVALUATION = Resource(ResourceKind.evaluation, "ningxia_commerce", actors=("厅决策机关（厅党组会议）",))
OFFICE_ONLY = Resource(ResourceKind.office, "minhang")

CASES = [
    # viewer, resource, may see, why
    (OFFICE, EVALUATION, True, "the office sees everything in its jurisdictions (all, here)"),
    (OFFICE, OFFICE_ONLY, True, "the office's own registers"),
    (SUPERVISOR, TRACKING, True, "supervisors are office"),
    (SUPERVISOR, EVALUATION, False, "… but only in their jurisdiction (changli)"),
    (ADMIN, EVALUATION, True, "administrators see their jurisdictions"),
    (ADMIN, TRACKING, False, "… not others (changli is not minhang)"),
    (BODY, EVALUATION, True, "决策机关 may act at 决策机关（区政府）"),
    (BODY, TEAM_ONLY, True, "… and at 决策机关（县政府）"),
    (BODY, TRACKING, False, "not a tracking actor, not the lead unit"),
    (BODY, OFFICE_ONLY, False, "registers are the office's"),
    (TEAM, EVALUATION, True, "a role the procedure names (评估小组)"),
    (TEAM, TEAM_ONLY, True, "a member of the team by name"),
    (LEAD, TRACKING, True, "the lead unit, for its own decision's tracking"),
    (LEAD, EVALUATION, False, "not an actor of the evaluation"),
    (NINGXIA, NX_EVALUATION, True, "厅决策机关 in its own jurisdiction"),
    (NINGXIA, EVALUATION, False, "other jurisdictions are closed to a person listed for ningxia only"),
    (OUTSIDER, EVALUATION, False, "nobody else"),
    (OUTSIDER, TRACKING, False, "nobody else"),
    (OUTSIDER, OFFICE_ONLY, False, "nobody else"),
]


@pytest.mark.parametrize(("viewer", "resource", "allowed", "why"), CASES, ids=[c[3] for c in CASES])
def test_who_may_see_what(viewer, resource, allowed, why):
    assert may_see(viewer, resource) is allowed, why


@pytest.mark.parametrize(
    ("password", "problems"),
    [
        ("Abcdef12!x", []),
        ("abcdefgh12", ["密码须包含大写字母、小写字母、数字、符号中的至少 3 种（收到 2 种）"]),
        ("Ab1!", ["密码至少 10 位（收到 4 位）"]),
        ("zhaomin-2026-X", ["密码不能包含登录名"]),
        ("长口令测试abc1234", []),  # Chinese characters count as symbols
        ("Abc 123 !xyz", ["密码不能包含空格或换行"]),
    ],
)
def test_the_password_policy_names_every_problem_in_chinese(password, problems):
    assert password_problems(password, "zhaomin") == problems


def test_a_login_is_derived_from_the_name_in_pinyin_and_numbered_when_taken():
    assert derive_login("张建国", set()) == "zhangjianguo"
    assert derive_login("张建国", {"zhangjianguo"}) == "zhangjianguo2"
    assert derive_login("张建国", {"zhangjianguo", "zhangjianguo2"}) == "zhangjianguo3"
    assert derive_login("吕布", set()) == "lvbu"  # ü written v, as pinyin keyboards do
    assert derive_login("007", set()) == "user007"


def test_a_login_from_the_people_file_must_be_plain_lower_case():
    assert login_problem("zhao.min") is None
    assert login_problem("Zhao") is not None and login_problem("赵敏") is not None and login_problem("a") is not None
