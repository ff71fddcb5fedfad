"""E-PRIVACY for what people hand in besides data files (services/evaluation/submissions.py): the names to mask come
from the people file and the office's name list, and minutes are stored with contact data and those
names masked; a PDF is stored as submitted (docs/privacy-audit.md "Privacy")."""

from __future__ import annotations

import pytest

from pinggu.core.errors import InputFileError
from pinggu.core.settings import SAMPLES_DIR
from pinggu.services.evaluation.submissions import masked_copy
from pinggu.services.privacy import known_names

pytestmark = pytest.mark.rule("E-PRIVACY")

NAMES = ["钱坤", "张建国"]
TEXT = "参会群众代表慕容雪芳（17733334444，muro@example.com，192.0.2.44）转述钱坤意见；张建国主任出席"
# 慕容雪芳 is in no list: the Chinese tagger finds her (pinggu.analysis.names), as it finds 刘建华 and 王秀英 below.
MASKED = "参会群众代表[已隐去]（[已隐去]，[已隐去]，[已隐去]）转述[已隐去]意见；[已隐去]主任出席"


def test_the_names_to_mask_are_the_people_files_and_the_name_lists(settings):
    from pinggu.people import import_people_file

    import_people_file(SAMPLES_DIR / "people.csv")
    names = known_names()
    assert {"张建国", "赵敏", "王明", "刘志强", "马厅长", "高峰"} <= set(names)
    assert "钱坤" in names  # the session's name list (tests/conftest.py, PINGGU_NAME_LIST)


def test_an_unreadable_name_list_is_refused_in_chinese(settings, monkeypatch, tmp_path):
    elsewhere = settings.model_copy(update={"name_list": tmp_path / "没有这个文件.txt"})
    monkeypatch.setattr("pinggu.services.privacy.get_settings", lambda: elsewhere)
    with pytest.raises(InputFileError, match="无法读取姓名名单 .*没有这个文件.txt（PINGGU_NAME_LIST）"):
        known_names()


def test_text_minutes_are_stored_masked(tmp_path):
    source, stored = tmp_path / "纪要.txt", tmp_path / "stored.txt"
    source.write_bytes(f"座谈会纪要\n{TEXT}\n".encode("gb18030"))
    masked_copy(source, stored, NAMES)
    assert stored.read_text(encoding="utf-8") == f"座谈会纪要\n{MASKED}\n"


def test_three_character_names_in_no_list_are_masked_with_the_phone_beside_them(tmp_path):
    # Issue 27 item 5: the phone number was masked while 刘建华 and 王秀英 beside it were kept.
    source, stored = tmp_path / "纪要.txt", tmp_path / "stored.txt"
    source.write_text("座谈会纪要\n刘建华（13800138000）：电梯补贴到账太慢。王秀英：同意。\n", encoding="utf-8")
    masked_copy(source, stored, NAMES)
    kept = stored.read_text(encoding="utf-8")
    assert kept == "座谈会纪要\n[已隐去]（[已隐去]）：电梯补贴到账太慢。[已隐去]：同意。\n"


def test_word_minutes_are_stored_masked_paragraphs_and_tables(tmp_path):
    from docx import Document

    source, stored = tmp_path / "纪要.docx", tmp_path / "stored.docx"
    document = Document()
    paragraph = document.add_paragraph("参会群众代表慕容雪芳（1773333")
    paragraph.add_run("4444，muro@example.com，192.0.2.44）转述钱坤意见；张建国主任出席")  # split across runs
    document.add_table(rows=1, cols=1).cell(0, 0).text = "联系电话 13812345678"
    document.save(source)
    masked_copy(source, stored, NAMES)
    kept = Document(str(stored))
    assert [p.text for p in kept.paragraphs] == [MASKED]
    assert kept.tables[0].cell(0, 0).text == "联系电话 [已隐去]"


def test_a_pdf_is_stored_as_submitted(tmp_path):
    source, stored = tmp_path / "纪要.pdf", tmp_path / "stored.pdf"
    source.write_bytes(b"%PDF-1.4 17733334444")
    masked_copy(source, stored, NAMES)
    assert stored.read_bytes() == source.read_bytes()


def test_a_word_file_that_is_not_one_is_refused(tmp_path):
    source = tmp_path / "纪要.docx"
    source.write_bytes(b"not a zip")
    with pytest.raises(InputFileError, match="无法打开 Word 文件 纪要.docx"):
        masked_copy(source, tmp_path / "stored.docx", NAMES)
