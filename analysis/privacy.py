"""Personal data in what people type (E-PRIVACY, bazhou 19 / ordos 21 / ningxia 15 / changli 22): which columns
of an import are personal data, and the masking of contact data and names in the text that is kept.

Privacy is enforced at the border: the imports (pinggu.analysis.survey_reading's `read_survey`, pinggu.analysis.opinions'
`read_opinions`) never return the personal-data columns named here, so nothing downstream (reports, artifacts,
logs) can leak what it never received. What is typed into the kept text of a questionnaire is replaced by ``MASK``:

* contact data, in free text, demographic answers and the answers quoted in problems: mobile and
  landline numbers, ID-card numbers (18 and 15 digits), e-mail addresses, any other number of 11
  or more digits (bank cards), IPv4 addresses (four octets of 0–255, not all four single digits:
  5.2.1.3 is a clause number; 3.5 and 2026.3.1 are not addresses) and IPv6 addresses (in full or
  with ``::``). A kept id column holding any of these, or a name below, is dropped instead;
* in free text, the row's own personal data as typed in the dropped columns (its name, address …);
* in free text and demographic answers of every row, any respondent's name of three or more
  characters, and every name of ``names`` (the people file's, an office's list) of two or more.

Names are matched as whole occurrences, the longest first, but CJK text has no word boundaries:
a name is masked inside a longer string too (张伟 in 张伟明, a listed 高峰 in 早高峰).
`mask_text` masks any other text (file names, minutes, summaries) the same way, and also the names the
Chinese tagger finds (pinggu.analysis.names) — not run on a questionnaire's own columns, where it would cost about a
millisecond a comment.

What cannot be caught: a two-character name that is in no list and is not the row's own (across
the file it would match ordinary words: 高峰, 田野 …, so it is not looked for); a name in no column
and no list; a name written with spaces or other characters between its characters, in pinyin or
by a nickname; a phone or ID number written in Chinese numerals or split in unusual ways; an
address other than the row's own; personal data inside images or attachments.

Pure pandas: the tagger is imported only when a text is tagged. The underscored names are shared within
analysis/ (survey_reading and opinions mask with the same code, so both imports mask alike), not beyond it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

PERSONAL_DATA_COLUMNS: frozenset[str] = frozenset(
    {
        "姓名",
        "名字",
        "真实姓名",
        "受访者姓名",
        "联系人",
        "手机号",
        "手机号码",
        "手机",
        "电话",
        "电话号码",
        "联系电话",
        "联系方式",
        "固定电话",
        "座机",
        "身份证",
        "身份证号",
        "身份证号码",
        "证件号",
        "证件号码",
        "公民身份号码",
        "住址",
        "地址",
        "家庭住址",
        "居住地址",
        "详细地址",
        "通讯地址",
        "户籍地址",
        "门牌号",
        "邮箱",
        "电子邮箱",
        "电子邮件",
        "邮件",
        "email",
        "e-mail",
        "微信",
        "微信号",
        "qq",
        "qq号",
        "家庭财产",
        "财产",
        "存款",
        "家庭收入",
        "月收入",
        "年收入",
        "具体收入",
        "ip",
        "ip地址",
        "填写人ip",
        "来源ip",
    }
)
# A header not in the exact list but carrying one of these is still personal data (e.g.
# "受访者手机号（选填）", "IP地址"). Only applied to columns that are not question items, so
# "Q5 对办理地址的满意度" stays an item.
_PERSONAL_KEYWORDS: tuple[str, ...] = (
    "姓名",
    "手机",
    "电话",
    "身份证",
    "证件号",
    "住址",
    "地址",
    "邮箱",
    "email",
    "微信",
    "qq",
    "财产",
    "存款",
    "具体收入",
    "月收入",
    "年收入",
)
MASK = "[已隐去]"
# Headers naming the respondent: their values are masked wherever they occur in free text.
_NAME_KEYWORDS: tuple[str, ...] = (
    "姓名",
    "名字",
    "联系人",
    "来信人",
    "来电人",
    "反映人",
    "提出人",
    "意见人",
    "投诉人",
    "署名",
)
_MIN_NAME = 2  # a name of the row itself, or of a list of names, masked in free text
_MIN_NAME_ANYWHERE = 3  # a name of the file masked in every row's free text
_MAX_NAME = 12  # longer "names" are notes, not names
_MIN_OTHER = 4  # another personal value of the row (address, income …), masked in that row
_OCTET = r"(?:25[0-5]|2[0-4]\d|[01]?\d?\d)"
_HEX = r"[0-9A-Fa-f]"
_HEXTET = _HEX + "{1,4}"
_MASK_PATTERN = re.compile(
    "|".join(
        (
            r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}",  # e-mail
            r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])",  # 18-digit ID (may end in X)
            r"(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?!\d)",  # mobile
            r"[(（]0\d{2,3}[)）][-\s]?\d{7,8}(?!\d)",  # landline, (010)12345678
            r"(?<!\d)0\d{2,3}[-\s]?\d{7,8}(?:[-转]\d{1,6})?(?!\d)",  # landline, 010-12345678
            # A bare local number is only masked where the text says it is one, because a bare
            # 7-8 digit figure is as likely to be an amount of money.
            r"(?:(?<=电话|座机|手机|号码|联系)|(?<=tel|Tel|TEL))[:：\s]*\d{7,8}(?!\d)",
            r"(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])",  # 15-digit (old) ID
            r"(?<!\d)\d{11,}(?!\d)",  # any other long number: bank card, odd phone formats
            # IPv4: four octets of 0-255, not part of a longer dotted number. All four of one digit
            # (5.2.1.3) are left: that is a clause or version number far more often than a device.
            # The first octet is written digit first, its bounds checked behind it, because the
            # regex engine rejects a branch that opens with a character class at once at every
            # position of the text, and one that opens with a look-around only after running it.
            r"\d(?<!\d\d)(?<!\d\.\d)(?=\d|[\d.]*\d\d)\d{0,2}(?<!25[6-9])(?<!2[6-9]\d)(?<![3-9]\d\d)\."
            rf"(?:{_OCTET}\.){{2}}{_OCTET}(?!\.?\d)",
            # IPv6, in full or with "::" (2001:db8::1); a bare "::1" or "fe80::" names no device.
            # Opened by a character class for the same reason.
            rf"{_HEX}(?<![0-9A-Za-z:]{_HEX}){_HEX}{{0,3}}:"
            rf"(?:(?:{_HEXTET}:){{6}}{_HEXTET}|(?:{_HEXTET}:){{0,5}}(?::{_HEXTET}){{1,6}})(?![0-9A-Za-z:])",
        )
    )
)
# Every match of _MASK_PATTERN holds a digit (of any script), an e-mail's @ or an IPv6 colon: a
# cell without one (most comments) is skipped by one fast scan instead of the whole pattern's.
_MAY_HOLD_CONTACT = re.compile(r"[\d@:]")
# Every match of _MASK_PATTERN in ASCII text contains one of these once digits are mapped to 0
# and separators (- and whitespace) to -: an e-mail's @, nine digits in a row, digits split by a
# separator, a landline's closing bracket, the label before a bare local number, an IPv4
# address's digit-dot-digit or an IPv6 address's colon. An ASCII column where none occurs holds
# no contact data, so the costly pattern need not run per cell.
_SCREEN_TABLE = bytes.maketrans(b"0123456789\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f ", b"0" * 10 + b"-" * 10)
_SCREEN_MARKERS = (b"@", b")", b"000000000", b"0-0", b"tel", b"Tel", b"TEL", b"0.0", b":")
_DISTINCT_PROBE = 1000


def mask_text(text: str, names: Iterable[str] = (), *, tagged: bool = True) -> str:
    """``text`` with contact data (phone, ID, e-mail, IP address …), every one of ``names`` and (``tagged``) every
    personal name the Chinese tagger finds (pinggu.analysis.names) replaced by MASK."""
    words = _name_set(names)
    if tagged:
        words |= _name_set(_tagged_names(text))
    return _masked(text, _name_matcher(words))


def mask_tagged(text: Any) -> Any:
    """Free text with the personal names the Chinese tagger finds (pinggu.analysis.names) masked; what is not text as it is."""
    if not isinstance(text, str):
        return text
    found = _name_matcher(_name_set(_tagged_names(text)))
    return _mask_names(text, found) if found is not None else text


def _tagged_names(text: str) -> set[str]:
    from pinggu.analysis.names import person_names  # the tagger loads its dictionary on first use

    return set().union(*(person_names(part) for part in text.split(MASK))) if text else set()


@dataclass(frozen=True)
class _Names:
    """Names masked wherever they occur, with what finds them fast."""

    words: frozenset[str]
    lengths: tuple[int, ...]  # the words' lengths, longest first
    starts: re.Pattern[str]  # any character a word begins with


def _name_set(names: Iterable[str]) -> frozenset[str]:
    """The entries of a name list worth looking for: stripped, of _MIN_NAME to _MAX_NAME characters.

    A single character would mask that character in every word; a longer entry is a note.
    """
    # A lone string is one name, not a list of characters (each too short, so silently unmasked).
    entries = (names,) if isinstance(names, str) else names
    return frozenset(
        name
        for entry in entries
        if isinstance(entry, str) and _MIN_NAME <= len(name := entry.strip()) <= _MAX_NAME and name != MASK
    )


def _name_matcher(words: frozenset[str]) -> _Names | None:
    if not words:
        return None
    starts = re.compile("[" + "".join(re.escape(c) for c in sorted({w[0] for w in words})) + "]")
    return _Names(words, tuple(sorted({len(w) for w in words}, reverse=True)), starts)


def _file_names(names: list[pd.Series]) -> frozenset[str]:
    """The file's own names masked in every row: those long enough not to be ordinary words."""
    return frozenset(
        value
        for s in names
        for value in pd.unique(s.astype(object)).tolist()
        if isinstance(value, str) and _MIN_NAME_ANYWHERE <= len(value) <= _MAX_NAME and value != MASK
    )


def _masked(text: str, names: _Names | None) -> str:
    """`mask_text` with the names prepared once: the one implementation of every text masking here."""
    if _MAY_HOLD_CONTACT.search(text):
        text = _MASK_PATTERN.sub(MASK, text)
    return _mask_names(text, names) if names is not None else text


def _mask_cell(value: Any, names: _Names | None = None) -> Any:
    return _masked(value, names) if isinstance(value, str) else value


def _mask_values(values: pd.Series) -> pd.Series:
    return values.map(_mask_cell)


def _mask_cells(series: pd.Series, names: _Names | None) -> pd.Series:
    """A text column with contact data and ``names`` masked in every cell (once per distinct value)."""
    return _per_distinct(lambda values: values.map(lambda value: _mask_cell(value, names)))(series)


def _holds_names(series: pd.Series, names: _Names | None) -> bool:
    """Whether any cell holds one of ``names``; one scan of the joined column rules most columns out."""
    if names is None:
        return False
    values = [v for v in series.tolist() if isinstance(v, str)]
    # NUL joins the cells: no name holds it, so none spans two cells.
    if names.starts.search("\x00".join(values)) is None:
        return False
    return any(_mask_names(v, names) != v for v in dict.fromkeys(values))


def _mask_personal(
    series: pd.Series,
    names: list[pd.Series],
    others: list[pd.Series],
    anywhere: _Names | None = None,
) -> pd.Series:
    """Free text with personal data masked.

    Contact data (phone, ID, e-mail, bank-card numbers, IP addresses) by pattern; the row's own
    personal values as typed in the dropped columns — ``names`` (at least 2 characters) and
    ``others`` such as the address (at least 4); and ``anywhere`` in every row (`_file_names` of
    ``names``, for a respondent who mentions another, and the names of a list).
    """
    masked = _per_distinct(_mask_values)(series)
    if names or others:
        index = masked.index
        texts = masked.to_numpy(dtype=object, na_value="")
        # Only rows with text are looked at: in a large export most comments are blank.
        rows = np.flatnonzero(texts != "")
        own = [
            (values[rows], shortest)
            for group, shortest in ((names, _MIN_NAME), (others, _MIN_OTHER))
            for s in group
            for values in [(s if s.index.equals(index) else s.reindex(index)).to_numpy(dtype=object, na_value="")]
        ]
        changed = False
        for k, i in enumerate(rows.tolist()):
            text = texts[i]
            secrets = [v for values, shortest in own if len(v := values[k].strip()) >= shortest and v in text]
            if secrets:
                # Longest first, so that an address is masked whole before a name inside it.
                for secret in sorted(secrets, key=len, reverse=True):
                    text = text.replace(secret, MASK)
                texts[i] = text
                changed = True
        if changed:
            masked = pd.Series(texts, index=index, dtype=series.dtype, name=series.name)
    if anywhere is not None:
        masked = _per_distinct(lambda values: values.map(lambda text: _mask_names(text, anywhere)))(masked)
    return masked


def _mask_names(text: Any, names: _Names) -> Any:
    """``text`` with every whole occurrence of a name masked, the longest at a position first.

    CJK text has no word boundaries, so a name is masked inside a longer string too (张伟 in 张伟明).
    """
    if not isinstance(text, str) or len(text) < names.lengths[-1]:
        return text
    if MASK in text:
        # What is masked stays masked: a name may share characters with MASK itself.
        return MASK.join(_mask_names(part, names) for part in text.split(MASK))
    out: list[str] = []
    done = 0  # text[:done] is in out
    # Only where a name can begin is looked at: the scan for those characters runs in C.
    for start in names.starts.finditer(text):
        i = start.start()
        if i < done:
            continue
        for size in names.lengths:
            if text[i : i + size] in names.words:
                out += (text[done:i], MASK)
                done = i + size
                break
    if not out:
        return text
    out.append(text[done:])
    return "".join(out)


def _normalise_header(name: str) -> str:
    return re.sub(r"[\s:：*（）()]+", "", name).lower()


def _split_personal(personal: dict[str, pd.Series]) -> tuple[list[pd.Series], list[pd.Series]]:
    """The dropped personal-data columns (by normalised header): those naming people, and the rest."""
    names = [s for key, s in personal.items() if any(word in key for word in _NAME_KEYWORDS)]
    others = [s for key, s in personal.items() if not any(word in key for word in _NAME_KEYWORDS)]
    return names, others


def _holds_contact_data(series: pd.Series) -> bool:
    """Whether any cell has contact data (_MASK_PATTERN), with a one-pass screen over the column.

    The screen is exact only for ASCII (\\d and \\s also match full-width digits and spaces), so
    any other text goes straight to the pattern.
    """
    # NUL joins the cells: it is neither digit nor separator, so no marker spans two cells.
    values = series.tolist()
    joined = "\x00".join(values) if all(isinstance(v, str) for v in values) else ""
    if joined and joined.isascii():
        screened = joined.encode("ascii").translate(_SCREEN_TABLE)
        if not any(marker in screened for marker in _SCREEN_MARKERS):
            return False
    return bool(series.str.contains(_MASK_PATTERN).any())


def _per_distinct(
    transform: Callable[[pd.Series], pd.Series], unless_unique: bool = False
) -> Callable[[pd.Series], pd.Series]:
    """Apply a string transform once per distinct value: answers repeat, so this is far cheaper.

    With ``unless_unique``, a column whose first values are mostly distinct (ids, phone numbers,
    names) is transformed directly: finding its distinct values would cost more than it saves.
    """

    def apply(column: pd.Series) -> pd.Series:
        mostly_distinct = (
            unless_unique
            and len(column) > 2 * _DISTINCT_PROBE
            and column.iloc[:_DISTINCT_PROBE].nunique() > _DISTINCT_PROBE // 10
        )
        if mostly_distinct:
            return transform(column)
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
        done = transform(pd.Series(uniques, dtype=column.dtype)).to_numpy()
        return pd.Series(done[codes], index=column.index, dtype=column.dtype, name=column.name)

    return apply
