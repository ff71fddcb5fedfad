"""Personal accounts (services/accounts.py): the password policy, sign-in, lockout after repeated failures
(one audit event per lock, however many tries), removal from the people file, single sign-on's mapping,
and that no password ever reaches the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
import signin
from sqlmodel import col, select

from pinggu.core.errors import LoginRefused
from pinggu.core.settings import SAMPLES_DIR
from pinggu.models.db import read_session
from pinggu.models.tables import AuditEvent, now_beijing
from pinggu.services import accounts


@pytest.fixture(autouse=True)
def sample_people(settings):
    from pinggu.people import import_people_file

    import_people_file(SAMPLES_DIR / "people.csv")
    yield
    import_people_file(SAMPLES_DIR / "people.csv")


def _events(action: str, actor_part: str) -> list[AuditEvent]:
    with read_session() as session:
        found = session.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id)))
        return [e for e in found if actor_part in e.actor]


def test_a_weak_password_is_refused_with_every_reason_and_nothing_is_stored():
    with pytest.raises(LoginRefused) as refused:
        accounts.set_password("赵敏", "zhaomin1")
    assert refused.value.message == (
        "密码不符合要求：密码至少 10 位（收到 8 位）；密码须包含大写字母、小写字母、数字、符号中的至少 3 种（收到 2 种）；"
        "密码不能包含登录名"
    )
    with pytest.raises(LoginRefused, match="此账户尚未设置密码"):
        accounts.sign_in("zhaomin", "zhaomin1", address="127.0.0.1")


def test_sign_in_names_the_person_and_the_audit_never_holds_the_password():
    login = signin.give_password("赵敏")
    signed = accounts.sign_in(login.upper(), signin.PASSWORD, address="127.0.0.1")
    assert (signed.viewer.name, signed.viewer.unit, signed.login) == ("赵敏", "决策承办单位", "zhaomin")
    assert accounts.current_viewer(signed.viewer.person_id, signed.epoch) == signed.viewer
    with read_session() as session:
        everything = " ".join(f"{e.actor} {e.detail}" for e in session.exec(select(AuditEvent)))
    assert signin.PASSWORD not in everything and "argon2" not in everything
    assert _events("login", "赵敏（zhaomin）")[-1].detail["via"] == "密码"
    assert _events("password_set", "管理员")[-1].detail["person"] == "赵敏（zhaomin）"


def test_five_wrong_passwords_lock_the_account_until_the_lock_ends_with_one_audit_event_per_lock(monkeypatch):
    login = signin.give_password("高峰")
    for left in (4, 3, 2, 1):
        with pytest.raises(LoginRefused, match=f"登录名或密码不正确（再错 {left} 次账户将被锁定）"):
            accounts.sign_in(login, "Wrong-password-1", address="10.0.0.9")
    with pytest.raises(LoginRefused, match="账户已锁定：连续 5 次输错密码，请于 .* 后再试"):
        accounts.sign_in(login, "Wrong-password-1", address="10.0.0.9")
    for _ in range(5):  # the right password too, while locked; audited once
        with pytest.raises(LoginRefused, match="账户已锁定"):
            accounts.sign_in(login, signin.PASSWORD, address="10.0.0.9")
    assert len(_events("account_locked", "高峰")) == 1
    assert len(_events("login_refused_locked", "高峰")) == 1
    later = now_beijing() + timedelta(minutes=16)
    monkeypatch.setattr(accounts, "now_beijing", lambda: later)
    assert accounts.sign_in(login, signin.PASSWORD, address="10.0.0.9").viewer.name == "高峰"


def test_someone_removed_from_the_people_file_loses_access_at_once(tmp_path):
    from pinggu.people import import_people_file

    login = signin.give_password("赵敏")
    signed = accounts.sign_in(login, signin.PASSWORD, address="127.0.0.1")
    smaller = tmp_path / "people.csv"
    lines = (SAMPLES_DIR / "people.csv").read_text(encoding="utf-8").splitlines()
    smaller.write_text("\n".join(line for line in lines if not line.startswith("赵敏")) + "\n", encoding="utf-8")
    import_people_file(smaller)
    assert accounts.current_viewer(signed.viewer.person_id, signed.epoch) is None
    with pytest.raises(LoginRefused, match="登录名或密码不正确"):
        accounts.sign_in(login, signin.PASSWORD, address="127.0.0.1")


def test_a_new_password_or_a_logout_ends_the_earlier_sessions():
    login = signin.give_password("王明")
    first = accounts.sign_in(login, signin.PASSWORD, address="127.0.0.1")
    accounts.sign_out(first.viewer, address="127.0.0.1")
    assert accounts.current_viewer(first.viewer.person_id, first.epoch) is None
    second = accounts.sign_in(login, signin.PASSWORD, address="127.0.0.1")
    signin.give_password("王明", "Another-长口令-9")
    assert accounts.current_viewer(second.viewer.person_id, second.epoch) is None


def test_single_sign_on_maps_the_login_claim_to_the_people_file_and_keeps_the_subject():
    with pytest.raises(LoginRefused, match="统一身份认证的账户 nobody 不在本系统的人员名单中"):
        accounts.sign_in_sso("nobody", "sub-1", address="127.0.0.1", provider="统一身份认证")
    signin.ACCOUNTS_MADE = True  # an account opened by single sign-on: dropped after the module
    signed = accounts.sign_in_sso("MATINGZHANG", "sub-ma", address="127.0.0.1", provider="统一身份认证")
    assert signed.viewer.name == "马厅长" and signed.viewer.profiles == ("ningxia_commerce",)
    with pytest.raises(LoginRefused, match="统一身份认证返回的身份与此前登录时不一致"):
        accounts.sign_in_sso("matingzhang", "sub-someone-else", address="127.0.0.1", provider="统一身份认证")
