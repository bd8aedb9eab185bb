"""Login hardening: rate limits per account and per address (memory and Redis), uniform failures."""

from __future__ import annotations

import itertools
import os
import uuid

import pytest
from sqlalchemy import select

from jco.accounts.models import Account
from tests.conftest import IN_CI

REDIS_URL = os.environ.get("JCO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
_addresses = itertools.count(1)


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}


def new_address() -> str:
    """A client address of its own for each use (TEST-NET-3 strings in the WSGI environ; no traffic)."""
    n = next(_addresses)
    return f"203.0.{113 + n // 250 % 2}.{n % 250 + 1}"


def attempt(client, email, password="wrong-password", address=None, headers=None):
    return client.post(
        "/login", data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address or new_address()}, headers=headers or {},
    )


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


def _redis_or_skip():
    import redis

    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        connection.ping()
    except redis.RedisError as error:
        if IN_CI:
            pytest.fail(f"CI must run the Redis rate-limit test; Redis at {REDIS_URL} is unreachable: {error}")
        pytest.skip(f"Redis at {REDIS_URL} is unreachable: {error}")
    return connection


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": REDIS_URL}])
def test_limits_are_kept_in_redis(client, demo):
    redis_client = _redis_or_skip()
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
