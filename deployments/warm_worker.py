"""A Prefect process worker whose flow runs start from a warm process (issue 32: warm workers).

Prefect's process worker starts every flow run, and every resume of a suspended one, as a command: a fresh
interpreter that imports Prefect and the product again, about 3.5 CPU-seconds a resume on the 2-core
machines, which is what an operator waits for after answering. Serving avoids it with a fork server
(pinggu.deployments.fork_server); a worker gets the same here, with Prefect's own worker
unchanged:

* `python -m pinggu.deployments.warm_worker ARGS` forks a **warm server** (this module's `serve`), which imports
  what every run imports (pinggu.deployments.fork_server.WARM_MODULES) and listens on a Unix socket, then becomes
  `python -m prefect worker start ARGS` in the same process (same pid, same process group), with the
  socket's path in PINGGU_WARM_SOCKET for its runs;
* the pool's job command is `python -m pinggu.deployments.warm_run` (pinggu.deployments.workpool.JOB_VARIABLES): a tiny
  client that starts in milliseconds, hands its standard streams, environment, directory and arguments to
  the warm server, forwards the worker's signals (cancellation) to the run, and exits with the run's code;
* for each client the server forks a **keeper**, which forks the **run**: the run takes the client's
  streams and environment, enters a fresh Prefect settings context from that environment (as Prefect's
  `run_flow_in_subprocess` does) and runs pinggu.deployments.engine. The keeper reports the run's exit code to the
  client, and kills the run if the client is killed (a cancellation that went as far as SIGKILL).

Every process stays in the worker's process group, so stopping or killing the group stops them all, as
before. The warm server ends when its worker is gone. A worker started some other way (plain `prefect
worker start`) has no PINGGU_WARM_SOCKET: the client then starts the run the cold way and says so in the
run's output.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import sys
import tempfile
from pathlib import Path

HEADER = 8  # the client's first message: the length of its request, as 8 ASCII digits
SOCKET_ENV = "PINGGU_WARM_SOCKET"
MAX_SOCKET_PATH = 100  # a Unix socket's path is at most 107 bytes on Linux


def socket_path(run_dir: Path | None, name: str) -> str:
    """Where the warm server of worker `name` listens: in the installation's run directory, or in the temporary
    directory when that path would be too long for a Unix socket."""
    if run_dir is not None:
        path = str(run_dir / f"warm-{name}.sock")
        if len(path.encode()) <= MAX_SOCKET_PATH:
            return path
    return str(Path(tempfile.gettempdir()) / f"pinggu-warm-{name}-{os.getpid()}.sock")


def serve(path: str, worker_pid: int) -> None:
    """Listen at `path` and start each client's run from this warm process, until the worker is gone."""
    if os.path.exists(path):
        os.unlink(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)  # before the imports: an early client waits in the backlog rather than going cold
    listener.listen(64)
    import importlib

    from pinggu.deployments.fork_server import WARM_MODULES

    for module in WARM_MODULES:
        importlib.import_module(module)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # keepers are reaped by the kernel
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # `pinggu down`: leave no socket file behind
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        while os.getppid() == worker_pid:
            ready, _, _ = select.select([listener], [], [], 1.0)
            if not ready:
                continue
            connection, _ = listener.accept()
            if os.fork() == 0:
                code = 1
                try:  # whatever happens in a keeper ends there, never back in this loop (or its clean-up)
                    listener.close()
                    _keep(connection)
                    code = 0
                finally:
                    os._exit(code)
            connection.close()
    finally:
        listener.close()
        if os.path.exists(path):
            os.unlink(path)


def _receive(connection: socket.socket) -> tuple[dict, list[int]]:
    """The client's request (env, cwd, argv) and its standard streams."""
    header, fds, _, _ = socket.recv_fds(connection, HEADER, 3)
    length = int(header.decode())
    payload = b""
    while len(payload) < length:
        chunk = connection.recv(length - len(payload))
        if not chunk:
            raise ConnectionError("the client left before sending its request")
        payload += chunk
    return json.loads(payload), fds


def _keep(connection: socket.socket) -> None:
    """The keeper: fork the run, tell the client its pid, then its exit code; kill it if the client is killed."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        request, fds = _receive(connection)
    except (OSError, ValueError, ConnectionError):
        os._exit(1)
    run = os.fork()
    if run == 0:
        connection.close()
        for target, fd in zip((0, 1, 2), fds, strict=True):
            os.dup2(fd, target)
            os.close(fd)
        _run(request)  # never returns
    for fd in fds:
        os.close(fd)
    try:
        connection.sendall(f"pid {run}\n".encode())
        ended = os.pidfd_open(run)
        while True:
            ready, _, _ = select.select([connection.fileno(), ended], [], [])
            if ended in ready:
                _, status = os.waitpid(run, 0)
                connection.sendall(f"exit {os.waitstatus_to_exitcode(status)}\n".encode())
                return
            if not connection.recv(64):  # the client is gone (killed): so is its run
                break
    except OSError:  # the client went away mid-reply
        pass
    os.kill(run, signal.SIGKILL)
    os.waitpid(run, 0)


def _run(request: dict) -> None:
    """The run: the client's directory, environment and arguments, a fresh Prefect settings context from that
    environment, then pinggu.deployments.engine; exit with its code."""
    for number in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)
    code = 0
    try:
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = ["pinggu.deployments.engine", *request["argv"]]
        from prefect.context import SettingsContext, get_settings_context
        from prefect.settings import Settings

        from pinggu.core.settings import get_settings
        from pinggu.deployments.engine import main

        get_settings.cache_clear()  # the product's settings, from the run's environment too
        with SettingsContext(profile=get_settings_context().profile, settings=Settings()):
            main()
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        import atexit

        atexit._run_exitfuncs()  # what an interpreter's exit does: Prefect's log and event services drain
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def main() -> None:
    """Fork the warm server, then become Prefect's process worker with these arguments."""
    arguments = sys.argv[1:]
    name = arguments[arguments.index("--name") + 1] if "--name" in arguments else str(os.getpid())
    run_dir = Path(os.environ["PINGGU_HOME"]) / "run" if os.environ.get("PINGGU_HOME") else None
    path = socket_path(run_dir, name)
    worker_pid = os.getpid()
    if os.fork() == 0:
        try:
            serve(path, worker_pid)
        finally:
            os._exit(0)
    os.environ[SOCKET_ENV] = path
    os.execv(sys.executable, [sys.executable, "-m", "prefect", "worker", "start", *arguments])


if __name__ == "__main__":
    main()
