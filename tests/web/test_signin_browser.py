"""Personal sign-in in real Chromium (issue 28), against the session's real Prefect server and deployments
and a real OpenID provider (panva/oidc-provider on Node, tests/oidc/) on 127.0.0.1:

two people log in with passwords and each sees only their 待办; one answers a gate without a code; an
outsider is refused a document by URL; five wrong passwords lock the account; an idle session expires; a
login through the OpenID provider reaches the same 待办; a cross-origin POST is refused.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import signin
from changli_answers import EXPERTS
from driving import evaluation_of, expert_person, login_of, reach

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

DECISION = "S-2021-014"  # minhang: 评估方案审定 by 决策评估单位负责人 (张建国), then 调查数据提交 by 评估小组
TEAM = [
    {"name": "王明", "role": "单位工作人员", "unit": "区司法局"},
    {"name": "李华", "role": "法律专家", "unit": "华东政法大学"},
]
OIDC_DIR = Path(__file__).resolve().parents[1] / "oidc"
CLIENT_ID, CLIENT_SECRET = "pinggu-web", "test-only-oidc-secret"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_http(url: str, seconds: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def _off_loop(function, *args, **kwargs):
    """Call Prefect off Playwright's event-loop thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


@pytest.fixture(scope="module")
def web(prefect_server, sample_catalog, settings):
    """The session's web app, started as `pinggu up` starts it, with passwords for four sample people."""
    from pinggu.localserver import start_web

    start_web(settings)
    for person in ("张建国", "赵敏", "刘志强", "王明"):
        signin.give_password(person)
    return settings.web_url


@pytest.fixture(scope="module")
def sso_web(prefect_server, settings, tmp_path_factory):
    """A second web app process configured for single sign-on against a real OpenID provider, with a
    short idle timeout (6 s); the provider and the app stop at the end of the module."""
    node = shutil.which("node")
    assert node, "Node.js is missing: scripts/setup.sh installs it with the OpenID provider of the tests"
    assert (OIDC_DIR / "node_modules" / "oidc-provider").is_dir(), "scripts/setup.sh installs tests/oidc"
    provider_port, web_port = _free_port(), _free_port()
    web = f"http://127.0.0.1:{web_port}"
    logs = tmp_path_factory.mktemp("sso")
    provider = subprocess.Popen(
        [node, "provider.mjs", str(provider_port), CLIENT_ID, CLIENT_SECRET, f"{web}/auth/oidc/callback"],
        cwd=OIDC_DIR,
        stdout=(logs / "provider.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    environment = {
        **os.environ,
        "PINGGU_WEB_PORT": str(web_port),
        "PINGGU_OIDC_ISSUER": f"http://127.0.0.1:{provider_port}",
        "PINGGU_OIDC_CLIENT_ID": CLIENT_ID,
        "PINGGU_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "PINGGU_SESSION_IDLE_MINUTES": "0.1",
    }
    app = subprocess.Popen(
        [sys.executable, "-m", "pinggu.web"],
        env=environment,
        stdout=(logs / "web.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_http(f"http://127.0.0.1:{provider_port}/.well-known/openid-configuration")
        _wait_http(f"{web}/healthz")
        yield web
    finally:
        for process in (app, provider):
            process.terminate()
            process.wait(timeout=20)


def _person(browser):
    """A fresh browser profile (its own cookies), as one person's own computer."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(120_000)
    return page


def _log_in(page, web: str, login: str, password: str = signin.PASSWORD) -> str:
    page.goto(f"{web}/login")
    page.fill("#login", login)
    page.fill("#password", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()
    return page.inner_text("body")


@pytest.fixture(scope="module")
def waiting(web):
    """An ordinary minhang evaluation waiting at its plan approval."""
    from pinggu.services.orchestration import start_evaluation

    run_id = _off_loop(start_evaluation, "ordinary", {"decision": DECISION, "team": TEAM, "methods": ["问卷调查"]})
    _off_loop(reach, run_id, "plan_approval", timeout=180)
    return run_id, evaluation_of(run_id).code


def test_two_people_each_see_only_their_own_todo_and_one_answers_without_a_code(browser, web, waiting):
    run_id, code = waiting
    head, clerk = _person(browser), _person(browser)
    assert "张建国（区人民政府办公室）" in _log_in(head, web, "zhangjianguo")
    assert code in head.inner_text("main")  # 评估方案审定 is his
    _log_in(clerk, web, "zhaomin")
    assert code not in clerk.inner_text("main")  # 赵敏 has other work in this session, not this gate

    head.click(f"a[href$='/evaluations/{code}/gates/plan_approval']")
    assert head.locator("#code").count() == 0  # signed in: no sign-off code asked
    assert "将以您本人（张建国，区人民政府办公室）的名义办理并记录" in head.inner_text("main")
    head.select_option("#choice", "同意")
    head.fill("#comment", "方案可行")
    head.click("main form button[type=submit]")
    head.wait_for_selector("[role=alert], [role=status]")
    assert "已受理" in head.inner_text("main")
    _off_loop(reach, run_id, "survey", timeout=180)

    from pinggu.models import evaluations as store
    from pinggu.models.db import read_session

    with read_session() as session:
        evaluation = store.get_evaluation(session=session, code=code)
        (approval,) = [
            a for a in store.approvals(session=session, evaluation_id=evaluation.id) if a.gate == "plan_approval"
        ]
    assert approval.approver == "张建国"
    clerk.goto(web)
    assert code in clerk.inner_text("main")  # now the survey waits for 评估小组: hers
    for page in (head, clerk):
        page.context.close()


def test_an_outsider_is_refused_a_document_by_its_url(browser, web, waiting):
    from pinggu.models import evaluations as store
    from pinggu.models.db import read_session
    from pinggu.rules.steps import StepId

    _, code = waiting
    with read_session() as session:
        evaluation = store.get_evaluation(session=session, code=code)
        plan = store.current_document(session=session, evaluation_id=evaluation.id, kind=StepId.plan)
    signin.give_password("高峰")
    outsider = _person(browser)
    _log_in(outsider, web, "gaofeng")
    response = outsider.goto(f"{web}/documents/{plan.id}")
    assert response.status == 403 and "无权查看文件" in outsider.inner_text("main")
    stranger = _person(browser)
    stranger.goto(f"{web}/documents/{plan.id}")
    assert stranger.url.startswith(f"{web}/login?next=") and "登录名" in stranger.inner_text("main")
    for page in (outsider, stranger):
        page.context.close()


def test_five_wrong_passwords_lock_the_account(browser, web):
    page = _person(browser)
    for _ in range(4):
        assert "登录名或密码不正确" in _log_in(page, web, "wangming", "Wrong-Password-1")
    shown = _log_in(page, web, "wangming", "Wrong-Password-1")
    assert "账户已锁定：连续 5 次输错密码" in shown
    assert "账户已锁定" in _log_in(page, web, "wangming")  # the right password too, until the lock ends
    page.context.close()
    signin.give_password("王明")  # unlocked again for what follows


def test_an_idle_session_expires(browser, sso_web):
    page = _person(browser)
    assert "退出登录" in _log_in(page, sso_web, "zhaomin")
    time.sleep(7)  # this app's idle timeout is 6 s
    page.goto(sso_web)
    assert "/login" in page.url and "您已长时间未操作，为安全起见已自动退出" in page.inner_text("main")
    page.context.close()


def test_a_login_through_the_openid_provider_reaches_the_same_todo(browser, sso_web, waiting):
    _, code = waiting
    page = _person(browser)
    page.goto(sso_web)
    page.click("text=使用统一身份认证登录")
    page.wait_for_selector("input[name=login]")  # the provider's own sign-in page
    assert page.url.startswith("http://127.0.0.1:") and sso_web not in page.url
    page.fill("input[name=login]", "zhaomin")
    page.fill("input[name=password]", "province-password")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if page.locator("input[name=prompt][value=consent]").count():
        page.click("button[type=submit]")  # the provider asks once to share the profile with pinggu
    page.wait_for_url(f"{sso_web}/**")
    main = page.inner_text("main")
    assert "赵敏（决策承办单位）" in page.inner_text("header") and code in main, main  # her survey gate
    page.context.close()


def test_a_cross_origin_post_is_refused(browser, web, waiting, tmp_path):
    import http.server
    import threading
    from functools import partial

    _, code = waiting
    decision = DECISION
    (tmp_path / "attack.html").write_text(
        f'<form id="f" method="post" action="{web}/tracking/opinions">'
        f'<input name="code" value="{decision}"><input name="channel" value="网站">'
        '<input name="summary" value="CSRF攻击者"></form><script>document.getElementById("f").submit()</script>',
        encoding="utf-8",
    )
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = _person(browser)
        _log_in(page, web, "zhangjianguo")  # the office: allowed to register opinions, and signed in
        response = page.goto(f"http://localhost:{server.server_address[1]}/attack.html")
        page.wait_for_url(f"{web}/**")
        assert "请求来自其他网站，已拒绝" in page.inner_text("main")
        assert response is not None
    finally:
        server.shutdown()
    from sqlmodel import select

    from pinggu.models.db import read_session
    from pinggu.models.tables import PublicOpinion

    with read_session() as session:
        assert not [o for o in session.exec(select(PublicOpinion)) if "CSRF攻击者" in o.summary]
    page.context.close()


def test_the_dashboard_and_the_todo_on_a_phone_and_the_ledger_downloaded(browser, web, waiting, tmp_path):
    from openpyxl import load_workbook

    _, code = waiting
    signin.give_password("孙丽")
    context = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(120_000)
    _log_in(page, web, "sunli")
    page.goto(f"{web}/?tab=all")
    assert code in page.inner_text("main")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, "the 待办 is wider than a phone's screen"
    page.screenshot(path=str(tmp_path / "todo-phone.png"), full_page=True)
    page.goto(f"{web}/dashboard?unit=区财政局")
    assert "重大行政决策后评估进度看板" in page.inner_text("body")
    page.select_option("select[name=profile]", "minhang")
    page.click("form[action='/dashboard'] button[type=submit]")
    assert "profile=minhang" in page.url
    with page.expect_download() as downloaded:
        page.click("#download")
    path = tmp_path / "台账.xlsx"
    downloaded.value.save_as(path)
    book = load_workbook(path)
    assert book.sheetnames[0] == "评估" and book.worksheets[0].freeze_panes == "A2"
    context.close()


@pytest.mark.rule("MH-4")
def test_an_annual_plan_is_approved_in_the_browser_by_the_person_the_profile_names(browser, web):
    from datetime import date

    import builders
    from builders import session_scope
    from sqlmodel import select

    from pinggu.models.db import read_session
    from pinggu.models.tables import PlanDecision, now_beijing
    from pinggu.services.orchestration import paused_at, start_annual_plan, wait_for

    today = now_beijing().date()
    with session_scope() as session:  # a decision of its own; its prompt plan is a single item
        code = builders.add_decision(session, "bazhou", category="重大公共政策", starts_on=date(2025, 12, 1)).code
    run_id = _off_loop(start_annual_plan, today.year, None, code)
    _off_loop(wait_for, run_id, lambda run: paused_at(run) is not None, timeout=120, what="计划审定")

    clerk = _person(browser)
    _log_in(clerk, web, "zhaomin")
    clerk.goto(f"{web}/plans")
    assert "目前没有等待您审定的评估计划" in clerk.inner_text("main")
    assert clerk.goto(f"{web}/plans/{run_id}").status == 403
    clerk.context.close()

    signin.give_password("孙丽")
    office = _person(browser)
    _log_in(office, web, "sunli")
    office.goto(f"{web}/plans")
    office.click(f"a[href='/plans/{run_id}']")
    assert code in office.inner_text("main") and "评估办公室" in office.inner_text("main")
    office.select_option("#choice", "退回修改")
    office.click("main form button[type=submit]")
    office.wait_for_selector("[role=alert]")
    assert "退回修改时须在“说明”中写明需要修改的内容" in office.inner_text("main")  # refused at once, not recorded
    office.select_option("#choice", "同意")
    office.click("main form button[type=submit]")
    office.wait_for_selector("[role=status], [role=alert]")
    assert "已受理" in office.inner_text("main"), office.inner_text("main")
    office.context.close()

    _off_loop(
        wait_for, run_id, lambda run: run.state is not None and run.state.is_completed(), timeout=180, what="完成"
    )
    with read_session() as session:
        answers = session.exec(select(PlanDecision).where(PlanDecision.scope == f"decision-{code}")).all()
    assert [(a.approver, a.approver_role, a.choice, a.refused) for a in answers] == [
        ("孙丽", "区人民政府办公室科员", "同意", None)
    ]


@pytest.mark.rule("OR-10", "CL-53")
def test_a_supervision_round_from_its_start_to_an_accepted_rectification_in_the_browser(browser, web, tmp_path):
    from datetime import date

    import builders
    from builders import session_scope
    from sqlmodel import select

    from pinggu.models.db import read_session
    from pinggu.models.tables import Rectification, SupervisionRound, now_beijing
    from pinggu.services.orchestration import paused_at, wait_for

    with session_scope() as session:
        code = builders.add_decision(session, "changli", prefix="WSUP", title="昌黎县城区公厕改造方案").code
    today = now_beijing().date()
    signin.give_password("孙丽")
    starter = _person(browser)  # 孙丽 (县政府办公室, the office) starts the round from the web app
    _log_in(starter, web, "sunli")
    starter.goto(f"{web}/tracking")
    starter.click("a[href='/supervision/new']")
    _fill(starter, {
        "decision": code, "methods": ["书面督查"], "supervised": "决策承办单位", "self_inspection_due": today.isoformat(),
        "execution": "按计划推进。", "effect": "如厕难有所缓解。", "problems": "两处未按期开工。", "proposals": "加快手续办理。",
        "rectifications": f"两处公厕开工，决策承办单位，{date(today.year + 1, 1, 31)}",
    })  # fmt: skip
    starter.click("main form button[type=submit]")
    starter.wait_for_selector("main .ok, [role=alert]")
    assert "已启动督查" in starter.inner_text("main") and "记录人 孙丽" in starter.inner_text("main")
    starter.context.close()
    with read_session() as session:
        (round_,) = session.exec(select(SupervisionRound).where(SupervisionRound.decision_code == code)).all()
    run_id = round_.key.removeprefix("run-")
    _off_loop(wait_for, run_id, lambda run: paused_at(run) is not None, timeout=120, what="督查专报审定")
    with read_session() as session:
        (item,) = session.exec(select(Rectification).where(Rectification.round_id == round_.id)).all()

    leader = _person(browser)  # 刘志强: 县政府领导 approves the report (changli 53)
    _log_in(leader, web, "liuzhiqiang")
    leader.click(f"a[href='/supervision/{round_.id}']")
    assert "督查专报审定" in leader.inner_text("main") and "两处公厕开工" in leader.inner_text("main")
    leader.fill("#instructions", "月底前开工。")
    leader.click("main form button[type=submit]")
    leader.wait_for_selector("main .ok, [role=alert]")
    assert "已受理：督查专报审定" in leader.inner_text("main"), leader.inner_text("main")
    leader.context.close()
    _off_loop(
        wait_for,
        run_id,
        lambda run: (run.state.state_details.pause_key or "").startswith("rectification-review") and paused_at(run),
        timeout=120,
        what="督查整改审核",
    )

    unit = _person(browser)  # 赵敏 of the responsible unit reports back, as herself
    _log_in(unit, web, "zhaomin")
    unit.click(f"a[href='/tracking/rectifications/{item.id}']")
    unit.fill("#report", "两处公厕已开工。")
    unit.click("main form button[type=submit]")
    unit.wait_for_load_state()
    assert "整改报告" in unit.inner_text("main")
    unit.context.close()

    office = _person(browser)  # 孙丽: 县政府办公室 checks and accepts
    signin.give_password("孙丽")
    _log_in(office, web, "sunli")
    office.click(f"a[href='/supervision/{round_.id}']")
    assert "两处公厕已开工。" in office.inner_text("main")  # what the unit reported is shown
    office.fill("#item", "1")
    office.select_option("#verdict", "通过")
    office.click("main form button[type=submit]")
    office.wait_for_selector("[role=alert]")
    assert "检查" in office.inner_text("main")  # changli 53: 通过 without the check is refused
    office.fill("#item", "1")
    office.select_option("#verdict", "经检查整改到位，通过")
    office.fill("#comment", "现场核对")
    office.click("main form button[type=submit]")
    office.wait_for_selector("main .ok, [role=alert]")
    assert "已受理：督查整改审核" in office.inner_text("main"), office.inner_text("main")
    office.context.close()

    _off_loop(
        wait_for, run_id, lambda run: run.state is not None and run.state.is_completed(), timeout=180, what="完成"
    )
    with read_session() as session:
        answers = session.get(SupervisionRound, round_.id).answers
        closed = session.get(Rectification, item.id)
    assert closed.status == "closed" and closed.reported_by == "决策承办单位赵敏"
    assert [(a["step"], a.get("approver") or a.get("reviewer"), a["refused"] is None) for a in answers] == [
        ("report_approval", "人民政府刘志强", True),
        ("rectification_review", "区人民政府办公室孙丽", False),
        ("rectification_review", "区人民政府办公室孙丽", True),
    ]


def test_the_office_starts_an_evaluation_from_the_web_app_and_reads_the_runs_refusal(browser, web):
    import builders
    from builders import session_scope

    with session_scope() as session:
        code = builders.add_decision(session, "minhang", prefix="WST", title="网页启动评估的决策").code
    signin.give_password("孙丽")
    office = _person(browser)
    _log_in(office, web, "sunli")
    office.click("a[href='/evaluations/new']")
    office.fill("#decision", code)
    office.select_option("#type", "final")  # a final evaluation of a decision that has not ended: the run refuses
    office.click("main form button[type=submit]")
    office.wait_for_selector("[role=alert], [role=status]")
    assert "评估未能开始" in office.inner_text("main"), office.inner_text("main")
    office.fill("#decision", code)
    office.select_option("#type", "ordinary")
    office.check("input[name=methods][value=问卷调查]")
    office.fill("#team", "王明，单位工作人员，区司法局")
    office.click("main form button[type=submit]")
    office.wait_for_selector("[role=alert], [role=status]")
    assert "已启动 一般程序评估 PG-" in office.inner_text("main"), office.inner_text("main")
    office.context.close()
    clerk = _person(browser)
    _log_in(clerk, web, "zhaomin")
    refused = clerk.goto(f"{web}/evaluations/new")
    assert refused.status == 403
    clerk.context.close()


# A changli decision from proposal to publication in the browser (issue 29): each step answered by the person the
# profile names, as themselves. (login, {field: value}) in order: a list ticks boxes, True ticks one, a text fills
# the input or picks the option.
PROCEDURE_STEPS = [
    ("zhaomin", "决策启动", {"proposer": "决策承办单位", "proposed_on": "2026-03-10", "category": "重大公共建设项目",
                            "reasons": "城区停车位缺口约 3000 个；拟建 4 处立体停车场。"}),
    ("zhangjianguo", "纳入决策事项目录", {"adjustment": True, "approved_on": "2026-03-20",
                                         "party_consent_on": "2026-03-25", "published_on": "2026-03-28",
                                         "planned_on": "2026-08-31"}),
    ("zhaomin", "公众参与和民意调查", {
        "means": ["向社会公开征求意见", "听证会", "座谈会"], "comment_from": "2026-04-01", "comment_until": "2026-05-01",
        "hearing_on": "2026-05-20", "hearing_materials_sent_on": "2026-05-13", "participants_published_on": "2026-05-10",
        "affects_groups": True, "groups_heard": "与个体工商户协会、社区居民代表座谈两次", "not_adopted": "2",
        "feedback": "书面函告：收费标准由价格主管部门核定", "hearing_organiser": "决策承办单位",
        "draft_published_on": "2026-05-06", "hearing_sides": "支持建设，6\n反对占用绿地，5", "symposium_on": "2026-04-15",
        "symposium_stakeholders": "沿街商户代表 3 名、周边小区业主代表 4 名", "symposium_materials_sent_on": "2026-04-10"}),
    ("zhaomin", "专家论证", {
        "experts": "\n".join(f"{e['name']}，{e['unit']}，是，否" for e in EXPERTS),
        "materials_sent_on": "2026-06-01", "opinions_due_on": "2026-06-08", "panel_proposed_on": "2026-05-25"}),
    ("zhaomin", "风险评估", {
        "kinds": ["社会稳定风险", "经济风险"],
        "report_contents": ["评估事项和评估过程", "各方意见及其采纳情况", "决策可能引发的风险", "风险等级",
                            "评估结论和对策建议", "风险防范和化解措施", "应急处置预案"],
        "situation": "绝大多数群众理解支持、个别人员持有分歧意见", "measures": "建设期错峰施工，设临时停车点",
        "no_adverse_effect": ["公共安全风险", "环境风险"],
        "no_adverse_effect_reason": "立体停车场在既有停车场原址建设，不新增用地"}),
    ("zhangjianguo", "合法性审查和综合会审", {
        "unit_review": "合法", "unit_review_on": "2026-06-25",
        "materials": ["决策草案及其说明（涉及市场主体经济活动的，含公平竞争审查情况）",
                      "有关法律、法规、规章和政策依据以及其他地方经验做法", "公众参与全程资料",
                      "专家论证意见、意见处理情况和理由的说明", "风险评估情况及有关材料",
                      "征求部门（乡镇）意见及反馈采纳情况", "承办单位法制机构的合法性初审意见", "领导班子集体讨论记录"],
        "joint_review_from": "2026-07-01", "joint_review_until": "2026-07-10", "opinions_on": "2026-07-09",
        "justice_task_on": "2026-07-01", "justice_review": "合法", "justice_review_on": "2026-07-06",
        "draft_contents": ["决策目标", "工作任务", "决策依据", "经费预算", "措施方法", "时间步骤", "决策实施单位",
                           "决策实施后评估计划"],
        "draft_evaluation_year": "2027", "draft_evaluation_type": "一般程序（执行评估）", "vice_head": "张华",
        "vice_head_approved_on": "2026-06-29", "head_approved_on": "2026-06-30", "head_decision": "提交县政府审议",
        "head_decided_on": "2026-07-15"}),
    ("sunli", "集体讨论决定", {"kind": "县政府常务会议", "meeting_on": "2026-08-20", "materials_delivered_on": "2026-08-18",
                            "dissent": "一位副县长建议分期建设，已记录", "outcome": "通过", "presided_by": "县长",
                            "head_spoke_last": True, "minutes_signed_by": "县长", "minutes_signed_on": "2026-08-21",
                            "issued_by": "县长", "issued_on": "2026-08-22"}),
    ("sunli", "决策公布", {"published_on": "2026-08-25", "channels": ["政府网站", "昌黎日报"], "starts_on": "2026-09-01",
                          "evaluation_year": "2027", "evaluation_type": "一般程序（执行评估）", "archived_on": "2026-08-28"}),
]  # fmt: skip


PANEL = [{"name": e["name"], "unit": e["unit"]} for e in EXPERTS]  # each signs their own opinion (会签)


def _open_step(browser, web: str, login: str, procedure_id: int, step: str):
    """A person signed in, on the procedure's page once it asks them the step (the run records the step before
    it asks the next)."""
    page = _person(browser)
    _log_in(page, web, login)
    page.goto(f"{web}/procedures")
    page.click(f"a[href='/procedures/{procedure_id}']")
    deadline = time.monotonic() + 120
    while step not in _asked(page) and time.monotonic() < deadline:
        time.sleep(1)
        page.reload()
    assert step in _asked(page), page.inner_text("main")
    return page


def _asked(page) -> str:
    """The heading of the step the page asks its reader to answer, or "" when it asks nothing of them."""
    heading = page.query_selector("main form h3")
    return heading.inner_text() if heading else ""


def _fill(page, values: dict) -> None:
    """Fill a step page's inputs as a person would: tick boxes, pick options, type text and dates."""
    for name, value in values.items():
        if isinstance(value, list):
            for choice in value:
                page.check(f"input[name='{name}'][value='{choice}']")
        elif value is True:
            page.check(f"#{name}")
        elif page.eval_on_selector(f"#{name}", "e => e.tagName") == "SELECT":
            page.select_option(f"#{name}", value)
        else:
            page.fill(f"#{name}", value)


@pytest.mark.rule("CL-9", "CL-31", "CL-32-PANEL", "CL-45", "CL-47")
def test_a_decision_is_made_from_proposal_to_publication_in_the_browser_by_the_people_of_each_step(browser, web):
    from sqlmodel import select

    from pinggu.models.db import read_session
    from pinggu.models.tables import DecisionProcedure
    from pinggu.services.orchestration import wait_for

    matter = "昌黎县城区立体停车场建设（网页办理）"
    for person in ("孙丽", "张建国"):
        signin.give_password(person)
    office = _person(browser)  # 孙丽 of the office starts the procedure
    _log_in(office, web, "sunli")
    office.goto(f"{web}/procedures/new")
    office.fill("#matter", matter)
    office.fill("#lead_unit", "决策承办单位")
    office.fill("#catalog_year", "2026")
    office.click("main form button[type=submit]")
    office.wait_for_selector("main .ok, [role=alert]")
    assert "已启动决策程序" in office.inner_text("main"), office.inner_text("main")
    office.context.close()

    def opened() -> DecisionProcedure | None:
        with read_session() as session:
            return session.exec(select(DecisionProcedure).where(DecisionProcedure.matter == matter)).first()

    deadline = time.monotonic() + 120
    while (procedure := opened()) is None and time.monotonic() < deadline:
        time.sleep(0.5)
    assert procedure is not None, "the procedure's run did not open it"
    run_id = procedure.key.removeprefix("run-")

    outsider = _person(browser)  # 王明 takes no part in the procedure: refused by URL
    _log_in(outsider, web, "wangming")
    assert outsider.goto(f"{web}/procedures/{procedure.id}").status == 403
    outsider.context.close()

    for login, step, values in PROCEDURE_STEPS:
        if step == "风险评估":  # 转办: 赵敏 hands the step to her colleague 高峰, who then answers it as himself
            signin.give_password("高峰")
            page = _open_step(browser, web, "zhaomin", procedure.id, step)
            page.select_option("#to_person", label="高峰（决策承办单位，负责人）")
            page.fill("#reason", "本人参加培训，由高峰办理")
            page.click("form[action$='/handover'] button[type=submit]")
            page.wait_for_selector("main .ok, [role=alert]")
            assert "已转办" in page.inner_text("main"), page.inner_text("main")
            page.goto(f"{web}/procedures/{procedure.id}")
            assert "本环节现由 高峰（决策承办单位）办理" in page.inner_text("main") and not _asked(page)
            page.context.close()
            login = "gaofeng"
        if step == "专家论证":  # CL-32-PANEL: 张建国 of the 县决策咨询服务中心 confirms the panel as himself first
            centre = _person(browser)
            _log_in(centre, web, "zhangjianguo")
            centre.goto(f"{web}/procedures/{procedure.id}")
            centre.fill("#experts", "\n".join(e["name"] for e in PANEL))
            centre.fill("#confirmed_on", "2026-05-28")
            centre.click("form[action$='/panel'] button[type=submit]")
            centre.wait_for_selector("main .ok, [role=alert]")
            assert "已确定专家组" in centre.inner_text("main"), centre.inner_text("main")
            centre.context.close()
        page = _open_step(browser, web, login, procedure.id, step)
        if step == "纳入决策事项目录":  # proposed after 1 月 31 日: only an adjustment of the catalog (changli 9, 10)
            _fill(page, {k: v for k, v in values.items() if k != "adjustment"})
            page.click("main form button[type=submit]")
            page.wait_for_selector("[role=alert]")
            assert "只能作为目录调整" in page.inner_text("[role=alert]")  # refused at once, the run still waits
            _fill(page, {"adjustment": True})
        else:
            _fill(page, values)
        page.click("main form button[type=submit]")
        page.wait_for_selector("main .ok, [role=alert]")
        alert = page.query_selector("[role=alert]")
        assert "已受理" in page.inner_text("main"), (step, alert.inner_text() if alert else page.inner_text("main"))
        page.context.close()
        if step == "专家论证":  # 会签: each expert of the panel signs their own written opinion, as themselves
            for number, expert in enumerate(PANEL, start=1):
                login = signin.give_password(login_of(expert_person(expert)))
                page = _open_step(browser, web, login, procedure.id, "会签")
                if number == 1:
                    awaited = "、".join(f"{e['name']}（{e['unit']}）" for e in PANEL)
                    assert f"待签署：{awaited}" in page.inner_text("main"), page.inner_text("main")
                page.fill("#opinion", f"{expert['name']}：方案总体可行，建议分期实施并加强交通组织。")
                page.click("main form button[type=submit]")
                page.wait_for_selector("main .ok, [role=alert]")
                said = page.inner_text("main")
                assert ("还需至少 1 位专家签署" in said) if number == 4 else ("已受理" in said), said
                page.context.close()

    _off_loop(
        wait_for, run_id, lambda run: run.state is not None and run.state.is_completed(), timeout=180, what="完成"
    )
    done = opened()
    assert done is not None and done.status == "published" and done.decision_code
    accepted = [a["answered_by"] for a in done.answers if a["refused"] is None]
    assert accepted == [
        "赵敏（决策承办单位）", "张建国（区人民政府办公室）", "赵敏（决策承办单位）", "赵敏（决策承办单位）",
        "论证专家会签", "高峰（决策承办单位）", "张建国（区人民政府办公室）", "孙丽（区人民政府办公室）",
        "孙丽（区人民政府办公室）",
    ]  # fmt: skip
    office = _person(browser)
    _log_in(office, web, "sunli")
    office.goto(f"{web}/procedures/{procedure.id}")
    assert "已作出决定并向社会公布" in office.inner_text("main") and "决策过程记录（PDF）" in office.inner_text("main")
    with office.expect_popup() as shown:
        office.click(f"a[href='/procedures/{procedure.id}/record']")
    assert shown.value.url.endswith("/record")
    office.context.close()
