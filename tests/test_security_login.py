"""Login hardening: rate limits per account and per address (memory and Redis), uniform failures."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from jco.accounts.models import Account
from tests.helpers import log_in, new_address
from tests.servers import REDIS_URL, redis_or_skip


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}


def attempt(client, email, password="wrong-password", address=None, headers=None):
    return log_in(client, email, password, address=address, headers=headers)


def unique_email() -> str:
    return f"nobody-{uuid.uuid4().hex[:10]}@example.org"


def check_account_limit(client, email: str, password: str = "jco-demo") -> None:
    """Ten failures for one account, each from another address: the eleventh try is refused."""
    for _ in range(10):
        assert attempt(client, email).status_code == 200
    response = attempt(client, email, password)  # even the right password, from a new address
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def check_address_limit(client) -> None:
    """Thirty failures from one address, each for another account: the next one is refused."""
    address = new_address()
    for _ in range(30):
        assert attempt(client, unique_email(), address=address).status_code == 200
    assert attempt(client, unique_email(), address=address).status_code == 429
    assert attempt(client, unique_email(), address=new_address()).status_code == 200


def test_failures_for_one_account_are_limited(client, demo):
    check_account_limit(client, "de.delegate@example.org")
    # Another account is not affected.
    assert attempt(client, "fr.delegate@example.org", "jco-demo").status_code == 302


def test_failures_from_one_address_are_limited(client, demo):
    check_address_limit(client)


def test_successful_logins_do_not_count(app, demo):
    address = new_address()
    for _ in range(35):
        client = app.test_client()
        assert attempt(client, "pl.delegate@example.org", "jco-demo", address=address).status_code == 302


def test_account_limit_ignores_the_case_of_the_email(client, demo):
    for n in range(10):
        email = "De.Delegate@Example.org" if n % 2 else "de.delegate@example.org "
        assert attempt(client, email).status_code == 200
    assert attempt(client, "DE.DELEGATE@EXAMPLE.ORG").status_code == 429


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "JCO_TRUSTED_PROXIES": 1}])
def test_behind_a_proxy_the_forwarded_address_is_limited(client, demo):
    proxy = new_address()
    client_a, client_b = new_address(), new_address()
    for _ in range(30):
        response = attempt(client, unique_email(), address=proxy, headers={"X-Forwarded-For": client_a})
        assert response.status_code == 200
    assert attempt(client, unique_email(), address=proxy, headers={"X-Forwarded-For": client_a}).status_code == 429
    assert attempt(client, unique_email(), address=proxy, headers={"X-Forwarded-For": client_b}).status_code == 200


def test_without_trusted_proxies_a_forged_forwarded_address_does_not_help(client, demo):
    address = new_address()
    for _ in range(30):
        forged = {"X-Forwarded-For": new_address()}
        assert attempt(client, unique_email(), address=address, headers=forged).status_code == 200
    forged = {"X-Forwarded-For": new_address()}
    assert attempt(client, unique_email(), address=address, headers=forged).status_code == 429


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": REDIS_URL}])
def test_limits_are_kept_in_redis(client, demo):
    redis_client = redis_or_skip()
    email = unique_email()
    for _ in range(10):
        assert attempt(client, email).status_code == 200
    assert attempt(client, email).status_code == 429
    keys = [k.decode() for k in redis_client.scan_iter(match=f"*{email}*")]
    assert keys, "the per-account counter is not in Redis"
    check_address_limit(client)


def _bodies(client, email, password):
    response = client.post("/login", data={"email": email, "password": password})
    return response.status_code, response.get_data(as_text=True).replace(email, "EMAIL")


def test_every_failure_gets_the_same_answer(client, demo, db):
    disabled = db.scalar(select(Account).where(Account.email == "fr.delegate@example.org"))
    disabled.active = False
    db.commit()
    unknown = _bodies(client, "nobody@example.org", "jco-demo")
    wrong_password = _bodies(client, "de.delegate@example.org", "not-the-password")
    inactive = _bodies(client, "fr.delegate@example.org", "jco-demo")
    assert unknown == wrong_password == inactive
    assert unknown[0] == 200 and "The email or the password is not right." in unknown[1]
