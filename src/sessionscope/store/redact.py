"""Replace common secrets with `[REDACTED:<kind>]` before anything is stored or indexed.

Covers Anthropic and OpenAI API keys, AWS access key ids, GitHub and Slack tokens, private key
blocks, and `password=`-style assignments (`password = "…"`, `"api_key": "…"`, `token: abc123`).
Look-alikes are left alone: code that reads a secret (`password = getpass()`,
`token = os.environ["TOKEN"]`, `password: str`), placeholders (`${TOKEN}`, `<password>`, `***`),
and words that merely start like a key (`sk-learn`, `task-runner`).
"""

from __future__ import annotations

import re
from typing import Any

_TOKENS: list[tuple[str, re.Pattern[str]]] = [
    (
        "private_key",
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
            r"[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
        ),
    ),
    ("anthropic_key", re.compile(r"\bsk-ant-[A-Za-z0-9]+-[A-Za-z0-9_\-]{20,}")),
    (
        "openai_key",
        re.compile(
            r"\bsk-(?!ant-)(?:proj-|svcacct-|admin-|None-)?"
            r"(?=[A-Za-z0-9_\-]*[0-9])(?=[A-Za-z0-9_\-]*[A-Za-z])[A-Za-z0-9_\-]{32,}"
        ),
    ),
    ("aws_access_key", re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA|AIDA|AROA)[0-9A-Z]{16}\b")),
    (
        "github_token",
        re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b"),
    ),
    ("slack_token", re.compile(r"\bxox[abposre]-(?:[0-9A-Za-z]+-){1,4}[0-9A-Za-z]{6,}\b")),
    (
        "slack_webhook",
        re.compile(r"https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{20,}"),
    ),
]

_KEY_KINDS = {
    "password": "password",
    "passwd": "password",
    "pwd": "password",
    "pass": "password",
    "secret": "secret",
    "client_secret": "secret",
    "secret_key": "secret",
    "aws_secret_access_key": "secret",
    "api_key": "api_key",
    "apikey": "api_key",
    "token": "token",
    "access_token": "token",
    "auth_token": "token",
    "refresh_token": "token",
}
_KEYS = "|".join(sorted((re.escape(k) for k in _KEY_KINDS), key=len, reverse=True))
# key (optionally quoted, optionally prefixed like DB_PASSWORD), separator, then a value.
_ASSIGNMENT = re.compile(
    rf"""(?P<key>["']?(?:[A-Za-z0-9]+[_-])*(?P<name>{_KEYS})["']?)
         (?P<sep>\s*(?:=|:)\s*)
         (?:(?P<quote>["'])(?P<quoted>[^"'\n]{{1,200}})(?P=quote)
           |(?P<bare>[^\s"',;(){{}}\[\]<>]{{1,200}}))""",
    re.IGNORECASE | re.VERBOSE,
)
_NOT_SECRETS = {
    "none",
    "null",
    "nil",
    "true",
    "false",
    "undefined",
    "str",
    "string",
    "int",
    "bytes",
    "optional",
    "any",
    "required",
    "secret",
    "password",
    "token",
    "redacted",
    "changeme",
}
_PLACEHOLDER = re.compile(
    r"^(?:\$\{?\w+\}?|%\(?\w*\)?s?|\{\{?.*\}\}?|<[^>]*>|\*+|x+|\.\.\.|…)$", re.I
)
_EXPRESSION = re.compile(
    r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$|^(?:os|process|env|self|settings|config)\b"
)


def _is_secret_value(value: str, *, quoted: bool, colon: bool, following: str) -> bool:
    lowered = value.lower()
    if lowered in _NOT_SECRETS or _PLACEHOLDER.match(value) or value.startswith("[REDACTED:"):
        return False
    if quoted:
        return len(value) >= 3
    if following.startswith(("(", "[", ".")) or _EXPRESSION.match(value):
        return False  # code reading a secret, not the secret itself
    if colon:  # `password: str` is an annotation; YAML values with digits/symbols are secrets
        return bool(re.search(r"[0-9\W_]", value)) and len(value) >= 4
    return len(value) >= 3


def redact_text(text: str) -> str:
    """`text` with every recognised secret replaced by `[REDACTED:<kind>]`."""
    if not text or len(text) < 8:
        return text
    for kind, pattern in _TOKENS:
        if pattern.search(text):
            text = pattern.sub(f"[REDACTED:{kind}]", text)

    def assignment(match: re.Match[str]) -> str:
        quoted = match.group("quoted")
        value = quoted if quoted is not None else match.group("bare")
        following = text[match.end() : match.end() + 1]
        colon = ":" in match.group("sep")
        if not _is_secret_value(value, quoted=quoted is not None, colon=colon, following=following):
            return match.group(0)
        kind = _KEY_KINDS[match.group("name").lower()]
        replacement = f"[REDACTED:{kind}]"
        if quoted is not None:
            q = match.group("quote")
            return f"{match.group('key')}{match.group('sep')}{q}{replacement}{q}"
        return f"{match.group('key')}{match.group('sep')}{replacement}"

    return _ASSIGNMENT.sub(assignment, text)


def redact(value: Any) -> Any:
    """A copy of `value` (str, list, dict, ...) with secrets redacted in every string in it.

    Dict values named like secrets (`{"password": "hunter2"}`) are redacted whole.
    """
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, list):
        return [redact(item) for item in value]
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            name = key.lower().rsplit("_", 1)[-1] if isinstance(key, str) else ""
            full = key.lower() if isinstance(key, str) else ""
            kind = _KEY_KINDS.get(full) or (
                _KEY_KINDS.get(name) if name in ("password", "secret", "token") else None
            )
            if (
                kind
                and isinstance(item, str)
                and _is_secret_value(item, quoted=True, colon=False, following="")
            ):
                out[key] = f"[REDACTED:{kind}]"
            else:
                out[key] = redact(item)
        return out
    return value
