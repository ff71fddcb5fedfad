"""`pinggu down`: what `up` started is stopped (SIGKILL for what ignores SIGTERM) and confirmed gone; a
pid file that no longer names one of our processes is never signalled.

The background processes are started by `_spawn` itself, with the argv it gives them in production
(`python -m pinggu.deployments.serve`, `python -m prefect server start …`), but from a directory holding a
stand-in `deployments/serve.py` and `prefect/__main__.py` (for `-m` the working directory comes first
on sys.path). So the command line check of `stop_all` sees exactly what it sees after `pinggu up`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pinggu import localserver
from pinggu.core.settings import Settings
from pinggu.localserver import KILLED, NOT_RUNNING, NOT_STOPPED, STOPPED, _pid_file, _spawn, stop_all

# Ignores SIGTERM, and so does the child it forks into its process group (as a flow run would be).
STUBBORN_SERVE = """
import os, signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
child = os.fork()
if child == 0:
    time.sleep(60)
    os._exit(0)
open("serve.ready.tmp", "w").write(str(child))
os.rename("serve.ready.tmp", "serve.ready")
time.sleep(60)
"""

# Ends on SIGTERM (the default action).
OBEDIENT_SERVER = """
import os, time
open("prefect-server.ready.tmp", "w").write(str(os.getpid()))
os.rename("prefect-server.ready.tmp", "prefect-server.ready")
time.sleep(60)
"""

# The serving process has crashed, leaving a flow run behind in its process group.
CRASHED_SERVE = """
import os, time
child = os.fork()
if child == 0:
    open("serve.ready.tmp", "w").write(str(os.getpid()))
    os.rename("serve.ready.tmp", "serve.ready")
    time.sleep(60)
    os._exit(0)
os._exit(1)
"""


@pytest.fixture
def home(tmp_path, monkeypatch):
    """Settings with a throwaway home, short stop timings, and every process group started here killed at the end."""
    monkeypatch.setattr(localserver, "STOP_GRACE_SECONDS", 0.5)
    monkeypatch.setattr(localserver, "KILL_WAIT_SECONDS", 5.0)
    settings = Settings(home=tmp_path / "home")
    groups: list[int] = []
    yield settings, tmp_path / "fake", groups
    for pgid in groups:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)


def _start(settings: Settings, fake: Path, groups: list[int], name: str, code: str) -> int:
    """Start the stand-in for `name` through `_spawn`; return the pid its ready file names."""
    module = fake / ("pinggu/deployments/serve.py" if name == "serve" else "prefect/__main__.py")
    module.parent.mkdir(parents=True, exist_ok=True)
    for package in (module.parent, *module.parent.parents):
        if package == fake:
            break
        (package / "__init__.py").touch()
    module.write_text(code)
    arguments = ["--host", "127.0.0.1", "--port", "1"] if name == "prefect-server" else []
    # The stand-ins come first on the path (a service's working directory is never on it: PYTHONSAFEPATH).
    groups.append(_spawn(settings, name, arguments, cwd=fake, extra_env={"PYTHONPATH": str(fake)}))
    ready = fake / f"{name}.ready"
    deadline = time.monotonic() + 10
    while not ready.exists():
        assert time.monotonic() < deadline, (settings.home / "logs" / f"{name}.log").read_text()
        time.sleep(0.02)
    return int(ready.read_text())


def _gone(pid: int) -> bool:
    """True if `pid` has ended: no such process, or a zombie left for a parent that is not this test."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat[stat.rindex(")") + 2] == "Z"


def test_down_kills_what_ignores_sigterm_and_confirms_both_gone(home):
    settings, fake, groups = home
    server_pid = _start(settings, fake, groups, "prefect-server", OBEDIENT_SERVER)
    serve_child = _start(settings, fake, groups, "serve", STUBBORN_SERVE)
    serve_pid = groups[-1]

    results = stop_all(settings)

    assert [(r.name, r.outcome, r.pid) for r in results] == [
        ("serve", KILLED, serve_pid),
        ("prefect-server", STOPPED, server_pid),
    ]
    for pid in (serve_pid, server_pid):  # children of this test, reaped by stop_all
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert _gone(serve_child)  # the flow-run-like child in the serving process's group
    assert not list((settings.home / "run").iterdir())


def test_stale_pid_files_are_removed_without_signalling(home):
    settings, _, _ = home
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    _pid_file(settings, "serve").parent.mkdir(parents=True)
    _pid_file(settings, "serve").write_text(str(dead.pid))
    _pid_file(settings, "prefect-server").write_text("not a pid")

    results = stop_all(settings)

    assert [(r.name, r.outcome) for r in results] == [("serve", NOT_RUNNING), ("prefect-server", NOT_RUNNING)]
    assert not list((settings.home / "run").iterdir())
    assert stop_all(settings) == []


def test_a_pid_now_used_by_another_program_is_not_signalled(home):
    settings, _, _ = home
    # Leads its own process group like our processes do: only its command line tells it apart.
    other = subprocess.Popen(["sleep", "30"], start_new_session=True)
    try:
        _pid_file(settings, "serve").parent.mkdir(parents=True)
        _pid_file(settings, "serve").write_text(str(other.pid))

        results = stop_all(settings)

        assert [(r.name, r.outcome, r.pid) for r in results] == [("serve", NOT_RUNNING, other.pid)]
        assert "未发信号" in results[0].detail
        time.sleep(0.2)
        assert other.poll() is None
        assert not _pid_file(settings, "serve").exists()
    finally:
        other.kill()
        other.wait()


def test_what_a_crashed_serving_process_left_in_its_group_is_stopped(home):
    settings, fake, groups = home
    orphan = _start(settings, fake, groups, "serve", CRASHED_SERVE)
    os.waitpid(groups[-1], 0)  # the serving process itself has ended

    results = stop_all(settings)

    assert [(r.name, r.outcome) for r in results] == [("serve", STOPPED)]
    assert str(orphan) in results[0].detail
    deadline = time.monotonic() + 5  # reparented: its new parent reaps it
    while not _gone(orphan):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert not _pid_file(settings, "serve").exists()


def test_down_reports_in_chinese_and_fails_when_a_process_can_not_be_stopped(home, monkeypatch):
    from pinggu.cli import app

    settings, fake, groups = home
    server_pid = _start(settings, fake, groups, "prefect-server", OBEDIENT_SERVER)
    monkeypatch.setattr(localserver, "get_settings", lambda: settings)
    with monkeypatch.context() as patch:
        # A process that no signal ends (as one stuck in uninterruptible I/O): the signals go nowhere.
        patch.setattr(localserver.os, "killpg", lambda pgid, sig: None)
        patch.setattr(localserver, "KILL_WAIT_SECONDS", 0.3)
        result = CliRunner().invoke(app, ["down"])

    assert result.exit_code == 1, result.output
    assert f"Prefect 服务（进程 {server_pid}）：{NOT_STOPPED}" in result.output
    assert "有进程未能停止" in result.output
    assert _pid_file(settings, "prefect-server").exists()  # kept for the next `pinggu down`

    result = CliRunner().invoke(app, ["down"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Prefect 服务（进程 {server_pid}）：{STOPPED}"
    assert not _pid_file(settings, "prefect-server").exists()
    assert CliRunner().invoke(app, ["down"]).output.strip() == "没有 pinggu up 启动的本地服务在运行"


# --- exposure (issue 15 item 4) ---------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.53", "::1", "localhost"])
def test_a_loopback_host_needs_no_authentication(host):
    from pinggu.localserver import exposure_problem

    assert exposure_problem(host, {}) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "10.1.2.3", "::", "pinggu.example.gov.cn"])
def test_a_host_others_can_reach_is_refused_without_authentication(host):
    from pinggu.localserver import exposure_problem

    problem = exposure_problem(host, {"PREFECT_SERVER_API_AUTH_STRING": "  "})
    assert problem is not None and problem.startswith(
        f"Prefect 服务和网页办理服务将监听 {host}，网络上的其他机器都能访问，但未配置"
        "Prefect 服务的身份验证（PREFECT_SERVER_API_AUTH_STRING=用户名:密码）、网页办理的 HTTPS 地址"
    )
    only_prefect = exposure_problem(host, {"PREFECT_SERVER_API_AUTH_STRING": "pinggu:长口令"})
    assert only_prefect is not None and "未配置网页办理的 HTTPS 地址（PINGGU_WEB_BASE_URL" in only_prefect
    plain_http = {"PREFECT_SERVER_API_AUTH_STRING": "pinggu:长口令", "PINGGU_WEB_BASE_URL": "http://10.1.2.3:4300"}
    assert exposure_problem(host, plain_http) is not None
    both = {"PREFECT_SERVER_API_AUTH_STRING": "pinggu:长口令", "PINGGU_WEB_BASE_URL": "https://pinggu.example.gov.cn"}
    assert exposure_problem(host, both) is None


def test_pinggu_up_on_an_open_host_refuses_before_changing_anything(monkeypatch, request):
    from typer.testing import CliRunner

    from pinggu.cli import app
    from pinggu.core.settings import get_settings

    # `up --host` rewrites the process's environment (PINGGU_PREFECT_HOST and the Prefect URLs): put the
    # whole of it back afterwards, variables it added included (monkeypatch only undoes what it changed).
    saved = dict(os.environ)

    def restore() -> None:
        os.environ.clear()
        os.environ.update(saved)
        get_settings.cache_clear()

    request.addfinalizer(restore)
    monkeypatch.delenv("PREFECT_SERVER_API_AUTH_STRING", raising=False)
    monkeypatch.delenv("PINGGU_WEB_BASE_URL", raising=False)
    spawned = []
    monkeypatch.setattr("pinggu.localserver._spawn", lambda *args, **kwargs: spawned.append(args))
    monkeypatch.setattr("pinggu.cli.db.upgrade_configured_database", lambda: spawned.append("upgrade") or "")
    result = CliRunner().invoke(app, ["up", "--host", "0.0.0.0"])
    assert (
        result.exit_code == 1
        and "Prefect 服务和网页办理服务将监听 0.0.0.0" in result.output
        and "拒绝启动" in result.output
    )
    assert spawned == []  # neither the server nor the database was touched


# A stand-in worker (`python -m prefect worker start … --name N`): ends on SIGTERM.
WORKER = """
import os, sys, time
name = sys.argv[sys.argv.index("--name") + 1]
open(name + ".ready.tmp", "w").write(str(os.getpid()))
os.rename(name + ".ready.tmp", name + ".ready")
time.sleep(60)
"""


def test_down_stops_every_worker_in_order_and_names_them_in_chinese(home):
    settings, fake, groups = home
    module = fake / "prefect" / "__main__.py"
    module.parent.mkdir(parents=True)
    (module.parent / "__init__.py").touch()
    module.write_text(WORKER)
    for index in (10, 2, 1):
        groups.append(
            _spawn(settings, f"worker-{index}", ["--name", f"w{index}"], cwd=fake, extra_env={"PYTHONPATH": str(fake)})
        )
    deadline = time.monotonic() + 10
    while not all((fake / f"w{index}.ready").exists() for index in (1, 2, 10)):
        assert time.monotonic() < deadline
        time.sleep(0.02)

    results = stop_all(settings)

    assert [(result.name, result.outcome) for result in results] == [
        ("worker-1", STOPPED),
        ("worker-2", STOPPED),
        ("worker-10", STOPPED),
    ]
    assert [localserver.service_name(result.name) for result in results] == ["工作进程 1", "工作进程 2", "工作进程 10"]
    assert localserver.worker_pid_names(settings) == []


def test_up_ha_is_refused_on_sqlite_and_its_haproxy_config_checks_each_api_server(tmp_path):
    """`up --ha` needs PostgreSQL for Prefect; haproxy's generated config is valid and checks /api/health."""
    import shutil as shell

    settings = Settings(home=tmp_path, prefect_port=4700, ha_api_ports="4701,4702")
    assert "PostgreSQL" in (localserver.ha_problem({}) or "")
    assert localserver.ha_problem({"PREFECT_SERVER_DATABASE_CONNECTION_URL": "postgresql+asyncpg://u@h/p"}) is None
    config = localserver.haproxy_config(settings, {})
    assert "uri /api/health" in config and "127.0.0.1:4701 check" in config and "127.0.0.1:4702 check" in config
    haproxy = shell.which("haproxy", path="/usr/sbin:/usr/bin")
    if haproxy:
        (tmp_path / "haproxy.cfg").write_text(config)
        assert subprocess.run([haproxy, "-c", "-q", "-f", str(tmp_path / "haproxy.cfg")]).returncode == 0


def test_services_keep_the_import_path_of_the_command_that_starts_them(tmp_path, monkeypatch):
    """They run in PINGGU_HOME with no working directory on the path: a relative PYTHONPATH entry is made absolute."""
    checkout = tmp_path / "second-checkout"
    checkout.mkdir()
    monkeypatch.chdir(checkout)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([".", "", "/opt/elsewhere"]))
    environment = localserver.service_environment(Settings(home=tmp_path / "home"))
    assert environment["PYTHONPATH"] == os.pathsep.join([str(checkout.resolve()), "/opt/elsewhere"])
    assert environment["PINGGU_HOME"] == str(tmp_path / "home")
