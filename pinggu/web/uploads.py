"""An uploaded file, checked by its content and kept in the document store's quarantine under a neutral name;
every step page that takes a file (an evaluation's gate, a decision procedure's survey) receives it here."""

from __future__ import annotations

import contextlib
import re
import uuid
from pathlib import Path

from starlette.datastructures import UploadFile

from pinggu.core.document_store import document_store, keep
from pinggu.core.errors import InputFileError
from pinggu.core.file_types import check_content
from pinggu.core.settings import get_settings

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _safe_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name
    cleaned = re.sub(r"[^\w.\-（）()]", "_", base).lstrip(".")
    return cleaned[:120] or "upload"


async def save_upload(upload: UploadFile, *, title: str, folder: str, allowed: tuple[str, ...]) -> str:
    """Check the upload (type, size, content) and keep it; its store location, or InputFileError in Chinese."""
    # A file name can carry a name or a phone number (E-PRIVACY): the upload is kept under a neutral one.
    name = f"{title}{Path(_safe_name(upload.filename or '')).suffix.lower()}"
    suffix = Path(name).suffix.lower()
    if suffix not in allowed:
        raise InputFileError(f"不支持的文件类型“{suffix or name}”：本环节可上传 {'、'.join(allowed)} 文件")
    data = await upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputFileError(f"文件 {name} 超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB，请压缩或拆分后上传")
    if not data:
        raise InputFileError(f"文件 {name} 是空文件")
    check_content(data, suffix)  # by its content, not its name: nothing else is ever stored (pinggu.core.file_types)
    # Received here, then kept in the document store's quarantine, where the worker that runs the
    # flow (on whichever machine) reads it.
    received_in = get_settings().uploads_dir / folder / uuid.uuid4().hex[:8]
    received_in.mkdir(parents=True, exist_ok=True)
    received = received_in / name
    try:
        received.write_bytes(data)
        return keep(received, "uploads").location
    finally:
        received.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            received_in.rmdir()


def discard(location: str | None) -> None:
    """Delete a kept upload a refused answer brought (the reason is recorded; the data is not needed)."""
    if location:
        document_store().delete(location)
