"""意见征集 in the web app (issue 33): the office opens a public comment period for a decision
(/tracking/comments), and the public page of each period (/public/comments/<id>) takes opinions from
anyone — no sign-in — while it is open: CSRF-protected, size-limited, rate-limited per address, the text
masked and the contact kept apart (pinggu.services.comments). Only /public/ is meant to be exposed to the internet.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from pinggu.core.errors import NotFound, PingguError, StateConflict
from pinggu.core.settings import get_settings
from pinggu.models.tables import now_beijing
from pinggu.web.auth import require
from pinggu.web.security import PUBLIC_PER_ADDRESS, Refused, client_address
from pinggu.services import comments

log = logging.getLogger("pinggu.web")


def _day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise StateConflict(f"{what}“{text}”格式应为 YYYY-MM-DD") from None


def public_route(page: Any) -> type[APIRoute]:
    """The route class of the public pages: whatever refuses a request there (a period turned off or unknown, a form
    expired or posted from another site, an address that is no period's, an unexpected failure) is answered with
    the public error page. The app's own handlers would answer with the office's page, whose header leads inside
    (登录), which the reverse proxy is meant to keep from the internet."""

    class PublicRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            """FastAPI's handler of the route, its refusals answered with the public error page."""
            handler = super().get_route_handler()

            async def answer(request: Request) -> Response:
                try:
                    return await handler(request)
                except Refused as refused:
                    return page("public_error.html.j2", refused.status, request=request, message=str(refused))
                except PingguError as error:
                    status = 404 if isinstance(error, NotFound) else 409
                    return page("public_error.html.j2", status, request=request, message=str(error))
                except RequestValidationError:
                    message = "没有这个意见征集，请核对网址"
                    return page("public_error.html.j2", 404, request=request, message=message)
                except Exception:
                    # Logged with its traceback for the operators, as the app's handler does; the public reads a sentence.
                    log.exception("意见征集页面出现未预期的错误：%s %s", request.method, request.url.path)
                    message = "系统出现未预期的错误，您的意见未提交；请稍后重试"
                    return page("public_error.html.j2", 500, request=request, message=message)

            return answer

    return PublicRoute


def comments_router(page: Any) -> APIRouter:
    """The office's page of comment periods and the public page of each."""
    router = APIRouter()
    public = APIRouter(route_class=public_route(page))

    @router.get("/tracking/comments", response_class=HTMLResponse)
    def office_page(request: Request, code: str = "") -> HTMLResponse:
        _office(request, code)
        return page("comments.html.j2", request=request, **_listing(code), values={}, error=None)

    @router.post("/tracking/comments", response_class=HTMLResponse)
    async def open_period(request: Request) -> HTMLResponse:
        posted = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        code = posted.get("code", "").strip()
        me = _office(request, code)
        try:
            if posted.get("close"):
                await run_in_threadpool(comments.close_window, int(posted["close"]), f"{me.unit}{me.name}")
            else:
                await run_in_threadpool(
                    comments.open_window,
                    code,
                    posted.get("title", ""),
                    _day(posted.get("opens_on", ""), "开始日"),
                    _day(posted.get("closes_on", ""), "截止日"),
                    f"{me.unit}{me.name}",
                )
        except (PingguError, ValueError) as error:
            return page(
                "comments.html.j2", status_code=422, request=request, **_listing(code), values=posted, error=str(error)
            )
        return page("comments.html.j2", request=request, **_listing(code), values={}, error=None)

    @public.get("/public/comments/{window_id}", response_class=HTMLResponse)
    def public_page(window_id: int, request: Request) -> HTMLResponse:
        window = comments.public_window(window_id, now_beijing().date())
        return page("public_comment.html.j2", request=request, window=window, values={}, error=None, receipt=None)

    @public.post("/public/comments/{window_id}", response_class=HTMLResponse)
    async def public_submit(window_id: int, request: Request) -> HTMLResponse:
        today = now_beijing().date()
        window = comments.public_window(window_id, today)
        posted = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        address = client_address(request)
        if PUBLIC_PER_ADDRESS.blocked(address):
            return page(
                "public_comment.html.j2",
                status_code=429,
                request=request,
                window=window,
                values={"opinion": posted.get("opinion", "")},
                error="提交过于频繁，请稍后再试",
                receipt=None,
            )
        PUBLIC_PER_ADDRESS.failed(address)  # every submission counts against the address
        try:
            receipt = await run_in_threadpool(
                comments.submit_public_opinion, window_id, posted.get("opinion", ""), posted.get("contact", ""), today
            )
        except PingguError as error:
            values = {"opinion": posted.get("opinion", "")}  # the contact is not shown back
            return page(
                "public_comment.html.j2", status_code=422, request=request, window=window, values=values,
                error=str(error), receipt=None,
            )  # fmt: skip
        return page("public_comment.html.j2", request=request, window=window, values={}, error=None, receipt=receipt)

    router.include_router(public)
    return router


def _office(request: Request, code: str) -> Any:
    """The signed-in office person (评估办公室 / 督查) for the decision's jurisdiction."""
    from pinggu.web.access import allow
    from pinggu.rules.access import Resource, ResourceKind

    me = require(request)
    profile = ""
    if code:
        from pinggu.models.db import read_session
        from pinggu.models.evaluations import get_decision

        with read_session() as session:
            profile = get_decision(session=session, code=code).profile
    allow(request, me, Resource(ResourceKind.office, profile or (me.profiles[0] if me.profiles else "")), "意见征集")
    return me


def _listing(code: str) -> dict[str, Any]:
    windows = comments.windows_of(code) if code else []
    return {"code": code, "windows": windows, "base": get_settings().web_url}
