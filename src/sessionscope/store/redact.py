"""Replace secrets with `[REDACTED:<kind>]` before anything is stored or indexed.

Token formats come from the rule set of `detect-secrets` (AWS, GitHub, GitLab, Slack, Stripe,
SendGrid, Twilio, PyPI, Discord, Telegram, Mailchimp, Azure storage, user:password@ in
URLs), plus our own rules for what it lacks (Anthropic and current OpenAI keys, GitHub
fine-grained tokens, Google `AIza…` keys and `ya29.` tokens, Hugging Face, npm and Stripe test
keys, JWTs, private key blocks, `Authorization:` headers, `curl -u user:pass`, `mysql -p…`) and
`password=`-style assignments (`DB_PASSWORD=…`, `"SecretAccessKey": "…"`, `X-Api-Key: …`).
Look-alikes are left alone: code that reads a secret (`password = getpass()`,
`token = os.environ["TOKEN"]`, `password: str`) or starts an expression (`token = await f()`,
`= new X()`, `token = offlineCache`, `self.token = access_token`), counts (`token=4096`), prose
in a token (`token = "negative amount"`), placeholders (`${TOKEN}`, `<password>`, `***`),
words that merely start like a key (`sk-learn`), git shas, UUIDs and base64 image data.

Every rule runs in time linear in its input (each is anchored at the start of a word and
bounded, or scans a run once); a token is redacted to its end however long it is. No input makes
this module raise, except content that contains itself (`InvalidInput`).
"""

from __future__ import annotations

import functools
import importlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from .errors import InvalidInput

if TYPE_CHECKING:
    from .spec import MessageSpec

MARK = "[REDACTED:"


@dataclass(frozen=True, slots=True)
class Rule:
    """One secret format: `group` of each match of `pattern` is the secret."""

    kind: str
    pattern: re.Pattern[str]
    group: int = 0
    extend: bool = True  # the secret runs on over token characters past the match


# Start of a token: not inside a longer run of letters and digits.
_START = r"(?<![A-Za-z0-9_])"
# (kind, detect_secrets.plugins module, class, index into its denylist or None for all, group)
_DETECT_SECRETS: list[tuple[str, str, str, int | None, int]] = [
    ("aws_access_key", "aws", "AWSKeyDetector", 0, 0),
    ("aws_secret_key", "aws", "AWSKeyDetector", 1, 1),
    ("github_token", "github_token", "GitHubTokenDetector", None, 0),
    ("gitlab_token", "gitlab_token", "GitLabTokenDetector", None, 0),
    ("slack_token", "slack", "SlackDetector", 0, 0),
    ("slack_webhook", "slack", "SlackDetector", 1, 0),
    ("stripe_key", "stripe", "StripeDetector", None, 0),
    ("sendgrid_key", "sendgrid", "SendGridDetector", None, 0),
    ("square_token", "square_oauth", "SquareOAuthDetector", None, 0),
    ("pypi_token", "pypi_token", "PypiTokenDetector", None, 0),
    ("discord_token", "discord", "DiscordBotTokenDetector", None, 0),
    ("telegram_token", "telegram_token", "TelegramBotTokenDetector", None, 0),
    ("twilio_key", "twilio", "TwilioKeyDetector", None, 0),
    ("mailchimp_key", "mailchimp", "MailchimpDetector", None, 0),
    ("azure_storage_key", "azure_storage_key", "AzureStorageKeyDetector", None, 0),
    ("url_password", "basic_auth", "BasicAuthDetector", 0, 1),
]
# (Its OpenAI rule is left out: an unbounded run before a literal makes it quadratic on
# `sk-sk-sk-…`; our own `openai_key` rule covers those keys.)
# Rules whose match is not a token on its own (a context around the secret): no word anchor.
_IN_CONTEXT = {"aws_secret_key", "url_password", "slack_webhook", "azure_storage_key"}

_OWN: list[tuple[str, str, int]] = [
    ("anthropic_key", _START + r"sk-ant-[A-Za-z0-9]{2,16}-[A-Za-z0-9_\-]{20,}", 0),
    (
        "openai_key",
        _START + r"sk-(?!ant-)(?:proj-|svcacct-|admin-|None-)?"
        r"(?=[A-Za-z0-9_\-]{0,31}[0-9])(?=[A-Za-z0-9_\-]{0,31}[A-Za-z])[A-Za-z0-9_\-]{32,}",
        0,
    ),
    ("github_token", _START + r"(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})", 0),
    ("google_api_key", _START + r"AIza[0-9A-Za-z_\-]{35}", 0),
    ("google_oauth_token", _START + r"ya29\.[0-9A-Za-z_\-]{20,}", 0),
    ("huggingface_token", _START + r"hf_[A-Za-z0-9]{30,}", 0),
    ("npm_token", _START + r"npm_[A-Za-z0-9]{36,}", 0),
    ("stripe_key", _START + r"(?:sk|rk)_(?:test|live)_[0-9A-Za-z]{20,}", 0),
    ("slack_token", _START + r"xox[abposre]-(?:[0-9A-Za-z]{1,64}-){1,4}[0-9A-Za-z]{6,}", 0),
    (
        "jwt",
        r"(?<![A-Za-z0-9_\-])eyJ[A-Za-z0-9_\-]{6,}\.eyJ[A-Za-z0-9_\-]{6,}\.[A-Za-z0-9_\-]*",
        0,
    ),
    (
        "authorization",
        r"(?i)(?<![\w-])(?:proxy-)?authorization[\"']?[ \t]{0,16}[:=][ \t]{0,16}[\"']?"
        r"(?:bearer|basic|token|digest|negotiate|bot)[ \t]{1,16}([A-Za-z0-9._~+/\-]+=*)",
        1,
    ),
    ("bearer_token", r"(?<![\w-])[Bb]earer[ \t]{1,16}([A-Za-z0-9._~+/\-]{20,}=*)", 1),
    (
        "password",
        r"(?<![\w-])(?:curl|wget|http)\b[^\n|;&]{0,200}?(?<!\S)(?:-u|--user)[ =]{1,4}"
        r"[\"']?[^\s:\"']{1,128}:([^\s\"']+)",
        1,
    ),
    (
        "password",
        r"(?<![\w-])(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)\b[^\n|;&]{0,200}?"
        r"(?<!\S)-p[\"']?([^\s\"']+)",
        1,
    ),
]

# A rule runs only on text holding one of its kind's needles (lower case; none: always runs).
_NEEDLES: dict[str, tuple[str, ...]] = {
    "anthropic_key": ("sk-ant-",),
    "openai_key": ("sk-",),
    "github_token": ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    "google_api_key": ("aiza",),
    "google_oauth_token": ("ya29.",),
    "huggingface_token": ("hf_",),
    "npm_token": ("npm_",),
    "stripe_key": ("k_test_", "k_live_"),
    "slack_token": ("xox",),
    "slack_webhook": ("hooks.slack.com",),
    "jwt": ("eyj",),
    "authorization": ("authorization",),
    "bearer_token": ("bearer",),
    "password": ("curl", "wget", "http", "mysql", "mariadb"),
    "aws_access_key": ("a3t", "abia", "acca", "akia", "asia"),
    "aws_secret_key": ("aws",),
    "gitlab_token": ("gl", "gr1348941"),
    "sendgrid_key": ("sg.",),
    "square_token": ("sq0csp-",),
    "pypi_token": ("pypi-",),
    "discord_token": (".",),
    "telegram_token": (":",),
    "mailchimp_key": ("-us",),
    "azure_storage_key": ("accountkey=",),
    "url_password": ("://",),
}
_ASSIGNMENT_NEEDLES = ("pass", "pw", "secret", "token", "key", "credential", "authorization")

_TOKEN_TAIL = re.compile(r"[A-Za-z0-9_\-+/=]*")
_KEY_OPEN = re.compile(r"-----BEGIN (?:[A-Z0-9]{1,16} ){0,4}PRIVATE KEY(?: BLOCK)?-----")
_KEY_CLOSE = re.compile(r"-----END (?:[A-Z0-9]{1,16} ){0,4}PRIVATE KEY(?: BLOCK)?-----")
# a key with no END line (cut off): its header lines and base64 lines
_KEY_LINES = re.compile(
    r"(?:\r?\n[A-Za-z\-]{1,32}:[^\n]{0,200})*(?:\r?\n[ \t]*[A-Za-z0-9+/=]{16,}[ \t]*)*"
)


def _load_detect_secrets() -> list[Rule]:
    rules: list[Rule] = []
    for kind, module, name, index, group in _DETECT_SECRETS:
        cls = getattr(importlib.import_module(f"detect_secrets.plugins.{module}"), name)
        patterns = list(cls.denylist)
        for pattern in patterns if index is None else [patterns[index]]:
            if kind not in _IN_CONTEXT:
                pattern = re.compile(_START + "(?:" + pattern.pattern + ")", pattern.flags)
            rules.append(Rule(kind, pattern, group, extend=kind not in _IN_CONTEXT))
    return rules


@functools.cache
def rules() -> tuple[Rule, ...]:
    """Every token rule, in the order they apply (loaded on first use)."""
    own = [Rule(kind, re.compile(p), group, extend=group == 0) for kind, p, group in _OWN]
    return (*own[:3], *_load_detect_secrets(), *own[3:])


def _apply(rule: Rule, text: str) -> str:
    out: list[str] = []
    pos = 0
    for match in rule.pattern.finditer(text):
        start, end = match.span(rule.group)
        if start < 0:
            start, end = match.span()
        if start < pos or start == end or text.startswith(MARK, start):
            continue
        if rule.extend:
            end = _TOKEN_TAIL.match(text, end).end()  # type: ignore[union-attr]
        out.append(text[pos:start])
        out.append(f"[REDACTED:{rule.kind}]")
        pos = end
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


def _private_keys(text: str) -> str:
    """Key blocks go whole (BEGIN to END); a block cut off before its END line goes up to where
    its base64 lines stop."""
    if "PRIVATE KEY" not in text:
        return text
    out: list[str] = []
    pos = 0
    close: re.Match[str] | None = None
    closes_left = True  # once no END follows a BEGIN, none follows any later BEGIN either
    for match in _KEY_OPEN.finditer(text):
        if match.start() < pos:
            continue
        if closes_left and (close is None or close.start() < match.end()):
            close = _KEY_CLOSE.search(text, match.end())
            closes_left = close is not None
        out.append(text[pos : match.start()])
        out.append("[REDACTED:private_key]")
        if closes_left and close is not None:
            pos = close.end()
        else:
            pos = _KEY_LINES.match(text, match.end()).end()  # type: ignore[union-attr]
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


# -- password=, "api_key": "…", X-Api-Key: … ---------------------------------------------------

_KEYWORDS = r"password|passwd|passphrase|pass|pwd|pw|secret|token|key|credentials?|authorization"
_ASSIGNMENT = re.compile(
    rf"""(?<![\w.\-])(?P<key>["']?(?P<ident>[\w.\-]{{0,64}}?(?:{_KEYWORDS}))["']?)
         (?P<sep>[ \t]{{0,16}}(?::=|=>|=|:)[ \t]{{0,16}})
         (?:"(?P<dq>[^"\n]+)"|'(?P<sq>[^'\n]+)'|(?P<bare>[^\s"',;(){{}}\[\]<>]+))""",
    re.IGNORECASE | re.VERBOSE,
)
_WORDS = re.compile(r"[A-Za-z0-9]+")
# what a key name ends with (letters and digits only, lower case) -> the kind of secret it holds
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("password", "password"),
    ("passwd", "password"),
    ("passphrase", "password"),
    ("apikey", "api_key"),
    ("authorization", "authorization"),
    ("secret", "secret"),
    ("token", "token"),
    ("credentials", "secret"),
    ("credential", "secret"),
    ("accesskey", "secret"),
    ("secretkey", "secret"),
    ("privatekey", "secret"),
    ("signingkey", "secret"),
    ("clientkey", "secret"),
    ("encryptionkey", "secret"),
    ("masterkey", "secret"),
    ("accountkey", "secret"),
    ("authkey", "secret"),
)
# short names that count only as the whole last word (`bypass` is no password)
_WHOLE_WORDS = {"pwd": "password", "pass": "password", "pw": "password"}


def key_kind(name: str) -> str | None:
    """The kind of secret a key named `name` holds (`DB_PASSWORD`, `apiKey`, `X-Api-Key`), or
    None. Unicode look-alikes are folded first (`paſſword` is a password): any name is fine."""
    if not isinstance(name, str) or not name:
        return None
    name = name[-200:]
    if not name.isascii():
        name = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name))
        name = name.encode("ascii", "ignore").decode("ascii")
    words = _WORDS.findall(name)
    if not words:
        return None
    last = words[-1].lower()
    if last in _WHOLE_WORDS:
        return _WHOLE_WORDS[last]
    joined = "".join(words[-3:]).lower()
    for suffix, kind in _SUFFIXES:
        if joined.endswith(suffix):
            return kind
    return None


_NOT_SECRETS = {
    "none",
    "null",
    "nil",
    "true",
    "false",
    "yes",
    "no",
    "undefined",
    "str",
    "string",
    "int",
    "bytes",
    "bool",
    "optional",
    "any",
    "required",
    "secret",
    "password",
    "token",
    "redacted",
    "changeme",
    "bearer",
    "basic",
}
_PLACEHOLDER = re.compile(
    r"(?:\$\{?\w{1,200}\}?|%\(?\w{0,200}\)?s?|\{\{?[^{}]{0,200}\}\}?|<[^<>]{0,200}>|\*+|x+|\.\.\.|…)",
    re.I,
)
_EXPRESSION = re.compile(
    r"[A-Za-z_]\w{0,200}(?:\.[A-Za-z_]\w{0,200}){1,20}|(?:os|process|env|self|settings|config)\b.*",
    re.S,
)
_HAS_DIGIT_OR_SYMBOL = re.compile(r"[0-9\W_]")
# words of code that start an expression (`token = await f()`, `= new Intl...`), never a secret
_CODE_WORDS = frozenset(
    "new await yield async typeof instanceof function lambda not this self cls super require"
    " import return const let var def fn func void delete nil nan infinity input getpass".split()
)
# an identifier in camelCase (`offlineCache`) or snake_case (`access_token`): a variable
_CAMEL = re.compile(r"[a-z][a-z]*(?:[A-Z][a-z]+)+")
_SNAKE = re.compile(r"[A-Za-z]+(?:_[A-Za-z]+)+")
# kinds whose values a machine made: never holding spaces, never a bare count
_MACHINE_KINDS = frozenset({"token", "api_key"})


def _is_secret_value(value: str, *, kind: str, quoted: bool, colon: bool, following: str) -> bool:
    """Whether `value`, assigned to a key of `kind`, looks like a secret rather than code,
    a placeholder, a number or prose: a literal, not an expression."""
    lowered = value.lower()
    if lowered in _NOT_SECRETS or _PLACEHOLDER.fullmatch(value) or value.startswith(MARK):
        return False
    if kind in _MACHINE_KINDS and any(ch.isspace() for ch in value):
        return False  # `token = "negative amount"`: prose, no token holds a space
    if quoted:
        return len(value) >= 3
    if following.startswith(("(", "[", ".")) or _EXPRESSION.fullmatch(value):
        return False  # code reading a secret, not the secret itself
    if lowered in _CODE_WORDS or _CAMEL.fullmatch(value):
        return False  # `= await f()`, `= new X()`, `token = offlineCache`
    if _SNAKE.fullmatch(value) and key_kind(value):
        return False  # `self.token = access_token`: a variable named for what it holds
    if value.isdigit() and kind != "password":
        return False  # `token=4096`, `"token":48213`: a count or an id (a PIN stays a secret)
    if colon:  # `password: str` is an annotation; YAML values with digits/symbols are secrets
        return len(value) >= 4 and _HAS_DIGIT_OR_SYMBOL.search(value) is not None
    return len(value) >= 3


def _assignments(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        kind = key_kind(match.group("ident"))
        if kind is None:
            return match.group(0)
        quote = '"' if match.group("dq") is not None else "'" if match.group("sq") else ""
        value = match.group("dq") or match.group("sq") or match.group("bare") or ""
        following = text[match.end() : match.end() + 1]
        colon = ":" in match.group("sep")
        secret = _is_secret_value(
            value, kind=kind, quoted=bool(quote), colon=colon, following=following
        )
        if not secret:
            return match.group(0)
        return f"{match.group('key')}{match.group('sep')}{quote}[REDACTED:{kind}]{quote}"

    return _ASSIGNMENT.sub(replace, text)


# -- the API -----------------------------------------------------------------------------------


def redact_text(text: str) -> str:
    """`text` with every recognised secret replaced by `[REDACTED:<kind>]`."""
    if not isinstance(text, str) or len(text) < 8:
        return text
    text = _private_keys(text)
    # folded like the rules' IGNORECASE folds (`paſſword` holds "pass")
    lowered = text.lower() if text.isascii() else unicodedata.normalize("NFKC", text).casefold()
    for rule in rules():
        needles = _NEEDLES.get(rule.kind)
        if needles is None or any(n in lowered for n in needles):
            text = _apply(rule, text)
    if any(n in lowered for n in _ASSIGNMENT_NEEDLES):
        text = _assignments(text)
    return text


# every needle of every rule: text holding none of them has nothing any rule would redact
_ANY_NEEDLE = tuple(sorted({n for ns in _NEEDLES.values() for n in ns} | set(_ASSIGNMENT_NEEDLES)))
# rules run on every text (no needle in `_NEEDLES`) with what their case-sensitive match needs
_CASED_NEEDLES = {"twilio_key": ("AC", "SK")}  # detect-secrets: AC… / SK… and 32 more
_UNGUARDED = {kind for kind, *_ in (*_DETECT_SECRETS, *_OWN)} - {*_NEEDLES, *_CASED_NEEDLES}


def may_hold_secret(text: str) -> bool:
    """False when `redact_text` would surely return `text` unchanged, found without loading
    the rules (most ids: a UUID holds no rule's needle)."""
    if not isinstance(text, str) or len(text) < 8:
        return False
    if _UNGUARDED or "PRIVATE KEY" in text:
        return True
    if any(n in text for ns in _CASED_NEEDLES.values() for n in ns):
        return True
    lowered = text.lower() if text.isascii() else unicodedata.normalize("NFKC", text).casefold()
    return any(n in lowered for n in _ANY_NEEDLE)


def redact_id(value: str) -> str:
    """An identifier with secrets redacted, still unique: a digest of the original follows."""
    out = redact_text(value)
    if out == value:
        return value
    import hashlib  # on use: the store opens without it

    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{out}#{digest}"


def _is_base64_payload(container: dict[Any, Any], key: Any) -> bool:
    """`data` of an image or document source: base64 bytes, never text with secrets in it."""
    return key == "data" and container.get("type") == "base64"


_EXIT = object()


def redact(value: Any) -> Any:
    """A copy of `value` (str, list, dict, ...) with secrets redacted in every string in it.

    Dict values under secret names (`{"password": "hunter2"}`) are redacted whole; keys are
    redacted too. Works on any depth without recursion; raises `InvalidInput` when a list or dict
    contains itself.
    """
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(value, root, 0)]
    path: set[int] = set()
    while stack:
        src, dst, slot = stack.pop()
        if src is _EXIT:
            path.discard(dst)
            continue
        if isinstance(src, str):
            dst[slot] = redact_text(src)
        elif isinstance(src, dict):
            dst[slot] = _copy_dict(src, stack, path)
        elif isinstance(src, (list, tuple)):
            _enter(src, stack, path)
            out: list[Any] = [None] * len(src)
            dst[slot] = out
            stack.extend((item, out, i) for i, item in reversed(list(enumerate(src))))
        else:
            dst[slot] = src
    return root[0]


def _enter(src: Any, stack: list[tuple[Any, Any, Any]], path: set[int]) -> None:
    if id(src) in path:
        raise InvalidInput("content contains itself (a list or dict inside itself).")
    path.add(id(src))
    stack.append((_EXIT, id(src), None))


def _copy_dict(
    src: dict[Any, Any], stack: list[tuple[Any, Any, Any]], path: set[int]
) -> dict[Any, Any]:
    _enter(src, stack, path)
    out: dict[Any, Any] = {}
    children: list[tuple[Any, Any, Any]] = []
    for key, item in src.items():
        new_key = _unique_key(redact_text(key) if isinstance(key, str) else key, out)
        kind = key_kind(key) if isinstance(key, str) else None
        out[new_key] = item
        if isinstance(item, str) and _is_base64_payload(src, key):
            continue
        if (
            kind
            and isinstance(item, str)
            and _is_secret_value(item, kind=kind, quoted=True, colon=False, following="")
        ):
            out[new_key] = f"[REDACTED:{kind}]"
        elif isinstance(item, (str, list, tuple, dict)):
            children.append((item, out, new_key))
    stack.extend(reversed(children))
    return out


def _unique_key(key: Any, taken: dict[Any, Any]) -> Any:
    if key not in taken:
        return key
    n = 2
    while f"{key}#{n}" in taken:
        n += 1
    return f"{key}#{n}"


def kinds_in(values: Iterable[str]) -> dict[str, int]:
    """How many `[REDACTED:<kind>]` marks of each kind the strings hold."""
    counts: dict[str, int] = {}
    for value in values:
        for kind in _MARKS.findall(value or ""):
            counts[kind] = counts.get(kind, 0) + 1
    return counts


_MARKS = re.compile(r"\[REDACTED:([a-z0-9_]{1,40})\]")


# -- what the store redacts ----------------------------------------------------------------------

# Session columns holding free text (the id and parent id are keys: `redact_keys`; timestamps
# and the variant are the store's own).
SESSION_TEXT_FIELDS = (
    "title",
    "project",
    "cwd",
    "git_branch",
    "model",
    "source_ref",
    "source",
    "status",
)


def redact_session_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Session fields (as given to `start_session` / `update_session`) with secrets redacted."""
    out = dict(values)
    for key in SESSION_TEXT_FIELDS:
        if isinstance(out.get(key), str):
            out[key] = redact_text(out[key])
    if out.get("metadata") is not None:
        out["metadata"] = redact(out["metadata"])
    return out


def redact_message(spec: MessageSpec) -> MessageSpec:
    """A message spec (as given to `append`) with its content, metadata, model and external id
    redacted; the external id stays unique (see `redact_id`)."""
    out = cast("MessageSpec", dict(spec))  # any Mapping: the keys were checked
    if "content" in out:
        out["content"] = redact(out["content"])
    if out.get("metadata") is not None:
        out["metadata"] = redact(out["metadata"])
    model, external_id = out.get("model"), out.get("external_id")
    if isinstance(model, str):
        out["model"] = redact_text(model)
    if isinstance(external_id, str):
        out["external_id"] = redact_id(external_id)
    return out
