"""The office's dashboard in the web app (issue 33): the wall screen's page (pinggu/dashboard.py) for a
signed-in office or supervisor, filtered by jurisdiction, unit, type and status, and the 台账 as an Excel
download of the same filters. Reads the product database only, so it answers with the Prefect server down.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from pinggu.core.errors import AccessDenied, PingguError
from pinggu.models.tables import now_beijing
from pinggu.dashboard import render_dashboard
from pinggu.web.auth import require
from pinggu.rules.access import Viewer
from pinggu.rules.profiles import load_profiles
from pinggu.services.ledger import STATUS_CHOICES, TYPE_CHOICES, LedgerFilter, ledger_filter, parse_kinds
from pinggu.services.ledger_export import XLSX_MEDIA_TYPE, ledger_filename, ledger_workbook_bytes

FIELDS = ("year", "profile", "unit", "type", "status")


def _office(request: Request, what: str) -> Viewer:
    """The signed-in office person or supervisor; anyone else is refused (and the refusal audited)."""
    from pinggu.web.access import allow
    from pinggu.rules.access import Resource, ResourceKind

    me = require(request)
    allow(request, me, Resource(ResourceKind.office, me.profiles[0] if me.profiles else ""), what)
    return me


def _filters(me: Viewer, values: dict[str, str]) -> LedgerFilter:
    """The filters asked for, kept within the person's jurisdictions (one of them must be chosen when
    they have several and the item's jurisdiction matters)."""
    filters = ledger_filter(**{key: values.get(key) or None for key in FIELDS}, today=now_beijing().date())
    if me.profiles and filters.profile is not None and filters.profile not in me.profiles:
        raise AccessDenied("所选辖区不在您的职责范围内")
    if me.profiles and filters.profile is None and len(me.profiles) == 1:
        filters = replace(filters, profile=me.profiles[0])
    return filters


def dashboard_router() -> APIRouter:
    """/dashboard and /dashboard/ledger.xlsx."""
    router = APIRouter()

    @router.get("/dashboard", response_class=HTMLResponse)
    def dashboard(request: Request) -> HTMLResponse:
        me = _office(request, "进度看板")
        values = {key: request.query_params.get(key, "").strip() for key in FIELDS}
        values["year"] = values["year"] or str(now_beijing().year)
        profiles = load_profiles()
        web = {
            "chosen": values,
            "profile_choices": [(pid, p.name) for pid, p in profiles.items() if me.covers(pid)],
            "type_choices": TYPE_CHOICES[1],
            "status_choices": [*STATUS_CHOICES[1], "逾期"],
            "download": "/dashboard/ledger.xlsx?" + urlencode({k: v for k, v in values.items() if v}),
            "profiles": me.profiles,
            "error": "",
        }
        try:
            filters = _filters(me, values)
        except PingguError as error:
            web["error"] = f"筛选条件有误：{error}"
            filters = LedgerFilter(year=now_beijing().year)
        return HTMLResponse(render_dashboard(today=now_beijing().date(), filters=filters, web=web))

    @router.get("/dashboard/ledger.xlsx")
    def ledger(request: Request, kind: str = "") -> Response:
        me = _office(request, "台账")
        values = {key: request.query_params.get(key, "").strip() for key in FIELDS}
        filters = _filters(me, values)
        if me.profiles and filters.profile is None:
            raise AccessDenied("您负责多个辖区：请先选择一个辖区再下载台账")
        kinds = parse_kinds(kind or None)
        body = ledger_workbook_bytes(filters, kinds, now_beijing().date())
        from urllib.parse import quote

        name = ledger_filename(filters, kinds)
        return Response(
            body,
            media_type=XLSX_MEDIA_TYPE,
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
        )

    return router
