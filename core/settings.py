"""The one typed settings object, read once from PINGGU_* environment variables."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from pinggu.core.resources import package_data, source_checkout

SAMPLES_DIR = package_data("samples")  # example inputs: the demo, the tests and the benches read them
# The data directory when PINGGU_HOME is not set: beside the checkout for a developer, in the home folder when installed.
DEFAULT_HOME = (source_checkout() or Path.home()) / ".pinggu"
# Every flow run's heartbeat interval (PREFECT_FLOWS_HEARTBEAT_FREQUENCY): Prefect's minimum, so that a run
# killed with its worker is found dead within PINGGU_ZOMBIE_MINUTES; one small event per half minute per
# running run (a run waiting at a gate has no process and sends none).
HEARTBEAT_SECONDS = 30


class Settings(BaseSettings):
    """Where the product keeps its data and how it reaches the Prefect server."""

    model_config = SettingsConfigDict(env_prefix="PINGGU_", extra="ignore")

    home: Path = Field(
        default=DEFAULT_HOME,
        description="Product data directory: database, stored documents, reports, server logs.",
    )
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL of the product database; empty means SQLite in `home`.",
    )
    slow_transaction_ms: int = Field(
        default=0,
        description=(
            "Log a warning for every write transaction whose own work (CPU time between BEGIN and COMMIT) "
            "exceeds this many milliseconds (0: off)."
        ),
    )
    serve_limit: int = Field(
        default=8,
        ge=1,
        description="How many flow runs the serving process runs at once (a waiting evaluation holds none).",
    )
    start_on_events: bool = Field(
        default=False,
        description=(
            "Whether the serving process starts a run as soon as the Prefect server's events stream announces it "
            "resumed or started (PINGGU_START_ON_EVENTS; pinggu.deployments.due_runs); otherwise at its next poll "
            "(PINGGU_POLL_SECONDS). Off by default: measured 2026-12-08 on 2 cores with SQLite, it cut a quiet "
            "office's answer→next form (runner poll 0.3–1.5 s → 0.05–0.13 s), but 20 evaluations at once took "
            "3.2–3.6 min with it against 2.5–2.6 min without, and at 100 the Prefect server's database locked far "
            "more often (bench/bench_load.py). Turn it on for a small office after measuring there."
        ),
    )
    poll_seconds: float = Field(
        default=1.0,
        gt=0,
        le=10,
        description=(
            "How often the serving process asks the Prefect server for runs to start or resume (PINGGU_POLL_SECONDS). "
            "It also asks at once when the server announces a run resumed or started (pinggu.deployments.due_runs); "
            "this poll is what a resumed gate waits for only while the server's events stream is down. Measured on 2 cores (bench/bench_overhead.py, 2026-12-07): 0.5 s "
            "and 0.2 s gave no better median answer→next form than 1 s, and stalled some resume calls 2–6 s (every "
            "poll is also a write to the Prefect server's database); hence 1 s."
        ),
    )
    store_url: str = Field(
        default="",
        description=(
            "Where documents, uploads and reports are kept, by content hash (PINGGU_STORE_URL): a directory, or "
            "S3-compatible object storage as s3://bucket/prefix (MinIO or a cloud provider's; credentials and "
            "endpoint from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL). Every worker and the web "
            "app must see the same store. Empty means <home>/store on this machine."
        ),
    )
    worker_query_seconds: float = Field(
        default=1.0,
        gt=0,
        description="How often each worker started by `pinggu up --workers N` asks the work pool for runs.",
    )
    schedules: bool = Field(
        default=True,
        description=(
            "Whether the yearly plan, the daily deadline watch and monthly tracking run on their schedules "
            "(PINGGU_SCHEDULES); false deploys them paused, to run only on demand (the test session sets it, so "
            "that a watch at 08:00 never runs among its tests)."
        ),
    )
    zombie_minutes: float = Field(
        default=10,
        ge=1.5,
        description=(
            "A flow run that has sent no heartbeat for this many minutes is taken for dead with its process "
            "(PINGGU_ZOMBIE_MINUTES): marked Crashed by the Prefect automation `pinggu up` and each worker create, "
            "or by the deadline watch's sweep, and its evaluation continued. Runs send one every "
            "HEARTBEAT_SECONDS, so at least three heartbeats (1.5 minutes)."
        ),
    )
    prefect_host: str = "127.0.0.1"
    prefect_port: int = 4200
    prefect_api_url: str = Field(
        default="",
        description="An existing Prefect server's API; empty means the local one started by `pinggu up`.",
    )
    ha_api_ports: str = Field(
        default="",
        description=(
            "The ports of the two Prefect API servers `pinggu up --ha` starts behind its load balancer "
            "(PINGGU_HA_API_PORTS=4201,4202); empty means prefect_port + 1 and + 2."
        ),
    )
    redis_url: str = Field(
        default="",
        description=(
            "The Redis of a highly available Prefect server (PINGGU_REDIS_URL=redis://host:6379): events and "
            "background-service coordination. Empty means the one `pinggu up --ha` starts on 127.0.0.1:redis_port."
        ),
    )
    redis_port: int = Field(default=6380, description="Port of the Redis `pinggu up --ha` starts itself.")

    web_port: int = Field(
        default=4300,
        description="Port of the product's web app (待办, uploads, approvals, documents), started by `pinggu up`.",
    )
    web_base_url: str = Field(
        default="",
        description=(
            "The web app's address as people's browsers reach it (e.g. behind a reverse proxy); "
            "empty means http://<prefect_host>:<web_port>. Links in notices and artifacts use it."
        ),
    )
    secret_key: str = Field(
        default="",
        description=(
            "Signs the web app's session cookies (PINGGU_SECRET_KEY); every web app process of an installation "
            "needs the same one. Empty means a random key kept in <home>/secret_key (made once, mode 600)."
        ),
    )
    session_idle_minutes: float = Field(
        default=30, gt=0, description="A signed-in session ends after this many minutes without a request."
    )
    login_max_failures: int = Field(
        default=5, ge=1, description="Wrong passwords in a row that lock an account (PINGGU_LOGIN_MAX_FAILURES)."
    )
    login_lock_minutes: int = Field(default=15, ge=1, description="How long a locked account stays locked.")
    public_comments_per_minute: int = Field(
        default=10, ge=1, description="How many opinions one address may send a minute on the public comment pages."
    )
    oidc_issuer: str = Field(
        default="",
        description=(
            "Single sign-on: the OpenID provider's issuer URL (the province's 统一身份认证, PINGGU_OIDC_ISSUER); "
            "its /.well-known/openid-configuration is read. Empty means sign-in with passwords only."
        ),
    )
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_login_claim: str = Field(
        default="preferred_username",
        description="The ID token's claim holding the person's 登录名 in the people file.",
    )
    oidc_name: str = Field(default="统一身份认证", description="What the sign-in page calls the single sign-on button.")
    signoff_code_days: int = Field(
        default=30,
        ge=1,
        description="How many days a one-time sign-off code sent when a gate opens stays valid.",
    )

    name_list: Path | None = Field(
        default=None,
        description=(
            "A UTF-8 text file of people's names, one per line (PINGGU_NAME_LIST): masked, with the people "
            "file's names, wherever people type free text into the evaluation (E-PRIVACY), even two-character ones."
        ),
    )

    watch_days: list[int] = Field(
        default=[7, 3],
        description="Days before a date at which the deadline watch warns (PINGGU_WATCH_DAYS='[7,3]').",
    )
    remind_working_days: int = Field(
        default=3,
        ge=0,
        description=(
            "催办 to the person: working days (official calendar) before a waiting item's target at which the watch "
            "reminds the people who hold it, once, and again once it is overdue (PINGGU_REMIND_WORKING_DAYS=3)."
        ),
    )
    notify_urls: list[str] = Field(
        default=[],
        description=(
            'Where the deadline watch sends its notices, as Apprise URLs (PINGGU_NOTIFY_URLS=\'["dingtalk://TOKEN/", '
            '"mailtos://user:password@smtp.example.gov.cn?to=leader@example.gov.cn"]\'): dingtalk://, wecombot://, '
            "mailto(s):// (SMTP e-mail), json(s):// (a JSON POST to any webhook), an SMS gateway such as "
            "smseagle://, or any other service Apprise supports. The older https robot webhooks of DingTalk and "
            "WeCom and plain http(s) webhooks are still accepted (translated). Checked when the watch starts: "
            "a URL Apprise cannot parse stops it with a Chinese message naming the URL without its secret."
        ),
    )

    @field_validator("database_url", "prefect_api_url", "store_url")
    @classmethod
    def _reject_placeholders(cls, value: str) -> str:
        if "changeme" in value.lower() or "<" in value:
            raise ValueError(f"占位值未替换: {value}")
        return value

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'pinggu.db'}"

    @property
    def resolved_prefect_api_url(self) -> str:
        return self.prefect_api_url or f"http://{self.prefect_host}:{self.prefect_port}/api"

    @property
    def prefect_ui_url(self) -> str:
        return self.resolved_prefect_api_url.removesuffix("/api")

    @property
    def web_url(self) -> str:
        return (self.web_base_url or f"http://{self.prefect_host}:{self.web_port}").rstrip("/")

    @property
    def https(self) -> bool:
        """Whether people's browsers reach the web app over HTTPS (its cookies are then Secure)."""
        return self.web_url.startswith("https://")

    @property
    def outbox_dir(self) -> Path:
        """The local outbox channel: one JSON file per message to a person whose contact is 本机发件箱."""
        return self.home / "outbox"

    @property
    def resolved_store_url(self) -> str:
        return self.store_url.rstrip("/") or str(self.home / "store")

    @property
    def store_cache_dir(self) -> Path:
        """Local copies of objects read from a remote store, by content hash (checked on every read)."""
        return self.home / "cache" / "store"

    @property
    def uploads_dir(self) -> Path:
        """Files uploaded through the web app, as received (may hold personal data; not archived)."""
        return self.home / "uploads"

    @property
    def documents_dir(self) -> Path:
        return self.home / "documents"

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"

    @property
    def prefect_home(self) -> Path:
        return self.home / "prefect"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return Settings()


def server_healthy(api_url: str) -> bool:
    """True if a Prefect server answers at `api_url` (`pinggu up` and the serving process it starts both wait for it)."""
    import httpx  # not at import: most commands never ask

    try:
        return httpx.get(f"{api_url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def configure_prefect_environment(settings: Settings | None = None) -> dict[str, str]:
    """Point Prefect at our server and home; call before Prefect is imported.

    Values already in the environment win, so an operator can aim at an existing server.
    """
    settings = settings or get_settings()
    defaults = {
        "PREFECT_API_URL": settings.resolved_prefect_api_url,
        "PREFECT_HOME": str(settings.prefect_home),
        # No network here; telemetry would only log errors.
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_URL": settings.prefect_ui_url,
        "PREFECT_SERVER_API_HOST": settings.prefect_host,
        "PREFECT_SERVER_API_PORT": str(settings.prefect_port),
        # A resumed run waits for the serving process's next poll; 1 s keeps a gate answer snappy.
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        # On by default since 3.6.22 (every 180 s); set so the zombie limit always spans several heartbeats.
        "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(HEARTBEAT_SECONDS),
        "PREFECT_LOGGING_LEVEL": os.environ.get("PREFECT_LOGGING_LEVEL", "WARNING"),
    }
    # The server's basic-auth string, when set, is also what this machine's clients present.
    if os.environ.get("PREFECT_SERVER_API_AUTH_STRING"):
        defaults["PREFECT_API_AUTH_STRING"] = os.environ["PREFECT_SERVER_API_AUTH_STRING"]
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    return {key: os.environ[key] for key in defaults}
