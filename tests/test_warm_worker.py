"""The warm worker's plumbing without a Prefect server (deployments/warm_worker.py, deployments/warm_run.py): the
job command hands its streams, environment and directory to the warm server, whose forked run writes to the
client's own streams and whose exit code the client returns; a client killed takes its run with it; without a
server the client says so and runs the engine the cold way. The worker-pool pass runs every flow test through
it (scripts/test.sh), and tests/faults checks the run's ancestry and process group on a real worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from pinggu.core.settings import PROJECT_ROOT

NO_SERVER = {"PREFECT_API_URL": "http://127.0.0.1:9/api", "PREFECT_CLIENT_MAX_RETRIES": "0"}


@pytest.fixture
def warm_server(tmp_path):
    """A warm server listening for this test process (it ends when the test process is gone, or at teardown)."""
    path = str(tmp_path / "warm.sock")
    code = f"from pinggu.deployments.warm_worker import serve; serve({path!r}, {os.getpid()})"
    server = subprocess.Popen([sys.executable, "-c", code], cwd=PROJECT_ROOT)
    deadline = time.monotonic() + 30
    while not Path(path).exists():
        assert time.monotonic() < deadline and server.poll() is None, "the warm server did not listen"
        time.sleep(0.05)
    yield path, server.pid
    server.terminate()
    server.wait(timeout=10)


def _client(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pinggu.deployments.warm_run"],
        cwd=cwd,
        env={**os.environ, **NO_SERVER, "PYTHONPATH": str(PROJECT_ROOT), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_run_writes_to_the_clients_streams_and_the_client_returns_its_code(warm_server, tmp_path):
    warm_server, _ = warm_server
    run_id = str(uuid.uuid4())
    warm = _client({"PINGGU_WARM_SOCKET": warm_server, "PREFECT__FLOW_RUN_ID": run_id}, tmp_path)
    cold = _client({"PINGGU_WARM_SOCKET": "", "PREFECT__FLOW_RUN_ID": run_id}, tmp_path)
    # No Prefect server answers: the engine fails to read the flow run, in the run's own output, both ways.
    assert warm.returncode == cold.returncode == 1, (warm.stderr[-2000:], cold.stderr[-2000:])
    assert "httpx.ConnectError: [Errno 111] Connection refused" in warm.stderr
    assert "httpx.ConnectError: [Errno 111] Connection refused" in cold.stderr
    assert "预热进程不可用" not in warm.stderr
    assert "预热进程不可用（未设置 PINGGU_WARM_SOCKET）：本次运行以常规方式启动" in cold.stderr


def test_a_bad_flow_run_id_fails_in_the_run_not_in_the_server(warm_server, tmp_path):
    warm_server, _ = warm_server
    failed = _client({"PINGGU_WARM_SOCKET": warm_server, "PREFECT__FLOW_RUN_ID": "不是编号"}, tmp_path)
    assert failed.returncode == 1 and "ValueError" in failed.stderr
    again = _client({"PINGGU_WARM_SOCKET": warm_server, "PREFECT__FLOW_RUN_ID": "不是编号"}, tmp_path)
    assert again.returncode == 1  # the server still serves


def test_a_client_killed_takes_its_run_with_it(warm_server, tmp_path):
    # A run that takes a while: the engine waits on a server that accepts and never answers.
    import socket

    warm_server, server_pid = warm_server
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = silent.getsockname()[1]
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "PINGGU_WARM_SOCKET": warm_server,
        "PREFECT__FLOW_RUN_ID": str(uuid.uuid4()),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_API_REQUEST_TIMEOUT": "600",
    }
    client = subprocess.Popen(
        [sys.executable, "-m", "pinggu.deployments.warm_run"], cwd=tmp_path, env=env, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    run = None
    while run is None and time.monotonic() < deadline:
        time.sleep(0.2)
        run = _grandchild(server_pid)
    assert run is not None, "the warm server started no run"
    client.send_signal(signal.SIGKILL)
    client.wait(timeout=10)
    deadline = time.monotonic() + 30
    while Path(f"/proc/{run}").exists() and _state(run) != "Z":
        assert time.monotonic() < deadline, f"run {run} still alive after its client was killed"
        time.sleep(0.1)
    silent.close()


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return None


def _grandchild(server: int) -> int | None:
    """The run the warm server started: a child of one of its keepers."""
    pids = [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]
    keepers = {pid for pid in pids if _parent(pid) == server}
    return next((pid for pid in pids if _parent(pid) in keepers), None)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"
