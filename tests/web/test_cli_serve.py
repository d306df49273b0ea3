"""cli_serve.py: `armstrack serve` as a real process (binds 127.0.0.1, logs no token or secret),
its --ingest-rate and token settings, and `armstrack token issue` / `token secret`."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from click.testing import CliRunner
from fastapi.testclient import TestClient

from armstrack.web.auth import SECRET_ENV, TOKEN_ENV, TOKEN_EXPIRES_ENV, Auth, issue
from armstrack.cli.main import main
from armstrack.cli.serve import INGEST_RATE_ENV
from conftest import fill_gold
from webserver import free_port

STATIC = "static-serve-token-9f8e7d6c"
SECRET = "serve-secret-q1w2e3r4t5y6u7i8o9p0a1s2d3f4"
WRONG = "wrong-token-guess-0a1b2c3d"
START_SECONDS = 60
LOG_WAIT_SECONDS = 10
LOOPBACK_HEX = "0100007F"  # 127.0.0.1 as /proc/net/tcp writes it
REFUSED_BODY = {"text": ""}  # a 422 once past the token check: no extractor is loaded


@dataclass
class Served:
    process: subprocess.Popen
    port: int
    logs: list[Path]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return "".join(p.read_text(encoding="utf-8", errors="replace") for p in self.logs)


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in (TOKEN_ENV, TOKEN_EXPIRES_ENV, SECRET_ENV, INGEST_RATE_ENV)}
    return env | {"PYTHONUNBUFFERED": "1"}  # uvicorn's access log goes to stdout: unbuffered, it can be read now


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`armstrack serve` in its own process, with no --host, a static token and a signing secret."""
    folder = tmp_path_factory.mktemp("serve")
    db = str(folder / "serve.db")
    fill_gold(db)
    port = free_port()
    logs = [folder / "stdout.log", folder / "stderr.log"]
    env = _clean_env() | {TOKEN_ENV: STATIC, SECRET_ENV: SECRET}
    with logs[0].open("w") as out, logs[1].open("w") as err:
        process = subprocess.Popen([sys.executable, "-c", "from armstrack.cli.main import run; run()",
                                    "serve", "--db", db, "--port", str(port)], stdout=out, stderr=err, env=env)
    served = Served(process, port, logs)
    deadline = time.monotonic() + START_SECONDS
    while "Uvicorn running" not in served.output():
        assert process.poll() is None, f"armstrack serve exited: {served.output()}"
        assert time.monotonic() < deadline, f"armstrack serve did not start: {served.output()}"
        time.sleep(0.1)
    yield served
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _listening(port: int) -> set[str]:
    """Local addresses (hex, as the kernel writes them) of sockets listening on ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def test_serve_binds_127_0_0_1_unless_told_otherwise(served):
    text = served.output()
    assert f"armstrack on http://127.0.0.1:{served.port}/" in text
    assert f"Uvicorn running on http://127.0.0.1:{served.port}" in text
    assert _listening(served.port) == {LOOPBACK_HEX}
    with socket.create_connection(("127.0.0.1", served.port), timeout=5):
        pass
    with pytest.raises(ConnectionRefusedError):  # another loopback address: reachable only on 0.0.0.0
        socket.create_connection(("127.0.0.2", served.port), timeout=5).close()


def test_no_token_or_secret_is_ever_logged_or_echoed(served):
    fact = httpx.get(f"{served.base}/api/facts", params={"limit": 1}).json()["facts"][0]
    review = f"{served.base}/api/facts/{fact['id']}/review"
    signed, _ = issue(SECRET, 3600)
    expired, _ = issue(SECRET, 60, now=time.time() - 3600)
    tokens = {STATIC: 200, signed: 200, WRONG: 401, expired: 401}
    for token, status in tokens.items():
        headers = {"Authorization": f"Bearer {token}"}
        answer = httpx.post(review, json={"decision": "accept"}, headers=headers)
        assert answer.status_code == status, answer.text
        refused = httpx.post(f"{served.base}/api/articles", json=REFUSED_BODY, headers=headers)
        assert refused.status_code == (422 if status == 200 else 401)
        assert token not in answer.text + refused.text
    assert httpx.post(f"{served.base}/api/articles", json=REFUSED_BODY, headers={"Authorization": WRONG}).status_code == 401
    deadline = time.monotonic() + LOG_WAIT_SECONDS
    while served.output().count('"POST /api/articles HTTP/1.1" 401') < 3:  # the access log has caught up
        assert time.monotonic() < deadline, served.output()
        time.sleep(0.1)
    text = served.output()
    for secret in (STATIC, SECRET, signed, expired, WRONG, signed.rsplit(".", 1)[1], "Bearer", "Authorization"):
        assert secret not in text, f"{secret[:12]}... appears in the server's output"


# -- the settings, through click (uvicorn.run replaced) ----------------------------------------------------

@pytest.fixture()
def launched(monkeypatch, gold_db):
    """Run `armstrack serve ARGS` with ENV; returns (result, the app it would serve)."""
    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw, app=app))

    def launch(*args: str, **env: str):
        for key in (TOKEN_ENV, TOKEN_EXPIRES_ENV, SECRET_ENV, INGEST_RATE_ENV):
            monkeypatch.delenv(key, raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        result = CliRunner().invoke(main, ["serve", "--db", gold_db, *args])
        return result, seen.get("app")

    return launch


def _posts_until_limited(app, n: int) -> list[int]:
    client = TestClient(app)
    return [client.post("/api/articles", json=REFUSED_BODY, headers={"Authorization": f"Bearer {STATIC}"}).status_code
            for _ in range(n)]


def test_ingest_rate_comes_from_the_option_or_the_environment(launched):
    result, app = launched("--ingest-rate", "2", ARMSTRACK_TOKEN=STATIC)
    assert result.exit_code == 0, result.output
    assert _posts_until_limited(app, 3) == [422, 422, 429]
    result, app = launched(**{TOKEN_ENV: STATIC, INGEST_RATE_ENV: "1"})
    assert result.exit_code == 0 and _posts_until_limited(app, 2) == [422, 429]
    result, app = launched("--ingest-rate", "0", ARMSTRACK_TOKEN=STATIC)
    assert _posts_until_limited(app, 40) == [422] * 40


def test_serve_says_which_tokens_it_takes_but_never_the_token(launched):
    result, _ = launched(**{TOKEN_ENV: STATIC, TOKEN_EXPIRES_ENV: "2999-01-01", SECRET_ENV: SECRET})
    assert "write routes on: static token until 2999-01-01T00:00:00Z, signed tokens" in result.output
    assert STATIC not in result.output and SECRET not in result.output
    result, _ = launched(**{TOKEN_ENV: STATIC, TOKEN_EXPIRES_ENV: "2000-01-01"})
    assert result.exit_code == 0 and "ARMSTRACK_TOKEN_EXPIRES has passed" in result.output


@pytest.mark.parametrize("env, words", [({SECRET_ENV: "short"}, "too short"),
                                        ({TOKEN_ENV: STATIC, TOKEN_EXPIRES_ENV: "soon"}, "not an ISO date")])
def test_serve_refuses_bad_token_settings(launched, env, words):
    result, app = launched(**env)
    assert result.exit_code == 2 and words in result.output and app is None


def test_serve_help_documents_the_tokens_and_the_limit():
    text = CliRunner().invoke(main, ["serve", "--help"]).output
    for words in (TOKEN_ENV, TOKEN_EXPIRES_ENV, SECRET_ENV, "token issue", "401", "--ingest-rate", "429",
                  INGEST_RATE_ENV, "127.0.0.1"):
        assert words in text, words


# -- armstrack token ------------------------------------------------------------------------------------

def test_token_issue_prints_a_token_the_server_accepts(monkeypatch):
    monkeypatch.setenv(SECRET_ENV, SECRET)
    result = CliRunner().invoke(main, ["token", "issue", "--expires", "2h"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert "valid until" in result.stderr and "valid until" not in result.stdout
    Auth(secret=SECRET).check(token)
    expiry = int(token.split(".")[1])
    assert abs(expiry - (time.time() + 7200)) < 60
    Auth(secret=SECRET, clock=lambda: expiry - 1).check(token)
    with pytest.raises(Exception, match="expired"):
        Auth(secret=SECRET, clock=lambda: expiry).check(token)


@pytest.mark.parametrize("env, args, words", [({}, [], "set $ARMSTRACK_SECRET"),
                                              ({SECRET_ENV: SECRET}, ["--expires", "forever"], "duration"),
                                              ({SECRET_ENV: "short"}, [], "too short")])
def test_token_issue_refuses_with_a_reason(monkeypatch, env, args, words):
    monkeypatch.delenv(SECRET_ENV, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(main, ["token", "issue", *args])
    assert result.exit_code == 2 and words in result.output


def test_token_secret_makes_a_usable_secret():
    secret = CliRunner().invoke(main, ["token", "secret"]).stdout.strip()
    token, _ = issue(secret, 60)
    Auth(secret=secret).check(token)
