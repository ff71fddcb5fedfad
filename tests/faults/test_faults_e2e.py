"""The fault suite (issue 16): faults injected into real served or pooled runs; after each, every
evaluation completes, each step is done exactly once, no record is lost, the audit chain verifies,
and the report says what an undisturbed run's says.

Faults: the flow-run process killed (-9) inside each stage's slowest step; a worker killed while it
holds a run (work pool sessions); a worker (or the serving process) killed together with its flow run, which
nothing then reports dead but its missing heartbeats; the Prefect server restarted while ten runs are suspended; the
PDF renderer failing twice; the document store read-only for a minute; PostgreSQL restarted in the
middle of a step (PostgreSQL sessions). A notification endpoint that is down is the watch's concern:
tests/services/test_notify.py sends to a closed port and checks the watch records it and tries again.

Fault points (core/faults.py) are armed through files in the session's home, which every process
of the session reads (conftest sets PINGGU_FAULT_INJECTION=1 before anything starts).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from builders import add_decision, records_submission, report_approval, team
from driving import answer, completed, done_counts, evaluation_of, pdf_text, reach

from pinggu.core.faults import arm, disarm
from pinggu.rules.steps import StepId

pytestmark = [pytest.mark.e2e, pytest.mark.faults]

# As tests/conftest.py reads them (importing conftest again would start a second session's set-up).
TEST_WORKERS = int(os.environ.get("PINGGU_TEST_WORKERS") or 0)
TEST_DATABASE_SERVER = os.environ.get("PINGGU_TEST_DATABASE_URL", "")

# A simplified evaluation does each of them but the draft formed again after an expert review (it has none).
EVERY_STEP = {step.value for step in StepId} - {StepId.reviewed_draft.value}


def _decision() -> str:
    from datetime import date

    from builders import session_scope

    with session_scope() as session:
        return add_decision(
            session,
            "bazhou",
            prefix="F",
            title="关于生活垃圾分类的实施方案",
            decision_body="霸州市人民政府",
            lead_unit="市住房和城乡建设局",
            category="重要规划",
            starts_on=date(2021, 10, 16),
        ).code


def _start() -> tuple[str, object]:
    from pinggu.services.orchestration import start_evaluation

    code = _decision()
    return code, start_evaluation("simplified", {"decision": code, "team": team(), "methods": ["座谈会"]})


def _answer_minutes(run_id, tmp: Path) -> None:
    answer(run_id, "minutes", records_submission(tmp / f"纪要-{run_id}.txt"))


def _answer_approval(run_id) -> None:
    answer(run_id, "approval", report_approval("通过", "继续执行"))


def _reached(point: str, timeout: float = 120) -> int:
    from pinggu.core.settings import get_settings

    marker = get_settings().home / "faults" / f"{point}.reached"
    deadline = time.monotonic() + timeout
    while not marker.is_file() or not marker.read_text().strip():
        assert time.monotonic() < deadline, f"no run reached the fault point {point}"
        time.sleep(0.2)
    return int(marker.read_text())


def _kill_inside(point: str) -> None:
    """Kill -9 the flow-run process paused at `point`."""
    os.kill(_reached(point), signal.SIGKILL)
    disarm(point)


def _continue(evaluation_code: str, crashed_run) -> str:
    """Continue the evaluation whose run was killed, as the daily watch (or `pinggu recover`) would. The
    server's automation may have started the recovery deployment on the Crashed event and continued it
    first: either way it is continued once, by one run."""
    from pinggu.services.orchestration import wait_for
    from pinggu.services.recovery import continue_crashed_runs

    wait_for(crashed_run, lambda run: run.state is not None and run.state.is_crashed(), timeout=60, what="Crashed")
    continued = continue_crashed_runs()
    assert [item.evaluation for item in continued] in ([evaluation_code], [])
    assert continue_crashed_runs() == []  # continued once, not again
    continuation = _bound_run(evaluation_code)
    assert continuation != str(crashed_run)
    return continuation


def _bound_run(evaluation_code: str) -> str:
    """The run the evaluation is bound to now."""
    from pinggu.models import evaluations as store
    from pinggu.models.db import read_session

    with read_session() as session:
        return str(store.get_evaluation(session=session, code=evaluation_code).flow_run_id)


def _heartbeats_heard(run_id, count: int, timeout: float = 180) -> None:
    """Wait until the server holds `count` heartbeats of the run: what the zombie automation counts from."""
    from prefect import get_client
    from prefect.events.filters import EventFilter, EventNameFilter, EventResourceFilter

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while True:
            heartbeats = EventFilter(  # made anew each time: its window ends when it is made
                event=EventNameFilter(name=["prefect.flow-run.heartbeat"]),
                resource=EventResourceFilter(id=[f"prefect.flow-run.{run_id}"]),
            )
            if len(client.read_events(filter=heartbeats, limit=count).events) >= count:
                return
            assert time.monotonic() < deadline, f"fewer than {count} heartbeats of the run reached the server"
            time.sleep(0.5)


def _steps_done_once(evaluation_id: int) -> Counter:
    counts = done_counts(evaluation_id)
    assert set(counts) == EVERY_STEP and set(counts.values()) == {1}, counts
    return counts


def _chain_intact() -> None:
    from pinggu.models.audit import verify_chain
    from pinggu.models.db import read_session

    with read_session() as session:
        assert verify_chain(session=session) is None


def _whole(evaluation, undisturbed: str) -> None:
    """Each step done once, the audit chain intact, the report as the undisturbed run's."""
    _steps_done_once(evaluation.id)
    _chain_intact()
    assert _report_words(evaluation) == undisturbed


def _report_words(evaluation) -> str:
    """The final report's text without what differs between two runs of the same evaluation: codes,
    dates, times, hashes and page counts."""
    text = pdf_text(evaluation.report_path)
    text = text.replace(evaluation.code, "<评估>").replace(evaluation.decision_code, "<决策>")
    return re.sub(r"[0-9a-f]{16,}|\d+", "#", text)


@pytest.fixture(scope="module")
def undisturbed(prefect_server, tmp_path_factory):
    """The same evaluation run without any fault: what every faulted run's report must say."""
    tmp = tmp_path_factory.mktemp("undisturbed")
    _, run_id = _start()
    _answer_minutes(run_id, tmp)
    _answer_approval(run_id)
    completed(run_id)
    evaluation = evaluation_of(run_id)
    _steps_done_once(evaluation.id)
    return _report_words(evaluation)


def test_a_run_killed_inside_each_stage_s_slowest_step_is_continued_and_does_each_step_once(undisturbed, tmp_path):
    from pinggu.models import evaluations as store
    from pinggu.models.db import read_session

    arm("step-plan", "pause:120")  # preparation: the plan, rendered as PDF
    _, run_id = _start()
    _kill_inside("step-plan")
    code = evaluation_of(run_id).code  # opened before the plan step
    run_id = _continue(code, run_id)

    reach(run_id, "minutes")
    arm("step-analysis", "pause:120")  # implementation: the submitted material read and analysed
    _answer_minutes(run_id, tmp_path)
    _kill_inside("step-analysis")
    run_id = _continue(code, run_id)

    reach(run_id, "approval")
    arm("step-final_report", "pause:120")  # conclusion: the final report, PDF and Word
    _answer_approval(run_id)
    _kill_inside("step-final_report")
    run_id = _continue(code, run_id)

    completed(run_id)
    with read_session() as session:
        evaluation = store.get_evaluation(session=session, code=code)
        attempts = store.step_attempts(session=session, evaluation_id=evaluation.id)
    assert evaluation.status == "completed" and evaluation.flow_run_id == str(run_id)
    _steps_done_once(evaluation.id)
    # each killed step was finished by a continuation, and only once (_steps_done_once)
    for step in ("plan", "analysis", "final_report"):
        assert [a.status for a in attempts if a.step == step][-1] == "done"
    _chain_intact()
    assert _report_words(evaluation) == undisturbed


@pytest.mark.skipif(not TEST_WORKERS, reason="只在工作池方式下运行（PINGGU_TEST_WORKERS）")
def test_a_worker_killed_while_it_holds_a_run_loses_nothing_and_another_worker_resumes_it(
    undisturbed, settings, tmp_path
):
    from pinggu.localserver import start_workers

    arm("step-plan", "pause:5")
    decision, run_id = _start()
    flow_run_process = _reached("step-plan")
    worker = _worker_of(flow_run_process)
    server = _parent(_parent(flow_run_process))  # run ← keeper ← warm server (pinggu.deployments.warm_worker)
    assert b"pinggu.deployments.warm_worker" in Path(f"/proc/{server}/cmdline").read_bytes()
    assert _parent(server) == worker and os.getpgid(flow_run_process) == os.getpgid(worker)
    os.kill(worker, signal.SIGKILL)  # the worker dies; the run it started goes on and reports itself
    try:
        _answer_minutes(run_id, tmp_path)  # resumed by the worker left
        _answer_approval(run_id)
        completed(run_id)
    finally:
        start_workers(settings, TEST_WORKERS)  # the session's other tests want both workers
    evaluation = evaluation_of(run_id)
    assert evaluation.decision_code == decision
    _whole(evaluation, undisturbed)


def _parent(process: int) -> int:
    return int(Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _worker_of(process: int) -> int:
    """The Prefect worker a flow-run process belongs to: its nearest ancestor running `prefect worker start`
    (the run is forked by the worker's warm server, pinggu.deployments.warm_worker, not started by the worker)."""
    pid = process
    while pid > 1:
        if b"worker\0start" in Path(f"/proc/{pid}/cmdline").read_bytes():
            return pid
        pid = _parent(pid)
    raise AssertionError(f"flow-run process {process} has no worker among its ancestors")


def _what_happened(run_id) -> str:
    """The killed run's state and events, and what the automations did: for the failure message."""
    from prefect import get_client
    from prefect.events.filters import EventFilter, EventNameFilter, EventResourceFilter

    with get_client(sync_client=True) as client:
        state = client.read_flow_run(run_id).state
        of_run = client.read_events(
            filter=EventFilter(resource=EventResourceFilter(id=[f"prefect.flow-run.{run_id}"])), limit=50
        ).events
        automations = client.read_events(
            filter=EventFilter(event=EventNameFilter(prefix=["prefect.automation."])), limit=50
        ).events
        recoveries = [
            (run.name, run.state_name) for run in client.read_flow_runs(limit=200) if run.name == "续办中断的评估"
        ]
    return (
        f"state {state.name if state else None}; run events {[(e.occurred.time().isoformat(), e.event) for e in of_run]}; "
        f"automation events {[(e.occurred.time().isoformat(), e.event, e.resource.get('prefect.resource.name'), e.payload) for e in automations]}; "
        f"recovery runs {recoveries}"
    )


ZOMBIE_MINUTES = 1.5  # PINGGU_ZOMBIE_MINUTES for this test: three heartbeats (the product's default is 10)


def test_a_worker_killed_with_its_run_mid_step_is_found_dead_and_continued_by_nobody(undisturbed, settings, tmp_path):
    """kill -9 of the whole process group of the worker (work pool sessions) or serving process that runs the
    flow run, inside the plan step: nothing is left to say the run died, so it stays Running. The server's
    automation sees no heartbeat for PINGGU_ZOMBIE_MINUTES and marks it Crashed, the continuation automation
    starts recovery/on-crash, which continues the evaluation; nobody runs `pinggu recover` or the watch. The
    serving process, the only one there is, is started again at once, as its service manager would."""
    from prefect import get_client

    from pinggu.localserver import _group, _running, start_worker, start_workers, stop_service
    from pinggu.services.recovery import ensure_recovery_automations

    os.environ["PINGGU_ZOMBIE_MINUTES"] = f"{ZOMBIE_MINUTES:g}"  # what a serving process started now reads
    ensure_recovery_automations(ZOMBIE_MINUTES)
    try:
        arm("step-plan", "pause:600")
        decision, run_id = _start()
        flow_run_process = _reached("step-plan")
        # The automation was just changed to this test's limit, and the server gives a changed automation's
        # trigger a new identity: a heartbeat it handled before it loaded the change counts for nothing. The
        # second, 30 s on, is counted by the new one.
        _heartbeats_heard(run_id, 2)
        group = os.getpgid(flow_run_process)
        assert group not in (os.getpgid(0), flow_run_process)  # the worker's or serving process's group, not ours
        killed_at = datetime.now(UTC)
        os.killpg(group, signal.SIGKILL)
        disarm("step-plan")
        gone = time.monotonic() + 30  # on a busy machine a killed process takes a moment to be gone
        while _running(group) or _group(group):
            assert time.monotonic() < gone, f"process group {group} still runs after SIGKILL"
            time.sleep(0.1)
        if not TEST_WORKERS:
            start_worker(settings)  # else `_alive` could still see the killed one and start none

        code = evaluation_of(run_id).code
        deadline = time.monotonic() + ZOMBIE_MINUTES * 60 + 240  # generous on a busy machine, but bounded
        while _bound_run(code) == str(run_id):
            assert time.monotonic() < deadline, f"the killed run was never continued: {_what_happened(run_id)}"
            time.sleep(1)
        continued_at = datetime.now(UTC)
        with get_client(sync_client=True) as client:
            crashed = client.read_flow_run(run_id).state
        assert crashed.is_crashed() and "未收到心跳" in (crashed.message or ""), crashed
        # found dead within the limit of its last heartbeat, which came before the kill (plus the server's
        # evaluation round, seconds, and a busy machine's delay), and continued seconds later
        found_dead = (crashed.timestamp - killed_at).total_seconds()
        assert found_dead <= ZOMBIE_MINUTES * 60 + 60, found_dead
        print(f"kill → Crashed {found_dead:.0f} s, → continued {(continued_at - killed_at).total_seconds():.0f} s")

        continuation = _bound_run(code)
        _answer_minutes(continuation, tmp_path)
        _answer_approval(continuation)
        completed(continuation, timeout=300)
    finally:
        disarm("step-plan")
        del os.environ["PINGGU_ZOMBIE_MINUTES"]
        if TEST_WORKERS:
            start_workers(settings, TEST_WORKERS)  # the killed worker; and the session's limit again
        else:
            stop_service(settings, "serve")  # started above with this test's limit
            start_worker(settings)
        ensure_recovery_automations()
    evaluation = evaluation_of(continuation)
    assert evaluation.decision_code == decision and evaluation.status == "completed"
    _whole(evaluation, undisturbed)


def test_the_prefect_server_restarted_while_ten_runs_are_suspended_loses_none(undisturbed, settings, tmp_path):
    from pinggu.localserver import start_server, stop_service

    runs = [_start()[1] for _ in range(10)]
    for run_id in runs:
        reach(run_id, "minutes", timeout=300)
    stop_service(settings, "prefect-server")
    start_server(settings)
    for run_id in runs:
        _answer_minutes(run_id, tmp_path)
    for run_id in runs:
        _answer_approval(run_id)
    for run_id in runs:
        completed(run_id, timeout=300)
        evaluation = evaluation_of(run_id)
        _steps_done_once(evaluation.id)
        assert _report_words(evaluation) == undisturbed
    _chain_intact()


def _failed_attempts(evaluation_id: int) -> Counter:
    from pinggu.models import evaluations as store
    from pinggu.models.db import read_session

    with read_session() as session:
        attempts = store.step_attempts(session=session, evaluation_id=evaluation_id)
    return Counter(a.step for a in attempts if a.status == "failed")


def _approved_under(point: str, how: str, tmp_path: Path, timeout: float):
    """A simplified evaluation whose final approval is answered with `point` armed; its evaluation."""
    _, run_id = _start()
    _answer_minutes(run_id, tmp_path)
    reach(run_id, "approval")
    arm(point, how)
    try:
        _answer_approval(run_id)
        completed(run_id, timeout=timeout)
    finally:
        disarm(point)
    return evaluation_of(run_id)


def test_the_pdf_renderer_failing_twice_is_retried_and_the_report_is_whole(undisturbed, tmp_path):
    evaluation = _approved_under("render", "fail:2", tmp_path, timeout=180)
    assert _failed_attempts(evaluation.id) == Counter({"final_report": 2})
    _whole(evaluation, undisturbed)


def test_the_document_store_read_only_for_a_minute_delays_the_report_and_loses_nothing(undisturbed, tmp_path):
    evaluation = _approved_under("store-write", f"until:{time.time() + 60}", tmp_path, timeout=300)
    failed = _failed_attempts(evaluation.id)
    assert failed["final_report"] >= 2 and set(failed) == {"final_report"}
    _whole(evaluation, undisturbed)


@pytest.mark.skipif(not TEST_DATABASE_SERVER, reason="只在 PostgreSQL 上运行（PINGGU_TEST_DATABASE_URL）")
def test_postgresql_restarted_in_the_middle_of_a_step_loses_nothing(undisturbed, tmp_path):
    _, run_id = _start()
    _answer_minutes(run_id, tmp_path)
    reach(run_id, "approval")
    arm("step-final_report", "pause:3")
    _answer_approval(run_id)
    _reached("step-final_report")
    subprocess.run(["pg_ctlcluster", "15", "main", "restart"], check=True)
    completed(run_id, timeout=300)
    evaluation = evaluation_of(run_id)
    _whole(evaluation, undisturbed)
