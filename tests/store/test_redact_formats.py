"""The redactor under attack: every common secret format, look-alikes that must survive, input
that must never make it raise (Unicode case-folding traps, deep nesting, long runs), and linear
time on adversarial input (100 KB against 1 KB)."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sessionscope import store
from sessionscope.store.redact import key_kind, may_hold_secret, redact, redact_text, rules

JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ"
    ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
GOOGLE = "AIzaSyA1234567890abcdefghijklmnopqrstuv"
STRIPE = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
STRIPE_TEST = "sk_test_" + "51Hx" * 6
GITLAB = "glpat-" + "xY3_q9Zk2LmN8pR4sT6v"
HF = "hf_" + "AbCdEfGhIjKlMnOpQrStUvWxYz01234567"
GOOGLE_OAUTH = "ya29.a0AfH6SMBx1234567890abcdefghijklmnop"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
LONG = "Zq9" * 150  # 450 characters: leaked whole or past character 200 before

# (text, secret that must go, kind that must appear)
FORMATS = [
    (f"export TOKEN_FILE=x; curl -H 'X-Auth: {JWT}'", JWT, "jwt"),
    (f"maps key {GOOGLE} in the config", GOOGLE, "google_api_key"),
    (f"stripe.api_key is {STRIPE} today", STRIPE, "stripe_key"),
    (f"test with {STRIPE_TEST}", STRIPE_TEST, "stripe_key"),
    ("git clone https://alice:s3cretPa55@github.com/acme/app.git", "s3cretPa55", "url_password"),
    ("postgres://app:hunter2hunter2@db.internal:5432/app", "hunter2hunter2", "url_password"),
    (
        "curl -H 'Authorization: Bearer abc.def-ghijklmnopqrstuvwxyz0123' https://api",
        "abc.def-ghijklmnopqrstuvwxyz0123",
        "authorization",
    ),
    ("Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l", "YWxhZGRpbjpvcGVuc2VzYW1l", "authorization"),
    ("X-Api-Key: 9f8e7d6c5b4a3f2e", "9f8e7d6c5b4a3f2e", "api_key"),
    (f'{{"AccessKeyId": "ASIAX", "SecretAccessKey": "{AWS_SECRET}"}}', AWS_SECRET, "secret"),
    (f"use {GITLAB} for the registry", GITLAB, "gitlab_token"),
    (f"HF_TOKEN {HF}", HF, "huggingface_token"),
    ("mysql -u root -phunter2x shop < dump.sql", "hunter2x", "password"),
    ("mysqldump -u root -p'hunter2x' shop", "hunter2x", "password"),
    ("curl -u admin:pa55word https://example.com", "pa55word", "password"),
    (f"access token {GOOGLE_OAUTH}", GOOGLE_OAUTH, "google_oauth_token"),
    (f"password={LONG} and more", LONG[150:], "password"),
    (f'secret: "{LONG}"', LONG[150:], "secret"),
    (f"GH={'ghp_' + LONG}", LONG[100:], "github_token"),
    (f"key sk-ant-api03-{LONG}", LONG[100:], "anthropic_key"),
    ("npm token npm_" + "a1B2c3D4e5" * 4, "a1B2c3D4e5" * 4, "npm_token"),
    ("paſſword=hunter22", "hunter22", "password"),  # long s: a KeyError before
    ("PAſſWORD: s3cr3t!x", "s3cr3t!x", "password"),
    ("ﬀ_password=abc123", "abc123", "password"),
    ("\u212aEY_PASSWORD=hunter2", "hunter2", "password"),  # Kelvin sign
    ("\u0130_TOKEN=abc123xyz", "abc123xyz", "token"),  # dotted capital I
]

LOOKALIKES = [
    "pip install scikit-learn and sk-learn-tutorial",
    "password = getpass()",
    "password = getpass.getpass('Password: ')",
    "commit 3f786850e387550fdab836ed7e6dc881de23001b fixed it",
    "request 5b1f0c2e-8d3a-4f6b-9c21-7e4d2a9b1c01 failed",
    "Bearer tokens are how OAuth clients authenticate",
    "Authorization: Bearer $TOKEN",
    "mkdir -p build && ssh -p 2222 host && mysql -p",
    "curl -u $USER https://example.com",
    "max_tokens=4096, bypass=enabled, monkey=3",
    "git remote add origin https://github.com/acme/app.git",
    "the JWT header starts with eyJ and is base64url",
    "AIza is the prefix of Google API keys",
    "hf_hub_download(repo_id='gpt2')",
    "glpat- tokens are GitLab personal access tokens",
    "ya29. is how Google access tokens start",
    "url = f'https://{host}:{port}/path'",
    "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----",
]


@pytest.mark.parametrize(("text", "secret", "kind"), FORMATS)
def test_format_is_redacted(text: str, secret: str, kind: str) -> None:
    out = redact_text(text)
    assert secret not in out, out
    assert f"[REDACTED:{kind}]" in out, out


@pytest.mark.parametrize("text", LOOKALIKES)
def test_lookalike_survives(text: str) -> None:
    assert redact_text(text) == text


def test_base64_image_data_is_not_mangled() -> None:
    data = ("AKIAIOSFODNN7EXAMPLE" + "iVBORw0KGgo" + "eyJhbGciOi") * 200
    block = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": data}}
    assert redact([block]) == [block]


def test_rules_come_from_detect_secrets() -> None:
    from detect_secrets.plugins.gitlab_token import GitLabTokenDetector

    sources = {r.pattern.pattern for r in rules()}
    assert all(any(p.pattern in s for s in sources) for p in GitLabTokenDetector.denylist)


# -- never raises --------------------------------------------------------------------------------

TRAPS = "ſSsKkK\u212aİıi\u0307ßẞﬀﬁﬃΣσςΩΩ=:\"' \n\t-_.@/[{}]pasword_tokenkeysecret\x00\ud800"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(TRAPS) | st.characters(), max_size=200))
def test_redact_text_never_raises(text: str) -> None:
    out = redact_text(text)
    assert isinstance(out, str)
    assert redact_text(out) == out  # idempotent: a redacted text has nothing left to redact


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(TRAPS + "ACSK") | st.characters(), max_size=80))
def test_text_said_to_hold_no_secret_is_left_as_it_is(text: str) -> None:
    """`may_hold_secret` lets a store skip loading the rules for an id (a UUID): it must
    never say no to text a rule would change."""
    if not may_hold_secret(text):
        assert redact_text(text) == text


@pytest.mark.parametrize(("text", "secret", "kind"), FORMATS)
def test_every_format_may_hold_a_secret(text: str, secret: str, kind: str) -> None:
    assert may_hold_secret(text)
    assert not may_hold_secret("11111111-2222-4333-8444-555555555555")


@given(st.sampled_from(list(TRAPS)), st.sampled_from(["password", "token", "secret", "api_key"]))
def test_case_folding_traps_in_every_position(trap: str, word: str) -> None:
    for i in range(len(word) + 1):
        name = word[:i] + trap + word[i:]
        redact_text(f"{name}=hunter2x and {name}: 'abc123'")
        key_kind(name)
        redact({name: "hunter2x"})


def test_deep_nesting_and_long_runs_do_not_fail() -> None:
    deep: object = "password=hunter2x"
    for _ in range(50_000):
        deep = [{"k": deep}]
    out = redact(deep)
    for _ in range(50_000):
        out = out[0]["k"]
    assert out == "password=[REDACTED:password]"
    for run in ("[" * 50_000, "{" * 50_000, "a_" * 50_000, "ſ" * 50_000):
        assert redact_text(run) == run


def test_circular_content_is_invalid_input() -> None:
    loop: list[object] = ["password=hunter2x"]
    loop.append(loop)
    with pytest.raises(store.InvalidInput):
        redact(loop)
    shared = {"a": 1}
    assert redact([shared, shared]) == [{"a": 1}, {"a": 1}]  # shared, not circular: fine


def test_circular_content_through_the_api(store_path) -> None:
    """Item 20: with redact=True, circular content was a RecursionError; now a typed error."""
    with store.open(redact=True) as db:
        sid = db.start_session()
        block: dict[str, object] = {"type": "tool_use", "id": "t", "name": "x"}
        block["input"] = block
        with pytest.raises(store.InvalidInput):
            db.append(sid, "assistant", [block])
        meta: dict[str, object] = {}
        meta["self"] = meta
        with pytest.raises(store.InvalidInput):
            db.append(sid, "user", "hi", metadata=meta)
        with pytest.raises(store.InvalidInput):
            db.update_session(sid, metadata=meta)
        assert db.message_count(sid) == 0
        db.append(sid, "user", "still works")


# -- linear time ---------------------------------------------------------------------------------

# Adversarial inputs: each rule's prefix repeated, or followed by a long run of one character.
PREFIXES = [
    "sk-ant-a-",
    "sk-proj-",
    "ghp_",
    "github_pat_",
    "AIza",
    "ya29.",
    "hf_",
    "npm_",
    "sk_live_",
    "xoxb-1-",
    "eyJ",
    "eyJa.eyJ",
    "Authorization: Bearer ",
    "Bearer ",
    "curl -u a:",
    "mysql -p",
    "AKIA",
    "aws_secret='",
    "glpat-",
    "https://a:",
    "://a",
    "SG.",
    "12345678:",
    "SK",
    "-us",
    "password=",
    '"password": "',
    "password='",
    "a_",
    "X-Api-Key: ",
    "-----BEGIN RSA PRIVATE KEY-----",
    "-----END RSA PRIVATE KEY-----",
    "ſ",
    "pypi-AgEIcHlwaS5vcmc",
    "sq0csp-",
    "AccountKey=",
    "glagent-",
    "xoxb-",
    "hooks.slack.com/services/T",
]
RUNS = "a0-. '"


def _time(text: str, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        redact_text(text)
    return time.perf_counter() - started


def _ratio(large: str, small: str) -> float:
    """Time on 100 KB over the time of 100 runs on 1 KB (about 1 when linear)."""
    return _time(large, 1) / _time(small, 100)


def _inputs(size: int) -> list[str]:
    out = []
    for prefix in PREFIXES:
        out.append((prefix * (size // len(prefix) + 1))[:size])
        for ch in RUNS:
            out.append(prefix + ch * size)
            out.append(((prefix + ch) * (size // (len(prefix) + 1) + 1))[:size])
    return out


def test_every_rule_is_linear_on_adversarial_input() -> None:
    """100 KB of each input takes about what 100 runs over 1 KB take; a quadratic rule takes
    ~100 times that (the old assignment rule took 49 s on 40 KB of `a_`)."""
    redact_text("warm up the rules")
    slow = []
    for large, small in zip(_inputs(100_000), _inputs(1_000), strict=True):
        if _ratio(large, small) > 8 and min(_ratio(large, small) for _ in range(3)) > 8:
            slow.append(large[:40])  # confirmed, not a scheduling hiccup
    assert not slow, slow
