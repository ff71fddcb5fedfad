"""Bring the product up on this machine: a local Prefect server (SQLite, 127.0.0.1) and the
process serving the deployments, both in the background with pid and log files in PINGGU_HOME."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from core.errors import OrchestrationError
from core.settings import (
    PROJECT_ROOT,
    Settings,
    configure_prefect_environment,
    get_settings,
)


def _pid_file(settings: Settings, name: str) -> Path:
    return settings.home / "run" / f"{name}.pid"


def _alive(pid_file: Path) -> int | None:
    try:
        pid = int(pid_file.read_text())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    try:  # a child of this process that has exited stays a zombie until reaped
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return None
    except ChildProcessError:  # not our child: os.kill above is the answer
        pass
    return pid


def server_healthy(api_url: str) -> bool:
    """True if a Prefect server answers at `api_url`."""
    try:
        return httpx.get(f"{api_url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _spawn(settings: Settings, name: str, command: list[str]) -> int:
    env = {**os.environ, **configure_prefect_environment(settings), "PINGGU_HOME": str(settings.home)}
    log_dir = settings.home / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    _pid_file(settings, name).parent.mkdir(parents=True, exist_ok=True)
    with (log_dir / f"{name}.log").open("ab") as log:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    _pid_file(settings, name).write_text(str(process.pid))
    return process.pid


def _wait(check, seconds: float, what: str, settings: Settings, log_name: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise OrchestrationError(
                f"{what}未能在 {seconds:.0f} 秒内就绪，请查看日志 {settings.home / 'logs' / (log_name + '.log')}"
            )
        time.sleep(0.5)


def start_server(settings: Settings | None = None) -> bool:
    """Start the local Prefect server unless one already answers; return True if started."""
    settings = settings or get_settings()
    api = settings.resolved_prefect_api_url
    if server_healthy(api):
        return False
    if settings.prefect_api_url:
        raise OrchestrationError(f"无法连接到已配置的 Prefect 服务 {api}，请检查 PINGGU_PREFECT_API_URL")
    settings.prefect_home.mkdir(parents=True, exist_ok=True)
    _spawn(
        settings,
        "prefect-server",
        [
            sys.executable,
            "-m",
            "prefect",
            "server",
            "start",
            "--host",
            settings.prefect_host,
            "--port",
            str(settings.prefect_port),
        ],
    )
    _wait(lambda: server_healthy(api), 120, "Prefect 服务", settings, "prefect-server")
    return True


def _deployments_ready(names: list[str]) -> bool:
    from prefect import get_client

    try:
        with get_client(sync_client=True) as client:
            for name in names:
                client.read_deployment_by_name(name)
        return True
    except Exception:
        return False


def start_worker(settings: Settings | None = None) -> bool:
    """Start the process serving the deployments unless it runs already; return True if started."""
    from services.orchestration import DEPLOYMENTS

    settings = settings or get_settings()
    if _alive(_pid_file(settings, "serve")):
        return False
    _spawn(settings, "serve", [sys.executable, "-m", "deployments.serve"])
    _wait(lambda: _deployments_ready(list(DEPLOYMENTS.values())), 90, "部署服务进程", settings, "serve")
    return True


def stop_all(settings: Settings | None = None) -> list[str]:
    """Stop the serving process and the local server started by `up`; return what was stopped."""
    settings = settings or get_settings()
    stopped = []
    for name in ("serve", "prefect-server"):  # signal both at once; they shut down side by side
        pid = _alive(_pid_file(settings, name))
        if pid:
            os.killpg(pid, signal.SIGTERM)
            stopped.append(name)
    # Prefect 3.8's runner does not await its own stop on SIGTERM while a flow run is in progress and
    # can linger: after a grace period the process group is killed, so nothing outlives `down`.
    for _ in range(100):
        if not any(_alive(_pid_file(settings, name)) for name in stopped):
            break
        time.sleep(0.1)
    for name in stopped:
        pid = _alive(_pid_file(settings, name))
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
    for name in ("serve", "prefect-server"):
        _pid_file(settings, name).unlink(missing_ok=True)
    return stopped
