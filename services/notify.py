"""Sending the deadline watch's notices through Apprise (https://appriseit.com/services/): DingTalk and
WeCom group robots, e-mail over SMTP, SMS gateways, generic JSON webhooks and every other service Apprise
knows, each configured by one Apprise URL in `notify_urls` (PINGGU_NOTIFY_URLS):

    dingtalk://TOKEN/                    DingTalk robot (dingtalk://SECRET@TOKEN/ for a signed one)
    wecombot://KEY                       WeCom group robot
    mailtos://user:password@smtp.host?from=…&to=…   e-mail over SMTP (mailto:// without TLS)
    json://host:port/path  jsons://…     a JSON POST to any webhook
    smseagle://TOKEN@host/PHONE          an SMS gateway; see Apprise's list for others

The older configurations, written as the endpoints' own https addresses, keep working: `apprise_url`
translates them (see there). `send` raises when a notice is not delivered; the watch records and retries.
A token, key or password never leaves this module: `channel_name` is what is recorded and shown, and the
log records Apprise (and urllib3 under it) write while a URL is used have that URL's secrets masked.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import warnings
from collections.abc import Iterable, Iterator
from functools import cache
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

import apprise
from apprise.utils.cwe312 import cwe312_word
from apprise.utils.parse import is_hostname

from pinggu.core.errors import NotDelivered, NotifyUrlError

TITLE = "重大行政决策后评估提醒"
DINGTALK = "oapi.dingtalk.com"
WECOM = "qyapi.weixin.qq.com"
# Apprise's generic JSON webhook: the notice's details go into its payload as extra keys.
JSON_SCHEMES = ("json", "jsons")
MASK = "****"
# Where a URL's secrets could be logged while it is used: Apprise itself, and the HTTP requests under it.
GUARDED_LOGGERS = ("apprise", "urllib3.connectionpool")
# Words of a path that are names (lower case, or capitalised), phone numbers or e-mail addresses, never keys.
_PLAIN_WORD = re.compile(r"[A-Za-z][a-z._-]*|\+?[0-9]+|[^/@]+@[^/@]+")


# ── configured URLs ──────────────────────────────────────────────────────────


def apprise_url(url: str) -> str:
    """The Apprise URL for a configured one; the older https forms are translated so they keep working:

    - https://oapi.dingtalk.com/robot/send?access_token=TOKEN   → dingtalk://TOKEN/
    - https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY  → wecombot://KEY
    - any other http(s)://[user:password@]host[:port]/path?a=b  → json(s)://[user:password@]host[:port]/path?-a=b&:message=text
      (Apprise's JSON webhook, a POST as before: the query is still sent as is, and the notice keeps its
      old "text" key; the payload also carries Apprise's "version", "title", "attachments" and "type")

    Any other URL is already an Apprise URL and is returned unchanged (stripped of blanks).
    """
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return url
    query = parse_qsl(parts.query, keep_blank_values=True)
    host = parts.netloc.rpartition("@")[2].lower()
    if host in (DINGTALK, WECOM):
        name, scheme = ("access_token", "dingtalk") if host == DINGTALK else ("key", "wecombot")
        token = next((value for key, value in query if key == name and value), None)
        if token is None:
            raise NotifyUrlError(f"提醒地址 {channel_name(url)} 缺少 {name}，请填入机器人完整的 Webhook 地址")
        return f"{scheme}://{quote(token, safe='')}" + ("/" if scheme == "dingtalk" else "")
    scheme = "jsons" if parts.scheme.lower() == "https" else "json"
    params = urlencode([(f"-{key}", value) for key, value in query] + [(":message", "text")])
    return f"{scheme}://{parts.netloc}{parts.path or '/'}?{params}"


def channel_name(url: str) -> str:
    """The endpoint as recorded and shown, never with a token, key or password in it.

    An older https form keeps the name it had (scheme, host and path, without the query that carried
    the token), so the deliveries recorded under it still count. An Apprise URL is shown as Apprise's own
    privacy form (`url(privacy=True)`) shows it, stricter: without user, password and query, and each
    part Apprise masks (a robot's token, an API key) as **** with a short fingerprint of the value, so two
    robots of one service stay apart. A path word that looks like a key is masked the same way, and a URL
    Apprise cannot parse shows only its scheme and a host name.
    """
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() in ("http", "https"):
        return f"{parts.scheme.lower()}://{_host(parts.netloc)}{_masked_path(parts.path)}"
    plugin, _ = _instantiate(url)
    if plugin is None:
        if not parts.scheme:
            return MASK
        host = _host(parts.netloc)
        shown = host if _looks_like_host(_without_port(host)) else MASK
        return f"{parts.scheme.lower()}://{shown}" + ("/…" if parts.path.strip("/") or parts.query else "")
    private, plain = urlsplit(plugin.url(privacy=True)), urlsplit(plugin.url(privacy=False))
    host, real_host = _host(private.netloc), _host(plain.netloc)
    hidden = host != real_host or not _looks_like_host(unquote(_without_port(real_host)))
    shown_host = _mask(real_host) if hidden else host
    words, real_words = _words(private.path), _words(plain.path)
    if len(words) != len(real_words):  # not laid out alike: show none of it
        return f"{private.scheme}://{shown_host}" + (f"/{_mask(plain.path)}" if real_words else "")
    path = "".join(
        f"/{_mask(real) if word != real or _looks_like_key(unquote(real)) else unquote(word)}"
        for word, real in zip(words, real_words, strict=True)
    )
    return f"{private.scheme}://{shown_host}{path}"


def channels(urls: Iterable[str]) -> dict[str, str]:
    """Each configured URL by its channel name, as Apprise URLs, checked before anything is sent.

    Raises NotifyUrlError, in Chinese and naming the URL without its secrets, for one Apprise cannot use.
    The same URL twice is one channel; two URLs shown alike get a fingerprint of the whole URL after the name.
    """
    found: dict[str, str] = {}
    for number, configured in enumerate(urls, start=1):
        url = apprise_url(configured)
        if not url:
            continue
        name = channel_name(configured)
        plugin, reason = _instantiate(url)
        if plugin is None:
            raise NotifyUrlError(f"第 {number} 个提醒地址无法使用：{name}（{reason}），请修改 PINGGU_NOTIFY_URLS")
        if url in found.values():
            continue
        if name in found:
            name = f"{name} ({_fingerprint(url)})"
        found[name] = url
    return found


# ── sending ──────────────────────────────────────────────────────────────────


def send(url: str, text: str, detail: dict) -> None:
    """Send one notice (title 重大行政决策后评估提醒, `text` the body) to a configured URL.

    A JSON webhook also gets `detail` (level, due date, evaluation) as keys of its payload. Raises
    NotifyUrlError for a URL Apprise cannot use and NotDelivered, with the reason in Chinese, when the
    endpoint does not take the notice (Apprise's notify() only answers False).
    """
    configured = url.strip()
    url = apprise_url(configured)
    extras = {f":{key}": value for key, value in detail.items() if value is not None}
    if url.split("://", 1)[0].lower() in JSON_SCHEMES and extras:
        url += ("&" if "?" in url else "?") + urlencode(extras)
    plugin, reason = _instantiate(url)
    if plugin is None:
        raise NotifyUrlError(f"提醒地址无法使用：{channel_name(configured)}（{reason}）")
    notifier = apprise.Apprise()
    notifier.add(plugin)
    secrets = _secrets(configured, shown=channel_name(configured))
    with _guarded_logs(secrets) as logged:
        try:
            delivered = notifier.notify(body=text, title=TITLE, body_format=apprise.NotifyFormat.TEXT)
        except Exception as failure:  # Apprise catches most; anything else is a failed delivery too
            logged.append((logging.ERROR, _hide(f"{type(failure).__name__}: {failure}", secrets)))
            delivered = False
    if not delivered:
        said = [message for level, message in logged if level >= logging.WARNING]
        raise NotDelivered(f"未送达：{_reason(logged)}" + (f"（Apprise：{said[-1]}）" if said else ""))


def _reason(logged: list[tuple[int, str]]) -> str:
    """Why Apprise did not deliver, in Chinese, from what it logged meanwhile."""
    said = " ".join(message for _, message in logged)
    if re.search(r"\b535\b|authenticat|credentials", said, re.IGNORECASE):
        return "账号或密码不对，对方服务器拒绝登录"
    if status := re.search(r"error=(\d{3})", said):
        return f"对方服务器拒收（HTTP {status.group(1)}）"
    if re.search(r"connection|refused|timed out|timeout|unreachable", said, re.IGNORECASE):
        return "连接不上对方服务器或连接中断"
    return "对方服务器未接收"


# ── Apprise, quietly ─────────────────────────────────────────────────────────


@cache
def _plugins() -> apprise.NotificationManager:
    """Apprise's services, loaded once; its e-mail plugin imports `imghdr`, deprecated (harmless here)."""
    manager = apprise.NotificationManager()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="'imghdr' is deprecated", category=DeprecationWarning)
        manager.load_modules()
    return manager


def _instantiate(url: str) -> tuple[apprise.NotifyBase | None, str]:
    """Apprise's plugin for the URL, or None and why not (in Chinese)."""
    manager = _plugins()
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if not scheme:
        return None, "不是 URL，应形如 dingtalk://…、wecombot://…、mailtos://…、json://…"
    if scheme not in manager:
        return None, f"Apprise 不支持 {scheme}:// 地址"
    service = manager[scheme]
    if not service.enabled:
        needs = service.requirements.get("packages_required") or []
        return None, f"{scheme}:// 需要先安装 Python 包 {'、'.join([needs] if isinstance(needs, str) else needs)}"
    with _guarded_logs(_secrets(url, shown="")):  # not yet known what is shown: mask every piece
        plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if plugin is None:
        return None, f"{scheme}:// 地址不完整或写错（令牌、账号、主机、收件人等），请对照 Apprise 的写法检查"
    return plugin, ""


class _Scrub(logging.Filter):
    """Masks the given secrets in every record it sees and keeps them all, as `(level, message)`; lets
    through only those at `threshold` or above (the level the logger had before it was opened up)."""

    def __init__(self, secrets: set[str], threshold: int) -> None:
        super().__init__()
        self.secrets, self.threshold = secrets, threshold
        self.seen: list[tuple[int, str]] = []

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            message += f"（{type(record.exc_info[1]).__name__}: {record.exc_info[1]}）"
        message = _hide(message, self.secrets)
        record.msg, record.args, record.exc_info, record.exc_text = message, (), None, None
        self.seen.append((record.levelno, message))
        return record.levelno >= self.threshold


@contextlib.contextmanager
def _guarded_logs(secrets: set[str]) -> Iterator[list[tuple[int, str]]]:
    """While a URL is used: its secrets masked in what Apprise and urllib3 log. Apprise's debug records
    (the SMTP or HTTP error behind a failure) are kept for the reason but passed on only if they were
    logged before; yields what was logged, `(level, message)`."""
    apprise_logger = logging.getLogger(apprise.LOGGER_NAME)
    level, threshold = apprise_logger.level, apprise_logger.getEffectiveLevel()
    guards = [(apprise_logger, _Scrub(secrets, threshold))]
    guards += [(logging.getLogger(name), _Scrub(secrets, logging.NOTSET)) for name in GUARDED_LOGGERS[1:]]
    for logger, guard in guards:
        logger.addFilter(guard)
    apprise_logger.setLevel(min(threshold, logging.DEBUG))
    try:
        yield guards[0][1].seen
    finally:
        apprise_logger.setLevel(level)
        for logger, guard in guards:
            logger.removeFilter(guard)


def _parts(url: str) -> set[str]:
    """Every piece of the URL that could be a secret: user, password, query values, host, path words."""
    parts = urlsplit(url)
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    query = [value for _, value in parse_qsl(parts.query, keep_blank_values=True)]
    return {user, password, *query, _host(hostport), *_words(parts.path)}


def _secrets(url: str, shown: str) -> set[str]:
    """What must not be logged of the URL: its pieces except the host and path words its channel name
    `shown` shows (each as written and decoded; a piece too short to be a secret left out)."""
    visible = set(shown.split("/"))
    found = {piece for piece in _parts(url) if piece not in visible and unquote(piece) not in visible}
    return {form for value in found for form in (value, unquote(value), quote(value, safe="")) if len(form) >= 4}


def _hide(text: str, secrets: set[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        text = re.sub(re.escape(secret), MASK, text, flags=re.IGNORECASE)
    return text


# ── pieces of a URL ──────────────────────────────────────────────────────────


def _host(netloc: str) -> str:
    """Host and port of a URL's netloc, without user and password."""
    return netloc.rpartition("@")[2]


def _without_port(host: str) -> str:
    return re.sub(r":[0-9]+$", "", host)


def _words(path: str) -> list[str]:
    return [word for word in path.split("/") if word]


def _masked_path(path: str) -> str:
    return "/".join(_mask(word) if _looks_like_key(unquote(word)) else word for word in path.split("/"))


def _looks_like_key(word: str) -> bool:
    """A random-looking word (Apprise's own CWE-312 test), not a name, number or e-mail address."""
    return bool(word) and not _PLAIN_WORD.fullmatch(word) and cwe312_word(word) != word


def _looks_like_host(host: str) -> bool:
    """A host name or address (dotted, IPv6, or one lower-case word like localhost), not a token in its place."""
    return bool(is_hostname(host, ipv4=True, ipv6=True)) and (
        "." in host or ":" in host or host.isalpha() and host.islower()
    )


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:6]


def _mask(value: str) -> str:
    return f"{MASK}({_fingerprint(unquote(value))})"
