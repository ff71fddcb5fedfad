"""The document store: every document, upload and report, kept by content hash where every machine
of the installation reads it (PINGGU_STORE_URL).

A local directory by default; S3-compatible object storage (MinIO, or a cloud provider's) through
fsspec's s3fs. An object's name is its SHA-256, so a worker on another machine reads exactly what a
different worker wrote, and writing the same content twice is one object. The database records an
object by its location: an absolute path for a directory store, `s3://bucket/prefix/...` otherwise
(locations recorded before the store existed are plain paths, and are read as such).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pinggu.core.errors import NotFound, StoreUnavailable
from pinggu.core.faults import fault_point
from pinggu.core.settings import get_settings

Area = Literal["documents", "uploads"]  # uploads: files as received, the quarantine; never archived
# An object's name within the store: its area, the first two hex digits of its hash, the hash and extension.
_OBJECT_NAME = re.compile(r"(?:uploads|documents)/([0-9a-f]{2})/\1[0-9a-f]{62}(?:\.[a-z0-9]{1,8})?")


@dataclass(frozen=True)
class StoredObject:
    """What the database records of a stored file."""

    location: str
    sha256: str
    size: int


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's content."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_remote(location: str) -> bool:
    """Whether `location` names an object in object storage rather than a file on this machine."""
    return "://" in location and not location.startswith("file://")


def shown_name(title: str, location: str) -> str:
    """The file name a person gets for a stored document: its title with the stored file's extension (the
    object itself is named by its hash)."""
    suffix = Path(location.rsplit("/", 1)[-1]).suffix.lower()
    cleaned = "".join("_" if character in '/\\:*?"<>|' else character for character in title).strip()
    return f"{cleaned or '文件'}{suffix}"


def _filesystem(location: str) -> tuple[Any, str]:
    import fsspec.core  # s3fs is imported by fsspec only for an s3:// location

    filesystem, path = fsspec.core.url_to_fs(location)
    return filesystem, str(path)


def _unavailable(action: str, location: str, error: Exception) -> StoreUnavailable:
    return StoreUnavailable(
        f"文档存储无法{action}（{location}）：{error}；请检查 PINGGU_STORE_URL 指向的目录或对象存储是否可写、"
        "可访问，凭据（AWS_ACCESS_KEY_ID 等）是否正确。流程中的步骤会自动重试；提交材料时请稍后再提交",
        location=location,
    )


class DocumentStore:
    """One store rooted at `root` (a directory or an s3:// URL); `cache` holds local copies of remote objects."""

    def __init__(self, root: str, cache: Path) -> None:
        self.root = root.rstrip("/")
        self.cache = cache

    def location_of(self, sha256: str, suffix: str, area: Area = "documents") -> str:
        return f"{self.root}/{area}/{sha256[:2]}/{sha256}{suffix.lower()}"

    def put(self, source: Path, area: Area = "documents") -> StoredObject:
        """Keep the file at `source` (on this machine) in the store; an object of the same content is kept once."""
        sha256, size = file_sha256(source), source.stat().st_size
        location = self.location_of(sha256, source.suffix, area)
        try:
            fault_point("store-write")
            if is_remote(location):
                filesystem, path = _filesystem(location)
                if not filesystem.exists(path):
                    filesystem.put_file(str(source), path)  # one PUT: a reader sees the whole object or none
            elif not Path(location).is_file() or Path(location).stat().st_size != size:
                target = Path(location)
                target.parent.mkdir(parents=True, exist_ok=True)
                partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
                try:
                    shutil.copyfile(source, partial)
                    os.replace(partial, target)
                finally:
                    partial.unlink(missing_ok=True)
        except OSError as error:
            raise _unavailable("写入", location, error) from error
        return StoredObject(location=location, sha256=sha256, size=size)

    def holds(self, location: str) -> bool:
        """Whether `location` names an object of this store (an upload or a document, by its hash), and nothing
        else: a path elsewhere on the server, or one that leads out of the store through `..` or a link."""
        if is_remote(self.root) or is_remote(location):
            prefix = self.root + "/"
            return location.startswith(prefix) and _OBJECT_NAME.fullmatch(location[len(prefix) :]) is not None
        path = Path(location.removeprefix("file://"))
        if not path.is_absolute():
            return False
        try:
            inside = path.resolve().relative_to(Path(self.root.removeprefix("file://")).resolve())
        except (OSError, ValueError):
            return False
        return _OBJECT_NAME.fullmatch(inside.as_posix()) is not None

    def local_file(self, location: str) -> Path:
        """A file on this machine with the content of `location`: the file itself in a directory store, else a
        cached copy, fetched once and checked against the content hash it is named by."""
        if not is_remote(location):
            path = Path(location.removeprefix("file://"))
            if not path.is_file():
                raise NotFound(f"文档存储中找不到文件 {location}", location=location)
            return path
        name = location.rsplit("/", 1)[-1]
        cached = self.cache / name
        expected = Path(name).stem
        if cached.is_file() and file_sha256(cached) == expected:
            return cached
        self.cache.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(dir=self.cache, suffix=".part")
        os.close(handle)
        try:
            filesystem, remote_path = _filesystem(location)
            filesystem.get_file(remote_path, partial)
            if len(expected) == 64 and file_sha256(Path(partial)) != expected:
                raise StoreUnavailable(f"文档存储中的 {location} 内容与其哈希不符，可能已损坏", location=location)
            os.replace(partial, cached)
        except FileNotFoundError as error:
            raise NotFound(f"文档存储中找不到文件 {location}", location=location) from error
        except OSError as error:
            raise _unavailable("读取", location, error) from error
        finally:
            Path(partial).unlink(missing_ok=True)
        return cached

    def delete(self, location: str) -> None:
        """Remove an object (a refused upload); nothing if it is already gone."""
        try:
            if is_remote(location):
                filesystem, path = _filesystem(location)
                if filesystem.exists(path):
                    filesystem.rm_file(path)
            else:
                Path(location).unlink(missing_ok=True)
        except OSError as error:
            raise _unavailable("删除", location, error) from error


def document_store() -> DocumentStore:
    """The store of this process's settings (built on each call: cheap, and follows a test's settings)."""
    settings = get_settings()
    return DocumentStore(settings.resolved_store_url, settings.store_cache_dir)


def keep(source: Path, area: Area = "documents") -> StoredObject:
    """Put a file written on this machine into the store (see DocumentStore.put)."""
    return document_store().put(source, area)


def local_file(location: str) -> Path:
    """A file on this machine with the content of a recorded location (see DocumentStore.local_file)."""
    return document_store().local_file(location)


def in_store(location: str) -> bool:
    """Whether a location names an object of this installation's store (see DocumentStore.holds)."""
    return document_store().holds(location)
