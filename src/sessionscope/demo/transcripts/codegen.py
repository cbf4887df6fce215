"""Plausible source code, identifiers and diffs for synthetic sessions (what commands print is in
`command_output`).

Everything is built from small templates and identifiers derived from a project's nouns, so the
output varies from call to call (which keeps search meaningful) while staying cheap to produce.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .projects import Project

VERBS = (
    "parse",
    "validate",
    "load",
    "fetch",
    "build",
    "normalize",
    "render",
    "compute",
    "resolve",
    "handle",
    "sync",
    "format",
    "merge",
    "retry",
    "apply",
    "flush",
    "encode",
    "decode",
    "emit",
    "collect",
    "refresh",
    "schedule",
    "prune",
    "reconcile",
    "hydrate",
    "serialize",
    "enqueue",
    "dedupe",
    "throttle",
    "migrate",
    "index",
    "group",
    "split",
    "rank",
    "verify",
    "attach",
)
PROPS = (
    "id",
    "email",
    "total",
    "items",
    "status",
    "createdAt",
    "name",
    "amount",
    "currency",
    "locale",
    "count",
    "offset",
    "limit",
    "token",
    "expiresAt",
    "region",
    "tags",
    "retries",
    "payload",
    "version",
    "userId",
    "price",
    "quantity",
    "score",
    "label",
    "path",
    "size",
    "owner",
)
MESSAGES = (
    "missing required field",
    "invalid state transition",
    "unexpected empty response",
    "token expired",
    "rate limit exceeded",
    "duplicate key",
    "schema mismatch",
    "timeout exceeded",
    "negative amount",
    "unknown currency",
    "connection refused",
    "permission denied",
)
LANG_FENCE = {"ts": "tsx", "py": "python", "go": "go", "tf": "hcl", "kt": "kotlin", "rs": "rust"}
INDENT = {"ts": "  ", "py": "    ", "go": "\t", "tf": "  ", "kt": "    ", "rs": "    "}

_STATEMENTS: dict[str, tuple[str, ...]] = {
    "ts": (
        "const {v} = await {f}({a});",
        "if (!{v}) {{\n  throw new Error('{s}');\n}}",
        "return {v}.map(({x}) => {x}.{p});",
        "const [{v}, set{V}] = useState<{T} | null>(null);",
        "useEffect(() => {{\n  void {f}({v});\n}}, [{v}]);",
        "const {v} = useMemo(() => {a}.filter((row) => row.{p} !== undefined), [{a}]);",
        "setState((prev) => ({{ ...prev, {p}: {v} }}));",
        "logger.debug('{s}', {{ {v} }});",
        "if ({v}.length > {n}) return null;",
        "await queryClient.invalidateQueries({{ queryKey: ['{p}', {v}.{p}] }});",
        "const {v} = {a}.reduce((sum, item) => sum + item.{p}, 0);",
        "const {v} = new Intl.NumberFormat(locale, {{ style: 'currency', currency }}).format({a});",
    ),
    "py": (
        "{v} = {f}({a})",
        'if {v} is None:\n    raise ValueError("{s}")',
        "return [{x}.{p} for {x} in {v} if {x}.{p} is not None]",
        'df = df.drop_duplicates(subset=["{p}"], keep="last")',
        'logger.info("{s}: %s", {v})',
        'with open({a}, encoding="utf-8") as fh:\n    {v} = json.load(fh)',
        '{v}.{p} = unicodedata.normalize("NFKC", {v}.{p}).casefold()',
        "for {x} in {v}:\n    {x}.{p} = {x}.{p} or {n}",
        "{v} = {{k: v for k, v in {a}.items() if v}}",
        "if len({v}) > {n}:\n    {v} = {v}[:{n}]",
        "{v} = datetime.fromisoformat({a}).astimezone(timezone.utc)",
        "retry = Retry(total={n}, backoff_factor=0.5)",
    ),
    "go": (
        "{v}, err := {f}(ctx, {a})",
        'if err != nil {{\n\treturn nil, fmt.Errorf("{s}: %w", err)\n}}',
        "defer {v}.Close()",
        "s.mu.Lock()\ndefer s.mu.Unlock()",
        "for _, {x} := range {v} {{\n\t{x}.{P} = {n}\n}}",
        "w.WriteHeader(http.StatusTooManyRequests)",
        'slog.InfoContext(ctx, "{s}", "{p}", {v})',
        "ctx, cancel := context.WithTimeout(ctx, {n}*time.Second)\ndefer cancel()",
        "if {v} == nil {{\n\treturn ErrNotFound\n}}",
        "row := s.db.QueryRow(ctx, `SELECT {p} FROM {x}s WHERE id = $1`, {a})",
    ),
    "tf": (
        '{p} = "{s}"',
        "count = var.{v}_enabled ? 1 : 0",
        "depends_on = [module.{v}]",
        "min_size = {n}",
        "lifecycle {{\n  prevent_destroy = true\n}}",
        'tags = merge(local.tags, {{ Name = "{v}" }})',
        "subnet_ids = module.vpc.private_subnets",
        'instance_types = ["m6i.large"]',
    ),
    "kt": (
        "val {v} = {f}({a})",
        "if ({v} == null) return",
        "viewModelScope.launch {{\n    {f}({v})\n}}",
        "_uiState.update {{ it.copy({p} = {v}) }}",
        'Log.d(TAG, "{s}: ${v}")',
        "val {v} = {a}.filter {{ it.{p} != null }}.sumOf {{ it.{p} }}",
        "return {v}.map {{ it.toDomain() }}",
        'check({v}.isNotEmpty()) {{ "{s}" }}',
    ),
    "rs": (
        "let {v} = {f}(&{a})?;",
        "if {v}.is_empty() {{\n    return Ok(Vec::new());\n}}",
        "for {x} in {v}.iter_mut() {{\n    {x}.{p} = {n};\n}}",
        "let {v}: Vec<_> = {a}.par_iter().map(|{x}| {x}.{p}()).collect();",
        'anyhow::bail!("{s}");',
        'let {v} = {a}.get("{p}").context("{s}")?;',
        'tracing::debug!({v} = ?{a}, "{s}");',
    ),
}

_FUNC: dict[str, str] = {
    "ts": "export function {f}({a}: {T}): {R} {{\n{body}\n}}",
    "py": 'def {f}({a}: {T}) -> {R}:\n    """{doc}"""\n{body}',
    "go": "func (s *Service) {F}(ctx context.Context, {a} {T}) (*{R}, error) {{\n{body}\n}}",
    "tf": 'resource "aws_{res}" "{f}" {{\n{body}\n}}',
    "kt": "fun {f}({a}: {T}): {R} {{\n{body}\n}}",
    "rs": "pub fn {f}({a}: &{T}) -> Result<{R}> {{\n{body}\n}}",
}
_HEADER: dict[str, str] = {
    "ts": "import {{ useEffect, useMemo, useState }} from 'react';\nimport {{ {F} }} from '../api/{v}';\n",
    "py": "from __future__ import annotations\n\nimport json\nimport logging\nimport unicodedata\nfrom datetime import datetime, timezone\n\nlogger = logging.getLogger(__name__)\n",
    "go": 'package {pkg}\n\nimport (\n\t"context"\n\t"fmt"\n\t"log/slog"\n\t"net/http"\n\t"time"\n)\n',
    "tf": 'locals {{\n  tags = {{ team = "platform", env = var.env }}\n}}\n',
    "kt": "package dev.acme.shop.{pkg}\n\nimport android.util.Log\nimport kotlinx.coroutines.launch\n",
    "rs": "use anyhow::{{Context, Result}};\nuse rayon::prelude::*;\n",
}
TF_RESOURCES = (
    "eks_node_group",
    "security_group",
    "db_instance",
    "iam_role",
    "s3_bucket",
    "lb_listener",
    "route53_record",
    "cloudwatch_metric_alarm",
)


def camel(words: list[str]) -> str:
    return words[0].lower() + "".join(w.capitalize() for w in words[1:])


def pascal(words: list[str]) -> str:
    return "".join(w.capitalize() for w in words)


def snake(words: list[str]) -> str:
    return "_".join(w.lower() for w in words)


_WORDS: dict[str, tuple[list[str], ...]] = {}
_CODE_EXT = {
    "ts": (".ts", ".tsx"),
    "py": (".py",),
    "go": (".go",),
    "tf": (".tf",),
    "kt": (".kt",),
    "rs": (".rs",),
}
_CODE_FILES: dict[str, tuple[str, ...]] = {}


def code_files(project: Project) -> tuple[str, ...]:
    """The project's source files in its main language (what Read/Edit usually touch)."""
    files = _CODE_FILES.get(project.name)
    if files is None:
        files = _CODE_FILES[project.name] = (
            tuple(f for f in project.files if f.endswith(_CODE_EXT[project.lang])) or project.files
        )
    return files


def _noun_words(rng: random.Random, project: Project) -> list[str]:
    words = _WORDS.get(project.name)
    if words is None:
        words = _WORDS[project.name] = tuple(
            [w for w in noun.replace("-", " ").replace("'", "").split() if w.isascii()] or ["item"]
            for noun in project.nouns
        )
    return words[int(rng.random() * len(words))]


@dataclass
class Ident:
    """Identifiers for one snippet: function, type, variable, property."""

    fn: str
    Fn: str
    type: str
    var: str
    prop: str


def ident(rng: random.Random, project: Project) -> Ident:
    verb = rng.choice(VERBS)
    words = _noun_words(rng, project)
    snake_case = project.lang in ("py", "rs", "tf")
    fn = snake([verb, *words]) if snake_case else camel([verb, *words])
    var = snake(words) if snake_case else camel(words)
    prop = rng.choice(PROPS)
    if snake_case:
        prop = "".join("_" + c.lower() if c.isupper() else c for c in prop)
    return Ident(fn=fn, Fn=pascal([verb, *words]), type=pascal(words), var=var, prop=prop)


def _fill(template: str, rng: random.Random, idn: Ident) -> str:
    other = rng.choice(PROPS)
    return template.format(
        v=idn.var,
        V=idn.var[:1].upper() + idn.var[1:],
        f=idn.fn,
        F=idn.Fn,
        T=idn.type,
        R=idn.type + rng.choice(("", "Result", "s", "View", "Summary")),
        a=rng.choice(("input", "rows", "req", "params", "opts", "items", "records", "cfg")),
        x=rng.choice(("row", "item", "entry", "rec", "el")),
        p=idn.prop,
        P=idn.prop.capitalize(),
        q=other,
        s=rng.choice(MESSAGES),
        n=rng.choice((0, 1, 3, 5, 10, 30, 60, 100, 500)),
        doc=f"{idn.fn.replace('_', ' ').capitalize()}.",
        res=rng.choice(TF_RESOURCES),
        pkg=rng.choice(("handlers", "store", "middleware", "ui.cart", "data")),
    )


def _indent(text: str, pad: str) -> str:
    return "\n".join(pad + line if line else line for line in text.split("\n"))


def statement(rng: random.Random, lang: str, idn: Ident) -> str:
    return _fill(rng.choice(_STATEMENTS[lang]), rng, idn)


def function(
    rng: random.Random, project: Project, idn: Ident | None = None, body_lines: int | None = None
) -> str:
    """One function (or resource block) in the project's language."""
    lang = project.lang
    idn = idn or ident(rng, project)
    templates = _STATEMENTS[lang]
    n = min(body_lines or rng.randint(2, 7), len(templates))
    body = "\n".join(_fill(t, rng, idn) for t in rng.sample(templates, n))
    return _FUNC[lang].format(
        f=idn.fn,
        F=idn.Fn,
        a=rng.choice(("input", "rows", "req", "params")),
        T=idn.type,
        R=idn.type + rng.choice(("", "Result", "View")),
        doc=f"{idn.fn.replace('_', ' ').capitalize()}.",
        res=rng.choice(TF_RESOURCES),
        body=_indent(body, INDENT[lang]),
    )


def source_file(rng: random.Random, project: Project, functions: int | None = None) -> str:
    """A whole (short) source file: a header and a few functions."""
    idn = ident(rng, project)
    parts = [_fill(_HEADER[project.lang], rng, idn)]
    for _ in range(functions or rng.randint(2, 5)):
        parts.append(function(rng, project))
    return "\n\n".join(parts) + "\n"


def numbered(text: str, start: int = 1) -> str:
    """`cat -n` style, as Claude Code's Read tool returns files."""
    return "".join(f"{i:>6}\t{line}\n" for i, line in enumerate(text.split("\n"), start))


def edit_pair(rng: random.Random, project: Project) -> tuple[str, str]:
    """An (old, new) pair for an Edit: one or two statements replaced by a safer version."""
    idn = ident(rng, project)
    old = statement(rng, project.lang, idn)
    new = statement(rng, project.lang, idn)
    while new == old:
        new = statement(rng, project.lang, ident(rng, project))
    if rng.random() < 0.4:
        new = new + "\n" + statement(rng, project.lang, idn)
    return old, new


def unified_diff(path: str, old: str, new: str, line: int) -> str:
    olds, news = old.split("\n"), new.split("\n")
    out = [
        f"diff --git a/{path} b/{path}",
        "index 3f1c2a9..8b7e410 100644",
        f"--- a/{path}",
        f"+++ b/{path}",
        f"@@ -{line},{len(olds)} +{line},{len(news)} @@",
    ]
    out += ["-" + s for s in olds] + ["+" + s for s in news]
    return "\n".join(out) + "\n"


def apply_patch_text(path: str, old: str, new: str) -> str:
    """Codex `apply_patch` grammar."""
    lines = ["*** Begin Patch", f"*** Update File: {path}", "@@"]
    lines += ["-" + s for s in old.split("\n")] + ["+" + s for s in new.split("\n")]
    return "\n".join(lines) + "\n*** End Patch\n"
