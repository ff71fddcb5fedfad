"""The document store: content-addressed, the same for a directory and for S3-compatible object storage."""

from __future__ import annotations

import hashlib
import os

import pytest
from object_store import BUCKET, start_s3_server, stop_s3_server

from pinggu.core.document_store import DocumentStore, shown_name
from pinggu.core.errors import NotFound, StoreUnavailable


@pytest.fixture(scope="module")
def s3_root():
    """A bucket on a throwaway moto S3 server; its credentials in the environment for the module."""
    saved = dict(os.environ)
    process, environment = start_s3_server()
    os.environ.update(environment)
    try:
        yield f"s3://{BUCKET}/unit"
    finally:
        os.environ.clear()
        os.environ.update(saved)
        stop_s3_server(process)


@pytest.fixture(params=["directory", "s3"])
def root(request, tmp_path):
    return str(tmp_path / "store") if request.param == "directory" else request.getfixturevalue("s3_root")


def _file(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_file_is_kept_under_its_content_hash_and_read_back_on_another_machine(root, tmp_path):
    data = "评估报告正文".encode() * 1000
    writer = DocumentStore(root, tmp_path / "writer-cache")
    stored = writer.put(_file(tmp_path, "评估报告.PDF", data))

    digest = hashlib.sha256(data).hexdigest()
    assert stored.sha256 == digest and stored.size == len(data)
    assert stored.location == f"{root}/documents/{digest[:2]}/{digest}.pdf"
    reader = DocumentStore(root, tmp_path / "reader-cache")  # another worker: its own cache, the same store
    assert reader.local_file(stored.location).read_bytes() == data


def test_the_same_content_is_one_object_and_uploads_are_kept_apart(root, tmp_path):
    store = DocumentStore(root, tmp_path / "cache")
    first = store.put(_file(tmp_path, "a.csv", b"x,y\n1,2\n"))
    again = store.put(_file(tmp_path, "b.csv", b"x,y\n1,2\n"))
    upload = store.put(_file(tmp_path, "c.csv", b"x,y\n1,2\n"), "uploads")
    assert again == first
    assert upload.location.startswith(f"{root}/uploads/") and upload.sha256 == first.sha256


def test_a_remote_copy_that_no_longer_matches_its_hash_is_fetched_again(s3_root, tmp_path):
    store = DocumentStore(s3_root, tmp_path / "cache")
    stored = store.put(_file(tmp_path, "r.txt", b"recorded content"))
    cached = store.local_file(stored.location)
    cached.write_bytes(b"tampered")
    assert store.local_file(stored.location).read_bytes() == b"recorded content"


def test_a_missing_object_is_named_in_chinese(root, tmp_path):
    store = DocumentStore(root, tmp_path / "cache")
    with pytest.raises(NotFound, match="文档存储中找不到文件"):
        store.local_file(store.location_of("0" * 64, ".pdf"))


def test_a_store_that_cannot_be_written_says_what_to_check(tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the store's directory should be")
    store = DocumentStore(str(blocked), tmp_path / "cache")
    with pytest.raises(StoreUnavailable, match="文档存储无法写入.*PINGGU_STORE_URL"):
        store.put(_file(tmp_path, "a.pdf", b"%PDF"))


def test_a_refused_upload_is_deleted(root, tmp_path):
    store = DocumentStore(root, tmp_path / "cache")
    stored = store.put(_file(tmp_path, "refused.csv", b"bad"), "uploads")
    store.delete(stored.location)
    store.delete(stored.location)  # already gone: nothing to do
    with pytest.raises(NotFound):
        DocumentStore(root, tmp_path / "other-cache").local_file(stored.location)


def test_a_person_gets_the_title_as_the_file_name():
    assert shown_name("评估方案（第1稿）", "/s/documents/ab/abc.PDF") == "评估方案（第1稿）.pdf"
    assert shown_name("a/b:c", "s3://b/documents/ab/abc.docx") == "a_b_c.docx"
