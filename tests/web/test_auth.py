"""auth.py: signed tokens round-trip and expire, tampering and other secrets fail, the static token's expiry."""
from __future__ import annotations

import pytest

from armstrack.web import auth
from armstrack.web.auth import Auth, AuthError, issue, parse_duration, parse_expiry

SECRET = "unit-test-secret-0123456789abcdefghijkl"
NOW = 1_750_000_000


def clock_at(t: float):
    return lambda: t


@pytest.mark.parametrize("text, seconds", [("90s", 90), ("30m", 1800), ("12h", 43200), ("7d", 604800),
                                           ("2w", 1209600), (" 1 d ", 86400), ("366d", 366 * 86400)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "7", "d", "7y", "-1d", "0s", "1.5h", "367d", "7d; rm -rf /"])
def test_bad_durations_are_refused_with_a_reason(text):
    with pytest.raises(AuthError, match="duration"):
        parse_duration(text)


@pytest.mark.parametrize("text, epoch", [("2025-06-15", 1749945600), ("2025-06-15T15:06:40Z", NOW),
                                         ("2025-06-15T17:06:40+02:00", NOW), ("2025-06-15T15:06:40", NOW)])
def test_expiry_times_are_iso_and_utc_unless_told(text, epoch):
    assert parse_expiry(text) == epoch


def test_a_bad_expiry_names_the_variable():
    with pytest.raises(AuthError, match="ARMSTRACK_TOKEN_EXPIRES"):
        parse_expiry("next tuesday")


def test_a_signed_token_works_until_its_expiry_and_not_a_second_after():
    token, expires = issue(SECRET, 60, now=NOW)
    assert expires == NOW + 60 and token.startswith(f"{auth.PREFIX}.{expires}.")
    Auth(secret=SECRET, clock=clock_at(NOW)).check(token)
    Auth(secret=SECRET, clock=clock_at(expires - 0.001)).check(token)
    with pytest.raises(AuthError, match=r"expired at 2025-06-15T15:07:40Z; issue a new one"):
        Auth(secret=SECRET, clock=clock_at(expires)).check(token)


def test_two_tokens_issued_at_once_differ():
    assert issue(SECRET, 60, now=NOW)[0] != issue(SECRET, 60, now=NOW)[0]


@pytest.mark.parametrize("change", [
    lambda t: t.replace(f".{NOW + 60}.", f".{NOW + 6000}."),  # longer life, same MAC
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # MAC changed
    lambda t: t.rsplit(".", 1)[0],  # MAC dropped
    lambda t: t + "=",
    lambda t: " " + t,
    lambda t: "ast2" + t[4:],
])
def test_a_tampered_token_is_wrong_not_expired(change):
    token, _ = issue(SECRET, 60, now=NOW)
    with pytest.raises(AuthError, match="^wrong bearer token$"):
        Auth(secret=SECRET, clock=clock_at(NOW + 3600)).check(change(token))


def test_a_token_of_another_secret_or_without_a_secret_is_wrong():
    token, _ = issue("x" * 40, 60, now=NOW)
    with pytest.raises(AuthError, match="^wrong"):
        Auth(secret=SECRET, clock=clock_at(NOW)).check(token)
    with pytest.raises(AuthError, match="^wrong"):
        Auth(token="static-token", clock=clock_at(NOW)).check(issue(SECRET, 60, now=NOW)[0])


def test_the_static_token_and_its_expiry():
    static = Auth(token="static-token", token_expires=NOW + 10, clock=clock_at(NOW))
    static.check("static-token")
    for given, words in [(None, "missing"), ("", "missing"), ("static-token ", "wrong"), ("STATIC-TOKEN", "wrong")]:
        with pytest.raises(AuthError, match=words):
            static.check(given)
    with pytest.raises(AuthError, match="expired at .*ARMSTRACK_TOKEN_EXPIRES"):
        Auth(token="static-token", token_expires=NOW + 10, clock=clock_at(NOW + 10)).check("static-token")
    with pytest.raises(AuthError, match="^wrong"):  # a wrong token is wrong, not "expired", whatever the time
        Auth(token="static-token", token_expires=NOW, clock=clock_at(NOW + 10)).check("guess")


def test_short_secrets_are_refused():
    with pytest.raises(AuthError, match="too short"):
        Auth(secret="short")
    with pytest.raises(AuthError, match="too short"):
        issue("short", 60)
    assert len(auth.new_secret()) >= auth.MIN_SECRET_CHARS


def test_from_env_reads_the_three_variables_and_never_shows_them():
    env = {auth.TOKEN_ENV: "env-token-value", auth.TOKEN_EXPIRES_ENV: "2025-06-15T15:06:40Z", auth.SECRET_ENV: SECRET}
    read = Auth.from_env(env, clock=clock_at(NOW - 1))
    assert read.enabled and read.token == "env-token-value" and read.token_expires == NOW and read.secret == SECRET
    read.check("env-token-value")
    assert "env-token-value" not in repr(read) and SECRET not in repr(read)
    assert not Auth.from_env({}).enabled
