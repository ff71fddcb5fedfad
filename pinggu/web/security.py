"""What guards every request of the web app (issue 28): the request-size cap, security headers, CSRF on
every POST, rate limits with one audit event per burst, and "the first answer wins" on a double click.

The limits are kept in the web app's process (the `limits` library's memory storage): one web app
process serves an installation (`pinggu up`); behind several, a shared storage (redis://) would replace it.
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pinggu.core.errors import PingguError
from pinggu.core.settings import get_settings

MAX_BODY_BYTES = 21 * 1024 * 1024  # the 20 MB upload and the form around it
CSRF_FIELD = "csrf_token"
NONCE_FIELD = "form_nonce"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self' {sso}; frame-ancestors 'none'"
)


class Refused(PingguError):
    """A request refused before it reaches a page: forged (CSRF), too large, too frequent, or sent twice."""

    def __init__(self, message: str, status: int, **context: Any) -> None:
        super().__init__(message, **context)
        self.status = status


class BodyLimit:
    """Refuses a request body over `limit` bytes before it is read into memory or spooled to disk: by its
    Content-Length, and by counting what arrives when the client sends none or lies."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _too_large(send, self.limit)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _BodyTooLarge:
            await _too_large(send, self.limit)


class _BodyTooLarge(Exception):
    pass


async def _too_large(send: Send, limit: int) -> None:
    text = f"提交的内容超过 {limit // 1024 // 1024} MB，未受理：请压缩或拆分文件后重新上传".encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": text})


class SecurityHeaders:
    """Adds CSP, frame-ancestors/X-Frame-Options, nosniff, Referrer-Policy and no-store to every response
    (a plain ASGI middleware, so that nothing else wraps the request's body or its errors)."""

    def __init__(self, app: ASGIApp, sso_origin: str = "") -> None:
        self.app = app
        policy = CONTENT_SECURITY_POLICY.format(sso=sso_origin).replace(" ;", ";")
        self.headers = [
            (b"content-security-policy", policy.encode()),
            (b"x-frame-options", b"DENY"),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"cache-control", b"no-store"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(self.headers)
        if get_settings().https:
            extra.append((b"strict-transport-security", b"max-age=31536000"))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in extra if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, with_headers)


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use; every form of every page carries it."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


def _own_origins(request: Request) -> set[str]:
    host = request.headers.get("host", "")
    origins = {f"{request.url.scheme}://{host}"}
    web = urlsplit(get_settings().web_url)
    origins.add(f"{web.scheme}://{web.netloc}")
    return origins


async def check_post(request: Request) -> None:
    """Refuse a POST from another site (Origin, Sec-Fetch-Site) or without this session's CSRF token."""
    if request.method != "POST":
        return
    origin = request.headers.get("origin")
    if request.headers.get("sec-fetch-site") == "cross-site" or (
        origin is not None and origin not in _own_origins(request)
    ):
        raise Refused("请求来自其他网站，已拒绝（跨站请求伪造防护）；请在本系统的页面上办理", 403, origin=origin or "")
    form = await request.form()
    posted = form.get(CSRF_FIELD)
    expected = request.session.get("csrf")
    if not expected or not isinstance(posted, str) or not secrets.compare_digest(posted, str(expected)):
        raise Refused("页面已过期或不是从本系统打开的，未受理：请刷新页面后重新提交", 403)
    # A NUL is no part of any text a person types, and PostgreSQL cannot store one: refused before any handler.
    if any(isinstance(value, str) and "\x00" in value for value in form.values()):
        raise Refused("提交的内容含有无法识别的控制字符，未受理：请删除后重新填写", 422)


class RateGate:
    """At most `rate` (e.g. "10/10 minutes") failed tries per key: `blocked` says whether the key is over it
    (a success costs nothing, so a busy office behind one address is not held up), `failed` counts one;
    `burst_started` is true once per burst, so that a burst writes one audit event, not one per try."""

    def __init__(self, rate: str) -> None:
        self.rate = parse(rate)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self._noted: dict[str, float] = {}
        self._lock = threading.Lock()

    def blocked(self, key: str) -> bool:
        """Whether the key has used up its failed tries for now."""
        return not self.limiter.test(self.rate, key)

    def failed(self, key: str) -> None:
        """Count one failed try under the key."""
        self.limiter.hit(self.rate, key)

    def burst_started(self, key: str) -> bool:
        """True the first time a refused key is seen within the rate's window."""
        now = time.monotonic()
        with self._lock:
            if self._noted.get(key, 0.0) > now:
                return False
            self._noted[key] = now + self.rate.get_expiry()
            return True

    def reset(self) -> None:
        """Forget every count (tests)."""
        self.limiter.storage.reset()
        self._noted.clear()


LOGIN_PER_ADDRESS = RateGate("20/10 minutes")
CODE_PER_ADDRESS = RateGate("10/10 minutes")
CODE_PER_GATE = RateGate("20/10 minutes")
PUBLIC_PER_ADDRESS = RateGate(f"{get_settings().public_comments_per_minute}/minute")


class FirstAnswer:
    """Each form a page hands out carries a nonce; a second submission of the same nonce (a double click,
    a resend) is told so instead of being answered twice."""

    def __init__(self, keep_seconds: float = 3600) -> None:
        self.keep = keep_seconds
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def first(self, nonce: str) -> bool:
        """True for the first submission of this nonce."""
        now = time.monotonic()
        with self._lock:
            if len(self._seen) > 10_000:
                self._seen = {n: t for n, t in self._seen.items() if t > now}
            if not nonce or self._seen.get(nonce, 0.0) > now:
                return False
            self._seen[nonce] = now + self.keep
            return True

    def forget(self, nonce: str) -> None:
        """Let the nonce be used again (the submission was refused and the page shown again)."""
        with self._lock:
            self._seen.pop(nonce, None)


FIRST_ANSWER = FirstAnswer()


def new_nonce() -> str:
    """A fresh nonce for one form."""
    return secrets.token_urlsafe(16)


def client_address(request: Request) -> str:
    """The client's address as the web app sees it (the proxy's, behind one, unless it passes X-Forwarded-For
    and uvicorn is told to trust it)."""
    return request.client.host if request.client else "未知"
