"""Redaction: known secrets are replaced before storage and indexing; look-alikes are untouched."""

from __future__ import annotations

import pytest

from sessionscope import store
from sessionscope.store.redact import redact, redact_text

ANTHROPIC = "sk-ant-api03-" + "Ab3_" * 20 + "xyzAA"
OPENAI = "sk-proj-" + "aB1" * 16 + "-Zz9_" + "q" * 10
OPENAI_LEGACY = "sk-" + "A1b2C3d4" * 6
AWS = "AKIAIOSFODNN7EXAMPLE"
GITHUB = "ghp_" + "a1B2c3D4e5" * 4
GITHUB_PAT = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ"
SLACK = "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
PRIVATE_KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7d1s0m3k3y\nZm9vYmFy\n-----END RSA PRIVATE KEY-----"

SECRETS = [
    (f"export ANTHROPIC_API_KEY={ANTHROPIC}", "anthropic_key", ANTHROPIC),
    (f"client = OpenAI(api_key='{OPENAI}')", None, OPENAI),
    (f"OPENAI_API_KEY={OPENAI_LEGACY}", "openai_key", OPENAI_LEGACY),
    (f"aws_access_key_id = {AWS}", "aws_access_key", AWS),
    (f"git remote set-url origin https://{GITHUB}@github.com/acme/app.git", "github_token", GITHUB),
    (f"GH_TOKEN={GITHUB_PAT}", None, GITHUB_PAT),
    (f"curl -H 'Authorization: Bearer {SLACK}'", "slack_token", SLACK),
    (f"here is the key:\n{PRIVATE_KEY}\nuse it", "private_key", "MIIEowIBAAKCAQEA7d1s0m3k3y"),
    ("DB_PASSWORD=hunter2", "password", "hunter2"),
    ('{"password": "correct horse battery staple"}', "password", "correct horse battery staple"),
    ("password: s3cr3t!", "password", "s3cr3t!"),
    ("client_secret = 'abc123def456'", "secret", "abc123def456"),
    (
        "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        None,
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ),
]

LOOKALIKES = [
    "pip install scikit-learn and sk-learn-tutorial",
    "the task-runner-configuration file",
    "password = getpass.getpass()",
    "password = input('Password: ')",
    'token = os.environ["GITHUB_TOKEN"]',
    "def login(username: str, password: str) -> bool:",
    "password=None",
    "api_key = settings.OPENAI_API_KEY",
    "TOKEN=${GITHUB_TOKEN}",
    "password: <your password here>",
    "password = '***'",
    "The login form accepts empty passwords.",
    "AKIA is the prefix of AWS access key ids",
    "ghp_ tokens are GitHub personal access tokens",
    "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----",
    "sk-ant is how Anthropic keys start",
    "a 40-character git sha 3f786850e387550fdab836ed7e6dc881de23001b",
    "uuid 5b1f0c2e-8d3a-4f6b-9c21-7e4d2a9b1c01",
    "tokens: 1200 in, 80 out",
    "max_tokens=4096",
]


@pytest.mark.parametrize(("text", "kind", "secret"), SECRETS)
def test_known_secrets_are_redacted(text: str, kind: str | None, secret: str) -> None:
    out = redact_text(text)
    assert secret not in out
    assert "[REDACTED:" in out
    if kind:
        assert f"[REDACTED:{kind}]" in out


@pytest.mark.parametrize("text", LOOKALIKES)
def test_lookalikes_are_untouched(text: str) -> None:
    assert redact_text(text) == text


def test_nested_values_and_secret_named_keys() -> None:
    blocks = [
        {
            "type": "tool_use",
            "id": "t",
            "name": "Bash",
            "input": {"command": f"export GH={GITHUB}", "password": "plainpass", "count": 3},
        }
    ]
    out = redact(blocks)
    assert out[0]["input"]["password"] == "[REDACTED:password]"
    assert GITHUB not in out[0]["input"]["command"] and out[0]["input"]["count"] == 3
    assert blocks[0]["input"]["password"] == "plainpass"  # the caller's object is not modified


def test_store_redacts_before_storing_and_indexing(store_path) -> None:
    db = store.open(redact=True)
    sid = db.start_session(title=f"deploy with {AWS}")
    db.append(sid, "user", f"my key is {ANTHROPIC} please use it")
    db.append(
        sid,
        "tool",
        [{"type": "tool_result", "tool_use_id": "t", "content": f"cat key.pem\n{PRIVATE_KEY}"}],
    )
    db.append_many(sid, [{"role": "assistant", "content": "DB_PASSWORD=hunter2 is set"}])
    db.close()
    raw = b"".join(p.read_bytes() for p in store_path.parent.glob(store_path.name + "*"))
    for secret in (ANTHROPIC, AWS, "MIIEowIBAAKCAQEA7d1s0m3k3y", "hunter2"):
        assert secret.encode() not in raw
    db = store.open()
    loaded = db.load(sid)
    assert loaded is not None and loaded.title == "deploy with [REDACTED:aws_access_key]"
    assert loaded.messages[0].text == "my key is [REDACTED:anthropic_key] please use it"
    assert db.search("hunter2") == [] and len(db.search("REDACTED password")) == 1
    db.close()


def test_without_redact_content_is_stored_as_given(db) -> None:
    sid = db.start_session()
    db.append(sid, "user", "DB_PASSWORD=hunter2")
    assert db.load(sid).messages[0].text == "DB_PASSWORD=hunter2"  # type: ignore[union-attr]


def test_import_redact_flag(fixture_tree, store_path) -> None:
    import json

    from click.testing import CliRunner

    from sessionscope.cli import cli

    project = fixture_tree / "claude-code" / "projects" / "-home-dev-secrets"
    project.mkdir(parents=True)
    record = {
        "type": "user",
        "uuid": "00000000-0000-4000-8000-000000000001",
        "parentUuid": None,
        "sessionId": "11111111-2222-4333-8444-555555555555",
        "cwd": "/home/dev/secrets",
        "timestamp": "2026-10-09T10:00:00.000Z",
        "isSidechain": False,
        "userType": "external",
        "message": {
            "role": "user",
            "content": f"deploy with AWS key {AWS} and DB_PASSWORD=hunter2",
        },
    }
    (project / "11111111-2222-4333-8444-555555555555.jsonl").write_text(json.dumps(record) + "\n")
    result = CliRunner().invoke(cli, ["import", "claude-code", str(project), "--redact"])
    assert result.exit_code == 0, result.output
    with store.open() as db:
        loaded = db.load("11111111-2222-4333-8444-555555555555")
        assert loaded is not None
        text = loaded.messages[0].text
        assert AWS not in text and "hunter2" not in text
        assert "[REDACTED:aws_access_key]" in text and "DB_PASSWORD=[REDACTED:password]" in text
        assert db.search("hunter2") == []


# -- code that names a token is not a token (the HTML export of a demo session found 34) --------

CODE_LOOKALIKES = [
    "const sessionToken = new Intl.NumberFormat(locale, { style: 'currency' }).format(a);",
    "const sessionToken = await fetchSessionToken(opts);",
    "let accessToken = await refresh(x)",
    "const sessionToken = useMemo(() => items.filter((row) => row.id !== undefined), [items]);",
    "const sessionToken = buildSessionToken(items)",
    "sessionToken = buildSessionToken(items)",
    "uiState.update { it.copy(token = offlineCache) }",
    "uiState.update { it.copy(token = navigationGraph) }",
    "for _, row := range rows {\n\t\trow.Token = 123\n\t}",
    "[ProgressBar] progress_bar: progress_bar token=4096 ok",
    '{"level":"error","msg":"permission denied","token":48213,"request_id":"abc"}',
    'resource "x" "y" {\n  token = "negative amount"\n}',
    "token = None",
    "token = getToken()",
    "apiKey = process.env.API_KEY",
    'password = input("Password: ")',
    "self.token = token",
    "self.token = access_token",
    "api_key = yield from fetch_key()",
    "token = typeof x",
]


@pytest.mark.parametrize("text", CODE_LOOKALIKES)
def test_code_that_names_a_secret_is_untouched(text: str) -> None:
    assert redact_text(text) == text


# secrets the shape check must still catch (beside SECRETS above and test_redact_formats)
SHAPED_SECRETS = [
    ("TOKEN=abc123def456", "abc123def456", "token"),
    ("token = a8f3kLq9Zt", "a8f3kLq9Zt", "token"),
    ("JWT_SECRET=supersecretvalue", "supersecretvalue", "secret"),
    ("password = hunter", "hunter", "password"),
    ("DB_PASSWORD=123456", "123456", "password"),
    ('api_key = "9f8e7d6c5b4a"', "9f8e7d6c5b4a", "api_key"),
    ('{"password": "correct horse battery staple"}', "correct horse", "password"),
    ("token = AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEf", "AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEf", "token"),
]


@pytest.mark.parametrize(("text", "secret", "kind"), SHAPED_SECRETS)
def test_values_shaped_like_secrets_are_still_redacted(text: str, secret: str, kind: str) -> None:
    out = redact_text(text)
    assert secret not in out and f"[REDACTED:{kind}]" in out, out
