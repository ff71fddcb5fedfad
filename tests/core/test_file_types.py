"""pinggu.core.file_types: a file is what its content says, not what its name says (issue 27 item 4a)."""

from __future__ import annotations

import io
import zipfile

import pytest

from pinggu.core.errors import InputFileError
from pinggu.core.file_types import check_content, check_file

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56


def _zip(*members: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member in members:
            archive.writestr(member, "<x/>")
    return buffer.getvalue()


DOCX = _zip("[Content_Types].xml", "word/document.xml")
XLSX = _zip("[Content_Types].xml", "xl/workbook.xml")


@pytest.mark.parametrize(
    ("suffix", "data"),
    [
        (".pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
        (".pdf", b"\r\n%PDF-1.4\n"),  # readers accept the header within the first kilobyte
        (".docx", DOCX),
        (".xlsx", XLSX),
        (".XLSX", XLSX),
        (".csv", "序号,满意度\n1,很满意\n".encode()),
        (".csv", "序号,满意度\n1,很满意\n".encode("gb18030")),
        (".csv", "\ufeff序号\n1\n".encode()),
        (".txt", "会议纪要\n".encode("gb18030")),
        (".xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 8),
    ],
)
def test_files_that_are_what_they_say_pass(suffix, data):
    check_content(data, suffix)


@pytest.mark.parametrize(
    ("suffix", "data", "reason"),
    [
        (".pdf", ELF, "您上传的文件不是有效的PDF 文件：文件开头没有 PDF 标识（%PDF-）"),
        (".docx", ELF, "不是有效的Word 文件（.docx）：文件不是 Office 文档的压缩包格式"),
        (".docx", _zip("word/document.xml"), "压缩包中缺少 [Content_Types].xml"),
        (".docx", XLSX, "压缩包中缺少 word/document.xml"),  # a workbook renamed .docx
        (".xlsx", DOCX, "压缩包中缺少 xl/workbook.xml"),
        (".xlsx", b"PK\x03\x04broken", "压缩包已损坏，无法打开"),
        (".csv", ELF, "含有二进制内容（NUL 字节），不是文本"),
        (".csv", XLSX, "它实际上是压缩包或 Office 文档"),
        (".csv", "序号\n".encode("utf-16"), "UTF-16 编码的文本"),
        (".txt", b"\x81\x30\x81", "无法按 UTF-8 或 GBK 编码识别其中的文字"),
        (".exe", b"MZ", "您上传的文件的类型“.exe”不受理"),
        ("", b"x", "类型“无扩展名”不受理"),
        (".pdf", b"", "您上传的文件是空文件"),
    ],
)
def test_files_that_are_not_are_refused_in_chinese(suffix, data, reason):
    with pytest.raises(InputFileError) as refused:
        check_content(data, suffix)
    assert reason in str(refused.value)


def test_a_file_on_this_machine_is_named_as_the_caller_says(tmp_path):
    renamed = tmp_path / "会议纪要.pdf"
    renamed.write_bytes(ELF)
    with pytest.raises(InputFileError, match="^文件“会议纪要.pdf”不是有效的PDF 文件"):
        check_file(renamed, "文件“会议纪要.pdf”")
    with pytest.raises(InputFileError, match="无法读取您上传的文件"):
        check_file(tmp_path / "没有.pdf")
