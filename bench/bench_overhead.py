"""What Prefect adds to an evaluation: one ordinary evaluation (一般程序, S-2022-003, five gates) run
through the served deployments, then the same evaluation run as the same flow function called
directly in this process, and the two compared.

Through Prefect: a throwaway local Prefect server and the serving process (deployments/serve.py,
each run forked from a warm process); every gate is answered through the API (answer_gate, the
sign-off code read from the local outbox) as soon as its form is stored. For each answer the time
to the next form (the next gate's form stored, or the run completed) is split by the flow run's
state timeline into Prefect's share (answer → Running: the resume call, the runner's poll
(Scheduled → Pending), starting the flow-run process (Pending → Running)) and pinggu's share
(Running → Suspended/Completed: the flow re-run from the top, the new steps, the suspend);
what is left is the form's schema being stored after Suspended and this script's 0.3 s poll.

Directly: the flow's own function (`post_evaluation.fn`) with its own stages and `ask`, on a fresh
throwaway product database (SQLite), with the Prefect task engine bypassed (each task's `.fn`,
behind the same ledger check `SkipWhenDone` makes) and `suspend_flow_run` replaced by the person
answering at once with the same form and their code from the outbox: every domain step, the gate
checks (gate_status, judge_answer) and the codes run as in the flow; nothing is re-run from the
top after an answer. The progress and approval tables are still published as Prefect artifacts
(the same functions call the API; their time is shown apart); the document link artifacts are not
(pinggu.tasks.evaluation.publish_document_link publishes only inside a run).

Prints both wall times (server start excluded) and their ratio, a table per gate and issue 32's
goals on 2 cores: answer→next form p50 ≤ 1.5 s with Prefect's share ≤ 0.8 s; the whole evaluation
≤ 2.5× the direct run (the earlier goals were 4 s, 2 s and 3×).
Usage: .venv/bin/python bench/bench_overhead.py

Figures (2 cores, 2026-11-27, nothing else running):
- before the serving process warmed its fork server at start: through Prefect 26.1 s, direct 6.7 s
  (3.9×), of which the first run's Pending→Running was 5.6 s;
- after (deployments/serve.py, forkserver.ensure_running): through Prefect 22.5 s, direct 6.6 s (3.4×;
  first Pending→Running 1.0 s); answer→next form p50 2.7 s, Prefect's share p50 1.6 s (runner poll
  0.3–1.0 s, process start 0.5–0.8 s, resume call 0.13–0.2 s, once 2.1 s); the two resumes that
  render PDFs 5.1 and 6.8 s. Goals: p50 ≤ 4 s met, Prefect's share ≤ 2 s met, ≤ 3× not met.
With other work on the cores (load average 3–6) the same run took 35–46 s and missed all three goals.
2026-12-07 (2 cores, idle; a resumed run skips the task that opens the evaluation, progress published once
per resume; four runs): through Prefect 16.5–19.7 s, direct 5.1–5.8 s (3.2–3.4×); answer→next form p50
3.3–3.8 s, Prefect's share p50 1.1–1.7 s (resume call 0.1 s, runner poll 0.1–1.6 s, process start 0.4–0.6 s),
pinggu's share p50 1.8–2.3 s. Issue 32's goals (1.5 s, 0.8 s, 2.5×) are NOT met: the answers after which the
steps render PDFs (expert marks → draft report, expert review → the draft formed again, approval → final
report) take 1.2–1.8 s even directly, so p50 ≤ 1.5 s needs those renders off the answer's path. A faster
runner poll (PINGGU_POLL_SECONDS 0.5 and 0.2) gave no better median and stalled some resume calls 2–6 s.
2026-12-07, rendering warm (one WeasyPrint font configuration per process; templates, fonts, WeasyPrint and
python-docx warmed in the fork server by reporting.pdf.warm_up; bench/bench_render.py), one run each, load
average 1.8–2.5, before (880e795) then after: through Prefect 20.5 → 18.7 s, direct 7.3 → 4.3 s; the three
answers whose steps render, pinggu's share 2.4 / 2.5 / 2.8 → 1.7 / 1.7 / 1.8 s, directly 1.9 / 2.1 / 2.1 →
1.0 / 1.1 / 1.4 s; answer→next form p50 3.8 → 2.8 s (Prefect's share p50 1.2 / 1.3 s, its resume call once
2.0 s). Goals still NOT met. Run this script with an absolute PYTHONPATH from a second checkout
(PYTHONPATH=$PWD): the served processes start in PINGGU_HOME, where PYTHONPATH=. names nothing, and then
import the editable install's checkout instead of this one.
2026-12-08 (2 cores, idle, load average 0.6–1.0; one run after each change, in this order, each step keeping the one
before; whole evaluation through Prefect / direct; answer→next form p50; Prefect's share p50, its poll part):
- before (f2cf33b):                                           16.9 s / 3.9 s (4.3×); p50 2.8 s; 0.8 s, poll 0.04–1.46 s
- runs started when the server's events stream announces them
  (deployments/due_runs.py), TLS contexts shared, the name tagger
  and run-time modules preloaded (deployments/warm.py):         14.8 s / 3.6 s (4.1×); p50 2.3 s; 0.9 s, poll 0.3–0.75 s
  (the poll now waited for the run's previous process, still ending: its heartbeat thread's one-second sleep)
- heartbeat thread stopped at once (deployments/heartbeats.py): 11.6 s / 3.7 s (3.2×); p50 2.2 s; 0.4 s, poll 0.03–0.3 s
- a poll as soon as a process ends while an announced run waits: (the same run) p50 1.8 s; 0.4 s
- fork server started before the serving process imports the flows (deployments/fork_server.py; the first run's
  Pending→Running 2.6 → 1.2 s):                                10.0 s / 3.4 s (2.9×; 2.6× without the first run's
  start); p50 1.8 s; Prefect's share 0.4 s (met), poll 0.02–0.28 s.
- the announced runs read and handed to the runner instead of a poll of the deployments (a write that locked the
  Prefect server's SQLite database under 100 evaluations), read again after 0.05, 0.1 and 0.2 s while one waits:
  11.3 s / 3.8 s (3.0×; 2.9× without the first run's start, whose run_deployment call took 2.45 s that time);
  p50 1.8 s; Prefect's share 0.5 s (met), poll 0.05–0.13 s.
The rows from "runs started when … announces them" on were measured with the announcements on; they are now off by
default (PINGGU_START_ON_EVENTS, core/settings.py: they cost throughput under load): run this script with
PINGGU_START_ON_EVENTS=true to measure them, without it for the default (the runner's poll, 0.1–1.3 s of each answer).
Not met: p50 ≤ 1.5 s, because three of the five answers are followed by a report rendered (PDF and Word, ~1.05 s of the
1.2–1.3 s of pinggu's share after them; the two that render nothing take 0.8 s), and ≤ 2.5× by 0.4×.
"""

from __future__ import annotations

import contextlib
import csv
import importlib
import os
import statistics
import sys
import tempfile
import time
import warnings
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from unittest import mock
from uuid import UUID, uuid4

HOME = Path(tempfile.mkdtemp(prefix="pinggu-bench-"))
SERVED_HOME, DIRECT_HOME = HOME / "served", HOME / "direct"
os.environ.update(PINGGU_HOME=str(SERVED_HOME), PINGGU_PREFECT_PORT="4394")
for variable in (
    "PREFECT_API_URL",
    "PREFECT_HOME",
    "PINGGU_PREFECT_API_URL",
    "PINGGU_DATABASE_URL",
    "PINGGU_STORE_URL",
):
    os.environ.pop(variable, None)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pinggu.core.document_store import keep
from pinggu.core.settings import SAMPLES_DIR, configure_prefect_environment, get_settings

configure_prefect_environment()

from pinggu.catalog import import_catalog
from pinggu.localserver import start_server, start_worker, stop_all
from pinggu.people import import_people_file
from pinggu.rules.gates import GateId, gate_name
from pinggu.rules.vocabulary import EvaluationType
from pinggu.services.orchestration import answer_gate, gate_of_pause_key, paused_at, start_evaluation, wait_for
from pinggu.services.signoff import outbox_messages, run_code_in_outbox

DECISION = "S-2022-003"  # 闵行区 (profile minhang): plan approval, survey, expert marks, expert review, approval
TEAM = [
    {"name": "王明", "role": "单位工作人员", "unit": "区司法局"},
    {"name": "李华", "role": "法律专家", "unit": "某大学法学院"},
]
BUDGET_YUAN = 50000.0
GOAL_P50_S, GOAL_PREFECT_S, GOAL_RATIO = 1.5, 0.8, 2.5
START = "(start)"


def forms(home: Path) -> dict[str, dict]:
    """Each gate's answer, in the order the ordinary procedure asks them (the code is added when answering)."""
    from pinggu.rules.profiles import load_profile
    from pinggu.rules.scoring import inputs_needed

    needed = inputs_needed(load_profile("minhang"))
    marks = home / "专家评分.csv"
    marks.parent.mkdir(parents=True, exist_ok=True)
    with marks.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["指标", "专家", "分数"])
        for key, _ in needed["expert_marks"]:
            writer.writerows([[key, "周立平", 95], [key, "吴晓", 95]])
    return {
        GateId.plan_approval: {
            "approver": "张建国",
            "approver_role": "区政府办公室主任",
            "choice": "同意",
            "comment": "方案可行",
        },
        GateId.survey: {
            "file": keep(SAMPLES_DIR / "survey.csv", "uploads").location,
            "submitter": "赵敏",
            "submitter_role": "承办单位 科员",
        },
        GateId.expert_marks: {
            "file": keep(
                marks, "uploads"
            ).location,  # an answer names only the store (pinggu.services.evaluation.submissions)
            "data_values": "\n".join(f"{measure}：98" for measure, _ in needed["data"]),
            "submitter": "王明",
            "submitter_role": "评估小组组长",
        },
        GateId.expert_review: {
            "experts": "周立平、吴晓",
            "opinion": "评估方法规范，数据可信",
            "handling": "已采纳",
            "submitter": "王明",
            "submitter_role": "评估小组组长",
        },
        GateId.approval: {
            "approver": "刘志强",
            "approver_role": "区长",
            "choice": "通过",
            "conclusion": "继续执行",
            "departure_reason": "结合实施情况综合判断",  # accepted whatever the score recommends (MH-14)
        },
    }


def signer(form: dict) -> str:
    return str(form.get("approver") or form.get("submitter"))


def fresh_product_database() -> None:
    import_catalog(SAMPLES_DIR / "catalog.csv")
    import_people_file(SAMPLES_DIR / "people.csv")


def done_steps(flow_run_id: str) -> Counter:
    """How many times each step was done for the evaluation the (real or stand-in) flow run opened."""
    from pinggu.models import evaluations as store
    from pinggu.models.db import read_session

    with read_session() as session:
        evaluation = store.find_by_flow_run(session=session, flow_run_id=flow_run_id)
        assert evaluation is not None and evaluation.status == "completed", evaluation
        return Counter(
            a.step for a in store.step_attempts(session=session, evaluation_id=evaluation.id) if a.status == "done"
        )


# ── through Prefect ───────────────────────────────────────────────────────────────────────────


@dataclass
class Answer:
    """One answer through the API (or the start) and when the next form was there."""

    gate: str
    at: datetime  # just before the call, for the server's state timestamps
    clock: float
    next_clock: float = 0.0
    next_gate: str | None = None


def drive_served(answers: dict[str, dict]) -> tuple[UUID, list[Answer], float]:
    """Start the evaluation, answer every gate as soon as its form is stored; (run, answers, wall seconds)."""
    order = list(answers)
    started = time.perf_counter()
    moves = [Answer(START, datetime.now(UTC), started)]
    run_id = start_evaluation(EvaluationType.ordinary, {"decision": DECISION, "team": TEAM, "budget_yuan": BUDGET_YUAN})
    key = None
    while True:

        def next_form(run, after=key) -> bool:
            state = run.state
            return state is not None and (
                state.is_completed() or (state.state_details.pause_key != after and paused_at(run) is not None)
            )

        run = wait_for(run_id, next_form, timeout=300, what="下一表单")
        moves[-1].next_clock = time.perf_counter()
        if run.state.is_completed():
            return run_id, moves, moves[-1].next_clock - started
        key = run.state.state_details.pause_key
        gate = moves[-1].next_gate = gate_of_pause_key(key)
        expected = order[len(moves) - 1] if len(moves) <= len(order) else "完成"
        assert gate == expected, f"waits at {gate}, expected {expected}"
        form = {**answers[gate], "code": run_code_in_outbox(run_id, gate, signer(answers[gate]))}
        moves.append(Answer(gate, datetime.now(UTC), time.perf_counter()))
        answer_gate(run_id, gate, form)


@dataclass
class Split:
    """Where the seconds of one answer → next form went, by the flow run's states and task runs."""

    total: float
    resume_call: float  # answer → Scheduled (the API calls; Scheduled is set by the server on resume)
    poll: float  # Scheduled → Pending: until the serving process's runner picks the run up
    start: float  # Pending → Running: forking the flow-run process, the engine loading the run
    pinggu: float  # Running → Suspended / Completed
    in_tasks: float  # of pinggu's share, inside task runs (the steps, the gate checks)
    task_runs: int  # how many task runs that share created
    rest: float  # Suspended → form stored and seen here

    @property
    def prefect(self) -> float:
        return self.resume_call + self.poll + self.start


def splits(run_id: UUID, moves: list[Answer]) -> list[Split]:
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.objects import StateType

    with get_client(sync_client=True) as client:
        states = sorted(client.read_flow_run_states(run_id), key=lambda s: s.timestamp)
        task_runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run_id])))

    def first(kind: set, since: datetime):
        return next(s for s in states if s.timestamp >= since and s.type in kind)

    result = []
    for move in moves:
        scheduled = first({StateType.SCHEDULED}, move.at)
        pending = first({StateType.PENDING}, scheduled.timestamp)
        running = first({StateType.RUNNING}, pending.timestamp)
        ended = first({StateType.PAUSED, StateType.COMPLETED, StateType.FAILED}, running.timestamp)
        inside = [
            t for t in task_runs if t.start_time and t.end_time and running.timestamp <= t.start_time <= ended.timestamp
        ]
        total = move.next_clock - move.clock
        result.append(
            Split(
                total=total,
                resume_call=(scheduled.timestamp - move.at).total_seconds(),
                poll=(pending.timestamp - scheduled.timestamp).total_seconds(),
                start=(running.timestamp - pending.timestamp).total_seconds(),
                pinggu=(ended.timestamp - running.timestamp).total_seconds(),
                in_tasks=sum((t.end_time - t.start_time).total_seconds() for t in inside),
                task_runs=len(inside),
                rest=total - (ended.timestamp - move.at).total_seconds(),
            )
        )
    return result


# ── directly ──────────────────────────────────────────────────────────────────────────────────


@dataclass
class Direct:
    seconds: float
    per_answer: dict[str, float]  # START or the gate answered → the next form (or the end)
    artifact_seconds: float
    artifact_calls: int
    run_id: str
    report: str


def drive_direct(answers: dict[str, dict]) -> Direct:
    """The flow's function and stages called in this process: no task engine, no suspend, answers given at once."""
    from prefect import Task

    import pinggu.flows.gates
    import pinggu.flows.post_evaluation
    import pinggu.flows.stages
    import pinggu.tasks.evaluation
    import pinggu.tasks.implementation
    from pinggu.forms.parameters import TeamMemberSpec
    from pinggu.tasks.ledger import SkipWhenDone, run_logger

    def without_engine(step):
        """The step's function, behind the same ledger check a SkipWhenDone makes before starting its task."""
        if isinstance(step, SkipWhenDone):
            plain = SkipWhenDone.__new__(SkipWhenDone)
            plain.__dict__.update(step.__dict__, task=step.fn)
            return plain
        return step.fn

    marks: list[tuple[str, float]] = []  # (gate, when its form was shown / when it was answered)

    def suspend_flow_run(wait_for_input, key: str, **_options):
        gate = gate_of_pause_key(key)
        marks.append((f"shown:{gate}", time.perf_counter()))
        form = answers[gate]
        sent = [m for m in outbox_messages(gate=gate) if m["to"] == signer(form)]
        answer = wait_for_input(**form, code=sent[-1]["code"])
        marks.append((gate, time.perf_counter()))
        return answer

    artifact_times: list[float] = []

    def timed(function):
        def call(*args, **kwargs):
            clock = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                artifact_times.append(time.perf_counter() - clock)

        return call

    run_id = str(uuid4())  # the evaluation's flow_run_id, as a run would record its own
    with contextlib.ExitStack() as patches:
        for module in (pinggu.flows.post_evaluation, pinggu.flows.stages, pinggu.flows.gates):
            for name, value in list(vars(module).items()):
                if isinstance(value, Task | SkipWhenDone):
                    patches.enter_context(mock.patch.object(module, name, without_engine(value)))
        for module in (pinggu.flows.stages, pinggu.flows.gates):
            patches.enter_context(mock.patch.object(module, "get_run_logger", run_logger))
        patches.enter_context(mock.patch.object(pinggu.flows.gates, "suspend_flow_run", suspend_flow_run))
        patches.enter_context(mock.patch.object(pinggu.flows.post_evaluation, "flow_run", SimpleNamespace(id=run_id)))
        for module, name in (
            (pinggu.tasks.evaluation, "create_markdown_artifact"),
            (pinggu.tasks.evaluation, "create_link_artifact"),
            (pinggu.tasks.implementation, "create_table_artifact"),
        ):
            patches.enter_context(mock.patch.object(module, name, timed(getattr(module, name))))
        warnings.filterwarnings("ignore", "Artifact creation outside of a flow or task run", FutureWarning)
        started = time.perf_counter()
        marks.append((START, started))
        report = pinggu.flows.post_evaluation.post_evaluation.fn(
            decision=DECISION,
            evaluation_type="一般程序",
            team=[TeamMemberSpec(**member) for member in TEAM],
            budget_yuan=BUDGET_YUAN,
        )
        ended = time.perf_counter()
    assert isinstance(report, str) and Path(report).is_file(), report
    answered = [(name, clock) for name, clock in marks if not name.startswith("shown:")]
    shown = [clock for name, clock in marks if name.startswith("shown:")] + [ended]
    per_answer = {name: next_clock - clock for (name, clock), next_clock in zip(answered, shown, strict=True)}
    return Direct(ended - started, per_answer, sum(artifact_times), len(artifact_times), run_id, report)


# ── report ────────────────────────────────────────────────────────────────────────────────────


def verdict(met: bool) -> str:
    return "达到 (met)" if met else "未达到 (not met)"


def main() -> None:
    served_settings = get_settings()
    print(
        f"load average before: {', '.join(f'{value:.1f}' for value in os.getloadavg())} (other work shares these cores)"
    )
    try:
        clock = time.perf_counter()
        start_server(served_settings)
        start_worker(served_settings)
        print(f"local Prefect server + serving process start (not counted): {time.perf_counter() - clock:.1f} s")

        # 1. through Prefect, on the served deployments
        fresh_product_database()
        answers = forms(SERVED_HOME)
        run_id, moves, served_seconds = drive_served(answers)
        served_steps = done_steps(str(run_id))
        parts = splits(run_id, moves)

        # 2. directly, on a fresh product database; the modules the fork server preloads are loaded first
        from pinggu.deployments.fork_server import WARM_MODULES

        for module in WARM_MODULES:
            importlib.import_module(module)
        os.environ["PINGGU_HOME"] = str(DIRECT_HOME)
        get_settings.cache_clear()
        fresh_product_database()
        direct = drive_direct(forms(DIRECT_HOME))
        direct_steps = done_steps(direct.run_id)
    finally:
        stop_all(served_settings)

    ratio = served_seconds / direct.seconds
    print(f"\nordinary evaluation {DECISION}, {len(moves) - 1} gates answered at once, every step done once")
    print(f"through Prefect (start → completed):  {served_seconds:6.1f} s")
    print(
        f"direct, one process:                  {direct.seconds:6.1f} s"
        f"  (of which {direct.artifact_calls} artifact API calls: {direct.artifact_seconds:.1f} s)"
    )
    print(f"ratio through Prefect / direct:       {ratio:6.1f}×")
    first_start = parts[0].start  # the first flow-run process, forked by a fork server that starts on first use
    print(
        f"  (the first run's Pending→Running alone: {first_start:.1f} s; without it "
        f"{served_seconds - first_start:.1f} s, {(served_seconds - first_start) / direct.seconds:.1f}×)"
    )
    print(
        f"same steps done in both: {'yes' if served_steps == direct_steps else 'NO'} ({sum(served_steps.values())} steps)"
    )

    print(
        "\nanswer → next form, seconds. Prefect's share = resume call + runner poll (Scheduled→Pending)"
        " + process start (Pending→Running);\npinggu's share = Running→Suspended/Completed (time in task runs,"
        " their number); rest = form stored after Suspended + this script's poll; direct = the same in one process"
    )
    header = f"{'answered':<15}{'→ next':>8}{'Prefect':>9}{'(call':>7}{'poll':>6}{'start)':>7}"
    print(header + f"{'pinggu':>9}{'(tasks':>8}{'runs)':>6}{'rest':>6}{'direct':>8}  gate")
    for move, part in zip(moves, parts, strict=True):
        name = "开始 → 第一张表单" if move.gate == START else gate_name(move.gate)
        then = f" → {gate_name(move.next_gate)}" if move.next_gate else " → 完成"
        print(
            f"{move.gate:<15}{part.total:>8.1f}{part.prefect:>9.1f}{part.resume_call:>7.2f}{part.poll:>6.2f}"
            f"{part.start:>7.2f}{part.pinggu:>9.1f}{part.in_tasks:>8.1f}{part.task_runs:>6}{part.rest:>6.1f}"
            f"{direct.per_answer[move.gate]:>8.2f}  {name}{then}"
        )
    answered = [(move, part) for move, part in zip(moves, parts, strict=True) if move.gate != START]
    p50 = statistics.median(part.total for _, part in answered)
    prefect_p50 = statistics.median(part.prefect for _, part in answered)
    pinggu_p50 = statistics.median(part.pinggu for _, part in answered)
    direct_p50 = statistics.median(direct.per_answer[move.gate] for move, _ in answered)
    print(
        f"p50 over the {len(answered)} answers: answer→next form {p50:.1f} s; Prefect's share {prefect_p50:.1f} s;"
        f" pinggu's share {pinggu_p50:.1f} s; direct {direct_p50:.2f} s"
    )

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\ngoals ({os.cpu_count()} cores here, load average {load} at the end; the issue's goals are for 2 cores):")
    print(f"  answer→next form p50 ≤ {GOAL_P50_S:g} s: {p50:.1f} s — {verdict(p50 <= GOAL_P50_S)}")
    print(
        f"  Prefect's share p50 ≤ {GOAL_PREFECT_S:g} s: {prefect_p50:.1f} s — {verdict(prefect_p50 <= GOAL_PREFECT_S)}"
    )
    print(f"  whole evaluation ≤ {GOAL_RATIO:g}× direct: {ratio:.1f}× — {verdict(ratio <= GOAL_RATIO)}")
    print(f"(throwaway home {HOME})")


if __name__ == "__main__":
    main()
