"""What the office looks at every week, in real Chromium (issue 33): the dashboard with three evaluations of one
unit in different stages, one overdue, and a tracked decision, a supervision round and a decision procedure of the
unit on the same time axis, filtered by that unit and then by 逾期; the 台账 downloaded from it and opened in
openpyxl; a public opinion given on the comment page while the period is open, refused the day after it closes,
listed, masked, in the tracking report, and the public error page once the period is turned off; the dashboard and
the 待办 on a phone.

The web app runs in this process (uvicorn on a thread) over the test session's database, and no Prefect server
is started: the dashboard, the 待办 and the public page read the product database only. The state is built with
the data builders (tests/builders.py), not by a flow run; the clock of the comment pages is moved by a day
(monkeypatched `now_beijing`) to close the period, as the services take every date as a parameter.
"""

from __future__ import annotations

import io
import os
import socket
import threading
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import builders
import pytest
import signin
from builders import session_scope
from openpyxl import load_workbook
from sqlmodel import select

from pinggu.models.tables import BEIJING, now_beijing

pytestmark = [pytest.mark.browser]

TODAY = now_beijing().date()
PHONE = {"width": 390, "height": 844}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def web(app):
    """The web app served by uvicorn on a thread of this process, on a port of its own."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="office-web", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the web app did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _look(page, name: str) -> None:
    """With PINGGU_SCREENSHOTS=<folder>, keep a screenshot of what the person saw (to look at, not asserted)."""
    folder = os.environ.get("PINGGU_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"office-{name}.png"), full_page=True)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=BEIJING)


def _days(n: int) -> date:
    return TODAY + timedelta(days=n)


@pytest.fixture(scope="module")
def office_unit(app, settings) -> dict[str, str]:
    """Three evaluations of one unit of their own, each in another stage: 准备阶段 waiting at the plan's approval
    and past its target (逾期), 实施阶段 under way with its target in three days (即将到期), and one completed;
    an evaluation of another unit that the unit's filter leaves out; and one item of each other kind of the unit:
    a tracked decision (a milestone missed, one done ahead of its date, one done late), a supervision round (a rectification item past
    its deadline, one due in four days) and a decision procedure whose catalog plans its deliberation in five
    days (即将到期), its comment period over, at 专家论证 now."""
    from pinggu.models import evaluations as store
    from pinggu.models.tables import DecisionProcedure, TrackingMilestone
    from pinggu.reporting.other_documents import SupervisionInput
    from pinggu.services import supervision, tracking

    unit = f"区城市更新局{uuid.uuid4().int % 10**4:04d}"
    made = {}
    with session_scope() as session:

        def evaluation(name: str, title: str, lead_unit: str, targets: tuple[int, int, int], opened: int):
            made[name] = builders.add_evaluation(
                session,
                "minhang",
                prefix="OFC",
                lead_unit=lead_unit,
                title=title,
                stage_targets={
                    stage: (_days(days), False)
                    for stage, days in zip(("preparation", "implementation", "conclusion"), targets, strict=True)
                },
            )
            made[name].starts_on = _days(opened)
            return made[name]

        late = evaluation("late", "老旧小区加装电梯补贴政策", unit, (-5, 40, 80), -35)
        running = evaluation("running", "城中村改造安置补偿办法", unit, (-20, 3, 45), -60)
        done = evaluation("done", "历史风貌区保护规划", unit, (-90, -50, -15), -120)
        evaluation("other", "别的单位的停车收费政策", "区交通委员会", (-10, 30, 60), -30)
        for record in store.stages(session=session, evaluation_id=late.id):
            if record.stage == "preparation":
                record.status, record.started_at = "running", _at(_days(-35))
                session.add(record)
        late.status, late.waiting_gate = "waiting", "plan_approval"
        late.waiting_for = "评估方案审定（决策评估单位负责人；第1次）"
        for record in store.stages(session=session, evaluation_id=running.id):
            span = {"preparation": ("done", -60, -25), "implementation": ("running", -25, None)}.get(record.stage)
            if span:
                record.status, record.started_at = span[0], _at(_days(span[1]))
                record.finished_at = _at(_days(span[2])) if span[2] is not None else None
                session.add(record)
        running.status = "running"
        for record in store.stages(session=session, evaluation_id=done.id):
            begin, end = {"preparation": (-120, -92), "implementation": (-92, -48), "conclusion": (-48, -20)}[
                record.stage
            ]
            record.status, record.started_at, record.finished_at = "done", _at(_days(begin)), _at(_days(end))
            session.add(record)
        done.status, done.conclusion, done.completed_at = "completed", "继续执行", _at(_days(-20))
        for item in made.values():
            session.add(item)
        codes = {name: item.code for name, item in made.items()}
        opened = {item.code: item.starts_on for item in made.values()}
        tracked = builders.add_decision(session, "minhang", prefix="OFC", lead_unit=unit, title="老旧小区改造跟踪").code
        supervised = builders.add_decision(session, "minhang", prefix="OFC", lead_unit=unit, title="停车设施建设").code
        # A procedure of changli's whose catalog entry (纳入决策事项目录) is recorded, its deliberation planned in five
        # days, and its public comment period (30 days) over; 专家论证 is the step it asks now.
        made_by = builders.add_decision(session, "changli", prefix="OFC", lead_unit=unit, title="城区公交线网优化")
        answers = [
            {"step": step, "answer": values, "outcome": "proceed", "note": "", "refused": None, "key": f"k-{step}",
             "on": str(on)}
            for step, on, values in (
                ("launch", _days(-50), {"proposer": unit, "proposed_on": str(_days(-50))}),
                ("catalog", _days(-40), {"approved_on": str(_days(-45)), "party_consent_on": str(_days(-44)),
                                         "published_on": str(_days(-40)), "planned_on": str(_days(5))}),
                ("participation", _days(-8), {"means": ["向社会公开征求意见"], "comment_from": str(_days(-38)),
                                              "comment_until": str(_days(-8))}),
            )
        ]  # fmt: skip
        procedure = DecisionProcedure(
            key=f"office-{unit}",
            profile="changli",
            matter=made_by.title,
            lead_unit=unit,
            catalog_year=TODAY.year,
            decision_code=made_by.code,
            answers=answers,
            opened_at=_at(_days(-50)),
        )
        session.add(procedure)
        session.flush()
        procedure_id = procedure.id

    plan = settings.home / f"跟踪反馈工作方案-{unit}.csv"
    plan.write_text(
        "决策编号,责任机构,责任人员,方法步骤,节点目标,完成时限,责任单位\n"
        f"{tracked},{unit},科长 周敏,每月调度,完成意愿摸底,{_days(-10)},{unit}\n"
        f"{tracked},,,,首批开工,{_days(20)},{unit}\n"
        f"{tracked},,,,签订施工合同,{_days(-5)},{unit}\n",
        encoding="utf-8",
    )
    tracking.import_plans(plan, "区人民政府办公室 孙丽", _days(-30))
    with session_scope() as session:
        # Numbered by due date; reported done today: the second five days late, the third ahead (the first missed).
        for done in session.exec(
            select(TrackingMilestone).where(TrackingMilestone.decision_code == tracked, TrackingMilestone.seq > 1)
        ):
            done.done_on = TODAY
            session.add(done)
    findings = SupervisionInput(
        methods=["实地督查"],
        held_on=_days(-30),
        execution="按计划推进。",
        effect="初见成效。",
        problems="进度不均。",
        proposals="加强调度。",
        rectifications=[
            {"item": "补齐停车泊位台账", "unit": unit, "deadline": _days(-3)},
            {"item": "完成智慧停车平台接入", "unit": unit, "deadline": _days(4)},
        ],
    )
    round_id = supervision.record_round(f"office-{unit}", supervised, findings, "区政府督查室", TODAY)
    return {
        "unit": unit,
        **codes,
        "opened": opened,
        "tracked": tracked,
        "round": str(round_id),
        "procedure": str(procedure_id),
    }


def _office_page(browser, web: str, viewport: dict | None = None, *, is_mobile: bool = False):
    """孙丽 of the 区人民政府办公室 (评估办公室), signed in, in a browser profile of her own (a phone's, with
    `is_mobile`: the page's viewport meta then decides its layout width, as on a real phone)."""
    login = signin.give_password("孙丽")
    context = browser.new_context(
        viewport=viewport or {"width": 1366, "height": 900},
        accept_downloads=True,
        is_mobile=is_mobile,
        has_touch=is_mobile,
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{web}/login")
    page.fill("#login", login)
    page.fill("#password", signin.PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()
    return page


@pytest.fixture
def prefect_down(monkeypatch, settings) -> list:
    """The Prefect server down, whatever else the session started: every connection to its API's port is refused
    (and recorded), in every thread of this process, the web app's included."""
    port = urlsplit(settings.resolved_prefect_api_url).port
    tried: list = []
    connect = socket.socket.connect

    def refuse(sock, address):
        if isinstance(address, tuple) and address[1] == port:
            tried.append(address)
            raise ConnectionRefusedError(f"Prefect 服务已停止（测试）：{address}")
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", refuse)
    return tried


def _no_overflow(page) -> tuple[int, int]:
    """The page's width and the window's: nothing may stick out sideways (a phone would scroll the whole page)."""
    width, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= window, f"{page.url}: the page is {width} px wide in a {window} px window"
    return width, window


def test_the_dashboard_filtered_by_unit_and_its_ledger_download_with_prefect_down(
    browser, web, office_unit, prefect_down
):
    codes = {office_unit[name] for name in ("late", "running", "done")}
    page = _office_page(browser, web)
    page.goto(f"{web}/dashboard")
    _look(page, "dashboard-all")
    assert office_unit["other"] in page.inner_text("#timeline-evaluation")  # this year's evaluations of every unit
    page.fill("input[name=unit]", office_unit["unit"])
    page.click("nav.webbar button[type=submit]")
    page.wait_for_load_state()
    _look(page, "dashboard")

    # The rows: the unit's three evaluations, each in its own stage; the overdue one marked, the soon one too
    rows = page.locator("#timeline-evaluation tr[data-evaluation]")
    assert {rows.nth(i).get_attribute("data-evaluation") for i in range(rows.count())} == codes
    late = page.locator(f"tr[data-evaluation='{office_unit['late']}']")
    running = page.locator(f"tr[data-evaluation='{office_unit['running']}']")
    done = page.locator(f"tr[data-evaluation='{office_unit['done']}']")
    assert "等待人工处理" in late.inner_text() and "评估方案审定" in late.inner_text()
    assert "逾期 1 项" in late.inner_text() and "has-overdue" in (late.get_attribute("class") or "")
    assert "进行中" in running.inner_text() and "即将到期" in running.inner_text()
    assert "已完成" in done.inner_text() and "结论：继续执行" in done.inner_text()
    # …on the time axis: today's line in every row, the target outlines, the overdue stage red, the soon one marked
    assert page.locator("#timeline-evaluation .track .today").count() == 3
    assert late.locator(".outline.overdue[data-stage='准备阶段']").count() == 1
    assert late.locator(".bar.overdue[data-stage='准备阶段']").count() == 1
    assert running.locator(".outline.soon[data-stage='实施阶段']").count() == 1
    assert running.locator(".bar.running[data-stage='实施阶段']").count() == 1
    assert done.locator(".outline.done").count() == 3 and done.locator(".bar.done").count() == 3
    # The other kinds on the same axis, a section each with its months and today: the tracked decision's
    # milestones (one missed, one done ahead, one done late), the round's rectification items (one past its deadline, one due
    # soon), the procedure from its opening to today with the catalog's planned date soon and its step now.
    assert [page.get_attribute(f"#timeline tbody:nth-of-type({n})", "data-kind") for n in (1, 2, 3, 4)] == [
        "evaluation",
        "tracking",
        "supervision",
        "procedure",
    ]
    assert page.locator("#timeline tr.group .axis .today-label").count() == 4
    tracked = page.locator(f"#timeline-tracking tr[data-item='tracking-{office_unit['tracked']}']")
    assert "已完成 2/3 个时间节点" in tracked.inner_text() and "逾期 1 项" in tracked.inner_text()
    assert tracked.locator(".outline.overdue[data-kind='target']").count() == 1
    assert tracked.locator(".mark.due.overdue[data-stage='时间节点 1']").get_attribute("data-from") == str(_days(-10))
    assert tracked.locator(".mark.due.done-late[data-stage='时间节点 2']").get_attribute("data-from") == str(_days(-5))
    assert tracked.locator(".mark.due.done[data-stage='时间节点 3']").get_attribute("data-from") == str(_days(20))
    assert tracked.locator(".bar.overrun").get_attribute("data-from") == str(_days(-10))
    assert tracked.locator(".today").count() == 1
    supervised = page.locator(f"#timeline-supervision tr[data-item='round-{office_unit['round']}']")
    assert "第 1 轮督查整改" in supervised.inner_text() and "已办结 0/2 项" in supervised.inner_text()
    assert supervised.locator(".mark.due.overdue[data-stage='整改事项 1']").count() == 1
    assert supervised.locator(".mark.due.soon[data-stage='整改事项 2']").get_attribute("data-from") == str(_days(4))
    assert supervised.locator(".outline.overdue").get_attribute("data-from") == str(_days(-30))
    procedure = page.locator(f"#timeline-procedure tr[data-item='procedure-{office_unit['procedure']}']")
    assert "办理中" in procedure.inner_text() and "当前：专家论证" in procedure.inner_text()
    comment = procedure.locator(".outline.done[data-stage='公开征求意见']")
    assert (comment.get_attribute("data-from"), comment.get_attribute("data-to")) == (str(_days(-38)), str(_days(-8)))
    assert "即将到期" in procedure.inner_text()
    assert procedure.locator(".bar.running[data-kind='actual']").get_attribute("data-from") == str(_days(-50))
    assert procedure.locator(".mark.due.soon[data-stage='拟提请审议']").get_attribute("data-from") == str(_days(5))
    assert procedure.locator(f"a[href='/procedures/{office_unit['procedure']}']").count() == 1
    # …and counted: the cards (the evaluations; overdue and soon of every kind) and the portfolio of the unit
    assert [page.inner_text(f"#{card}") for card in ("under-way", "completed", "overdue", "soon")] == [
        "2",
        "1",
        "3",  # 准备阶段, 时间节点 1, 整改事项 1
        "2",  # the evaluation in 实施阶段 and the procedure
    ]
    assert page.locator("#portfolio tbody tr").count() == 1
    assert page.locator("#portfolio tbody tr td").all_inner_texts()[1:5] == [office_unit["unit"], "3", "2", "1"]

    # The charts: inline SVG with a title and a description that says every number, the numbers also written
    stages = page.locator("#chart-stages svg")
    assert stages.get_attribute("role") == "img" and stages.get_attribute("aria-labelledby")
    assert "准备阶段：共 1（逾期 1）" in page.text_content("#chart-stages-desc")
    assert "实施阶段：共 1（即将到期 1）" in page.text_content("#chart-stages-desc")
    assert page.locator("#chart-stages g[data-label='结论形成阶段']").get_attribute("data-total") == "0"
    evaluations = page.locator("#chart-kinds g[data-label='评估']")
    assert evaluations.get_attribute("data-total") == "3" and "3 · 逾期 1" in (evaluations.text_content() or "")
    assert {
        evaluations.locator(f"rect.seg.{key}").get_attribute("data-count") for key in ("overdue", "open", "done")
    } == {"1"}
    units = page.locator("#chart-units g.bar-row")
    assert units.count() == 1 and units.get_attribute("data-label") == office_unit["unit"]

    # The same filters as the 台账's: only what is overdue, of every kind
    page.select_option("select[name=status]", "逾期")
    page.click("nav.webbar button[type=submit]")
    page.wait_for_load_state()
    assert {page.get_attribute(f"#timeline tbody:nth-of-type({n})", "data-kind") for n in (1, 2, 3)} == {
        "evaluation",
        "tracking",
        "supervision",
    }
    assert page.locator("#timeline tr[data-item]").count() == 3 and page.locator("#timeline-procedure").count() == 0
    # the milestone missed and the one done late (逾期 in the 台账 too); not the one done ahead of its date
    marks = page.locator("#timeline-tracking .mark.due")
    assert {marks.nth(n).get_attribute("data-stage") for n in range(marks.count())} == {"时间节点 1", "时间节点 2"}
    page.goto(f"{web}/dashboard?unit={office_unit['unit']}")

    # The 台账 of the same filter, downloaded from the page and opened as Excel opens it
    with page.expect_download() as downloaded:
        page.click("#download")
    assert downloaded.value.suggested_filename == f"{TODAY.year}年度台账.xlsx"
    book = load_workbook(io.BytesIO(Path(downloaded.value.path()).read_bytes()))
    assert book.sheetnames == ["评估", "年度计划", "跟踪反馈", "督查整改", "决策程序与法定期限"]
    sheet = book["评估"]
    header = [cell.value for cell in sheet[1]]
    assert header[:7] == ["评估编号", "决策编号", "决策名称", "评估类型", "规则（辖区）", "承办单位", "状态"]
    assert sheet.freeze_panes == "A2" and sheet.column_dimensions["C"].width == 36
    lines = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert set(lines) == codes
    column = {name: header.index(name) for name in ("状态", "开启日期", "准备阶段目标完成日", "完成日期", "逾期")}
    for code, row in lines.items():
        opened, target = row[column["开启日期"]], row[column["准备阶段目标完成日"]]
        assert opened.is_date and opened.number_format == "yyyy-mm-dd" and target.is_date
        assert isinstance(opened.value, datetime) and opened.value.date() == office_unit["opened"][code]
    late_row, running_row = lines[office_unit["late"]], lines[office_unit["running"]]
    assert late_row[column["状态"]].value == "等待人工处理" and late_row[column["逾期"]].value == "是"
    assert late_row[column["准备阶段目标完成日"]].value.date() == _days(-5)
    assert {cell.fill.fgColor.rgb for cell in late_row} == {"FFFFC7CE"}  # the overdue row filled light red
    assert running_row[column["逾期"]].value == "否" and {cell.fill.fill_type for cell in running_row} == {None}
    assert lines[office_unit["done"]][column["完成日期"]].value.date() == _days(-20)

    assert prefect_down == []  # the page and the download never even tried the Prefect server
    page.context.close()


@pytest.mark.rule("E-PUBLIC", "E-PRIVACY")
def test_a_public_opinion_while_open_refused_after_it_closes_and_masked_in_the_tracking_report(
    browser, web, monkeypatch, tmp_path
):
    from driving import pdf_text

    from pinggu.models.db import read_session
    from pinggu.models.tables import PublicOpinion, TrackingReport
    from pinggu.reporting.other_documents import TrackingInput
    from pinggu.services import comments, tracking
    from pinggu.web.security import PUBLIC_PER_ADDRESS

    PUBLIC_PER_ADDRESS.reset()
    with session_scope() as session:
        code = builders.add_decision(session, "minhang", prefix="YJ", title="老旧小区加装电梯实施方案").code
    plan = tmp_path / "跟踪反馈工作方案.csv"
    plan.write_text(
        "决策编号,责任机构,责任人员,方法步骤,节点目标,完成时限,责任单位\n"
        f"{code},区住房保障局,科长 周敏,每月调度,完成意愿摸底,{_days(60)},区住房保障局\n",
        encoding="utf-8",
    )
    tracking.import_plans(plan, "区人民政府办公室 孙丽", TODAY)

    # The office opens the period, ending today
    office = _office_page(browser, web)
    office.goto(f"{web}/tracking/comments?code={code}")
    office.fill("#title", "对加装电梯实施情况的意见")
    office.fill("#opens_on", str(_days(-10)))
    office.fill("#closes_on", str(TODAY))
    office.click("form:has(#title) button[type=submit]")
    link = office.get_attribute("a[href^='/public/comments/']", "href")
    assert link and office.locator("[role=alert]").count() == 0
    office.context.close()

    # Someone of the public, on a phone, not signed in: the opinion is taken with a receipt number
    public = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    public.goto(f"{web}{link}")
    assert "对加装电梯实施情况的意见" in public.inner_text("main") and "老旧小区加装电梯实施方案" in public.inner_text(
        "main"
    )
    typed = "我是张伟，身份证号110101199003071234，电话13800138000。建议加装电梯施工避开夜间，减少噪音扰民。"
    assert public.locator("a[href^='/login'], a[href='/']").count() == 0  # nothing leads inside the office's app
    public.fill("#opinion", typed)
    public.fill("#contact", "zhangwei@example.com")
    _look(public, "public-comment-form")
    public.click("main form button[type=submit]")
    public.wait_for_selector("[role=status], [role=alert]")
    _look(public, "public-comment-receipt")
    receipt = public.inner_text("#receipt")
    assert receipt.startswith("YJ") and len(receipt) == 10 and "已收到您的意见" in public.inner_text("main")
    assert "zhangwei@example.com" not in public.content()  # the contact is never shown back
    _no_overflow(public)

    # The next day the period has closed: the form still open in the browser is refused, in Chinese
    public.goto(f"{web}{link}")
    tomorrow = now_beijing() + timedelta(days=1)
    monkeypatch.setattr("pinggu.web.comments.now_beijing", lambda: tomorrow)
    public.fill("#opinion", "征集结束后再提一条意见")
    public.click("main form button[type=submit]")
    public.wait_for_selector("[role=alert]")
    _look(public, "public-comment-closed")
    refused = public.inner_text("main")
    assert f"本次意见征集的时间为 {_days(-10)} 至 {TODAY}，当前不在征集期内，意见未提交" in refused
    assert public.locator("#opinion").count() == 0  # no form any more; what was typed is shown to copy elsewhere
    assert "征集结束后再提一条意见" in public.inner_text(".kept")
    with read_session() as session:
        (opinion,) = session.exec(select(PublicOpinion).where(PublicOpinion.decision_code == code)).all()
    assert f"YJ{opinion.id:08d}" == receipt and opinion.received_on == TODAY

    # The office turns the period off: the public page says so on a page of its own, with nothing of the office's
    # (its header's 登录, the 待办) that the reverse proxy keeps inside
    comments.close_window(int(link.rsplit("/", 1)[1]), "区人民政府办公室 孙丽")
    turned_off = public.goto(f"{web}{link}")
    assert turned_off is not None and turned_off.status == 404
    _look(public, "public-comment-turned-off")
    assert "没有这个意见征集，或征集已停止" in public.inner_text("[role=alert]")
    assert public.locator("a").count() == 0 and "登录" not in public.content() and "待办" not in public.content()
    _no_overflow(public)
    public.context.close()

    # The month ends; the unit's tracking report of this month lists the opinion, masked, under its number
    month_end = (TODAY.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    reported_on = month_end + timedelta(days=1)
    tracking.open_requests(reported_on, code)
    with read_session() as session:
        (asked,) = session.exec(select(TrackingReport).where(TrackingReport.decision_code == code)).all()
    assert asked.period_start <= TODAY <= asked.period_end
    report = TrackingInput(
        reporter="区住房保障局 陈立",
        progress="新增签约 30 台。",
        effect="出行条件改善。",
        problems="施工噪音引起投诉。",
        proposals="调整施工时间。",
        next_steps="推进开工。",
    )
    received = tracking.submit_report(code, asked.period_key, report, reported_on)
    location = tracking.render_report(received.report_id, reported_on)
    assert location is not None
    text = pdf_text(location)
    assert "附：本期收到的公众意见" in text and receipt in text
    assert "建议加装电梯施工避开夜间，减少噪音扰民" in text and "[已隐去]" in text
    for personal in ("张伟", "110101199003071234", "13800138000", "zhangwei@example.com"):
        assert personal not in text, personal


def test_the_dashboard_and_the_todo_on_a_phone(browser, web, office_unit):
    page = _office_page(browser, web, PHONE, is_mobile=True)
    page.goto(f"{web}/dashboard?unit={office_unit['unit']}")
    _look(page, "phone-dashboard")
    assert _no_overflow(page)[1] == PHONE["width"]  # laid out for the phone's width (the viewport meta)
    assert page.locator("#timeline-evaluation tr[data-evaluation]").count() == 3
    assert page.locator("#timeline tr[data-item]").count() == 6  # three evaluations and one item of each other kind
    for chart in ("chart-stages", "chart-kinds", "chart-units"):
        box = page.locator(f"#{chart} svg").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    for item in page.locator("#timeline tr[data-item]").all():
        track = item.locator(".track").bounding_box()
        assert track is not None and track["width"] > 300  # the time axis across the whole card
        assert track["x"] >= 0 and track["x"] + track["width"] <= PHONE["width"]
    for group in page.locator("#timeline tr.group .axis").all():  # each kind's months over its cards
        box = group.bounding_box()
        assert box is not None and box["width"] > 300 and box["x"] + box["width"] <= PHONE["width"]

    page.goto(f"{web}/?tab=all")
    _look(page, "phone-todo")
    _no_overflow(page)
    item = page.locator(f"tr:has(a[href='/evaluations/{office_unit['late']}'])")
    assert "评估方案审定" in item.inner_text() and "逾期" in item.inner_text()
    # The 待办 links to the configured web address (PINGGU_WEB_PORT, where the session's own web process may
    # listen); this module's app listens on a port of its own, so the link's path is followed there.
    href = item.locator("a[href*='/gates/plan_approval']").get_attribute("href") or ""
    page.goto(f"{web}{urlsplit(href).path}")
    _look(page, "phone-gate")
    _no_overflow(page)
    assert "评估方案审定" in page.inner_text("main")
    page.context.close()


def test_the_public_pages_refusals_carry_nothing_of_the_office(app):
    """Whatever refuses a request under /public/ — an address that is no period's, a period unknown, a form posted
    without this browser's token — is answered by the public error page: no 登录, no link inside."""
    from fastapi.testclient import TestClient

    public = TestClient(app)
    for response, status, said in (
        (public.get("/public/comments/abc"), 404, "没有这个意见征集，请核对网址"),
        (public.get("/public/comments/987654321"), 404, "没有这个意见征集，或征集已停止"),
        (public.post("/public/comments/987654321", data={"opinion": "意见"}), 403, "页面已过期"),
    ):
        assert response.status_code == status and said in response.text
        assert "<a " not in response.text and "登录" not in response.text and "待办" not in response.text
