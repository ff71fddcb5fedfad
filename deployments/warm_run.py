"""The work pool's job command (`python -m pinggu.deployments.warm_run`): start this flow run from the worker's warm
server (pinggu.deployments.warm_worker) and stand in for it — the worker sees this process start, forward its
signals, and exit with the run's code.

It imports nothing but the standard library, so it starts in milliseconds. Without a warm server (a worker
started as plain `prefect worker start`, or its server gone) it becomes pinggu.deployments.engine, the cold way,
and says so in the run's output.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys

from pinggu.deployments.warm_worker import HEADER, SOCKET_ENV


def _cold(why: str) -> None:
    """Run the flow run in this process, the way a worker without a warm server does."""
    print(f"预热进程不可用（{why}）：本次运行以常规方式启动，多用约 3 秒", file=sys.stderr, flush=True)
    os.execv(sys.executable, [sys.executable, "-m", "pinggu.deployments.engine", *sys.argv[1:]])


def main() -> None:
    """Hand the run to the warm server, forward signals to it, and exit with its code."""
    path = os.environ.get(SOCKET_ENV, "")
    if not path:
        _cold(f"未设置 {SOCKET_ENV}")
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(path)
    except OSError as error:
        _cold(f"{path}：{error.strerror}")
    request = json.dumps({"env": dict(os.environ), "cwd": os.getcwd(), "argv": sys.argv[1:]}).encode()
    socket.send_fds(connection, [b"%0*d" % (HEADER, len(request))], [0, 1, 2])
    connection.sendall(request)
    replies = connection.makefile("r", encoding="ascii")
    started = replies.readline().split()
    if len(started) != 2 or started[0] != "pid":
        sys.exit("预热进程未能启动本次运行")
    run = int(started[1])

    def forward(number: int, _frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):  # the run has just ended
            os.kill(run, number)

    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, forward)
    ended = replies.readline().split()
    if len(ended) != 2 or ended[0] != "exit":
        sys.exit("预热进程意外结束，本次运行的结果未知")
    code = int(ended[1])
    sys.exit(128 - code if code < 0 else code)  # killed by signal N: 128 + N, as a shell reports it


if __name__ == "__main__":
    main()
