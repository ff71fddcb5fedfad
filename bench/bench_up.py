"""How long `pinggu up` takes until everything answers (issue 32 item 5; goal on 2 cores: ready in ≤ 10 s).

On a throwaway home and free ports: `pinggu up` on the fresh home (the product database and the Prefect
server's database created), `pinggu down`, then `pinggu up` again on the now installed home, which is what an
office does every morning after a restart. `pinggu up` returns once the Prefect server answers, the served
deployments exist and the web app answers; each time is printed beside the goal, with its own output. Then
`pinggu down`, and the home is removed.

Usage: .venv/bin/python bench/bench_up.py

Measured on 2026-12-08 (2 cores, idle), the serving process started beside the Prefect server and importing the
flows while it comes up (pinggu/cli/server.py, deployments/serve.py wait_for_the_server): fresh home 13.0 s (NOT
met: the Prefect server creating its database is most of it, once per installation), installed home 7.6 s (met).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_S = 10.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(home: Path) -> dict[str, str]:
    """This process's environment without any PINGGU_/PREFECT_ setting, pointed at the throwaway home and ports."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("PINGGU_", "PREFECT_"))}
    environment.update(PINGGU_HOME=str(home), PINGGU_PREFECT_PORT=str(_free_port()), PINGGU_WEB_PORT=str(_free_port()))
    return environment


def _timed(pinggu: str, command: str, environment: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([pinggu, command], env=environment, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"pinggu {command} 失败（{done.returncode}）：\n{done.stdout}\n{done.stderr}")
    return elapsed, done.stdout


def main() -> None:
    """Time `pinggu up` on a fresh home and on an installed one, and print both beside the goal."""
    pinggu = str(Path(sys.executable).parent / "pinggu")
    home = Path(tempfile.mkdtemp(prefix="pinggu-bench-up-"))
    environment = _environment(home)
    try:
        fresh, output = _timed(pinggu, "up", environment)
        print(output.rstrip())
        _timed(pinggu, "down", environment)
        installed, output = _timed(pinggu, "up", environment)
        print(output.rstrip())
    finally:
        subprocess.run([pinggu, "down"], env=environment, capture_output=True)
        shutil.rmtree(home, ignore_errors=True)
    for what, seconds in (("fresh home", fresh), ("installed home", installed)):
        verdict = "met" if seconds <= GOAL_S else "NOT met"
        print(f"pinggu up, {what}: {seconds:.1f} s (goal ≤ {GOAL_S:.0f} s: {verdict})")


if __name__ == "__main__":
    main()
