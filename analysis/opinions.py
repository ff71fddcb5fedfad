"""Public and stakeholder opinions (E-PUBLIC: ordos 7/16, minhang 9; SPEC §7): import and counts.

An evaluation hears the public through letters, phone, fax, e-mail, the government website, the
media and symposiums. The evaluating unit keeps a register of the opinions received, one row per
opinion (CSV in UTF-8/GBK, or XLSX):

    编号        optional; when present, unique
    渠道        channel (信函, 电话, 传真, 电子邮件, 政府网站, 新闻媒体, 座谈会 … any text)
    主题        topic
    收到日期    2026-03-31, 2026/3/31, 2026.3.31 or 2026年3月31日 (an Excel date cell too)
    内容        the opinion
    处理情况    how it was handled: one of HANDLING (已采纳, 部分采纳, 未采纳, 未采纳并说明理由,
                已答复, 待处理 …)

``read_opinions`` validates the register and reports every bad cell with its spreadsheet row
(the header is row 1) and column in one ``InputFileError``. ``summarise_opinions`` counts by
channel, topic, handling and month, and gives the share handled.

Privacy (E-PRIVACY: bazhou 19, ordos 21, ningxia 15, changli 22) is enforced at the border, as in
pinggu.analysis.survey_reading: only the columns above are kept (a 来信人, 联系电话 or IP地址 column never leaves
this module), and personal data typed into 内容, 主题 or 渠道 is replaced by ``MASK``: contact data
(phone, ID, e-mail, bank-card numbers, IPv4 and IPv6 addresses); the row's own sender name,
address and other personal values as typed in the dropped columns; any sender's name of three or
more characters; and every name of ``names`` (the people file's, an office's list), two-character
names included, in every row. Names are matched as whole occurrences, longest first, but CJK text
has no word boundaries, so a name is masked inside a longer string too (张伟 in 张伟明); in 主题 and 内容
the names the Chinese tagger finds (pinggu.analysis.names) are masked as well. A 编号
column in which any number is contact data or holds such a name (opinions numbered by the
sender's phone) is dropped, as pinggu.analysis.survey_reading drops such a questionnaire id. The masking is
pinggu.analysis.privacy's, shared so both imports mask alike; what it cannot catch (a two-character name
in no list that is not the row's own sender's, a name with spaces between its characters, personal
data in images or attachments …) is listed in pinggu.analysis.privacy's docstring.

Pure pandas (openpyxl for XLSX): no Prefect, no database.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

# The questionnaire's masking, so opinions and questionnaires mask personal data identically.
from pinggu.analysis.privacy import (
    _MASK_PATTERN,
    _PERSONAL_KEYWORDS,
    MASK,
    PERSONAL_DATA_COLUMNS,
    _file_names,
    _holds_names,
    _mask_personal,
    _masked,
    _name_matcher,
    _name_set,
    _Names,
    _normalise_header,
    _per_distinct,
    _split_personal,
    mask_tagged,
)
from pinggu.core.errors import InputFileError, Problem
from pinggu.core.spreadsheet import locate_columns, read_grid

__all__ = [
    "HANDLING",
    "HANDLING_CLASSES",
    "MASK",
    "OPINION_COLUMNS",
    "REQUIRED_COLUMNS",
    "read_opinions",
    "summarise_opinions",
]

OPINION_COLUMNS: tuple[str, ...] = ("编号", "渠道", "主题", "收到日期", "内容", "处理情况")
"""The register's columns, in the order the returned frame has them."""
REQUIRED_COLUMNS: tuple[str, ...] = ("渠道", "主题", "收到日期", "内容", "处理情况")
"""Columns every register must have, each cell filled (编号 is optional)."""

HANDLING_CLASSES: tuple[str, ...] = ("已采纳", "部分采纳", "未采纳", "已答复", "待处理")
"""How an opinion was handled, summarised; 已答复 = answered without an adoption decision."""

HANDLING: dict[str, str] = {
    "已采纳": "已采纳",
    "采纳": "已采纳",
    "全部采纳": "已采纳",
    "部分采纳": "部分采纳",
    "未采纳": "未采纳",
    "未采纳并说明理由": "未采纳",
    "不予采纳": "未采纳",
    "不采纳": "未采纳",
    "已答复": "已答复",
    "已回复": "已答复",
    "已解释说明": "已答复",
    "已办结": "已答复",
    "待处理": "待处理",
    "未处理": "待处理",
    "处理中": "待处理",
    "正在处理": "待处理",
    "办理中": "待处理",
}
"""Accepted 处理情况 texts → their class in HANDLING_CLASSES."""

_PENDING = "待处理"
_ADOPTED = ("已采纳", "部分采纳")
# Columns that name the sender: used to mask the row's own name in 内容, then dropped.
_NAME_COLUMNS = ("姓名", "名字", "真实姓名", "来信人", "来电人", "反映人", "提出人", "意见人", "投诉人", "署名")
_ID_COLUMN = "编号"
_WHAT = "意见登记表"
_DATE_PATTERN = re.compile(
    r"^(?P<y>\d{4})\s*(?:(?P<sep>[-/.])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<d>\d{1,2})"
    r"|年\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*日?)"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_DATE_HINT = "请写成 2026-03-31、2026/3/31 或 2026年3月31日"


# --- reading ----------------------------------------------------------------------------------


def read_opinions(path: Path, names: Iterable[str] = ()) -> pd.DataFrame:
    """The opinion register, validated, with personal data removed.

    Columns: 编号 (when the file has it), 渠道, 主题, 收到日期 (datetime64, midnight), 内容
    (masked), 处理情况 (as written); the index (``行号``) is each opinion's spreadsheet row.
    ``names`` (the people file's, an office's name list) are masked in 渠道, 主题 and 内容 of
    every row wherever they occur, two-character names included (module docstring).
    Any bad cell refuses the whole file with an ``InputFileError`` listing every problem.
    """
    path = Path(path)
    listed = _name_set(names)
    # Bad cells are quoted in the problems, which reach logs: masked with the listed names too.
    listed_only = _name_matcher(listed)
    header, rows = read_grid(path, _WHAT)
    columns = _columns(path, header)
    if not rows:
        raise InputFileError(f"{_WHAT}“{path.name}”只有表头，没有意见（从第 2 行起每行一条意见）", path=str(path))

    numbers = [number for number, _ in rows]
    frame = pd.DataFrame(
        {name: [cells[pos] if pos < len(cells) else "" for _, cells in rows] for name, pos in columns.items()},
        index=pd.Index(numbers, name="行号"),
        dtype=object,
    )
    order = {name: i for i, name in enumerate(OPINION_COLUMNS)}
    found: list[tuple[int, int, Problem]] = []

    def report(row: int, column: str | None, reason: str) -> None:
        found.append((row, order.get(column or "", len(order)), Problem(reason, row, column)))

    for name in REQUIRED_COLUMNS:
        for row in frame.index[frame[name] == ""]:
            hint = "（尚未处理的写“待处理”）" if name == "处理情况" else ""
            report(int(row), name, f"必须填写{hint}")
    dates = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    for row, text in frame["收到日期"].items():
        if text:
            parsed, reason = _parse_date(text, listed_only)
            if reason:
                report(int(row), "收到日期", reason)
            else:
                dates[row] = parsed
    allowed = "、".join(HANDLING)
    for row, text in frame["处理情况"].items():
        if text and text not in HANDLING:
            report(int(row), "处理情况", f"“{_masked(text, listed_only)}”不是可用的处理情况（可用：{allowed}）")
    if _ID_COLUMN in frame:
        first: dict[str, int] = {}
        for row, code in frame[_ID_COLUMN].items():
            if code and first.setdefault(code, int(row)) != row:
                report(int(row), _ID_COLUMN, f"编号“{_masked(code, listed_only)}”与第 {first[code]} 行重复")
    for row, cells in rows:
        stray = [str(pos + 1) for pos, cell in enumerate(cells) if cell and (pos >= len(header) or not header[pos])]
        if stray:
            report(
                row, None, f"第 {'、'.join(stray)} 列有内容但没有表头（内容里的逗号是否漏了引号？），请删去或补上表头"
            )
    if found:
        found.sort(key=lambda item: (item[0], item[1]))
        raise InputFileError(
            f"{_WHAT}“{path.name}”有 {len(found)} 处问题，未导入；请修改后重新导入：",
            problems=[problem for _, _, problem in found],
            path=str(path),
        )

    names, others = _split_personal(_personal_columns(header, rows, frame.index))
    anywhere = _name_matcher(_file_names(names) | listed)
    out = {name: frame[name].astype(str) for name in OPINION_COLUMNS if name in frame}
    out["收到日期"] = dates
    for name in ("渠道", "主题", "内容"):
        out[name] = _mask_personal(out[name], names, others, anywhere)
    for name in ("主题", "内容"):  # names in no column and no list, found by the tagger (pinggu.analysis.names)
        out[name] = _per_distinct(lambda values: values.map(mask_tagged))(out[name])
    if _ID_COLUMN in out and (
        out[_ID_COLUMN].str.contains(_MASK_PATTERN).any() or _holds_names(out[_ID_COLUMN], anywhere)
    ):
        # Numbered by the sender's phone, ID number or name: the number is not needed for the counts.
        del out[_ID_COLUMN]
    return pd.DataFrame(out, index=frame.index)


def _columns(path: Path, header: list[str]) -> dict[str, int]:
    """Position of each register column in the header; refuses a missing or repeated one."""
    return locate_columns(
        path,
        header,
        {name: (name,) for name in OPINION_COLUMNS},
        what=_WHAT,
        expected=f"{'、'.join(OPINION_COLUMNS)}（编号可省略）",
        optional=tuple(name for name in OPINION_COLUMNS if name not in REQUIRED_COLUMNS),
    )


def _personal_columns(header: list[str], rows: list[tuple[int, list[str]]], index: pd.Index) -> dict[str, pd.Series]:
    """The register's personal-data columns (sender, phone, ID, address …) by normalised header.

    They are never kept; their values are masked where typed into the kept text columns.
    """
    found: dict[str, pd.Series] = {}
    for position, cell in enumerate(header):
        if re.sub(r"\s+", "", cell) in OPINION_COLUMNS:
            continue
        key = _normalise_header(cell)
        if key and (
            re.sub(r"\s+", "", cell) in _NAME_COLUMNS
            or key in PERSONAL_DATA_COLUMNS
            or any(word in key for word in _PERSONAL_KEYWORDS)
        ):
            found[key] = pd.Series([cells[position] if position < len(cells) else "" for _, cells in rows], index=index)
    return found


def _parse_date(text: str, listed: _Names | None = None) -> tuple[pd.Timestamp | None, str | None]:
    match = _DATE_PATTERN.match(text)
    if not match:
        return None, f"日期格式无法识别：“{_masked(text, listed)}”，{_DATE_HINT}"
    month, day = match["m"] or match["m2"], match["d"] or match["d2"]
    try:
        return pd.Timestamp(date(int(match["y"]), int(month), int(day))), None
    except ValueError:
        return None, f"日期不存在：“{text}”"


# --- figures ----------------------------------------------------------------------------------


def summarise_opinions(opinions: pd.DataFrame) -> dict[str, Any]:
    """Counts by channel, topic, handling and month, and the share handled (JSON-friendly).

    ``by_channel``, ``by_topic`` and ``by_status`` (处理情况 as written) are ordered by count, most
    first; ``by_handling`` has every class of HANDLING_CLASSES; ``by_month`` runs without gaps from
    the first month to the last. ``handled`` = every opinion not 待处理; ``adopted`` = 已采纳 +
    部分采纳. Shares are rounded to 4 decimals, None when there is nothing to divide by.
    """
    total = len(opinions)
    status = opinions["处理情况"].astype(str).str.strip()
    unknown = sorted(set(status) - set(HANDLING))
    if unknown:
        raise ValueError(f"未知的处理情况：{'、'.join(unknown)}（可用：{'、'.join(HANDLING)}）")
    classes = status.map(HANDLING)
    channel = opinions["渠道"].astype(str).str.strip()
    topic = opinions["主题"].astype(str).str.strip()
    received = pd.to_datetime(opinions["收到日期"])
    handled = int((classes != _PENDING).sum())
    adopted = int(classes.isin(_ADOPTED).sum())
    decided = int(classes.isin(("已采纳", "部分采纳", "未采纳")).sum())
    return {
        "total": total,
        "by_channel": _counts(channel),
        "by_topic": _counts(topic),
        "by_status": _counts(status),
        "by_handling": {name: int((classes == name).sum()) for name in HANDLING_CLASSES},
        "channel_handling": _crosstab(channel, classes),
        "topic_handling": _crosstab(topic, classes),
        "by_month": _months(received),
        "first_received": received.min().date().isoformat() if total else None,
        "last_received": received.max().date().isoformat() if total else None,
        "handled": handled,
        "pending": total - handled,
        "handled_share": _share(handled, total),
        "adopted": adopted,
        "adopted_share_of_decided": _share(adopted, decided),
    }


def _counts(values: pd.Series) -> dict[str, int]:
    counted = Counter(values.tolist())
    return {str(k): int(n) for k, n in sorted(counted.items(), key=lambda kv: (-kv[1], str(kv[0])))}


def _crosstab(groups: pd.Series, classes: pd.Series) -> dict[str, dict[str, int]]:
    return {
        group: {name: int(((groups == group) & (classes == name)).sum()) for name in HANDLING_CLASSES}
        for group in _counts(groups)
    }


def _months(received: pd.Series) -> dict[str, int]:
    if received.empty:
        return {}
    months = received.dt.to_period("M")
    counted = Counter(months.tolist())
    span = pd.period_range(months.min(), months.max(), freq="M")
    return {str(month): int(counted.get(month, 0)) for month in span}


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
