"""Signing in to the web app (issue 28): the login page, logout, single sign-on through the province's
OpenID provider (Authlib), the idle timeout, and who the request's person is.

The session is Starlette's signed cookie (HttpOnly, SameSite=Lax, Secure behind HTTPS). It holds the
person's id, their account's session epoch (raised at logout and password change, so older cookies stop
working), the time of the last request (idle timeout), the CSRF token and, for someone without an account
who opened a gate with their sign-off code, that one gate.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from pinggu.core.errors import LoginRefused, PingguError
from pinggu.core.settings import get_settings
from pinggu.web.security import LOGIN_PER_ADDRESS, client_address
from pinggu.rules.access import Viewer
from pinggu.services import accounts

log = logging.getLogger("pinggu.web")
SESSION_COOKIE = "pinggu_session"
SESSION_MAX_AGE = 12 * 3600  # the cookie's own life; the idle timeout ends a session long before


class NeedsSignIn(Exception):
    """The page needs a signed-in person; the handler redirects to /login and back."""

    def __init__(self, next_path: str, notice: str = "") -> None:
        super().__init__(next_path)
        self.next_path, self.notice = next_path, notice


def secret_key() -> str:
    """PINGGU_SECRET_KEY, or a random key kept in the product home (made once, readable by its owner only)."""
    settings = get_settings()
    if settings.secret_key:
        return settings.secret_key
    path: Path = settings.home / "secret_key"
    if not path.exists():
        import secrets

        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


def viewer(request: Request) -> Viewer | None:
    """The signed-in person of this request, or None; an idle session ends here (audited as a logout)."""
    session = request.session
    person_id, epoch = session.get("pid"), session.get("epoch")
    if not isinstance(person_id, int) or not isinstance(epoch, int):
        return None
    cached = getattr(request.state, "viewer", None)
    if isinstance(cached, Viewer):
        return cached
    found = accounts.current_viewer(person_id, epoch)
    idle = time.time() - float(session.get("seen", 0))
    if found is not None and idle > get_settings().session_idle_minutes * 60:
        accounts.sign_out(found, address=client_address(request), reason="长时间未操作，自动退出")
        found = None
        session.clear()
        session["notice"] = "您已长时间未操作，为安全起见已自动退出，请重新登录"
    elif found is None:
        session.clear()
    else:
        session["seen"] = time.time()
    request.state.viewer = found
    return found


def require(request: Request) -> Viewer:
    """The signed-in person, or NeedsSignIn (the page redirects to the login page and back)."""
    found = viewer(request)
    if found is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise NeedsSignIn(path, str(request.session.pop("notice", "")))
    return found


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


def _begin(request: Request, signed: accounts.SignedIn) -> None:
    csrf = request.session.get("csrf")
    request.session.clear()  # a new session at sign-in: nothing chosen before it carries over
    request.session.update({"pid": signed.viewer.person_id, "epoch": signed.epoch, "seen": time.time()})
    if csrf:
        request.session["csrf"] = csrf


def _oauth() -> Any:
    from authlib.integrations.starlette_client import OAuth

    settings = get_settings()
    oauth = OAuth()
    oauth.register(
        "province",
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": "openid profile", "code_challenge_method": "S256"},
    )
    return oauth.province


def auth_router(page: Any) -> APIRouter:
    """/login, /logout and the single sign-on routes; `page(template, status_code=…, **context)` renders."""
    router = APIRouter()
    settings = get_settings()
    sso = bool(settings.oidc_issuer)
    client = _oauth() if sso else None

    def login_page(request: Request, status: int = 200, error: str = "", login: str = "") -> HTMLResponse:
        return page(
            "login.html.j2",
            status_code=status,
            request=request,
            next=_safe_next(request.query_params.get("next", "/")),
            error=error,
            notice=str(request.session.pop("notice", "")) or request.query_params.get("notice", ""),
            login=login,
            sso_name=settings.oidc_name if sso else "",
        )

    @router.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> HTMLResponse:
        return login_page(request)

    @router.post("/login", response_class=HTMLResponse)
    async def login(request: Request) -> Any:
        form = await request.form()
        login_name = str(form.get("login", "")).strip()
        address = client_address(request)
        if LOGIN_PER_ADDRESS.blocked(address):
            if LOGIN_PER_ADDRESS.burst_started(address):
                await run_in_threadpool(_audit_burst, "login_rate_limited", address)
            return login_page(request, 429, "登录失败次数过多，请 10 分钟后再试", login_name)
        try:
            signed = await run_in_threadpool(
                accounts.sign_in, login_name, str(form.get("password", "")), address=address
            )
        except LoginRefused as refused:
            LOGIN_PER_ADDRESS.failed(address)
            return login_page(request, 401, str(refused), login_name)
        _begin(request, signed)
        return RedirectResponse(_safe_next(str(form.get("next", "/"))), status_code=303)

    @router.post("/logout")
    async def logout(request: Request) -> RedirectResponse:
        found = viewer(request)
        if found is not None:
            await run_in_threadpool(accounts.sign_out, found, address=client_address(request))
        request.session.clear()
        return RedirectResponse("/login?notice=" + quote("您已退出登录"), status_code=303)

    @router.get("/auth/oidc/login")
    async def sso_login(request: Request) -> Any:
        if client is None:
            return login_page(request, 404, "本系统未配置统一身份认证，请用登录名和密码登录")
        request.session["sso_next"] = _safe_next(request.query_params.get("next", "/"))
        base = settings.web_base_url.rstrip("/")
        callback = f"{base}/auth/oidc/callback" if base else str(request.url_for("sso_callback"))
        try:
            return await client.authorize_redirect(request, callback)
        except Exception as error:  # the provider cannot be reached: say so, never a traceback
            log.warning("统一身份认证服务无法访问：%r", error)
            return login_page(request, 502, f"{settings.oidc_name}暂时无法访问，请稍后再试或用密码登录")

    @router.get("/auth/oidc/callback", name="sso_callback")
    async def sso_callback(request: Request) -> Any:
        if client is None:
            return login_page(request, 404, "本系统未配置统一身份认证")
        try:
            token = await client.authorize_access_token(request)
        except Exception as error:  # a forged, replayed or expired answer from the provider
            log.warning("统一身份认证回调未通过：%r", error)
            return login_page(request, 401, f"{settings.oidc_name}的登录结果无效或已过期，请重新登录")
        claims = dict(token.get("userinfo") or {})  # the ID token's claims, its signature checked
        if settings.oidc_login_claim not in claims:
            # Many providers keep profile claims out of the ID token: ask the UserInfo endpoint, for the same subject.
            try:
                extra = dict(await client.userinfo(token=token))
            except Exception as error:
                log.warning("统一身份认证用户信息接口未应答：%r", error)
                extra = {}
            if extra.get("sub") == claims.get("sub"):
                claims = {**extra, **claims}
        login_name = str(claims.get(settings.oidc_login_claim, ""))
        try:
            signed = await run_in_threadpool(
                accounts.sign_in_sso,
                login_name,
                str(claims.get("sub", "")),
                address=client_address(request),
                provider=settings.oidc_name,
            )
        except PingguError as refused:
            return login_page(request, 403, str(refused))
        next_path = str(request.session.get("sso_next", "/"))
        _begin(request, signed)
        return RedirectResponse(_safe_next(next_path), status_code=303)

    return router


def _audit_burst(action: str, address: str, **detail: Any) -> None:
    from pinggu.models import audit
    from pinggu.models.db import transaction

    transaction(lambda session: audit.record(session=session, action=action, address=address, **detail))
