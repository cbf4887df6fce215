"""What people and agents write in a coding session: prompts, thinking, explanations, summaries.

Sentences are assembled from fragment pools and a project's own vocabulary, with Markdown (lists,
headings, tables, fenced code) where an agent would use it, and a little Japanese and accented
text where a real team would have it.
"""

from __future__ import annotations

import random

from . import codegen, command_output
from .codegen import LANG_FENCE, Ident
from .projects import Project

FIRST_PROMPTS = (
    "{Bug}. Can you find the cause and fix it?",
    "Bug: {bug}. Please fix it and add a regression test.",
    "{Bug} — started after yesterday's merge. Look at `{file}` first.",
    "Add {feature}.",
    "I'd like {feature}. Start by reading `{file}` and tell me your plan before editing.",
    "Can you add {feature}? Keep the change small, we're close to a release.",
    "Upgrade {dep} and fix whatever breaks.",
    "Refactor the {area}: it has grown too big. Keep the behaviour the same and the tests green.",
    "Write tests for the {area}; coverage there is almost zero.",
    "Explain how the {area} works. I'm new to this codebase and need to change the {noun} logic.",
    "CI is red on `{branch}`: `{test}` fails. Here's the log:\n\n```\n{failure}```",
    "I get this when I run it locally:\n\n```\n{trace}```\n\nWhat's going on?",
    "Review my changes in `{file}` before I open the PR. Anything risky?",
    "Clean up the warnings from `{check}`.",
    "The {noun} handling in `{file}` is confusing. Simplify it without changing behaviour.",
    "Performance: the {area} got slow. Find the hot spot and fix it.",
)
JAPANESE_PROMPTS = (
    "{area} のテストが失敗しています。原因を調べて修正してください。",
    "`{file}` の {noun} の処理をリファクタリングしてください。動作は変えないでください。",
    "このエラーの原因は何ですか？\n\n```\n{trace}```",
    "ありがとうございます。次に {feature} を追加してもらえますか？",
)
FOLLOW_UPS: dict[str, tuple[str, ...]] = {
    "work": (
        "Looks good. Can you also add {feature}?",
        "That broke something else:\n\n```\n{failure}```",
        "Run the whole test suite, not just that file.",
        "ok, continue",
        "yes",
        "Hmm, not quite: the {noun} still shows the old value after a refresh.",
        "Can you make `{fn}` handle the empty case too?",
        "Please don't touch `{file}`, another team owns it. Revert that part.",
        "Now do the same for the {area}.",
        "What about {bug}? Is that the same root cause?",
        "Good. Update the README section about the {noun} as well.",
        "Use {dep} for this instead of writing it by hand.",
        "There's a typo in the error message. Also the log line should include the {noun}.",
        "Run `{check}` and fix what it reports.",
        "Perfect, thanks! One more thing: {feature}.",
        "La validación falla con nombres como José Álvarez o Zoë Ångström. ¿Puedes revisarlo?",
        "ありがとう！次に {area} のテストを追加してください。",
    ),
    "explain": (
        "Why did you change `{fn}`? I thought the old version was fine.",
        "Can you explain the trade-offs here? I'm not sure we need a cache at all.",
        "How would this behave with 10x the traffic?",
        "Merci ! Et pour les clients au Québec, est-ce que le format de la {noun} est correct ?",
        "What does `{fn}` actually return when the {noun} is missing?",
    ),
    "commit": (
        "Commit this with a good message.",
        "commit and push",
        "修正ありがとうございます。コミットしてください。",
        "Great, ship it.",
    ),
}
PREFACES: dict[str, tuple[str, ...]] = {
    "read": (
        "Let me look at `{file}` first.",
        "Let me check how `{file}` is wired up.",
        "I'll read `{file}` before changing anything.",
        "First, the current implementation in `{file}`.",
    ),
    "search": (
        "I'll search for where `{pattern}` is used.",
        "Let me find every use of `{pattern}`.",
        "Searching for `{pattern}`.",
    ),
    "explore": (
        "Let me check how the {area} is wired up.",
        "I'll read the relevant files before changing anything.",
        "Let me find where the {noun} is handled.",
    ),
    "edit": (
        "Now I'll make the change.",
        "I'll update `{fn}` to handle this.",
        "Applying the fix.",
        "I'll update the tests to cover this case.",
        "Making `{fn}` return early on empty input.",
    ),
    "test": (
        "Running the tests.",
        "Running the tests to see the current state.",
        "Let me verify the fix with the full suite.",
        "Let me run the suite again.",
    ),
}
CAUSES = (
    "`{fn}` is called before `{var}` is initialised, so it reads `undefined` on the first render",
    "the {noun} is compared case-sensitively, so 'Zoë' and 'ZOË' are treated as different",
    "the default value is `null` rather than an empty list, and the caller maps over it",
    "two goroutines write to the map without holding the mutex",
    "the cache key ignores the {noun}, so users see each other's values",
    "the timezone comes from the server instead of the user's profile",
    "the retry loop never resets its counter after a success",
    "an off-by-one in the pagination cursor skips the last row of every page",
    "the error is swallowed by a bare `except` and the {noun} is silently dropped",
    "the effect has no dependency array, so it runs on every render",
    "the migration adds the column as NOT NULL without a default",
    "`{prop}` is parsed as a float, and `0.1 + 0.2` is not `0.3`",
    "the webhook handler isn't idempotent, so a retried delivery is processed twice",
    "the connection is never returned to the pool on the error path",
    "the config value is read once at import time, before the environment is loaded",
)
FIXES = (
    "normalise the value (NFKC + casefold) before comparing",
    "return early when the list is empty",
    "hold the lock for the whole read-modify-write",
    "pass the request context through so cancellations propagate",
    "memoise the selector with `useMemo`",
    "take the locale from the session instead of the server",
    "store the {noun} in integer cents instead of floats",
    "key the cache on the tenant as well as the {noun}",
    "record processed event IDs and skip duplicates",
    "release the connection in a `defer`/`finally` block",
    "read the setting lazily, at first use",
    "add a default and backfill existing rows in the same migration",
)
CAVEATS = (
    "One thing to watch: the old behaviour was relied on by the nightly export, so check its output tomorrow.",
    "Note that this changes the public signature of `{fn}`; I updated the two call sites.",
    "If you'd rather not add a dependency, the same can be done in about twenty lines by hand.",
    "I didn't touch `{file}`: it looks related but it isn't on this code path.",
    "The flaky test in the {area} is unrelated; it also fails on `main`.",
    "There is a similar pattern in the {area}; want me to fix it there too?",
)
PLANS = (
    "read `{file}` to see how {noun} is handled",
    "find every caller of `{fn}`",
    "reproduce the failure with a focused test",
    "check the recent commits touching the {area}",
    "look at the test fixtures",
    "compare with how the {area} does it",
    "run `{check}`",
    "write the failing test first",
    "keep the change minimal",
    "check the migration history",
)
THOUGHTS = (
    "The user wants {goal}.",
    "So the failure is {cause}.",
    "I should {plan} first, then {plan2}.",
    "Careful: {file} is shared with the {area}.",
    "The simplest fix is to {fix}.",
    "The test output shows the assertion on `{prop}` fails.",
    "Maybe the {noun} is cached somewhere.",
    "That explains why it only happens for some users.",
    "Before editing, {plan}.",
)
TITLES = (
    "Fix {bug_short}",
    "Add {feature}",
    "Upgrade {dep}",
    "Refactor {area}",
    "Tests for {area}",
    "Explain {area}",
    "Speed up {area}",
    "Clean up {check} warnings",
    "Investigate {noun} issue",
)


_SIMPLE = {
    "file": "files",
    "area": "areas",
    "noun": "nouns",
    "dep": "deps",
    "bug": "bugs",
    "feature": "features",
    "test": "tests",
    "check": "checks",
}


class _Slots(dict):  # type: ignore[type-arg]
    """A format_map mapping that computes a slot the first time a template asks for it."""

    def __init__(self, filler: Filler, extra: dict[str, str]) -> None:
        super().__init__(extra)
        self.filler = filler

    def __missing__(self, key: str) -> str:
        value = self.filler.slot(key, self)
        self[key] = value
        return value


class Filler:
    """Fills `{slot}` templates with one project's vocabulary."""

    def __init__(self, rng: random.Random, project: Project, branch: str) -> None:
        self.rng = rng
        self.project = project
        self.branch = branch

    def ident(self) -> Ident:
        return codegen.ident(self.rng, self.project)

    def fill(self, template: str, **extra: str) -> str:
        """`template` with each `{slot}` filled (only the slots it uses are computed)."""
        return template.format_map(_Slots(self, extra))

    def slot(self, key: str, values: dict[str, str]) -> str:
        rng, p = self.rng, self.project
        simple = _SIMPLE.get(key)
        if simple is not None:
            pool = codegen.code_files(p) if key == "file" else getattr(p, simple)
            return pool[int(rng.random() * len(pool))]
        if key == "branch":
            return self.branch
        if key in ("fn", "var", "prop"):
            idn = self.ident()
            values.update(fn=idn.fn, var=idn.var, prop=idn.prop)
            return values[key]
        if key == "Bug":
            bug = values["bug"]
            return bug[:1].upper() + bug[1:]
        if key == "failure":
            return command_output.test_run(rng, p, values["test"], fail=True)
        if key == "trace":
            return command_output.stack_trace(rng, p)
        if key == "goal":
            return rng.choice(
                (
                    f"to fix {values['bug']}",
                    f"{values['feature']}",
                    f"the {values['area']} cleaned up",
                    f"tests for the {values['area']}",
                )
            )
        if key == "cause":
            return self.fill(rng.choice(CAUSES))
        if key in ("plan", "plan2"):
            return self.fill(rng.choice(PLANS))
        if key == "fix":
            return self.fill(rng.choice(FIXES))
        raise KeyError(key)

    # -- user side ---------------------------------------------------------------------------------

    def first_prompt(self, japanese: bool = False) -> str:
        pool = JAPANESE_PROMPTS if japanese else FIRST_PROMPTS
        return self.fill(self.rng.choice(pool + self.project.tasks if not japanese else pool))

    def follow_up(self, kind: str = "work") -> str:
        return self.fill(self.rng.choice(FOLLOW_UPS[kind]))

    def title(self, prompt: str) -> str:
        """A short summary title for a session that began with `prompt` (Claude Code's `summary`)."""
        rng = self.rng
        first = prompt.strip().split("```")[0].strip().split("\n")[0]
        for stop in (". ", "? ", "! ", ": ", " — "):
            first = first.split(stop)[0]
        first = first.strip().rstrip(".:?!").replace("`", "")
        if len(first) > 70:
            first = first[:70].rsplit(" ", 1)[0]
        if len(first) < 12 or rng.random() < 0.25:
            bug = rng.choice(self.project.bugs)
            return self.fill(rng.choice(TITLES), bug_short=" ".join(bug.split()[:7]))
        return first[:1].upper() + first[1:]

    # -- agent side --------------------------------------------------------------------------------

    def preface(self, kind: str = "explore", **extra: str) -> str:
        return self.fill(self.rng.choice(PREFACES[kind]), **extra)

    def thinking(self) -> str:
        rng = self.rng
        return " ".join(self.fill(rng.choice(THOUGHTS)) for _ in range(rng.randint(2, 6)))

    def diagnosis(self) -> str:
        rng = self.rng
        head = rng.choice(
            (
                "Found it: ",
                "The root cause is that ",
                "The problem: ",
                "It turns out ",
                "Looking at the output, ",
            )
        )
        text = head + self.fill("{cause}.") + " " + self.fill(f"I'll {rng.choice(FIXES)}.")
        if rng.random() < 0.4:
            text += (
                "\n\n```"
                + LANG_FENCE[self.project.lang]
                + "\n"
                + codegen.function(rng, self.project, body_lines=rng.randint(2, 5))
                + "\n```"
            )
        return text

    def summary(self, tests_passed: int | None = None) -> str:
        """The closing message of a task: what changed, a snippet, how it was verified."""
        rng, p = self.rng, self.project
        parts = [
            rng.choice(
                (
                    "Done.",
                    "Fixed.",
                    "Here's what I changed:",
                    "## Summary",
                    "All set.",
                    "The change is in.",
                )
            )
        ]
        bullets = [
            self.fill(
                rng.choice(
                    (
                        "- `{file}`: {fix}",
                        "- Added a regression test for {noun} handling",
                        "- `{fn}` now returns early when the input is empty",
                        "- Removed the unused `{var}` helper",
                        "- Updated the {area} to use the new `{fn}`",
                        "- Renamed `{var}` to make the {noun} flow clearer",
                    )
                ),
                fix=self.fill(rng.choice(FIXES)),
            )
            for _ in range(rng.randint(2, 5))
        ]
        parts.append("\n".join(bullets))
        if rng.random() < 0.5:
            parts.append(f"```{LANG_FENCE[p.lang]}\n{codegen.function(rng, p)}\n```")
        if tests_passed is not None:
            parts.append(
                self.fill(
                    rng.choice(
                        (
                            "All {n} tests pass, and `{check}` is clean.",
                            "`{test}`: {n} passed.",
                            "Tests: {n} passed, 0 failed.",
                        )
                    ),
                    n=str(tests_passed),
                )
            )
        if rng.random() < 0.35:
            parts.append(self.fill(rng.choice(CAVEATS)))
        return "\n\n".join(parts)

    def explanation(self) -> str:
        """A longer, text-only answer: headings, a numbered walk-through, code, sometimes a table."""
        rng, p = self.rng, self.project
        area = rng.choice(p.areas)
        parts = [
            f"## How the {area} works",
            self.fill(
                f"The {area} sits between the {{area}} and the {{noun}} layer. Requests come in through "
                "`{fn}`, which validates the input and hands it to `{var}`."
            ),
        ]
        steps = [
            f"{i}. "
            + self.fill(
                rng.choice(
                    (
                        "`{fn}` loads the {noun} and checks `{prop}`.",
                        "If the {noun} is missing, it falls back to the default.",
                        "The result is cached per {noun} for 60 seconds.",
                        "Errors are wrapped and logged with the request ID.",
                        "Finally the {area} emits an event so the {noun} view refreshes.",
                    )
                )
            )
            for i in range(1, rng.randint(3, 6))
        ]
        parts.append("\n".join(steps))
        parts.append(
            f"```{LANG_FENCE[p.lang]}\n{codegen.source_file(rng, p, functions=rng.randint(1, 2))}```"
        )
        if rng.random() < 0.5:
            parts.append(
                "| Option | Pros | Cons |\n|---|---|---|\n"
                + "\n".join(
                    self.fill(
                        "| {fix} | simple, local | touches `{file}` |",
                        fix=self.fill(rng.choice(FIXES)),
                    )
                    for _ in range(rng.randint(2, 4))
                )
            )
        parts.append(self.fill(rng.choice(CAVEATS)))
        return "\n\n".join(parts)

    def japanese_reply(self) -> str:
        return self.fill(
            self.rng.choice(
                (
                    "修正しました。`{fn}` で {noun} を正規化してから比較するようにしました。テストはすべて通っています。",
                    "原因は {area} の初期化順序でした。`{file}` を修正し、回帰テストを追加しました。",
                    "コミットしました。`{branch}` ブランチにプッシュ済みです。",
                )
            )
        )

    def commit_message(self) -> str:
        return self.fill(
            self.rng.choice(
                (
                    "Fix {noun} handling in {area}",
                    "Add {feature}",
                    "Normalise {prop} before comparing",
                    "Guard {fn} against empty input",
                    "Refactor {area}",
                    "Add regression test for {noun}",
                )
            )
        )
