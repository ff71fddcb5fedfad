"""The rule register (rules/register.yaml): every enforceable rule of the five regulations with a
stable ID, and each rule's source cited in full per regulation ("bazhou 15" → 《霸州市……规定》第十五条).

Tests name the rules they check with ``@pytest.mark.rule("ID")``; ``pinggu rules`` prints the register
with those tests. Pure Python: the profiles give the titles, nothing here names a jurisdiction.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

REGISTER_FILE = Path(__file__).with_name("register.yaml")
CIVIL_CODE = "中华人民共和国民法典"
OFFICIAL_CALENDAR = "国务院办公厅每年发布的部分节假日安排的通知"


class Rule(BaseModel):
    """One registered rule."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")
    title: str = Field(min_length=1)
    phase: Literal[1, 2]
    source: str = Field(min_length=1)
    rule: str = Field(min_length=1)


@dataclass(frozen=True)
class SourcePart:
    """One regulation a rule comes from: a profile (None for national law) and the article in Chinese."""

    profile: str | None  # None: the Civil Code or the official calendar
    article: str  # 第十五条（一） / 档案第十条 / 第三十四条至第三十六条; the whole citation when profile is None


@cache
def load_register(path: Path = REGISTER_FILE) -> tuple[Rule, ...]:
    """The register, validated against the profiles there are: unique IDs, every field present, every
    source citable; a broken file is refused in Chinese."""
    from pinggu.rules.profiles import known_profile_ids

    profiles = frozenset(known_profile_ids())
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
        rules = tuple(Rule.model_validate(entry) for entry in entries)
    except (OSError, yaml.YAMLError, ValidationError, TypeError) as error:
        raise ValueError(f"规则登记表 {path.name} 无法读取：{error}") from None
    seen: set[str] = set()
    repeated = [rule.id for rule in rules if rule.id in seen or seen.add(rule.id)]  # type: ignore[func-returns-value]
    if repeated:
        raise ValueError(f"规则登记表 {path.name} 中的编号重复：{'、'.join(repeated)}")
    for rule in rules:
        try:
            source_parts(rule.source, profiles)  # a source that cannot be cited is refused at load
        except ValueError as error:
            raise ValueError(f"规则登记表 {path.name} 中 {rule.id} 的出处有误：{error}") from None
    return rules


def registered_ids() -> frozenset[str]:
    """Every registered rule ID."""
    return frozenset(rule.id for rule in load_register())


# --- citing a source ---------------------------------------------------------------------------

_DIGITS = "零一二三四五六七八九"
_PART = re.compile(
    r"^(?P<number>\d+)(?:–(?P<last>\d+))?\s*(?:\((?P<item>\d+)\)|\((?P<paragraph>\d+)(?:st|nd|rd|th)\))?$"
)


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 15 → 十五, 62 → 六十二, 201 → 二百零一, 110 → 一百一十 (as article numbers are written)."""
    if not 0 < n < 1000:
        raise ValueError(f"条款序号 {n} 超出范围")
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    text = f"{_DIGITS[hundreds]}百" if hundreds else ""
    if tens:
        text += ("" if tens == 1 and not hundreds else _DIGITS[tens]) + "十"
    elif hundreds and ones:
        text += "零"
    if ones:
        text += _DIGITS[ones]
    return text


def _article(text: str) -> str:
    """ "15" → 第十五条, "12(1)" → 第十二条（一）, "12 (2nd)" → 第十二条第二款, "34–36" → 第三十四条至第三十六条."""
    match = _PART.match(text.strip())
    if match is None:
        raise ValueError(f"无法识别的条款“{text}”")
    article = f"第{chinese_number(int(match['number']))}条"
    if match["last"]:
        joint = "、" if int(match["last"]) == int(match["number"]) + 1 else "至"
        return f"{article}{joint}第{chinese_number(int(match['last']))}条"
    if match["item"]:
        return f"{article}（{chinese_number(int(match['item']))}）"
    if match["paragraph"]:
        return f"{article}第{chinese_number(int(match['paragraph']))}款"
    return article


def source_parts(source: str, profiles: Collection[str]) -> tuple[SourcePart, ...]:
    """The register's short source ("bazhou 15, ordos 12(1), minhang 档案 10") as one part per regulation.

    A word that is one of ``profiles`` names that profile's regulation; a bare number continues the
    regulation named before it; "—" is no article at all.
    """
    parts: list[SourcePart] = []
    current: tuple[str | None, str] | None = None  # (profile, prefix such as 档案) of the last named regulation
    for token in (t.strip() for t in source.split(",")):
        if token in ("—", ""):
            continue
        if token == "official calendar":
            parts.append(SourcePart(None, OFFICIAL_CALENDAR))
            continue
        if token.startswith("Civil Code "):
            parts.append(SourcePart(None, f"《{CIVIL_CODE}》{_article(token.removeprefix('Civil Code '))}"))
            continue
        words = token.split(" ", 1)
        if words[0] in profiles:
            rest = words[1] if len(words) > 1 else ""
            prefix = ""
            if rest[:2] in ("档案", "督查"):
                prefix, rest = rest[:2], rest[2:].strip()
            current = (words[0], prefix)
        elif current is not None:
            rest = token
        else:
            raise ValueError(f"无法识别的出处“{token}”")
        profile, prefix = current
        articles = "、".join(_article(piece) for piece in rest.split("/"))
        parts.append(SourcePart(profile, prefix + articles))
    return tuple(parts)


def citations(rule: Rule, cite: Mapping[str, object]) -> list[tuple[str, str]]:
    """(profile or "—", full citation) for each regulation the rule comes from.

    ``cite`` maps profile ids to objects with a ``citation(article)`` method (pinggu.rules.profiles.Profile).
    """
    cited: list[tuple[str, str]] = []
    for part in source_parts(rule.source, cite.keys()):
        if part.profile is None:
            cited.append(("—", part.article))
        else:
            cited.append((part.profile, cite[part.profile].citation(part.article)))  # type: ignore[attr-defined]
    return cited


# --- which tests mark which rule ------------------------------------------------------------------

_MARKER = re.compile(r"(?:pytest\.mark\.)?rule\(\s*((?:\"[A-Z0-9-]+\"\s*,?\s*)+)\)")
_QUOTED = re.compile(r"\"([A-Z0-9-]+)\"")


def marked_rules(tests_dir: Path) -> dict[str, list[str]]:
    """Rule ID → the test files (relative to tests_dir's parent) whose rule markers name it."""
    found: dict[str, list[str]] = {}
    for path in sorted(tests_dir.rglob("test_*.py")):
        text = path.read_text(encoding="utf-8")
        ids = {rule_id for marker in _MARKER.finditer(text) for rule_id in _QUOTED.findall(marker.group(1))}
        for rule_id in sorted(ids):
            found.setdefault(rule_id, []).append(str(path.relative_to(tests_dir.parent)))
    return found
