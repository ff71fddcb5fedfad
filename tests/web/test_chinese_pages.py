"""Every page and refusal a browser shows reads in Chinese, free of internals (issue 27 item 8): the test
walks the web app's pages and refusals as the office, a decision body, an outsider and someone with a code,
and fails on an English word outside the allow-list, a rule id, or a command-line hint."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import signin
from fastapi.testclient import TestClient

# Words a Chinese office reads as they are: file types, units, and the product's and tools' own names.
ALLOWED = {
    "PDF",
    "Word",
    "Excel",
    "CSV",
    "XLSX",
    "xlsx",
    "csv",
    "pdf",
    "docx",
    "txt",
    "DOCX",
    "TXT",
    "YYYY",
    "MM",
    "DD",
}
# Evaluation and decision numbers (PG-2026-0001, S-2024-001, a test's SUP-3f2a…) are what an office types; they
# may stand right after a Chinese character, which counts as a word character for \b.
CODES = re.compile(r"(?<![A-Za-z0-9])[A-Z]{1,10}-(?:\d{4}-\d{3,}|[0-9a-f]{8})(?![A-Za-z0-9])|YYYY-MM-DD")
RULE_ID = re.compile(r"(?<![A-Za-z0-9])(?:[A-Z]{1,3}-)+[A-Z0-9]{1,8}(?![A-Za-z0-9])")
COMMAND = re.compile(r"\bpinggu\s+[a-z]")


class _Visible(HTMLParser):
    """The text a person sees: element text and tooltips, not styles, scripts or attribute values."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("style", "script"):
            self._hidden += 1
        self.parts += [value for name, value in attrs if name in ("title", "placeholder", "alt") and value]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def _numbers() -> list[str]:
    """Every decision and evaluation number in the session's database, longest first: what an office types."""
    from sqlmodel import select

    from pinggu.models.db import read_session
    from pinggu.models.tables import Decision, Evaluation

    with read_session() as session:
        found = [*session.exec(select(Decision.code)), *session.exec(select(Evaluation.code))]
    return sorted(found, key=len, reverse=True)


def problems_of(html: str, allowed: set[str], numbers: list[str] | None = None) -> list[str]:
    """English words outside the allow-list, rule ids and command-line hints in what the page shows."""
    parser = _Visible()
    parser.feed(html)
    text = " ".join(parser.parts)
    for number in numbers or []:
        text = text.replace(number, " ")
    text = CODES.sub(" ", text)  # evaluation and decision numbers are what an office types
    english = {w for w in re.findall(r"[A-Za-z][A-Za-z_]{2,}", text) if w not in ALLOWED | allowed}
    return sorted(english) + RULE_ID.findall(text) + COMMAND.findall(text)


def test_every_page_and_refusal_reads_in_chinese(app, waiting):
    evaluation_id, code, (pdf_id, _) = waiting
    office = signin.signed_in_client(app, "孙丽")
    body = signin.signed_in_client(app, "刘志强")
    outsider = signin.signed_in_client(app, "高峰")
    stranger = TestClient(app)
    gate = f"/evaluations/{code}/gates/approval"
    shown = {
        "登录": stranger.get("/login").text,
        "登录失败": signin.sign_in(TestClient(app), "nobody", "Wrong-password-1").text,
        "待办": body.get("/").text,
        **{f"待办 {tab}": office.get(f"/?tab={tab}").text for tab in ("unit", "all", "overdue", "soon")},
        "跟踪反馈": office.get("/tracking").text,
        "意见登记": office.get("/tracking/opinions").text,
        "计划审定": office.get("/plans").text if _server_up() else "",
        "进度看板": office.get("/dashboard").text,
        "办理环节": body.get(gate).text,
        "签署码提示": stranger.get(gate).text,
        "错误签署码": signin.post(stranger, f"{gate}/unlock", {"code": "ABCD2345"}, page=gate).text,
        "无权查看": outsider.get(f"/documents/{pdf_id}").text,
        "没有文件": office.get("/documents/abc").text,
        "没有页面": office.get("/no/such/page").text,
        "伪造请求": office.post("/tracking/opinions", data={"code": "x"}).text,
        "筛选有误": office.get("/dashboard", params={"year": "明年"}).text,
        "启动评估": office.get("/evaluations/new").text,
        "启动评估有误": signin.post(office, "/evaluations/new", {"decision": "", "type": ""}).text,
        "意见征集": office.get("/tracking/comments", params={"code": _decision_of(evaluation_id)}).text,
        "没有征集": stranger.get("/public/comments/999999").text,
        "重发签署码": office.get(f"/evaluations/{code}/resend").text,
        "档案报备登记": office.get(f"/decisions/{_decision_of(evaluation_id)}/archived").text,
        "人员名单导入无权": office.get("/people/import").text,
    }
    numbers = _numbers()
    found = {name: problems_of(html, {"Prefect"}, numbers) for name, html in shown.items() if html}
    wrong = {name: words for name, words in found.items() if words}
    assert not wrong, "\n".join(f"{name}: {words}" for name, words in wrong.items())


def _server_up() -> bool:
    """The plan list asks the Prefect server; without one the page says so in Chinese (checked too)."""
    return True


def _decision_of(evaluation_id: int) -> str:
    from pinggu.models import evaluations as store
    from pinggu.models.db import read_session

    with read_session() as session:
        return store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id).decision_code
