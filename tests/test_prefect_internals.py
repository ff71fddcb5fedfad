"""The parts of Prefect pinggu relies on beyond its documented API (ARCHITECTURE.md "Prefect internals we
rely on"), each checked here without a server, in seconds: an upgrade that removes or changes one fails
by name here, not as served runs that silently start from a cold interpreter, a worker that no longer runs
our engine, or a setting Prefect no longer reads.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest

ROOT = Path(__file__).resolve().parents[1]


class _Stop(Exception):
    """Raised by a stand-in to stop a Prefect function where the check has seen what it needed."""


def test_every_prefect_setting_we_set_is_one_prefect_reads():
    """An environment variable Prefect no longer knows is silently ignored (a renamed poll interval would
    only make every resume slower), so every PREFECT_* name our code, scripts and documents set must exist."""
    import prefect.settings

    sources = [
        path
        for folder in ("core", "pinggu", "deployments", "services", "flows", "tasks", "scripts", "tests", "bench")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in (".py", ".sh")
    ] + [*ROOT.glob("*.md"), *(ROOT / "docs").rglob("*.md")]
    pattern = re.compile(r"(?<![A-Za-z0-9_])PREFECT_(?!_)[A-Z0-9_]*[A-Z0-9]")
    names = {name for path in sources for name in pattern.findall(path.read_text(encoding="utf-8"))}
    assert "PREFECT_RUNNER_POLL_FREQUENCY" in names  # the scan sees core/settings.py
    # prefect-redis's connection settings (`pinggu up --ha`) are its own, not prefect.settings'.
    from prefect_redis.client import RedisMessagingSettings

    prefix = RedisMessagingSettings.model_config["env_prefix"]
    redis = {f"{prefix}{field}".upper() for field in RedisMessagingSettings.model_fields}
    assert sorted(name for name in names if not hasattr(prefect.settings, name) and name not in redis) == []


def test_the_runner_starts_a_flow_registered_for_a_deployment_through_run_flow_in_subprocess():
    """deployments/serve.py registers each served flow as Runner.add_flow does
    (`runner._deployment_registry.register_flow`), so the runner starts its runs with
    `prefect.flow_engine.run_flow_in_subprocess` (DirectSubprocessStarter) instead of a fresh
    `python -m prefect.engine` that imports everything again."""
    import prefect.flow_engine
    import prefect.runner._starter_direct as starter_direct
    from prefect.runner import Runner

    from pinggu.deployments.serve import deadline_watch

    registry = Runner(limit=1)._deployment_registry
    deployment_id = uuid4()
    registry.register_flow(deployment_id, deadline_watch)
    assert registry.get_flow(deployment_id) is deadline_watch
    assert starter_direct.run_flow_in_subprocess is prefect.flow_engine.run_flow_in_subprocess
    source = inspect.getsource(Runner)
    assert "self._deployment_registry.get_flow(flow_run.deployment_id)" in source
    assert "DirectSubprocessStarter(" in source
    assert {"limit"} <= set(inspect.signature(Runner).parameters)
    assert {"deployment"} <= set(inspect.signature(Runner.add_deployment).parameters)


def test_run_flow_in_subprocess_takes_its_process_context_from_the_module_we_replace(monkeypatch):
    """pinggu.deployments.fork_server.start_runs_from_the_fork_server replaces `prefect.flow_engine.multiprocessing` so
    that `run_flow_in_subprocess`'s `multiprocessing.get_context("spawn")` is the warm fork server."""
    import prefect.flow_engine
    from prefect import flow

    asked = []

    class _Recorder:
        def get_context(self, method=None):
            asked.append(method)
            raise _Stop

    @flow
    def nothing() -> None:
        """Never runs: the check stops where the process would be made."""

    monkeypatch.setattr(prefect.flow_engine, "multiprocessing", _Recorder())
    with pytest.raises(_Stop):
        prefect.flow_engine.run_flow_in_subprocess(nothing)
    assert asked == ["spawn"]


def test_what_the_fork_server_preloads_exists():
    """A module the fork server cannot import would make every served run start cold."""
    from pinggu.deployments.fork_server import WARM_MODULES

    assert [name for name in WARM_MODULES if importlib.util.find_spec(name) is None] == []


def test_every_deployment_builds_with_its_chinese_form_titles_and_runs_a_synchronous_flow():
    """`_chinese_titles` rewrites `RunnerDeployment._parameter_openapi_schema.properties`; deployments/engine.py
    runs flows as prefect.engine does for a synchronous, non-generator flow only."""
    from prefect import Flow

    from pinggu.deployments import serve

    built = serve.deployments()
    titles = {
        (d.flow_name, d.name, key): field.get("title")
        for d in built
        for key, field in d._parameter_openapi_schema.properties.items()
    }
    assert titles[("post-evaluation", "ordinary", "decision")] == "决策编号"
    served = {flow.name: flow for flow in vars(serve).values() if isinstance(flow, Flow)}
    assert {d.flow_name for d in built} == set(served)
    assert [name for name, flow in served.items() if flow.isasync or flow.isgenerator] == []


def test_our_engine_entry_does_what_prefect_engines_own_does_but_log_engine_errors_into_the_run():
    """deployments/engine.py mirrors `python -m prefect.engine` (deliberately without its run-log error
    logger, its OpenTelemetry resource metrics, which do nothing without an OTLP endpoint, and its driving
    of async or generator flows, which we have none of). When Prefect's entry calls anything new, compare."""
    import prefect.engine
    from prefect._internal.control_listener import configure_from_env
    from prefect.engine import handle_engine_signals
    from prefect.flow_engine import load_flow, load_flow_run, run_flow

    tree = ast.parse(inspect.getsource(prefect.engine))
    entry = next(
        node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "__name__ == '__main__'"
    )
    called = {ast.unparse(node.func) for node in ast.walk(entry) if isinstance(node, ast.Call)}
    assert called == {
        "UUID",
        "len",
        "os.environ.get",
        "exit",
        "engine_logger.error",
        "configure_from_env",
        "handle_engine_signals",
        "load_flow_run",
        "load_flow",
        "run_flow",
        # what deployments/engine.py leaves out, on purpose:
        "flow_run_logger",
        "run_logger.error",
        "RunMetrics",
        "_drive_run_flow_result",
    }, "prefect.engine's entry changed: compare deployments/engine.py with it"
    assert inspect.signature(configure_from_env).parameters == {}
    assert list(inspect.signature(handle_engine_signals).parameters) == ["flow_run_id"]
    assert "flow_run_id" in inspect.signature(load_flow_run).parameters
    assert list(inspect.signature(load_flow).parameters)[:1] == ["flow_run"]
    assert {"flow", "flow_run"} <= set(inspect.signature(run_flow).parameters)


def test_a_process_worker_runs_the_command_our_deployments_set_itself():
    """deployments/workpool.py sets the job variable `command`; a process worker then starts exactly that
    command (EngineCommandStarter), not its workspace supervisor that starts the engine in turn."""
    from prefect.client.schemas.objects import FlowRun
    from prefect.workers.process import ProcessJobConfiguration, ProcessWorker

    from pinggu.deployments.workpool import JOB_VARIABLES

    template = ProcessWorker.get_default_base_job_template()
    assert template["job_configuration"]["command"] == "{{ command }}"
    assert "command" in template["variables"]["properties"]
    configuration = ProcessJobConfiguration(command=JOB_VARIABLES["command"])
    configuration.prepare_for_flow_run(FlowRun(flow_id=uuid4()))
    assert configuration.command == "python -m pinggu.deployments.warm_run"
    assert configuration._command_configured
    run = inspect.getsource(ProcessWorker.run)
    assert "if configuration._command_configured:" in run and "EngineCommandStarter(" in run
    # pinggu.deployments.warm_worker: the command stays in the worker's process group (its run, forked by the warm
    # server, is in that group too), so killing the group kills them all; and its environment carries the
    # worker's own (PINGGU_WARM_SOCKET) beside the run's.
    configured = run[run.index("if configuration._command_configured:") :].split("else:")[0]
    assert "isolate_process_group" not in configured
    from prefect.runner._starter_engine import EngineCommandStarter

    start = inspect.getsource(EngineCommandStarter.start)
    assert "env.update(os.environ)" in start and '"PREFECT__FLOW_RUN_ID"' in start


def test_a_suspended_runs_form_is_where_services_orchestration_looks_for_it():
    """`paused_at` reads the form's schema under `state_details.run_input_keyset["schema"]` and the gate from
    `state_details.pause_key`; `answer_gate` and `cancel_waiting_run` use the client's resume and set-state."""
    import prefect.flow_runs
    from prefect.client.orchestration import SyncPrefectClient
    from prefect.client.schemas.objects import StateDetails
    from prefect.client.schemas.responses import OrchestrationResult
    from prefect.input.run_input import keyset_from_paused_state
    from prefect.states import State, Suspended

    assert {"pause_key", "run_input_keyset"} <= set(StateDetails.model_fields)
    suspended: State[None] = Suspended(pause_key="plan-approval-1")
    assert keyset_from_paused_state(suspended)["schema"] == "suspended-plan-approval-1-schema"
    assert "state_details.run_input_keyset = run_input_keyset" in inspect.getsource(prefect.flow_runs)
    assert {"status", "details"} <= set(OrchestrationResult.model_fields)
    for method, parameters in {
        "read_flow_run_input": {"flow_run_id", "key"},
        "resume_flow_run": {"flow_run_id", "run_input"},
        "set_flow_run_state": {"flow_run_id", "state", "force"},
        "read_workers_for_work_pool": {"work_pool_name", "worker_filter"},
        "api_healthcheck": set(),
    }.items():
        assert parameters <= set(inspect.signature(getattr(SyncPrefectClient, method)).parameters), method


def test_the_test_session_can_send_its_run_logs_before_it_stops_the_server():
    """tests/conftest.py drains the run-log worker with `APILogWorker.drain_all(timeout=…)`."""
    from prefect.logging.handlers import APILogWorker

    assert "timeout" in inspect.signature(APILogWorker.drain_all).parameters


def test_a_schedule_of_the_client_computes_its_dates_as_the_servers():
    """services/schedules.py turns a deployment's schedule (prefect.client.schemas.schedules) into the
    server's model of the same name and asks it for its dates (`get_dates`)."""
    from prefect.client.schemas import schedules as client_schedules
    from prefect.server.schemas import schedules as server_schedules

    from pinggu.services.schedules import last_due

    for name in ("CronSchedule", "IntervalSchedule", "RRuleSchedule"):
        assert set(getattr(client_schedules, name).model_fields) <= set(getattr(server_schedules, name).model_fields)
        assert "end" in inspect.signature(getattr(server_schedules, name).get_dates).parameters
    watch = client_schedules.CronSchedule(cron="0 8 * * *", timezone="Asia/Shanghai")
    now = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)  # 11:00 in Beijing
    assert last_due(watch, since=now - timedelta(days=400), until=now) == datetime(2026, 12, 7, 0, 0, tzinfo=UTC)


def test_heartbeats_state_events_and_automations_are_what_services_recovery_counts_on():
    """services/recovery.py: the engine sends `prefect.flow-run.heartbeat` every PREFECT_FLOWS_HEARTBEAT_FREQUENCY
    seconds (at least 30) while a flow runs; a state change's event is named by the state's *name* (a gate's wait
    is `prefect.flow-run.Suspended`, not PAUSED), so the zombie trigger expects those names; the automations build
    from Prefect's models, their change of state not forced (a finished run is never made Crashed); the events
    API answers at most 50 a page and the flow-run API 200 ids a call."""
    import prefect.flow_engine
    import prefect.server.models.events
    from prefect.server.events.storage import INTERACTIVE_PAGE_SIZE
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, PREFECT_SERVER_API_DEFAULT_LIMIT
    from prefect.states import AwaitingRetry, Cancelling, Paused, Suspended

    from pinggu.core.settings import HEARTBEAT_SECONDS
    from pinggu.services import recovery

    assert prefect.flow_engine.MINIMUM_HEARTBEAT_INTERVAL <= HEARTBEAT_SECONDS
    assert (
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY.value() == HEARTBEAT_SECONDS
    )  # conftest set it as pinggu.core.settings does
    assert 'event="prefect.flow-run.heartbeat"' in inspect.getsource(prefect.flow_engine)
    assert "with _send_heartbeats(self):" in inspect.getsource(prefect.flow_engine.FlowRunEngine)
    naming = inspect.getsource(prefect.server.models.events.flow_run_state_change_event)
    assert 'event=f"prefect.flow-run.{validated_state.name}"' in naming
    assert {state().name for state in (Suspended, Paused, AwaitingRetry, Cancelling)} <= set(recovery.QUIET_STATES)
    assert '"TimedOut"' in inspect.getsource(prefect.flow_engine)  # the name of a flow run's timeout (Failed)
    from pinggu.deployments import serve

    assert set(recovery.PRODUCT_FLOWS) == {deployment.flow_name for deployment in serve.deployments()}
    zombie, continuation = recovery.recovery_automations(10, uuid4())
    assert zombie.trigger.posture == "Proactive" and zombie.trigger.within == timedelta(minutes=10)
    assert zombie.actions[0].force is False
    assert continuation.actions[0].type == "run-deployment"
    assert INTERACTIVE_PAGE_SIZE == 50 and PREFECT_SERVER_API_DEFAULT_LIMIT.value() >= recovery._PAGE


def test_prefect_clients_made_after_the_warm_up_share_one_verified_tls_context(monkeypatch):
    """pinggu.deployments.shared_tls replaces `ssl` in the modules that make a TLS context per Prefect client; every
    client then carries the one verified context loaded at the warm-up, and an unverified one is still made anew."""
    import importlib
    import ssl

    from prefect.client.orchestration import PrefectClient, SyncPrefectClient

    from pinggu.deployments import shared_tls

    for name in shared_tls.TLS_CLIENT_MODULES:
        module = importlib.import_module(name)
        source = inspect.getsource(module)
        assert "import ssl" in source and "ssl.create_default_context(cafile=cert_file)" in source, name
        monkeypatch.setattr(module, "ssl", module.ssl)  # restored after the test
    made = []
    real = ssl.create_default_context
    monkeypatch.setattr(ssl, "create_default_context", lambda *a, **k: made.append(k) or real(*a, **k))
    shared_tls.share_certificate_contexts()
    assert len(made) == 1
    clients = [PrefectClient("http://127.0.0.1:9/api"), SyncPrefectClient("http://127.0.0.1:9/api")]
    contexts = {id(client._client._transport._pool._ssl_context) for client in clients}
    assert len(made) == 1 and len(contexts) == 1
    insecure = importlib.import_module("prefect.client.orchestration").ssl.create_default_context()
    assert len(made) == 2 and insecure.verify_mode is ssl.CERT_REQUIRED  # made anew: its caller changes it


def test_the_runners_poll_and_its_submission_of_one_run_are_where_serve_py_hooks_them():
    """deployments/serve.py hands the runs the server announces as due to `ScheduledRunPoller._submit_scheduled_flow_runs`
    (what the runner's own poll does with the runs it reads), and wraps `ScheduledRunPoller._submit_run` (one run's process, from its start to its end) to poll again when a
    process ends while an announced run waits: the poller skips a run whose previous process it still watches."""
    from prefect.runner import Runner
    from prefect.runner._scheduled_run_poller import ScheduledRunPoller

    assert "self.started = True" in inspect.getsource(Runner) and "self._scheduled_run_poller = " in inspect.getsource(
        Runner
    )
    assert list(inspect.signature(ScheduledRunPoller._submit_run).parameters) == [
        "self",
        "flow_run",
        "task_group",
        "slot_token",
    ]
    assert list(inspect.signature(ScheduledRunPoller._submit_scheduled_flow_runs).parameters) == [
        "self",
        "flow_run_response",
        "task_group",
    ]
    init = inspect.getsource(ScheduledRunPoller.__init__)
    assert all(f"self.{name}" in init for name in ("_client", "_prefetch_seconds", "_runs_task_group", "stopping"))
    assert "def get_deployment_ids(" in inspect.getsource(type(Runner(limit=1)._deployment_registry))
    submitting = inspect.getsource(ScheduledRunPoller._submit_scheduled_flow_runs)
    assert "if flow_run.id in self._submitting_flow_run_ids:" in submitting
    assert "task_group.start_soon(self._submit_run, flow_run, task_group, slot_token)" in submitting
    submit = inspect.getsource(ScheduledRunPoller._submit_run)
    assert "await executor.submit()" in submit and "self._submitting_flow_run_ids.discard(flow_run.id)" in submit


def test_a_runs_heartbeat_thread_stops_at_once_with_the_stand_ins_and_sends_nothing_after(monkeypatch):
    """pinggu.deployments.heartbeats replaces `threading` and `time` in prefect.flow_engine: `_send_heartbeats` starts its
    thread with `threading.Thread`, sleeps in it with `time.sleep(1)` between checks of its stop event, and sets that
    event before it joins the thread. With the stand-ins the context ends at once, not up to a second later."""
    import time as real_time
    from types import SimpleNamespace

    import prefect.flow_engine

    from pinggu.deployments import heartbeats

    source = inspect.getsource(prefect.flow_engine._send_heartbeats)
    assert "threading.Thread(" in source and "time.sleep(1)" in source
    assert source.index("stop_event.set()") < source.index("thread.join(timeout=2)")
    monkeypatch.setattr(prefect.flow_engine, "threading", prefect.flow_engine.threading)
    monkeypatch.setattr(prefect.flow_engine, "time", prefect.flow_engine.time)
    heartbeats.stop_heartbeats_at_once()

    sent = []
    engine = SimpleNamespace(
        heartbeat_seconds=30,
        flow_run=None,
        logger=SimpleNamespace(debug=lambda *args, **kwargs: None),
        _build_heartbeat_event_template=lambda: ({}, []),
        _emit_flow_run_heartbeat=lambda resource, related: sent.append(real_time.monotonic()),
    )
    with prefect.flow_engine._send_heartbeats(engine):
        real_time.sleep(0.3)  # the thread has sent its first heartbeat and sleeps
    ended = real_time.monotonic()
    real_time.sleep(0.2)
    assert len(sent) == 1
    assert ended - sent[0] < 0.6  # without the stand-ins: the thread's one-second sleep had to run out
    # The main thread's sleeps are the standard library's.
    assert prefect.flow_engine.time.sleep(0) is None
