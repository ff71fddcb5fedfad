"""Many evaluations at once: N ordinary evaluations started together on the served deployments, every
gate answered the moment its form is stored, on a throwaway product home and Prefect server.

Each evaluation (bazhou, method 座谈会) passes five gates: plan approval, minutes, expert marks,
expert review, approval; every answer starts a new flow-run process on the serving process
(`deployments/serve.py`, at most 8 at a time). Prints the time from each answer to the run's next
form (or its completion), the server's peak resident memory, and checks the product database
afterwards: every step done once, no step_done logged twice, the audit chain intact.

Usage:
    .venv/bin/python bench/bench_load.py --evaluations 5
    .venv/bin/python bench/bench_load.py --evaluations 20 --burners 2          # two cores kept busy beside it
    .venv/bin/python bench/bench_load.py --evaluations 20 \\
        --database-url postgresql+psycopg://pinggu:…@localhost/pinggu \\
        --prefect-database-url postgresql+asyncpg://prefect:…@localhost/prefect
Options: --type (default ordinary), --deadline seconds (default 300 + 150 × N: about a
minute of CPU per evaluation, with room for burners).

The last line reads
    load: N started, N completed, 0 failed; answer→next form p50 X s, p95 Y s; server RSS Z MB
and the exit code is 1 if a run failed or was still unfinished at the deadline, or the ledger check
found a problem (each printed above the last line; the throwaway home is then kept for its logs).

Figures (2 cores, simplified evaluations: start → minutes → approval, three PDFs each; 2026-11-27):
    N = 20,  SQLite:      20 completed, 0 failed in 147 s; answer→next form p50 26 s, p95 44 s; server RSS 275 MB
    N = 20,  PostgreSQL:  20 completed, 0 failed in 181 s; p50 45 s, p95 49 s; server RSS 219 MB
    N = 100, SQLite:      100 completed, 0 failed in 817 s (start 139 s, drive 647 s); p50 131 s, p95 337 s;
                          server RSS 285 MB; one 503 from the server's resume endpoint, answered again
    N = 100, PostgreSQL:  100 completed, 0 failed in 769 s (start 44 s, drive 697 s, PINGGU_SERVE_LIMIT=12);
                          p50 257 s, p95 272 s; server RSS 227 MB
    Before short transactions: N = 20 on SQLite ended with 3 Failed ("database is locked"), p50 90 s.
    2026-12-07 (2 cores, idle; ordinary evaluations, five gates each, the default type now):
    N = 100, SQLite:      100 completed, 0 failed in 13.6 min (start 107 s, drive 710 s, 500 answers);
                          answer→next form p50 84 s, p95 177 s; server RSS 313 MB. Goal ≤ 10 min: NOT met.
    The 10-minute goal for N = 100 is not met: about 12-15 CPU-seconds per evaluation, and the single
    Prefect API server process (~60 % of a core, the flow runs waiting on its answers) is the bottleneck;
    answer→next form under this load is queueing for it. More API servers need Redis (scale-out issue).
    2026-12-08 (2 cores, idle; this session's serving changes: runs started on the server's announcements while the
    runner is quiet, heartbeat threads stopped at once, TLS contexts shared, the name tagger preloaded):
    N = 20, SQLite:       20 completed, 0 failed in 2.6 min with PINGGU_START_ON_EVENTS=false, 3.6 min with every
                          announcement read, 3.2 min with announcements only while the runner is quiet (one run each).
    N = 100, SQLite:      stopped after 8.3 min of driving, 267 of 500 answers given, none completed: NOT met. The
                          machine stayed at load ~1.2: the Prefect server's SQLite database answered "database is
                          locked" 217 times (an INSERT INTO flow_run_state during state validation; the server
                          announces a state change inside its transaction, and the zombie automation's trigger
                          writes its bucket for that event before the transaction's own insert), each a 503 that the
                          driver's client retried after a back-off, one answer at a time. Not yet isolated: whether
                          this is new since 2026-12-07 (the measurement above saw one 503); PostgreSQL not measured.
    Then, the same harness, the day's code before (f2cf33b) and after: N = 20: 2.5 min (33 lock errors) and 2.6 min
    (56); N = 100, f2cf33b: after 9 min of driving 422 answers given, 47 completed, load average 5.8 (121 lock
    errors), against 267 answers and none completed above: the announcements (or the subscription they need) cost
    throughput under load. They are off by default since (PINGGU_START_ON_EVENTS); N = 100 with them off was not
    measured again.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load_driver import DEFAULT_TYPE, SETUPS


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--evaluations", type=int, required=True, help="how many evaluations to start at once")
    parser.add_argument(
        "--database-url",
        default="",
        help="product database (PINGGU_DATABASE_URL); default SQLite in the throwaway home",
    )
    parser.add_argument(
        "--prefect-database-url",
        default="",
        help="Prefect server database (PREFECT_SERVER_DATABASE_CONNECTION_URL), e.g. postgresql+asyncpg://…",
    )
    parser.add_argument("--burners", type=int, default=0, help="CPU-burning processes to run beside it")
    parser.add_argument(
        "--type", default=DEFAULT_TYPE, choices=list(SETUPS), help="evaluation type (default: %(default)s)"
    )
    parser.add_argument("--deadline", type=float, default=None, help="seconds before unfinished runs count as stuck")
    return parser.parse_args(argv)


def _free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _prepare_environment(args: argparse.Namespace) -> Path:
    """Point the product and Prefect at a throwaway home and server; must run before Prefect is imported."""
    home = Path(tempfile.mkdtemp(prefix="pinggu-bench-load-"))
    for variable in (
        "PREFECT_API_URL",
        "PREFECT_HOME",
        "PREFECT_UI_URL",
        "PREFECT_SERVER_API_HOST",
        "PREFECT_SERVER_API_PORT",
        "PREFECT_SERVER_DATABASE_CONNECTION_URL",
        "PINGGU_PREFECT_API_URL",
        "PINGGU_DATABASE_URL",
    ):
        os.environ.pop(variable, None)  # never touch the operator's server or data
    os.environ.update(PINGGU_HOME=str(home), PINGGU_PREFECT_PORT=str(_free_port()))
    if args.database_url:
        os.environ["PINGGU_DATABASE_URL"] = args.database_url
    if args.prefect_database_url:
        # The server process inherits this environment (pinggu.localserver._spawn).
        os.environ["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = args.prefect_database_url
    return home


def _pid(path: Path) -> int | None:
    """The pid a pid file holds, if any."""
    try:
        return int(path.read_text())
    except (OSError, ValueError):
        return None


def _running(pid: int) -> bool:
    """True while a process this bench started (directly or not) has not exited."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:  # our child, exited: reaped now
            return False
    except ChildProcessError:  # not our child: signal 0 says whether it exists
        pass
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _stop_everything(settings, stop_all) -> list[str]:
    """Stop the server and serving process; kill any that ignores SIGTERM. Return what had to be killed."""
    pids = {name: _pid(settings.home / "run" / f"{name}.pid") for name in ("serve", "prefect-server")}
    stop_all(settings)
    killed = []
    for name, pid in pids.items():
        # stop_all waits 5 s and forgets the pid; a serving process with a run in flight outlives
        # SIGTERM (Prefect's Runner.handle_sigterm never awaits its async stop), so finish it here.
        give_up = time.monotonic() + 10
        while pid and _running(pid) and time.monotonic() < give_up:
            time.sleep(0.2)
        if pid and _running(pid):
            os.killpg(pid, signal.SIGKILL)  # its own session (pinggu.localserver._spawn): it and its flow runs
            killed.append(f"{name} (pid {pid}) ignored SIGTERM: killed")
    return killed


GOAL_SECONDS_PER_100 = 600.0  # issue 32: 100 concurrent evaluations done in ≤ 10 min on 2 cores


def main(argv: list[str] | None = None) -> int:
    """Run the load and print its figures; 1 if any run failed or got stuck, or the ledger is wrong."""
    args = _arguments(argv)
    home = _prepare_environment(args)

    from pinggu.core.settings import configure_prefect_environment, get_settings

    configure_prefect_environment()

    from bench.load_driver import (
        RssSampler,
        check_ledger,
        drive,
        environment_note,
        evaluations_of,
        start_burners,
        start_evaluations,
        stop_burners,
    )
    from pinggu.localserver import start_server, start_worker, stop_all

    settings = get_settings()
    deadline = args.deadline or 300.0 + 150.0 * args.evaluations
    burners: list = []
    sampler = RssSampler(settings.home / "run" / "prefect-server.pid")
    problems: list[str] = []
    try:
        clock = time.perf_counter()
        start_server(settings)
        start_worker(settings)
        print(
            f"local Prefect server + serving process start: {time.perf_counter() - clock:.1f} s ({environment_note()})"
        )
        sampler.start()
        burners = start_burners(args.burners)
        clock = time.perf_counter()
        run_ids = start_evaluations(args.evaluations, evaluation_type=args.type)
        print(
            f"{len(run_ids)} {args.type} evaluations started in {time.perf_counter() - clock:.1f} s"
            f" beside {args.burners} CPU burners; deadline {deadline:.0f} s"
        )
        result = drive(run_ids, deadline_s=deadline)
        elapsed_s = time.perf_counter() - clock  # from the first start to the last run's end
        stop_burners(burners)
        burners = []
        print(result.report())

        evaluations = evaluations_of(run_ids)
        problems += [
            f"run {run_id} opened no evaluation ({result.final_states.get(run_id, '?')})"
            for run_id, evaluation_id in evaluations.items()
            if evaluation_id is None
        ]
        ledger = check_ledger([evaluation_id for evaluation_id in evaluations.values() if evaluation_id])
        problems += ledger.problems
        if ledger.failed_attempts:
            print(f"{ledger.failed_attempts} step attempts failed and were retried")
    finally:
        # Everything stops before the summary is printed, so the summary stays the last line.
        server_rss = sampler.stop()
        stop_burners(burners)
        leftovers = _stop_everything(settings, stop_all)
    clean = not (result.failed or result.stuck or problems)
    for line in leftovers:
        print(f"note: {line}")
    for problem in problems:
        print(f"problem: {problem}")
    if clean:
        shutil.rmtree(home, ignore_errors=True)
    else:
        print(f"kept the throwaway home for its logs: {home}")
    # Issue 32's goal is for N = 100 on 2 cores; for another N the same pace is shown (N × 6 s).
    goal_s = GOAL_SECONDS_PER_100 * args.evaluations / 100
    met = result.failed == 0 and result.stuck == 0 and elapsed_s <= goal_s
    print(
        f"goal: {args.evaluations} evaluations done ≤ {goal_s / 60:.1f} min, 0 failed "
        f"({os.cpu_count()} cores here): {elapsed_s / 60:.1f} min, {result.failed} failed — "
        f"{'met' if met else 'NOT met'}"
    )
    print(result.summary(server_rss))
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
