"""What a file's content must be for its extension: the one check every face makes before a file is
accepted (the web app's uploads, `pinggu submit`, every gate's preparer, the operator tables read by
pinggu.core.spreadsheet).

An extension says what a file claims to be; the first bytes say what it is. A PDF starts with ``%PDF-``;
a Word or Excel file is a zip holding the members of its format; a CSV or text file decodes as UTF-8 or
GBK and holds no NUL byte. Anything else — an executable renamed ``.pdf``, a zip renamed ``.docx`` — is
refused in Chinese naming the file as the person knows it (``shown``: 您上传的文件, or the name they
gave), never by its content hash.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from pinggu.core.errors import InputFileError

UPLOADED = "您上传的文件"

# The members each Office format's zip must hold (ECMA-376: the content types, the main part).
_ZIP_MEMBERS = {
    ".docx": ("[Content_Types].xml", "word/document.xml"),
    ".xlsx": ("[Content_Types].xml", "xl/workbook.xml"),
    ".xlsm": ("[Content_Types].xml", "xl/workbook.xml"),
}
_KIND_NAMES = {
    ".pdf": "PDF 文件",
    ".docx": "Word 文件（.docx）",
    ".xlsx": "Excel 文件（.xlsx）",
    ".xlsm": "Excel 文件（.xlsm）",
    ".xls": "旧版 Excel 文件（.xls）",
    ".csv": "CSV 文本文件",
    ".txt": "文本文件",
}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound-file header of .xls (and .doc)
_PDF_HEADER_WITHIN = 1024  # PDF readers accept the header anywhere in the first kilobyte


def checked_kinds() -> tuple[str, ...]:
    """The extensions whose content this module knows how to check."""
    return tuple(_KIND_NAMES)


def check_content(data: bytes, suffix: str, shown: str = UPLOADED) -> None:
    """Refuse (InputFileError) content that is not what the extension says; nothing when it is."""
    suffix = suffix.lower()
    kind = _KIND_NAMES.get(suffix)
    if kind is None:
        allowed = "、".join(_KIND_NAMES)
        raise InputFileError(f"{shown}的类型“{suffix or '无扩展名'}”不受理：可提交 {allowed} 文件")
    if not data:
        raise InputFileError(f"{shown}是空文件，请检查后重新提交")
    reason = _why_not(data, suffix)
    if reason:
        raise InputFileError(f"{shown}不是有效的{kind}：{reason}，未受理；请确认文件内容后重新提交")


def check_file(path: Path, shown: str = UPLOADED) -> None:
    """check_content for a file on this machine (read whole: uploads are capped at 20 MB)."""
    try:
        data = path.read_bytes()
    except OSError:
        raise InputFileError(f"无法读取{shown}，请重新提交") from None
    check_content(data, path.suffix, shown)


def _why_not(data: bytes, suffix: str) -> str | None:
    """Why the content is not of the extension's format, in Chinese; None when it is."""
    if suffix == ".pdf":
        return None if b"%PDF-" in data[:_PDF_HEADER_WITHIN] else "文件开头没有 PDF 标识（%PDF-）"
    if suffix in _ZIP_MEMBERS:
        return _zip_problem(data, _ZIP_MEMBERS[suffix])
    if suffix == ".xls":
        return None if data.startswith(_OLE) else "文件开头没有旧版 Excel 的标识"
    return _text_problem(data)


def _zip_problem(data: bytes, members: tuple[str, ...]) -> str | None:
    if not data.startswith(b"PK\x03\x04"):
        return "文件不是 Office 文档的压缩包格式"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return "压缩包已损坏，无法打开"
    missing = [member for member in members if member not in names]
    return f"压缩包中缺少 {'、'.join(missing)}" if missing else None


def _text_problem(data: bytes) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "它是 UTF-16 编码的文本，请另存为 UTF-8 或 GBK 编码"
    if data.startswith(b"PK\x03\x04"):
        return "它实际上是压缩包或 Office 文档（如 Excel），请按实际类型另存或改用对应的扩展名"
    if b"\x00" in data:
        return "含有二进制内容（NUL 字节），不是文本"
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            data.decode(encoding)
            return None
        except UnicodeDecodeError:
            continue
    return "无法按 UTF-8 或 GBK 编码识别其中的文字"
