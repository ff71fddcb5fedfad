"""Bring the product up on this machine: a local Prefect server (SQLite, 127.0.0.1), the process
serving the deployments and the web app (pinggu/web), all in the background with pid and log files
in PINGGU_HOME."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from pinggu.core.errors import OrchestrationError, StateConflict
from pinggu.core.settings import (
    Settings,
    configure_prefect_environment,
    get_settings,
    server_healthy,
)

# What `_spawn` runs after the Python executable, per pid file name. A pid from a pid file is signalled
# only while its process still runs this command and leads its own process group (as `_spawn` makes
# it): a pid that the system has since given to another process is left alone.
_COMMANDS: dict[str, tuple[str, ...]] = {
    "serve": ("-m", "pinggu.deployments.serve"),
    "prefect-server": ("-m", "prefect", "server", "start"),
    "web": ("-m", "pinggu.web"),
    "worker": ("-m", "prefect", "worker", "start"),  # pid files worker-1 … worker-N
    # `pinggu up --ha`: two API servers (pid files prefect-api-1, prefect-api-2) and one services process.
    "prefect-api": ("-m", "prefect", "server", "start"),
    "prefect-services": ("-m", "prefect", "server", "services", "start"),
}
# What `_spawn` runs that is not Python: Debian's programs (scripts/setup.sh installs them), by pid file name.
_PROGRAMS: dict[str, str] = {"redis": "redis-server", "haproxy": "haproxy"}
# What `_spawn` starts where that differs from what then runs: a worker is started through
# pinggu.deployments.warm_worker, which forks its warm server and becomes `prefect worker start` (same pid).
_LAUNCHERS: dict[str, tuple[str, ...]] = {"worker": ("-m", "pinggu.deployments.warm_worker")}
# `down` stops the web app, the workers and the serving process (and their flow runs) first, then the
# server they talk to: with `--ha`, its load balancer, API servers and services process, Redis last.
STOP_ORDER = ("web", "worker-*", "serve", "haproxy", "prefect-api-*", "prefect-services", "prefect-server", "redis")
SERVICE_NAMES = {
    "web": "网页办理服务",
    "serve": "部署服务进程",
    "prefect-server": "Prefect 服务",
    "haproxy": "负载均衡（haproxy）",
    "prefect-services": "Prefect 后台服务进程",
    "redis": "Redis（Prefect 事件与后台服务协调）",
}


def _kind(name: str) -> str:
    """The kind of service of pid file `name`: worker-3 → worker, prefect-api-1 → prefect-api."""
    stem, _, number = name.rpartition("-")
    return stem if stem and number.isdigit() else name


def service_name(name: str) -> str:
    """What an operator calls the service of pid file `name`."""
    if name.startswith("worker-"):
        return f"工作进程 {name.removeprefix('worker-')}"
    if name.startswith("prefect-api-"):
        return f"Prefect API 服务 {name.removeprefix('prefect-api-')}"
    return SERVICE_NAMES[name]


def _command(name: str) -> tuple[str, ...]:
    return _COMMANDS[_kind(name)]


STOP_GRACE_SECONDS = 5.0  # after SIGTERM, before SIGKILL to the whole process group
KILL_WAIT_SECONDS = 5.0  # after SIGKILL, to see every process of the group gone
_POLL_SECONDS = 0.1

STOPPED = "已停止"  # ended on SIGTERM within the grace period
KILLED = "强制结束"  # ended only on SIGKILL
NOT_RUNNING = "已不在运行"  # the pid file was stale: nothing of ours ran; nothing was signalled
NOT_STOPPED = "未能停止"  # could not be confirmed gone; its pid file stays


@dataclass(frozen=True)
class StopResult:
    """What `stop_all` did about one pid file: `outcome` is one of the four outcomes above."""

    name: str
    outcome: str
    pid: int | None = None
    detail: str = ""


def _pid_file(settings: Settings, name: str) -> Path:
    return settings.home / "run" / f"{name}.pid"


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, process group) of `pid` from /proc, or None if there is no such process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (OSError, ValueError):
        return None
    fields = text[text.rindex(")") + 2 :].split()  # the command name in (…) may hold spaces
    return fields[0], int(fields[2])


def _running(pid: int) -> bool:
    """True while `pid` runs. A zombie does not: it has ended and only waits for its parent."""
    with contextlib.suppress(ChildProcessError):  # a child of this process: reap it if it has ended
        os.waitpid(pid, os.WNOHANG)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    stat = _stat(pid)
    return stat is None or stat[0] != "Z"


def _group(pgid: int) -> list[int]:
    """The running processes of process group `pgid` (Linux /proc)."""
    members = []
    with contextlib.suppress(OSError):
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                stat = _stat(int(entry.name))
                if stat and stat[1] == pgid and stat[0] != "Z":
                    members.append(int(entry.name))
    return members


def _cmdline(pid: int) -> list[str] | None:
    """The arguments `pid` was started with (none for a kernel thread), or None if they can not be read."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return [arg.decode(errors="replace") for arg in raw.removesuffix(b"\0").split(b"\0")] if raw else []


def _is_ours(pid: int, name: str) -> bool | None:
    """Whether `pid` runs what `_spawn` started as `name`; None if its command line can not be read."""
    argv = _cmdline(pid)
    if argv is None:
        return None
    if name in _PROGRAMS:  # redis-server rewrites its command line to "redis-server 127.0.0.1:6380"
        return bool(argv) and Path(argv[0].split(" ")[0]).name == _PROGRAMS[name] and (_stat(pid) or ("", 0))[1] == pid
    expected = _command(name)
    return (
        bool(argv)
        and Path(argv[0]).name.startswith("python")
        and tuple(argv[1 : 1 + len(expected)]) == expected
        and (_stat(pid) or ("", 0))[1] == pid
    )


def _from_home(pid: int, settings: Settings) -> bool:
    """Whether `pid` runs with this home as PINGGU_HOME, as everything `_spawn` starts (and its children) does."""
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return False
    homes = [item.partition(b"=")[2].decode(errors="replace") for item in environ if item.startswith(b"PINGGU_HOME=")]
    return bool(homes) and Path(homes[0]).resolve() == settings.home.resolve()


def _alive(settings: Settings, name: str) -> int | None:
    """The pid of the `name` process started by `_spawn` if it still runs, else None."""
    try:
        pid = int(_pid_file(settings, name).read_text())
    except (OSError, ValueError):
        return None
    return pid if _running(pid) and _is_ours(pid, name) else None


def service_environment(settings: Settings) -> dict[str, str]:
    """The environment every service of this installation runs with: ours, pointed at its server and home."""
    environment = {**os.environ, **configure_prefect_environment(settings), "PINGGU_HOME": str(settings.home)}
    if environment.get("PYTHONPATH"):
        # The services run in PINGGU_HOME: a relative entry (`PYTHONPATH=.` in a second checkout) must keep
        # naming the folder it named here, or they would import another copy of pinggu than this command.
        environment["PYTHONPATH"] = os.pathsep.join(
            str(Path(entry).resolve()) for entry in environment["PYTHONPATH"].split(os.pathsep) if entry
        )
    return environment


def _spawn(
    settings: Settings,
    name: str,
    arguments: Sequence[str] = (),
    cwd: Path | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> int:
    """Start `python <_COMMANDS[name]> <arguments>` (or Debian's `_PROGRAMS[name]`) in a session of its own; record its pid."""
    # PYTHONSAFEPATH: the working directory (PINGGU_HOME, which holds a `prefect` folder) never shadows a package.
    env = {**service_environment(settings), "PYTHONSAFEPATH": "1", **(extra_env or {})}
    log_dir = settings.home / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    _pid_file(settings, name).parent.mkdir(parents=True, exist_ok=True)
    with (log_dir / f"{name}.log").open("ab") as log:
        process = subprocess.Popen(
            [_program(name)] + list(arguments)
            if name in _PROGRAMS
            else [sys.executable, *_LAUNCHERS.get(_kind(name), _command(name)), *arguments],
            cwd=cwd or settings.home,  # not the checkout: an installed pinggu has none, and runs name flows by module
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _pid_file(settings, name).write_text(str(process.pid))
    return process.pid


def _program(name: str) -> str:
    """The path of Debian's program for pid file `name`; a Chinese error naming setup.sh if it is missing."""
    found = shutil.which(_PROGRAMS[name], path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/bin"]))
    if not found:
        raise OrchestrationError(
            f"未找到 {_PROGRAMS[name]}，请先运行 scripts/setup.sh 安装（apt 软件包 {_PROGRAMS[name]}）"
        )
    return found


def _wait(check, seconds: float, what: str, settings: Settings, log_name: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise OrchestrationError(
                f"{what}未能在 {seconds:.0f} 秒内就绪，请查看日志 {settings.home / 'logs' / (log_name + '.log')}"
            )
        time.sleep(_POLL_SECONDS)  # a local process coming up: a short poll is what `pinggu up` waits for


def exposure_problem(host: str, environ: Mapping[str, str]) -> str | None:
    """Why the services may not listen on `host`, or None. A non-loopback address needs Prefect's basic
    authentication (PREFECT_SERVER_API_AUTH_STRING: the Prefect UI is the operators' tool) and an HTTPS
    address for the web app (PINGGU_WEB_BASE_URL, a TLS reverse proxy in front): everyone else signs in to
    the web app as themselves, and their session cookie must not cross the network in clear."""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False  # a host name other than localhost resolves to who knows what
    if loopback:
        return None
    missing = []
    if not environ.get("PREFECT_SERVER_API_AUTH_STRING", "").strip():
        missing.append("Prefect 服务的身份验证（PREFECT_SERVER_API_AUTH_STRING=用户名:密码）")
    if not environ.get("PINGGU_WEB_BASE_URL", "").strip().startswith("https://"):
        missing.append("网页办理的 HTTPS 地址（PINGGU_WEB_BASE_URL=https://…，由带 TLS 的反向代理提供）")
    if not missing:
        return None
    return (
        f"Prefect 服务和网页办理服务将监听 {host}，网络上的其他机器都能访问，但未配置{'、'.join(missing)}，"
        "拒绝启动（本机的 pinggu 命令会自动使用 Prefect 的口令；其他机器上的客户端设置 PREFECT_API_AUTH_STRING；"
        "见 docs/deploy.md“Serving beyond this machine”）；只在本机使用时请用 127.0.0.1"
    )


def start_server(settings: Settings | None = None, *, wait: bool = True) -> bool:
    """Start the local Prefect server unless one already answers; return True if started.

    A non-loopback host without authentication is refused before anything starts (exposure_problem).
    With `wait=False` it returns once the server is spawned; `await_server` then waits for it to answer.
    """
    settings = settings or get_settings()
    problem = exposure_problem(settings.prefect_host, os.environ)
    if problem:
        raise StateConflict(problem, host=settings.prefect_host)
    api = settings.resolved_prefect_api_url
    if server_healthy(api):
        return False
    if settings.prefect_api_url:
        raise OrchestrationError(f"无法连接到已配置的 Prefect 服务 {api}，请检查 PINGGU_PREFECT_API_URL")
    settings.prefect_home.mkdir(parents=True, exist_ok=True)
    _spawn(settings, "prefect-server", ["--host", settings.prefect_host, "--port", str(settings.prefect_port)])
    if wait:
        await_server(settings)
    return True


def await_server(settings: Settings) -> None:
    """Wait until the Prefect server answers (a Chinese error naming its log after 120 s)."""
    api = settings.resolved_prefect_api_url
    _wait(lambda: server_healthy(api), 120, "Prefect 服务", settings, "prefect-server")


# ── `pinggu up --ha`: Prefect's self-hosted scaling (docs.prefect.io/v3/advanced/self-hosted) on one machine ──
# Redis, two API servers (`prefect server start --no-services`), haproxy in front of them on the Prefect
# port, and one `prefect server services start`, all on one PostgreSQL database.
HA_HEALTH_INTERVAL_MS = 1000  # haproxy checks /api/health this often; two failures take a server out


def ha_api_ports(settings: Settings) -> list[int]:
    """The ports of the API servers behind the load balancer (PINGGU_HA_API_PORTS, else prefect_port + 1, + 2)."""
    if settings.ha_api_ports.strip():
        return [int(port) for port in settings.ha_api_ports.replace(" ", "").split(",") if port]
    return [settings.prefect_port + 1, settings.prefect_port + 2]


def redis_url(settings: Settings) -> str:
    """The Redis the highly available server uses: PINGGU_REDIS_URL, else the one `up --ha` starts."""
    return settings.redis_url.strip() or f"redis://127.0.0.1:{settings.redis_port}/0"


def ha_problem(environ: Mapping[str, str]) -> str | None:
    """Why `up --ha` may not start here, or None: two API servers need PostgreSQL for Prefect's database."""
    url = environ.get("PREFECT_SERVER_DATABASE_CONNECTION_URL") or environ.get("PREFECT_API_DATABASE_CONNECTION_URL")
    if not (url or "").startswith("postgresql"):
        return (
            "高可用方式（--ha）要求 Prefect 服务使用 PostgreSQL：两个 API 服务不能共用一个 SQLite 文件。"
            "请先设置 PREFECT_SERVER_DATABASE_CONNECTION_URL=postgresql+asyncpg://…（见 docs/deploy.md“PostgreSQL”）"
        )
    return None


def ha_server_environment(settings: Settings) -> dict[str, str]:
    """The settings Prefect's self-hosted scaling guide gives every API server and the services process."""
    from urllib.parse import urlsplit

    url = urlsplit(redis_url(settings))
    database = (url.path.strip("/") or "0").split("/")[0]
    environment = {
        "PREFECT_MESSAGING_BROKER": "prefect_redis.messaging",
        "PREFECT_MESSAGING_CACHE": "prefect_redis.messaging",
        "PREFECT_SERVER_EVENTS_CAUSAL_ORDERING": "prefect_redis.ordering",
        "PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE": "prefect_redis.lease_storage",
        "PREFECT_REDIS_MESSAGING_HOST": url.hostname or "127.0.0.1",
        "PREFECT_REDIS_MESSAGING_PORT": str(url.port or 6379),
        "PREFECT_REDIS_MESSAGING_DB": database,
        # Docket (the background services' scheduler) in the next Redis database, as the guide suggests.
        "PREFECT_SERVER_DOCKET_URL": url._replace(path=f"/{int(database) + 1}").geturl(),
        "PREFECT_API_DATABASE_MIGRATE_ON_START": "false",  # migrated once, before the servers start
        "PREFECT_UI_API_URL": settings.resolved_prefect_api_url,  # the UI calls the load balancer
    }
    if url.username and url.username != "default":
        environment["PREFECT_REDIS_MESSAGING_USERNAME"] = url.username
    if url.password:
        environment["PREFECT_REDIS_MESSAGING_PASSWORD"] = url.password
    return environment


def redis_healthy(url: str) -> bool:
    """True if Redis answers PING at `url`."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError:
        return False


def start_redis(settings: Settings | None = None) -> bool:
    """Start this installation's Redis (config, data and log under PINGGU_HOME/redis) unless it runs or
    PINGGU_REDIS_URL names another; return True if started."""
    settings = settings or get_settings()
    url = redis_url(settings)
    if settings.redis_url.strip():
        if not redis_healthy(url):
            raise OrchestrationError(f"无法连接到已配置的 Redis {url}，请检查 PINGGU_REDIS_URL")
        return False
    if _alive(settings, "redis") and redis_healthy(url):
        return False
    folder = settings.home / "redis"
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "redis.conf"
    config.write_text(
        "# Written by pinggu up --ha (pinggu/localserver.py); rewritten at each start.\n"
        f"bind 127.0.0.1\nport {settings.redis_port}\nprotected-mode yes\ndaemonize no\n"
        f'dir "{folder}"\nlogfile ""\nappendonly yes\nsave ""\n'
    )
    _spawn(settings, "redis", [str(config)])
    _wait(lambda: redis_healthy(url), 30, "Redis", settings, "redis")
    return True


def haproxy_config(settings: Settings, environ: Mapping[str, str]) -> str:
    """haproxy's configuration: the Prefect port in front of the API servers, each checked on /api/health."""
    import base64

    check = "http-check send meth GET uri /api/health"
    if environ.get("PREFECT_SERVER_API_AUTH_STRING"):
        token = base64.b64encode(environ["PREFECT_SERVER_API_AUTH_STRING"].encode()).decode()
        check += f' hdr Authorization "Basic {token}"'
    servers = "".join(
        f"    server api-{index} 127.0.0.1:{port} check\n" for index, port in enumerate(ha_api_ports(settings), 1)
    )
    return (
        "# Written by pinggu up --ha (pinggu/localserver.py); rewritten at each start.\n"
        "global\n    log stdout format raw local0 notice\n    maxconn 2000\n\n"
        "defaults\n    mode http\n    log global\n"
        # A request whose connection to a dead server fails is sent to the other one (retries, redispatch).
        "    option redispatch\n    retries 3\n"
        "    timeout connect 2s\n    timeout client 5m\n    timeout server 5m\n"
        "    timeout tunnel 1h\n    timeout http-keep-alive 10s\n\n"
        f"frontend prefect\n    bind {settings.prefect_host}:{settings.prefect_port}\n"
        "    default_backend prefect_api\n\n"
        "backend prefect_api\n    balance leastconn\n    option httpchk\n"
        f"    {check}\n    http-check expect status 200\n"
        f"    default-server inter {HA_HEALTH_INTERVAL_MS}ms fall 2 rise 2\n" + servers
    )


def _up_or_gone(settings: Settings, name: str, api_url: str) -> bool:
    """True once the server of pid file `name` answers at `api_url`; a Chinese error if it has exited."""
    if server_healthy(api_url):
        return True
    if not _alive(settings, name):
        raise OrchestrationError(
            f"{service_name(name)}启动后退出，请查看日志 {settings.home / 'logs' / (name + '.log')}"
        )
    return False


def start_ha_server(settings: Settings | None = None) -> dict[str, bool]:
    """Start Redis, the API servers, the services process and haproxy, each unless it runs; say which started.

    Refused before anything starts on SQLite (ha_problem) or on an exposed host without authentication."""
    settings = settings or get_settings()
    for problem in (ha_problem(os.environ), exposure_problem(settings.prefect_host, os.environ)):
        if problem:
            raise StateConflict(problem, host=settings.prefect_host)
    if settings.prefect_api_url:
        raise StateConflict("高可用方式（--ha）在本机启动 Prefect 服务，不能同时设置 PINGGU_PREFECT_API_URL")
    settings.prefect_home.mkdir(parents=True, exist_ok=True)
    started = {"redis": start_redis(settings)}
    stop_service(settings, "prefect-server")  # a single server of an earlier `pinggu up` holds the port
    environment = ha_server_environment(settings)
    ports = ha_api_ports(settings)
    to_start = [index for index in range(1, len(ports) + 1) if not _alive(settings, f"prefect-api-{index}")]
    if to_start or not _alive(settings, "prefect-services"):
        upgrade = subprocess.run(
            [sys.executable, "-m", "prefect", "server", "database", "upgrade", "-y"],
            env={**service_environment(settings), **environment},
            capture_output=True,
            text=True,
        )
        if upgrade.returncode:
            raise OrchestrationError(f"Prefect 数据库升级失败：{(upgrade.stderr or upgrade.stdout).strip()[-500:]}")
    # One after another: each API server registers Prefect's block types at its start, and two doing so at
    # once on a fresh database collide (duplicate key "uq_block_type__slug", and the second exits).
    for index in to_start:
        arguments = ["--no-services", "--host", "127.0.0.1", "--port", str(ports[index - 1])]
        _spawn(settings, f"prefect-api-{index}", arguments, extra_env=environment)
        api = f"http://127.0.0.1:{ports[index - 1]}/api"
        name = f"prefect-api-{index}"
        _wait(lambda api=api, name=name: _up_or_gone(settings, name, api), 120, service_name(name), settings, name)
    started["prefect-api"] = bool(to_start)
    started["prefect-services"] = not _alive(settings, "prefect-services")
    if started["prefect-services"]:
        _spawn(settings, "prefect-services", extra_env=environment)
    folder = settings.home / "haproxy"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "haproxy.cfg").write_text(haproxy_config(settings, os.environ))
    started["haproxy"] = not _alive(settings, "haproxy")
    if started["haproxy"]:
        check = subprocess.run(
            [_program("haproxy"), "-c", "-q", "-f", str(folder / "haproxy.cfg")], capture_output=True
        )
        if check.returncode:
            raise OrchestrationError(f"haproxy 配置有误：{check.stderr.decode(errors='replace').strip()[-500:]}")
        _spawn(settings, "haproxy", ["-db", "-f", str(folder / "haproxy.cfg")])
    _wait(lambda: server_healthy(settings.resolved_prefect_api_url), 30, "负载均衡（haproxy）", settings, "haproxy")
    time.sleep(0.1)
    if not _alive(settings, "prefect-services"):
        raise OrchestrationError(
            f"Prefect 后台服务进程启动后退出，请查看日志 {settings.home / 'logs' / 'prefect-services.log'}"
        )
    return started


def _deployments_ready(names: list[str]) -> bool:
    from prefect import get_client

    try:
        with get_client(sync_client=True) as client:
            for name in names:
                client.read_deployment_by_name(name)
        return True
    except Exception:
        return False


def start_worker(settings: Settings | None = None, *, wait: bool = True) -> bool:
    """Start the process serving the deployments unless it runs already; return True if started.

    With `wait=False` it returns once the process is spawned (it waits for the Prefect server itself, importing the
    flows meanwhile); `await_worker` then waits for its deployments.
    """
    settings = settings or get_settings()
    if _alive(settings, "serve"):
        return False
    _spawn(settings, "serve")
    if wait:
        await_worker(settings)
    return True


def await_worker(settings: Settings) -> None:
    """Wait until the served deployments exist on the Prefect server (a Chinese error naming its log after 90 s)."""
    from pinggu.services.orchestration import DEPLOYMENTS

    _wait(lambda: _deployments_ready(list(DEPLOYMENTS.values())), 90, "部署服务进程", settings, "serve")


def _online_workers(pool: str) -> set[str]:
    from prefect import get_client
    from prefect.client.schemas.filters import WorkerFilter, WorkerFilterStatus

    try:
        with get_client(sync_client=True) as client:
            found = client.read_workers_for_work_pool(
                pool, worker_filter=WorkerFilter(status=WorkerFilterStatus(any_=["ONLINE"]))
            )
    except Exception:
        return set()
    return {worker.name for worker in found}


def worker_environment(settings: Settings) -> dict[str, str]:
    """What a worker needs beyond the services' environment: its poll interval, and this installation's
    `python` first on PATH (the deployments' job command, pinggu.deployments.workpool.JOB_VARIABLES)."""
    return {
        "PREFECT_WORKER_QUERY_SECONDS": f"{settings.worker_query_seconds:g}",
        "PREFECT_WORKER_HEARTBEAT_SECONDS": "5",
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    }


def worker_pid_names(settings: Settings) -> list[str]:
    """The pid file names of the workers `start_workers` started (worker-1, worker-2 …), in order."""
    return _numbered_pid_names(settings, "worker-")


def _numbered_pid_names(settings: Settings, prefix: str) -> list[str]:
    """The pid file names `<prefix>1`, `<prefix>2` … in this home's run directory, in order."""
    found = (settings.home / "run").glob(f"{prefix}*.pid")
    numbered = [path.stem for path in found if path.stem.removeprefix(prefix).isdigit()]
    return sorted(numbered, key=lambda name: int(name.removeprefix(prefix)))


def start_workers(settings: Settings | None = None, count: int = 2, pool: str = "pinggu") -> int:
    """Apply every deployment to the process work pool `pool` and start `count` Prefect workers on it, each
    in its own working directory (PINGGU_HOME/workers/worker-N); return how many were started.

    A worker asks the pool for runs every `worker_query_seconds`; any worker can run (or resume) any run.
    The one-process `serve` is not started beside them: a deployment is either served or in the pool.
    """
    from pinggu.deployments.workpool import deploy_to_work_pool

    settings = settings or get_settings()
    deploy_to_work_pool(pool)
    started = []
    for index in range(1, count + 1):
        name = f"worker-{index}"
        if _alive(settings, name):
            continue
        workdir = settings.home / "workers" / name
        workdir.mkdir(parents=True, exist_ok=True)
        worker = f"{os.uname().nodename}-{name}-{settings.prefect_port}"
        environment = worker_environment(settings)
        _spawn(
            settings, name, ["--pool", pool, "--type", "process", "--name", worker], cwd=workdir, extra_env=environment
        )
        started.append(worker)
    _wait(lambda: set(started) <= _online_workers(pool), 90, "工作进程", settings, "worker-1")
    return len(started)


def web_healthy(web_url: str) -> bool:
    """True if the web app answers at `web_url`."""
    try:
        return httpx.get(f"{web_url}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def start_web(settings: Settings | None = None, *, wait: bool = True) -> bool:
    """Start the web app (待办, uploads, approvals, documents) unless it runs already; return True if started.

    It listens on the Prefect server's host, so the same exposure rule holds (exposure_problem). With
    `wait=False` it returns once the app is spawned; `await_web` then waits for it to answer."""
    settings = settings or get_settings()
    problem = exposure_problem(settings.prefect_host, os.environ)
    if problem:
        raise StateConflict(problem, host=settings.prefect_host)
    local = f"http://{settings.prefect_host}:{settings.web_port}"
    if _alive(settings, "web") and web_healthy(local):
        return False
    _spawn(settings, "web")
    if wait:
        await_web(settings)
    return True


def await_web(settings: Settings) -> None:
    """Wait until the web app answers (a Chinese error naming its log after 60 s)."""
    local = f"http://{settings.prefect_host}:{settings.web_port}"
    _wait(lambda: web_healthy(local), 60, "网页办理服务", settings, "web")


def _wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(_POLL_SECONDS)
    return True


def _stop_group(pid: int) -> tuple[str, str]:
    """SIGTERM to the process group `pid` leads, SIGKILL after the grace period; (outcome, detail)."""

    def gone() -> bool:
        return not _running(pid) and not _group(pid)

    for sig, seconds, outcome in (
        (signal.SIGTERM, STOP_GRACE_SECONDS, STOPPED),
        (signal.SIGKILL, KILL_WAIT_SECONDS, KILLED),
    ):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:  # ended in between
            pass
        except PermissionError:
            return NOT_STOPPED, f"无权向进程组 {pid} 发送信号"
        if _wait_for(gone, seconds):
            return outcome, ""
    left = sorted(set(_group(pid) + ([pid] if _running(pid) else [])))
    return NOT_STOPPED, f"SIGKILL 后 {KILL_WAIT_SECONDS:g} 秒仍在运行：进程 {'、'.join(map(str, left))}"


def _stop(settings: Settings, name: str) -> StopResult | None:
    pid_file = _pid_file(settings, name)
    try:
        text = pid_file.read_text()
    except FileNotFoundError:
        return None
    try:
        pid = int(text)
    except ValueError:
        pid_file.unlink(missing_ok=True)
        return StopResult(name, NOT_RUNNING, None, "pid 文件内容无效，已删除")
    if _running(pid):
        ours = _is_ours(pid, name)
        if ours is None:
            return StopResult(name, NOT_STOPPED, pid, f"无法读取进程 {pid} 的命令行，不能确认是本服务，未发信号")
        if not ours:
            pid_file.unlink(missing_ok=True)
            return StopResult(name, NOT_RUNNING, pid, f"进程号 {pid} 现属其他程序，未发信号")
        detail = ""
    else:
        # Its leader has ended, but processes it started (a flow run) may live on in its group.
        leftover = _group(pid)
        if not leftover:
            pid_file.unlink(missing_ok=True)
            return StopResult(name, NOT_RUNNING, pid)
        if not all(_from_home(member, settings) for member in leftover):
            pid_file.unlink(missing_ok=True)
            return StopResult(name, NOT_RUNNING, pid, f"进程组 {pid} 中的进程不属于本服务，未发信号")
        detail = f"主进程已退出，结束其遗留进程 {'、'.join(map(str, leftover))}"
    outcome, problem = _stop_group(pid)
    if outcome != NOT_STOPPED:
        pid_file.unlink(missing_ok=True)
    return StopResult(name, outcome, pid, "；".join(part for part in (detail, problem) if part))


def stop_service(settings: Settings, name: str) -> StopResult | None:
    """Stop one service `up` started (see stop_all); None if it was not started."""
    return _stop(settings, name)


def stop_all(settings: Settings | None = None) -> list[StopResult]:
    """Stop what `up` started, the serving process (with its flow runs) first, then the server.

    Each gets SIGTERM, then after `STOP_GRACE_SECONDS` SIGKILL to its whole process group; a pid file
    is removed only once its processes are confirmed gone (or it was stale). One result per pid file
    found; none if nothing was started. (Prefect 3.8's runner does not await its own stop on SIGTERM
    while a flow run is in progress and can linger: that is what the SIGKILL is for.)
    """
    settings = settings or get_settings()
    names = [
        item
        for name in STOP_ORDER
        for item in (_numbered_pid_names(settings, name.removesuffix("*")) if name.endswith("*") else [name])
    ]
    return [result for name in names if (result := _stop(settings, name)) is not None]
