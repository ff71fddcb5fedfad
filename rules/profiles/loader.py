"""Reading profile files: one parse for line numbers and data, validation, the cached directory."""

from __future__ import annotations

import os
import re
from collections.abc import Hashable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from pinggu.core.errors import InputFileError, NotFound, Problem
from pinggu.core.settings import PROJECT_ROOT
from pinggu.rules.profiles.messages import describe_key, key_path, line_of, problems_of
from pinggu.rules.profiles.schema import Loc, Profile

PROFILES_DIR: Path = Path(os.environ.get("PINGGU_PROFILES_DIR") or PROJECT_ROOT / "profiles")
"""Where the profile files live: ``<repo>/profiles``, or ``$PINGGU_PROFILES_DIR``."""


# --- reading files ------------------------------------------------------------------------------


if TYPE_CHECKING:
    _SafeLoader = yaml.SafeLoader
else:
    _SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when installed


class _Loader(_SafeLoader):
    """Safe loader that refuses a key written twice in one mapping (PyYAML keeps the last silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        # A ``!!map`` tag on a scalar also lands here: the base class reports that node.
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                line = key_node.start_mark.line + 1
                if not isinstance(key, Hashable):  # ? [a, b] or {a: 1}: as a key (the base class would raise TypeError)
                    raise yaml.constructor.ConstructorError(
                        None, None, "键应为文本，不能是列表或键值对", key_node.start_mark
                    )
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"键“{key}”重复（第 {seen[key]} 行已有）", key_node.start_mark
                    )
                seen[key] = line
        return super().construct_mapping(node, deep=deep)


def _refuse(path: Path, problems: list[tuple[Loc, Problem]]) -> InputFileError:
    message = f"规则配置文件 {path} 有误，未加载；请按 rules/profiles/__init__.py 开头的格式说明修改后重试"
    first = next((loc for loc, _ in problems if loc), None)
    return InputFileError(
        message, problems=[p for _, p in problems], file=str(path), key=key_path(first) if first else None
    )


def read_profile_file(path: Path) -> Profile:
    """Read and validate one profile file; InputFileError names the file, line, key and problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise _refuse(path, [((), Problem(reason="文件应为 UTF-8 编码"))]) from None
    except OSError as exc:
        raise _refuse(path, [((), Problem(reason=f"无法读取文件（{exc.strerror or exc}）"))]) from None
    loader = _Loader(text)
    try:
        # One parse: the node tree gives line numbers for problems, the constructed data is validated.
        root = loader.get_single_node()
        raw = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = f"不是有效的 YAML（{getattr(exc, 'problem', None) or exc}）"
        raise _refuse(path, [((), Problem(reason=reason, row=mark.line + 1 if mark else None))]) from None
    finally:
        loader.dispose()
    if not isinstance(raw, dict):
        raise _refuse(path, [((), Problem(reason="文件内容应为键值对（id、name、gates …）"))])
    try:
        profile = Profile.model_validate(raw)
    except ValidationError as exc:
        raise _refuse(path, problems_of(exc, root)) from None
    if profile.id != path.stem:
        problem = Problem(
            reason=f"{describe_key(('id',))}：“{profile.id}”与文件名 {path.name} 不一致", row=line_of(root, ("id",))
        )
        raise _refuse(path, [(("id",), problem)])
    return profile


def _default_dir() -> Path:
    override = os.environ.get("PINGGU_PROFILES_DIR")
    return Path(override) if override else PROFILES_DIR


def _read_dir(directory: Path) -> dict[str, Profile]:
    if not directory.is_dir():
        raise InputFileError(
            f"规则配置目录 {directory} 不存在；请检查环境变量 PINGGU_PROFILES_DIR", file=str(directory)
        )
    profiles = {}
    for path in sorted(directory.glob("*.yaml")):
        profile = read_profile_file(path)
        profiles[profile.id] = profile
    if not profiles:
        raise InputFileError(f"规则配置目录 {directory} 中没有 .yaml 规则文件", file=str(directory))
    return profiles


@lru_cache(maxsize=4)
def _cached(directory: Path) -> dict[str, Profile]:
    return _read_dir(directory)


def load_profiles(directory: Path | None = None) -> dict[str, Profile]:
    """Every profile of the directory by id; the default directory is read once and cached."""
    if directory is None:
        return dict(_cached(_default_dir().resolve()))
    return _read_dir(Path(directory))


def load_profile(profile_id: str, directory: Path | None = None) -> Profile:
    """One profile by id (NotFound when there is no such file)."""
    if directory is None:
        profiles = _cached(_default_dir().resolve())
        if profile_id in profiles:
            return profiles[profile_id]
        known = "、".join(profiles)
    else:
        path = Path(directory) / f"{profile_id}.yaml"
        if re.fullmatch(r"[a-z][a-z0-9_]*", profile_id) and path.is_file():
            return read_profile_file(path)
        known = "、".join(sorted(p.stem for p in Path(directory).glob("*.yaml")))
    raise NotFound(f"未知的规则“{profile_id}”，可用的规则：{known or '无'}", profile=profile_id)


def known_profile_ids(directory: Path | None = None) -> tuple[str, ...]:
    """Ids of the profiles in the directory, sorted (the files are validated on the way)."""
    return tuple(sorted(load_profiles(directory)))


def clear_cache() -> None:
    """Forget the cached default directory (after editing a profile file in a running process)."""
    _cached.cache_clear()
