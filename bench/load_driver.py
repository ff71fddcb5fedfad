"""Many evaluations at once on the served deployments, every gate answered as soon as it opens.

Plain functions shared by `bench/bench_load.py` and `tests/flows/test_stress_e2e.py`:

* `start_evaluations(n)` imports a catalog of its own (N fresh decisions) and starts one evaluation
  of each through its deployment, with a team given, as `pinggu evaluate` would;
* `drive(run_ids, deadline_s=…)` polls the runs through one Prefect client and answers each gate
  with a valid form the moment its form is stored, timing answer → next form;
* `check_ledger(evaluation_ids)` looks for steps done twice and a broken audit chain.

The default type is `ordinary` with the one method 座谈会: under bazhou it passes five gates (方案审定,
会议纪要, 专家评分, 专家论证, 决策机关审定) and needs no survey file, while the simplified procedure
passes only two (纪要, 审定) under every profile that offers it (bazhou 13, changli 60).

Nothing here imports Prefect or the product's settings at import time: a caller sets PINGGU_HOME
and the Prefect variables first (see bench_load.py, tests/conftest.py).
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from pinggu.rules.gates import GateId
from pinggu.rules.vocabulary import EVALUATION_TYPE_BY_NAME, EvaluationType

POLL_S = 0.5

TEAM = [
    {"name": "王明", "role": "单位工作人员", "unit": "区司法局"},
    {"name": "李华", "role": "法律专家", "unit": "某大学法学院"},
]


@dataclass(frozen=True)
class TypeSetup:
    """Which profile, methods and implementation period make a decision qualify for a type."""

    profile: str
    methods: tuple[str, ...]
    starts_years_ago: int
    ends_in_years: int  # negative: the decision has ended (final evaluations)


# Mid-term and final evaluations need decisions of five years or more (bazhou 15); a final one, ended.
SETUPS: dict[str, TypeSetup] = {
    EvaluationType.ordinary: TypeSetup("bazhou", ("座谈会",), 2, 3),
    EvaluationType.simplified: TypeSetup("bazhou", ("座谈会",), 2, 3),
    EvaluationType.midterm: TypeSetup("bazhou", ("座谈会",), 3, 4),
    EvaluationType.final: TypeSetup("bazhou", ("座谈会",), 7, -1),
    EvaluationType.ningxia_90day: TypeSetup("ningxia_commerce", ("座谈会",), 2, 3),
}
DEFAULT_TYPE: str = EvaluationType.ordinary


# --- starting ----------------------------------------------------------------------------------


def write_catalog(path: Path, codes: list[str], evaluation_type: str) -> Path:
    """Write a catalog CSV (the template's Chinese headers) with one qualifying decision per code."""
    from pinggu.analysis.catalog import CATALOG_COLUMNS

    setup = SETUPS[evaluation_type]
    today = date.today()
    starts = date(today.year - setup.starts_years_ago, 1, 1)
    ends = date(today.year + setup.ends_in_years, 12, 31)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(CATALOG_COLUMNS))
        writer.writeheader()
        for number, code in enumerate(codes, start=1):
            writer.writerow(
                {
                    "编号": code,
                    "决策名称": f"关于压力测试事项{number}的实施方案",
                    "规则": setup.profile,
                    "决策机关": "人民政府",
                    "承办单位": "发展和改革委员会",
                    "决策类别": "重大公共政策",
                    "决策日期": date(starts.year - 1, 12, 1).isoformat(),
                    "实施起始日": starts.isoformat(),
                    "实施终止日": ends.isoformat(),
                    "执行进度": "40",
                    "社会关注度": "中",
                }
            )
    return path


def start_evaluations(n: int, *, evaluation_type: str = DEFAULT_TYPE) -> list[UUID]:
    """Import N fresh decisions and start an evaluation of each through its deployment; return the run ids."""
    from pinggu.core.settings import SAMPLES_DIR
    from pinggu.catalog import import_catalog
    from pinggu.people import import_people_file
    from pinggu.services.orchestration import start_evaluation

    import_people_file(SAMPLES_DIR / "people.csv")  # who signs: codes go to the local outbox, read at each answer
    setup = SETUPS[evaluation_type]
    # Fresh codes on every call: a decision may have only one unfinished evaluation of a type.
    token = uuid.uuid4().hex[:6].upper()
    codes = [f"LOAD-{token}-{number:03d}" for number in range(1, n + 1)]
    folder = Path(tempfile.mkdtemp(prefix="pinggu-load-catalog-"))
    try:
        created, _, _ = import_catalog(write_catalog(folder / "决策目录.csv", codes, evaluation_type))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if created != n:
        raise RuntimeError(f"catalog import created {created} decisions, expected {n}")
    parameters = {"team": TEAM, "methods": list(setup.methods)}
    return [start_evaluation(evaluation_type, {**parameters, "decision": code}) for code in codes]


# --- answering ---------------------------------------------------------------------------------


def _uploaded(path: Path) -> str:
    """The file kept in the store's uploads, as the web page and `pinggu submit` keep it: an answer names only
    the store (pinggu.services.evaluation.submissions)."""
    from pinggu.core.document_store import keep

    return keep(path, "uploads").location


def _records_file(materials: Path, gate: str) -> Path:
    """A small minutes / field-records text file, written once per drive."""
    path = materials / ("座谈会纪要.txt" if gate == GateId.minutes else "实地调研记录.txt")
    if not path.exists():
        path.write_text(
            "会议纪要\n时间：2026年3月5日\n参加人员：各街道代表\n主要意见：政策总体有效\n", encoding="utf-8"
        )
    return path


def _expert_marks(materials: Path, profile_id: str) -> tuple[Path, str]:
    """The expert table (指标、专家、分数) for every expert-marked indicator of the profile, and the statistics."""
    from pinggu.rules.profiles import load_profile
    from pinggu.rules.scoring import inputs_needed

    needed = inputs_needed(load_profile(profile_id))
    path = materials / f"专家打分表-{profile_id}.csv"
    if not path.exists():
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["指标", "专家", "分数"])
            for key, _ in needed["expert_marks"]:
                writer.writerow([key, "周立平", 85])
                writer.writerow([key, "吴晓", 88])
    data = "\n".join(f"{measure}：92" for measure, _ in needed["data"])
    return path, data


RECOMMENDED = re.compile(r"按得分推荐的结论：\*\*(.+?)\*\*")


def form_for(gate: str, *, profile_id: str, materials: Path, description: str = "") -> dict[str, Any]:
    """A valid answer to `gate`; the approval follows the conclusion the form says the score recommends."""
    submitter = {"submitter": "赵敏", "submitter_role": "承办单位 科员"}
    if gate == GateId.team:
        return {"members": TEAM, **submitter}
    if gate == GateId.plan_approval:
        return {"approver": "张建国", "approver_role": "区政府办公室主任", "choice": "同意", "comment": ""}
    if gate == GateId.start_approval:
        return {"approver": "马厅长", "approver_role": "厅长（厅务会议主持人）", "choice": "同意开展", "comment": ""}
    if gate in (GateId.minutes, GateId.field):
        return {
            "file": _uploaded(_records_file(materials, gate)),
            "summary": "召开座谈会，12家单位参加，普遍认为政策有效",
            **submitter,
        }
    if gate == GateId.expert_marks:
        path, data = _expert_marks(materials, profile_id)
        return {"file": _uploaded(path), "data_values": data, "submitter": "王明", "submitter_role": "评估小组组长"}
    if gate == GateId.expert_review:
        return {
            "experts": "周立平、吴晓",
            "opinion": "评估方法规范，数据可信",
            "handling": "已采纳",
            "submitter": "王明",
            "submitter_role": "评估小组组长",
        }
    if gate == GateId.third_party_acceptance:
        return {"approver": "高峰", "approver_role": "承办单位负责人", "choice": "验收通过", "comment": ""}
    if gate == GateId.approval:
        recommended = RECOMMENDED.search(description)
        return {
            "approver": "刘志强",
            "approver_role": "区长",
            "choice": "通过",
            "conclusion": recommended.group(1) if recommended else "继续执行",
            "comment": "",
        }
    # survey and opinions need data files this driver does not make; its types never ask for them
    raise ValueError(f"the load driver cannot answer gate {gate!r}")


# --- driving -----------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation between closest ranks; NaN if empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class LoadResult:
    """What a drive saw: how the runs ended, and how long each answer took to give the next form."""

    started: int
    completed: int = 0
    failed: int = 0  # ended in any final state but Completed (Failed, Crashed, Cancelled)
    stuck: int = 0  # not final at the deadline
    latencies: list[float] = field(default_factory=list)  # answer sent → next form stored, or Completed
    first_forms: list[float] = field(default_factory=list)  # drive start → a run's first form
    gate_latencies: dict[str, list[float]] = field(default_factory=dict)  # by the gate answered
    answers: int = 0
    wall_s: float = 0.0
    failures: list[str] = field(default_factory=list)  # runs that ended badly, with their state message
    unfinished: list[str] = field(default_factory=list)  # runs still going at the deadline, with their state
    refusals: list[str] = field(default_factory=list)  # forms the server rejected, gates asked again
    api_errors: list[str] = field(default_factory=list)  # transient API errors the poll rode out
    final_states: dict[str, str] = field(default_factory=dict)  # run id → state name at the end

    def p50(self) -> float:
        """Median answer → next form, in seconds."""
        return percentile(self.latencies, 50)

    def p95(self) -> float:
        """95th percentile answer → next form, in seconds."""
        return percentile(self.latencies, 95)

    def summary(self, server_rss_mb: float | None = None) -> str:
        """The one-line result: load: N started, N completed, 0 failed; answer→next form p50 …; server RSS …"""
        line = (
            f"load: {self.started} started, {self.completed} completed, {self.failed} failed; "
            f"answer→next form p50 {_seconds(self.p50())} s, p95 {_seconds(self.p95())} s"
        )
        return line if server_rss_mb is None else f"{line}; server RSS {server_rss_mb:.0f} MB"

    def report(self) -> str:
        """Every detail worth printing before the summary line, one per line."""
        lines = [
            f"wall time {self.wall_s:.1f} s, {self.answers} answers, {self.stuck} stuck",
            f"drive start → first form p50 {_seconds(percentile(self.first_forms, 50))} s, "
            f"max {_seconds(max(self.first_forms, default=float('nan')))} s",
        ]
        for gate, values in self.gate_latencies.items():
            lines.append(
                f"  after {gate}: n={len(values)} p50 {_seconds(percentile(values, 50))} s, "
                f"p95 {_seconds(percentile(values, 95))} s"
            )
        lines += [f"failed: {failure}" for failure in self.failures]
        lines += [f"stuck: {run}" for run in self.unfinished]
        lines += [f"refused: {refusal}" for refusal in self.refusals]
        if self.api_errors:
            lines.append(f"{len(self.api_errors)} API errors ridden out, first: {self.api_errors[0]}")
        return "\n".join(lines)


def _seconds(value: float) -> str:
    """Seconds to one decimal, n/a when there was no sample."""
    return "n/a" if value != value else f"{value:.1f}"  # NaN: no sample


@dataclass
class _Track:
    """One run as the driver follows it."""

    seen_key: str | None = None  # the last pause key whose form was ready
    answered_key: str | None = None
    answered_gate: str | None = None
    answered_at: float | None = None  # monotonic time the answer was sent, until its next form
    final: bool = False


def _read_runs(client, ids: list[UUID]) -> list:
    """The runs' current flow runs, 200 at a time (the server's page limit)."""
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    runs = []
    for start in range(0, len(ids), 200):
        chunk = ids[start : start + 200]
        runs += client.read_flow_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=chunk)), limit=len(chunk))
    return runs


def _stored_input(client, run_id: UUID, key: str) -> str | None:
    """A flow run input's stored value, None while it is not there yet."""
    from prefect.exceptions import ObjectNotFound, PrefectHTTPStatusError

    try:
        return client.read_flow_run_input(run_id, key)
    except (ObjectNotFound, PrefectHTTPStatusError):
        return None


def _ready_key(client, run, track: _Track) -> str | None:
    """The pause key of a suspended run whose form (schema) is stored, as `paused_at` defines ready."""
    state = run.state
    if state is None or not state.is_paused() or not state.state_details.pause_key:
        return None
    key = state.state_details.pause_key
    if key == track.seen_key:
        return key
    keyset = state.state_details.run_input_keyset
    if keyset and _stored_input(client, run.id, keyset["schema"]) is None:
        return None
    return key


def _description(client, run) -> str | None:
    """The form's description (who acts, the recommended conclusion), None until it is stored."""
    keyset = run.state.state_details.run_input_keyset
    if not keyset:
        return ""
    raw = _stored_input(client, run.id, keyset["description"])
    if raw is None:
        return None
    try:
        return str(json.loads(raw))
    except ValueError:
        return raw


def _profile_of(run) -> str:
    """The profile of the decisions `start_evaluations` made for the run's evaluation type."""
    return SETUPS[EVALUATION_TYPE_BY_NAME.get(run.parameters.get("evaluation_type"), DEFAULT_TYPE)].profile


def drive(run_ids: list, *, deadline_s: float, poll_s: float = POLL_S) -> LoadResult:
    """Answer every gate of every run as soon as its form is stored, until all runs end or the deadline."""
    from prefect import get_client

    ids = [UUID(str(run_id)) for run_id in run_ids]
    tracks = {run_id: _Track() for run_id in ids}
    result = LoadResult(started=len(ids))
    began = time.monotonic()
    deadline = began + deadline_s
    materials = Path(tempfile.mkdtemp(prefix="pinggu-load-materials-"))
    try:
        with get_client(sync_client=True) as client:
            while not all(track.final for track in tracks.values()) and time.monotonic() < deadline:
                tick = time.monotonic()
                try:
                    runs = _read_runs(client, ids)
                except Exception as error:  # the server is busy under load: ask again next tick
                    result.api_errors.append(f"read_flow_runs: {error!r}")
                    time.sleep(poll_s)
                    continue
                seen = time.monotonic()
                for run in runs:
                    track = tracks[run.id]
                    if track.final:
                        continue
                    try:
                        _follow(client, run, track, result, seen, seen - began, materials)
                    except Exception as error:
                        result.api_errors.append(f"{run.name}: {error!r}")
                time.sleep(max(0.0, poll_s - (time.monotonic() - tick)))
            try:
                for run in _read_runs(client, ids):
                    state = run.state.name if run.state else "no state"
                    result.final_states[str(run.id)] = state
                    if not tracks[run.id].final:
                        waiting = (
                            f" at {run.state.state_details.pause_key}" if run.state and run.state.is_paused() else ""
                        )
                        result.unfinished.append(f"{run.name} ({run.id}): still {state}{waiting}")
            except Exception as error:  # the counts stand without the last look
                result.api_errors.append(f"read_flow_runs at the end: {error!r}")
    finally:
        shutil.rmtree(materials, ignore_errors=True)
    result.stuck = sum(not track.final for track in tracks.values())
    result.wall_s = time.monotonic() - began
    return result


def _follow(client, run, track: _Track, result: LoadResult, seen: float, since_start: float, materials: Path) -> None:
    """One run at one poll (read at monotonic `seen`): note its end or its new form, and answer the form."""
    from prefect.client.schemas.responses import SetStateStatus

    from pinggu.services.orchestration import gate_of_pause_key

    state = run.state
    if state is not None and state.is_final():
        track.final = True
        _close_latency(track, result, seen)
        if state.is_completed():
            result.completed += 1
        else:
            result.failed += 1
            result.failures.append(f"{run.name} ({run.id}): {state.name}: {state.message or ''}")
        return
    key = _ready_key(client, run, track)
    if key is None:
        return
    if key != track.seen_key:
        if track.seen_key is None:
            result.first_forms.append(since_start)
        track.seen_key = key
        _close_latency(track, result, seen)
        if not key.endswith("-1"):  # no send-backs in these runs: a second asking means a refused answer
            result.refusals.append(f"{run.name}: asked again at {key}")
    if key == track.answered_key:
        return
    gate = gate_of_pause_key(key)
    description = _description(client, run) if gate == GateId.approval else ""
    if description is None:  # the schema is stored a moment before the description
        return
    try:
        form = form_for(gate, profile_id=_profile_of(run), materials=materials, description=description)
    except ValueError as error:  # a gate this driver has no form for: say so once, leave the run waiting
        track.answered_key = key
        result.refusals.append(f"{run.name}: {error}")
        return
    from pinggu.services.signoff import run_code_in_outbox

    form["code"] = run_code_in_outbox(run.id, gate, form.get("approver") or form.get("submitter")) or ""
    sent = time.monotonic()
    outcome = client.resume_flow_run(run.id, run_input=form)
    track.answered_key = key
    if outcome.status == SetStateStatus.ACCEPT:
        track.answered_at, track.answered_gate = sent, gate
        result.answers += 1
    else:
        reason = outcome.details.reason if outcome.details else ""
        result.refusals.append(f"{run.name}: server {outcome.status.value} at {key}: {reason}")


def _close_latency(track: _Track, result: LoadResult, seen: float) -> None:
    """Record answer → next form (or end) for the answer the run was working on, if any."""
    if track.answered_at is None:
        return
    latency = seen - track.answered_at
    result.latencies.append(latency)
    result.gate_latencies.setdefault(track.answered_gate or "?", []).append(latency)
    track.answered_at = None


# --- checking the product database -------------------------------------------------------------


def _reading():
    """A read-only session (no SQLite write lock)."""
    from pinggu.models.db import read_session

    return read_session()


def evaluations_of(run_ids: list) -> dict[str, int | None]:
    """The evaluation id each flow run works on (None if it opened none)."""
    from sqlmodel import col, select

    from pinggu.models.tables import Evaluation

    wanted = [str(run_id) for run_id in run_ids]
    with _reading() as session:
        found = {
            e.flow_run_id: e.id for e in session.exec(select(Evaluation).where(col(Evaluation.flow_run_id).in_(wanted)))
        }
    return {run_id: found.get(run_id) for run_id in wanted}


@dataclass
class LedgerCheck:
    """Steps done more than once, duplicated step_done events, and where the audit chain breaks."""

    problems: list[str]
    chain_broken_at: int | None
    done: dict[int, Counter]  # evaluation id → step → times done (superseded attempts included)
    failed_attempts: int  # step attempts that failed and were retried: allowed, worth seeing

    @property
    def chain_intact(self) -> bool:
        """True when pinggu.models.audit.verify_chain finds no broken link."""
        return self.chain_broken_at is None


def check_ledger(evaluation_ids: list[int]) -> LedgerCheck:
    """Check that every step of these evaluations was done once and the audit chain is intact."""
    from sqlmodel import col, select

    from pinggu.models import audit
    from pinggu.models import evaluations as store
    from pinggu.models.tables import AuditEvent

    problems: list[str] = []
    done: dict[int, Counter] = {}
    failed = 0
    with _reading() as session:
        for evaluation_id in evaluation_ids:
            attempts = store.step_attempts(session=session, evaluation_id=evaluation_id)
            done[evaluation_id] = Counter(a.step for a in attempts if a.status in ("done", "superseded"))
            failed += sum(a.status == "failed" for a in attempts)
            problems += [
                f"evaluation {evaluation_id}: step {step} done {times} times"
                for step, times in done[evaluation_id].items()
                if times > 1
            ]
        events = session.exec(
            select(AuditEvent).where(
                col(AuditEvent.evaluation_id).in_(evaluation_ids), AuditEvent.action == "step_done"
            )
        )
        logged = Counter((e.evaluation_id, e.detail.get("step"), e.detail.get("attempt")) for e in events)
        problems += [
            f"evaluation {evaluation_id}: step_done of {step} attempt {attempt} logged {times} times"
            for (evaluation_id, step, attempt), times in logged.items()
            if times > 1
        ]
        broken = audit.verify_chain(session=session)
    if broken is not None:
        problems.append(f"audit chain broken at event {broken}")
    return LedgerCheck(problems=problems, chain_broken_at=broken, done=done, failed_attempts=failed)


# --- load beside the run -----------------------------------------------------------------------


def start_burners(count: int) -> list[subprocess.Popen]:
    """Start `count` processes that each keep one core busy, to run the product on a loaded machine."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]


def stop_burners(burners: list[subprocess.Popen]) -> None:
    """Kill the burners this process started and reap them."""
    for burner in burners:
        burner.kill()
    for burner in burners:
        burner.wait()


def rss_mb(pid: int) -> float | None:
    """A process's resident memory in MB (psutil if installed, else /proc); None if it is gone."""
    try:
        import psutil
    except ImportError:
        psutil = None
    try:
        if psutil is not None:
            return psutil.Process(pid).memory_info().rss / 2**20
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except Exception:  # exited between two samples
        return None
    return None


class RssSampler(threading.Thread):
    """Samples the resident memory of the process whose pid a file holds, keeping the maximum."""

    def __init__(self, pid_file: Path, every_s: float = 0.5) -> None:
        """Sample the process named by `pid_file` every `every_s` seconds once started."""
        super().__init__(daemon=True, name="rss-sampler")
        self.pid_file, self.every_s = pid_file, every_s
        self.max_mb = 0.0
        self._stop_event = threading.Event()

    def run(self) -> None:
        """Sample until stopped."""
        while not self._stop_event.is_set():
            try:
                pid = int(self.pid_file.read_text())
            except (OSError, ValueError):
                pid = None
            sample = rss_mb(pid) if pid else None
            if sample is not None:
                self.max_mb = max(self.max_mb, sample)
            self._stop_event.wait(self.every_s)

    def stop(self) -> float:
        """Stop sampling and return the maximum seen, in MB."""
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout=5)
        return self.max_mb


def environment_note() -> str:
    """Where this run's product and Prefect server keep their data, for the report."""
    product = os.environ.get("PINGGU_DATABASE_URL") or "SQLite in PINGGU_HOME"
    prefect = os.environ.get("PREFECT_SERVER_DATABASE_CONNECTION_URL") or "SQLite in PREFECT_HOME"
    return f"product DB: {_without_password(product)}; Prefect DB: {_without_password(prefect)}"


def _without_password(url: str) -> str:
    """A database URL fit to print: its password masked."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)
