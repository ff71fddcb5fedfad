"""An ordinary evaluation with every human step taken in Chromium through the web app (issue 14).

The real Prefect server and served deployments of the session, the web app started as `pinggu up`
starts it, and the Debian chromium driven by Playwright. Each person has no account and signs with the
code the local outbox received for them (samples/people.csv): the gate's page opens with the code, and the
answer is signed with it; nobody types a server path: materials are uploaded. The office's clerk, signed
in, reads the 待办 (tests/web/test_signin_browser.py drives signed-in answers).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import signin
from builders import SAMPLES, bad_survey, expert_marks_submission
from driving import code_for, completed, evaluation_of, reach

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

DECISION = "S-2024-001"  # minhang: plan approval, survey, expert marks, expert review, approval
TEAM = [
    {"name": "王明", "role": "单位工作人员", "unit": "区司法局"},
    {"name": "李华", "role": "法律专家", "unit": "华东政法大学"},
]


@pytest.fixture(scope="module")
def web(prefect_server, sample_catalog, settings):
    """The web app, started as `pinggu up` starts it."""
    from pinggu.localserver import start_web

    start_web(settings)
    return settings.web_url


@pytest.fixture(scope="module")
def page():
    """A Chromium page (Debian's chromium: Playwright's own download cannot reach the internet here)."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable, "chromium is not installed: scripts/setup.sh installs Debian's chromium package"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(120_000)  # a submit waits until the flow has taken the answer
        yield page
        browser.close()


def _off_loop(function, *args, **kwargs):
    """Call Prefect off this thread: Playwright's sync API runs an event loop here, and Prefect's sync
    calls made inside a running loop hand back coroutines instead of results."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def _open_gate(page, web: str, code: str, gate: str, person: str) -> None:
    """As someone without an account: follow the notice's link to the gate and open it with their code."""
    page.goto(f"{web}/evaluations/{code}/gates/{gate}")
    assert page.locator("#unlock-code").count() == 1, page.inner_text("main")
    page.fill("#unlock-code", code_for(code, gate, person))
    page.click("main form button[type=submit]")
    page.wait_for_selector("form[enctype='multipart/form-data'] button[type=submit]")


def _submit(page) -> str:
    page.click("main form button[type=submit]")
    page.wait_for_selector("[role=alert], [role=status]")
    _look(page)
    return page.inner_text("main")


def _look(page) -> None:
    """With PINGGU_SCREENSHOTS=<folder>, keep a screenshot of what the person saw (to look at, not asserted)."""
    import os

    folder = os.environ.get("PINGGU_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{len(list(Path(folder).iterdir())):02d}.png"), full_page=True)


def _pause_key(run_id) -> str:
    from pinggu.services.orchestration import read_flow_run

    return read_flow_run(run_id).state.state_details.pause_key


@pytest.fixture(scope="module")
def evaluated(web, page, tmp_path_factory):
    """Drive the evaluation through the browser; return what each step showed."""
    from pinggu.core.settings import get_settings
    from pinggu.models import evaluations as store
    from pinggu.models.db import read_session
    from pinggu.rules.steps import StepId
    from pinggu.services.orchestration import start_evaluation

    tmp = tmp_path_factory.mktemp("browser")
    shown: dict[str, str] = {}
    run_id = _off_loop(
        start_evaluation,
        "ordinary",
        {"decision": DECISION, "team": TEAM, "methods": ["问卷调查"], "budget_yuan": 80000},
    )
    _off_loop(reach, run_id, "plan_approval", timeout=180)
    code = evaluation_of(run_id).code

    # The office's clerk, signed in, reads every item of the 待办
    signin.give_password("孙丽")
    office = page.context.browser.new_page()
    office.goto(f"{web}/login")
    office.fill("#login", "sunli")
    office.fill("#password", signin.PASSWORD)
    office.click("main form button[type=submit]")
    office.goto(f"{web}/?tab=all")
    shown["todo"] = office.inner_text("main")
    office.close()

    # 评估方案审定: a made-up code opens nothing; the head's own code opens the plan, and he agrees
    page.goto(f"{web}/evaluations/{code}/gates/plan_approval")
    _look(page)
    assert page.locator("#unlock-code").count() == 1, page.inner_text("main")
    page.fill("#unlock-code", "ABCD-2345")
    shown["outsider"] = _submit(page)
    shown["outsider_key"] = _off_loop(_pause_key, run_id)
    _open_gate(page, web, code, "plan_approval", "张建国")
    _look(page)
    shown["plan_link"] = page.get_attribute("a[href*='/documents/']", "href")
    page.select_option("#choice", "同意")
    page.fill("#comment", "方案可行")
    page.fill("#code", "ABCD-2345")
    shown["wrong_code"] = _submit(page)
    assert page.input_value("#comment") == "方案可行"  # what was typed survives the refusal
    page.fill("#code", code_for(code, "plan_approval", "张建国"))
    shown["plan"] = _submit(page)

    # 调查数据提交: a bad survey is refused on the page with its row and column, then the good one is taken
    _off_loop(reach, run_id, "survey")
    _open_gate(page, web, code, "survey", "赵敏")
    page.set_input_files("#file", str(bad_survey(tmp / "问卷数据.csv")))
    page.fill("#code", code_for(code, "survey", "赵敏"))
    shown["bad_survey"] = _submit(page)
    shown["bad_survey_key"] = _off_loop(_pause_key, run_id)
    shown["uploads_kept"] = sorted(p.name for p in (get_settings().uploads_dir / code).rglob("*") if p.is_file())
    page.set_input_files("#file", str(SAMPLES / "survey.csv"))
    page.fill("#code", code_for(code, "survey", "赵敏"))
    shown["survey"] = _submit(page)

    # 专家评分及统计数据, 专家论证, 决策机关审定
    _off_loop(reach, run_id, "expert_marks")
    marks = expert_marks_submission("minhang", tmp / "专家打分表.csv")
    _open_gate(page, web, code, "expert_marks", "王明")
    page.set_input_files("#file", marks["file"])
    page.fill("#data_values", marks["data_values"])
    page.fill("#code", code_for(code, "expert_marks", "王明"))
    shown["marks"] = _submit(page)

    _off_loop(reach, run_id, "expert_review")
    _open_gate(page, web, code, "expert_review", "王明")
    page.fill("#experts", "周立平、吴晓")
    page.fill("#opinion", "评估方法规范，数据可信")
    page.fill("#handling", "已采纳")
    page.fill("#code", code_for(code, "expert_review", "王明"))
    shown["review"] = _submit(page)

    _off_loop(reach, run_id, "approval")
    with read_session() as session:
        evaluation = evaluation_of(run_id)
        scored = store.latest_step(session=session, evaluation_id=evaluation.id, step=StepId.scoring)
    _open_gate(page, web, code, "approval", "刘志强")
    shown["draft_link"] = page.get_attribute("a[href*='/documents/']", "href")
    page.select_option("#choice", "通过")
    page.select_option("#conclusion", scored.result["recommended"])
    page.fill("#comment", "同意评估结论")
    page.fill("#code", code_for(code, "approval", "刘志强"))
    shown["approval"] = _submit(page)

    flow_run = _off_loop(completed, run_id, timeout=180)
    return flow_run, evaluation_of(run_id), shown


def test_the_todo_list_names_the_gate_and_who_acts(evaluated):
    _, evaluation, shown = evaluated
    assert (
        evaluation.code in shown["todo"] and "评估方案审定" in shown["todo"] and "决策评估单位负责人" in shown["todo"]
    )


@pytest.mark.rule("MH-A5")
def test_an_outsider_is_refused_on_the_page_and_the_run_keeps_waiting(evaluated):
    _, _, shown = evaluated
    assert "未受理：签署码不正确：它不是本评估本环节发出的签署码" in shown["outsider"]
    assert "签署码不正确" in shown["wrong_code"]
    assert shown["outsider_key"] == "plan-approval-1"  # never reached the run: still its first asking


def test_a_refused_upload_names_row_and_column_and_never_resumes_the_run(evaluated):
    _, _, shown = evaluated
    assert "未受理" in shown["bad_survey"] and "第 5 行" in shown["bad_survey"] and "Q3" in shown["bad_survey"]
    assert shown["bad_survey_key"] == "survey-1"
    assert shown["uploads_kept"] == []  # the refused upload is deleted, not kept in the quarantine


def test_every_step_taken_in_the_browser_is_accepted_and_recorded_as_its_signer(evaluated):
    from driving import answers_of

    flow_run, evaluation, shown = evaluated
    for step in ("plan", "survey", "marks", "review", "approval"):
        assert "已受理" in shown[step], shown[step]
    assert flow_run.state.is_completed() and evaluation.report_path
    assert [gate for gate, _, _ in answers_of(evaluation.id)] == [
        "plan_approval", "survey", "expert_marks", "expert_review", "approval",
    ]  # fmt: skip
    status = subprocess.run(
        [sys.executable, "-m", "pinggu.cli.main", "status", evaluation.code], capture_output=True, text=True
    ).stdout
    assert "张建国" in status and "刘志强" in status


def test_the_documents_open_as_pdf_from_their_links(evaluated, page):
    _, _, shown = evaluated
    for link in (shown["plan_link"], shown["draft_link"]):
        response = page.request.get(link)
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        assert response.body().startswith(b"%PDF")


def test_the_approvals_artifact_shows_who_approved_what(evaluated):
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    _, evaluation, _ = evaluated

    def read(key: str):
        with get_client(sync_client=True) as client:
            return client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))

    artifacts = _off_loop(read, f"{evaluation.code.lower()}-approvals")
    latest = max(artifacts, key=lambda a: a.created).data
    assert "张建国" in latest and "刘志强" in latest and "同意" in latest and "通过" in latest
