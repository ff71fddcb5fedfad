"""Signing in from tests: a password for a person of the people file, a client signed in as them, and
POSTs that carry the page's CSRF token and form nonce as a browser's would."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

PASSWORD = "Pinggu-测试-2026"  # upper and lower case, digits and symbols: the policy's three kinds and more
ACCOUNTS_MADE = False  # tests/conftest.py drops every account after a module that made some


def give_password(person: str, password: str = PASSWORD) -> str:
    """Set the person's password (姓名 or 登录名); their login name."""
    from pinggu.services.accounts import set_password

    global ACCOUNTS_MADE
    ACCOUNTS_MADE = True
    return set_password(person, password)


def drop_accounts() -> None:
    """Remove every account: the sample people answer with their sign-off codes again (other tests do)."""
    from sqlmodel import delete

    from pinggu.models.db import transaction
    from pinggu.models.tables import Account

    global ACCOUNTS_MADE
    transaction(lambda session: session.exec(delete(Account)))
    ACCOUNTS_MADE = False


def guard(client: TestClient, page: str) -> dict[str, str]:
    """The hidden CSRF token and form nonce of a page's form, as the browser posts them."""
    html = client.get(page).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    nonce = re.search(r'name="form_nonce" value="([^"]+)"', html)
    assert token and nonce, f"no form guard on {page}"
    return {"csrf_token": token.group(1), "form_nonce": nonce.group(1)}


def post(client: TestClient, path: str, data: dict, *, page: str | None = None, **kwargs):
    """POST `data` to `path` with the guard of `page` (default: the same path)."""
    return client.post(path, data={**guard(client, page or path), **data}, **kwargs)


def sign_in(client: TestClient, login: str, password: str = PASSWORD):
    """Sign the client in through the login page; the response after the redirect."""
    return post(client, "/login", {"login": login, "password": password, "next": "/"}, page="/login")


def signed_in_client(app, person: str, password: str = PASSWORD) -> TestClient:
    """A client of `app` signed in as the person (a password is set for them first)."""
    login = give_password(person, password)
    client = TestClient(app)
    response = sign_in(client, login, password)
    assert response.status_code == 200 and "退出登录" in response.text, response.text[:400]
    return client
