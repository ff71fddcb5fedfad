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
from driving import evaluation_of, reach

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


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium through Playwright (its own download cannot reach the internet here)."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable, "chromium is not installed: scripts/setup.sh installs Debian's chromium package"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield browser
        browser.close()


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
    from services.orchestration import start_evaluation

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

    from models import evaluations as store
    from models.db import read_session

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
    from models import evaluations as store
    from models.db import read_session
    from rules.steps import StepId

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

    from models.db import read_session
    from models.tables import PublicOpinion

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
    from sqlmodel import select

    from models.db import read_session, session_scope
    from models.tables import PlanDecision, now_beijing
    from services.orchestration import paused_at, start_annual_plan, wait_for

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
def test_a_supervision_round_from_the_leaders_approval_to_an_accepted_rectification_in_the_browser(
    browser, web, tmp_path
):
    import re
    from datetime import date

    import builders
    from sqlmodel import select
    from typer.testing import CliRunner

    from models.db import read_session, session_scope
    from models.tables import Rectification, SupervisionRound, now_beijing
    from pinggu.cli import app
    from services.orchestration import paused_at, wait_for

    with session_scope() as session:
        code = builders.add_decision(session, "changli", prefix="WSUP", title="昌黎县城区公厕改造方案").code
    today = now_beijing().date()
    findings = tmp_path / "督查.yaml"
    findings.write_text(
        "methods: [书面督查]\nsupervised: 决策承办单位\n"
        f"self_inspection_due: {today}\nexecution: 按计划推进。\neffect: 如厕难有所缓解。\nproblems: 两处未按期开工。\n"
        f"proposals: 加快手续办理。\nrectifications:\n  - {{item: 两处公厕开工, unit: 决策承办单位, deadline: {date(today.year + 1, 1, 31)}}}\n",
        encoding="utf-8",
    )
    started = _off_loop(CliRunner().invoke, app, ["supervision", "start", code, str(findings), "--by", "县政府办公室"])
    assert started.exit_code == 0, started.output
    run_id = re.search(r"/runs/flow-run/([0-9a-f-]{36})", started.output).group(1)
    _off_loop(wait_for, run_id, lambda run: paused_at(run) is not None, timeout=120, what="督查专报审定")
    with read_session() as session:
        (round_,) = session.exec(select(SupervisionRound).where(SupervisionRound.decision_code == code)).all()
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

    from models.db import session_scope

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
