"""Sending notices to the endpoints Chinese offices use: DingTalk and WeCom group robots, or any
webhook taking a JSON POST. Each call raises on failure; the deadline watch records and retries.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

DINGTALK = "oapi.dingtalk.com"
WECOM = "qyapi.weixin.qq.com"


def channel_name(url: str) -> str:
    """The endpoint as recorded and shown: scheme, host and path, without the token in its query."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def payload(url: str, text: str, detail: dict) -> dict:
    """The body the endpoint expects: robots take a text message; a generic webhook gets the details too."""
    host = urlsplit(url).netloc
    if host in (DINGTALK, WECOM):
        return {"msgtype": "text", "text": {"content": f"重大行政决策后评估提醒：{text}"}}
    return {"title": "重大行政决策后评估提醒", "text": text, **detail}


def send(url: str, text: str, detail: dict, *, timeout: float = 10) -> None:
    """POST the notice; raise httpx.HTTPError (or ValueError for a robot's refusal) when not delivered."""
    response = httpx.post(url, json=payload(url, text, detail), timeout=timeout)
    response.raise_for_status()
    if urlsplit(url).netloc in (DINGTALK, WECOM):
        body = response.json()
        if body.get("errcode", 0) != 0:
            raise ValueError(f"机器人拒收：{body.get('errmsg')}")
