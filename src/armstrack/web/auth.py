"""Who may write through the API: a static token, or signed tokens that expire.

Two kinds of bearer token open the write routes (api.py), each read from the
environment so it never shows in the process list:

* the static ``$ARMSTRACK_TOKEN``, for one analyst's machine, valid until
  ``$ARMSTRACK_TOKEN_EXPIRES`` (an ISO date or time) if that is set;
* signed tokens from ``armstrack token issue --expires 7d``, for handing out to
  several people for a while: ``ast1.<expiry>.<id>.<mac>`` with
  ``mac = HMAC-SHA256($ARMSTRACK_SECRET, "ast1.<expiry>.<id>")``. The server
  keeps no list of them: whoever holds the secret can issue one, and changing
  the secret revokes every token at once. The random id makes two tokens issued
  in the same second differ.

Comparisons are constant-time, and "expired" is said only of a token whose
signature is good (or of the right static token), so the message tells a
guesser nothing. Nothing here logs a token or the secret. The clock is a
parameter so tests can move time.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Mapping

from armstrack.errors import ArmstrackError

TOKEN_ENV = "ARMSTRACK_TOKEN"
TOKEN_EXPIRES_ENV = "ARMSTRACK_TOKEN_EXPIRES"
SECRET_ENV = "ARMSTRACK_SECRET"
PREFIX = "ast1"  # versioned, so a future format can be told apart
ID_BYTES = 9  # random id per token: 72 bits, 12 base64url characters
MIN_SECRET_CHARS = 32  # `armstrack token secret` prints 43 (32 random bytes, base64url)
SECRET_BYTES = 32
MAX_TTL_SECONDS = 366 * 86400  # a token for more than a year is a static token: use $ARMSTRACK_TOKEN
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_SIGNED = re.compile(rf"^{PREFIX}\.(\d{{1,12}})\.([A-Za-z0-9_-]{{1,64}})\.([A-Za-z0-9_-]{{43}})$")


class AuthError(ArmstrackError):
    """A bearer token is missing, wrong or expired (the API answers 401), or auth is misconfigured."""


def parse_duration(text: str) -> int:
    """Seconds in "90s", "30m", "12h", "7d" or "2w" (at most ``MAX_TTL_SECONDS``)."""
    m = DURATION.match(text or "")
    if not m:
        raise AuthError(f"duration {text!r}: write a number and a unit, s, m, h, d or w (7d)")
    seconds = int(m.group(1)) * UNITS[m.group(2)]
    if not 0 < seconds <= MAX_TTL_SECONDS:
        raise AuthError(f"duration {text!r}: must be more than 0 and at most {MAX_TTL_SECONDS // 86400} days")
    return seconds


def parse_expiry(text: str) -> float:
    """Epoch seconds of an ISO date ("2026-03-01", midnight UTC) or time ("2026-03-01T18:00+01:00")."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise AuthError(f"${TOKEN_EXPIRES_ENV}={text!r} is not an ISO date or time (2026-03-01T18:00Z)") from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.timestamp()


def iso(epoch: float) -> str:
    """A timestamp as the UTC time people read in messages."""
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_secret() -> str:
    """A fresh random secret for ``$ARMSTRACK_SECRET``."""
    return secrets.token_urlsafe(SECRET_BYTES)


def _check_secret(secret: str) -> bytes:
    if len(secret) < MIN_SECRET_CHARS:
        raise AuthError(f"${SECRET_ENV} is too short: use at least {MIN_SECRET_CHARS} characters "
                        "(`armstrack token secret` makes one)")
    return secret.encode("utf-8")


def _mac(key: bytes, payload: str) -> str:
    digest = hmac.new(key, payload.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def issue(secret: str, ttl_seconds: int, *, now: float | None = None) -> tuple[str, int]:
    """A signed token valid for ``ttl_seconds`` from ``now``.

    Returns:
        The token and its expiry in epoch seconds.
    """
    key = _check_secret(secret)
    expires = int(time.time() if now is None else now) + ttl_seconds
    payload = f"{PREFIX}.{expires}.{secrets.token_urlsafe(ID_BYTES)}"
    return f"{payload}.{_mac(key, payload)}", expires


@dataclass(frozen=True)
class Auth:
    """The tokens a server accepts; ``check`` passes or raises ``AuthError`` with a message safe to send.

    Attributes:
        token: the static token, or None.
        token_expires: when the static token stops working (epoch seconds), or None for never.
        secret: the key of signed tokens, or None to accept none.
        clock: epoch seconds now (``time.time``; tests move it).
    """

    token: str | None = None
    token_expires: float | None = None
    secret: str | None = field(default=None, repr=False)
    clock: Callable[[], float] = time.time

    def __post_init__(self):
        if self.secret is not None:
            _check_secret(self.secret)

    def __repr__(self) -> str:  # never show the token or the secret, even in a traceback
        return f"Auth(token={'set' if self.token else None}, token_expires={self.token_expires}, " \
               f"secret={'set' if self.secret else None})"

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ, clock: Callable[[], float] = time.time) -> Auth:
        """The tokens configured by ``$ARMSTRACK_TOKEN``, ``$ARMSTRACK_TOKEN_EXPIRES`` and ``$ARMSTRACK_SECRET``."""
        expires = env.get(TOKEN_EXPIRES_ENV) or None
        return cls(token=env.get(TOKEN_ENV) or None, token_expires=parse_expiry(expires) if expires else None,
                   secret=env.get(SECRET_ENV) or None, clock=clock)

    @property
    def enabled(self) -> bool:
        """Whether any token can pass (else the write routes are not mounted at all)."""
        return bool(self.token or self.secret)

    def check(self, given: str | None) -> None:
        """Pass a good, unexpired bearer token; raise ``AuthError`` for a missing, wrong or expired one."""
        if not given:
            raise AuthError("missing bearer token: send the header Authorization: Bearer TOKEN")
        now = self.clock()
        signed = _SIGNED.match(given) if self.secret else None
        if signed:
            payload = given.rsplit(".", 1)[0]
            if hmac.compare_digest(_mac(self.secret.encode("utf-8"), payload).encode(), signed.group(3).encode()):
                self._unexpired(int(signed.group(1)), now, "issue a new one with `armstrack token issue`")
                return
        if self.token and hmac.compare_digest(given.encode("utf-8"), self.token.encode("utf-8")):
            if self.token_expires is not None:
                self._unexpired(self.token_expires, now, f"the server's ${TOKEN_EXPIRES_ENV} has passed")
            return
        raise AuthError("wrong bearer token")

    @staticmethod
    def _unexpired(expires: float, now: float, hint: str) -> None:
        if now >= expires:
            raise AuthError(f"bearer token expired at {iso(expires)}; {hint}")
