"""What commands print in synthetic sessions: test runs, build and lint checks, stack traces,
long logs and git, each in the style of the project's own tools.

Built from the identifiers and snippets in `codegen`, so the output varies from call to call.
"""

from __future__ import annotations

import random

from .codegen import MESSAGES, TF_RESOURCES, code_files, ident, pascal, statement
from .projects import Project

ESC = "\x1b"


def _color(text: str, code: str, ansi: bool) -> str:
    return f"{ESC}[{code}m{text}{ESC}[39m" if ansi else text


def test_name(rng: random.Random, project: Project) -> str:
    idn = ident(rng, project)
    phrase = rng.choice(
        (
            "rejects empty {v}",
            "handles missing {p}",
            "keeps order of {v}",
            "returns 404 for unknown {v}",
            "retries on timeout",
            "normalises {p}",
            "paginates {v}",
            "formats {p} for locale",
            "is idempotent for repeated {v}",
            "survives concurrent writes to {v}",
        )
    )
    text = phrase.format(v=idn.var.replace("_", " "), p=idn.prop)
    if project.lang == "py":
        return "test_" + text.replace(" ", "_").replace("-", "_").lower()
    if project.lang == "go":
        return "Test" + pascal(text.replace("-", " ").split())
    if project.lang == "rs":
        return text.replace(" ", "_").replace("-", "_").lower()
    return text


def test_run(rng: random.Random, project: Project, cmd: str, fail: bool, ansi: bool = False) -> str:
    """Output of a test command, passing or failing, in the project's test runner's style."""
    total = rng.randint(12, 240)
    failed = rng.randint(1, 3) if fail else 0
    name = test_name(rng, project)
    test_file = rng.choice([f for f in project.files if "test" in f.lower()] or list(project.files))
    lang = project.lang
    if lang == "ts":
        lines = [f" RUN  v3.0.5 {project.cwd}", ""]
        for _ in range(rng.randint(3, 9)):
            f = rng.choice(code_files(project)).rsplit(".", 1)[0].removesuffix(".test")
            lines.append(
                f" {_color('✓', '32', ansi)} {f}.test.ts "
                f"({rng.randint(2, 30)} tests) {rng.randint(3, 400)}ms"
            )
        if fail:
            lines += [
                f" {_color('❯', '31', ansi)} {test_file} ({rng.randint(3, 12)} tests | {failed} failed)",
                f"   × {name} {rng.randint(4, 90)}ms",
                "",
                f" FAIL  {test_file} > {name}",
                f"AssertionError: expected {rng.choice(('NaN', 'undefined', '2', '[]'))} to be "
                f"{rng.choice(('0', '1', 'true', 'defined'))} // Object.is equality",
                f" ❯ {test_file}:{rng.randint(10, 120)}:{rng.randint(5, 40)}",
                "",
            ]
        lines += [
            "",
            f" Test Files  {'1 failed | ' if fail else ''}{rng.randint(4, 30)} passed",
            f"      Tests  {f'{failed} failed | ' if fail else ''}{total - failed} passed ({total})",
            f"   Duration  {rng.uniform(0.8, 19):.2f}s",
        ]
        return "\n".join(lines) + "\n"
    if lang == "py":
        pct = 0
        lines = [
            "============================= test session starts ==============================",
            "platform linux -- Python 3.12.7, pytest-8.3.4, pluggy-1.5.0",
            f"rootdir: {project.cwd}",
            "configfile: pyproject.toml",
            f"collected {total} items",
            "",
        ]
        for f in rng.sample(
            [f for f in project.files if f.endswith(".py")] or list(project.files),
            k=min(4, len(project.files)),
        ):
            pct = min(100, pct + rng.randint(10, 40))
            dots = "." * rng.randint(3, 40) + ("F" if fail and rng.random() < 0.5 else "")
            name_ = (
                f
                if f.rsplit("/", 1)[-1].startswith("test_")
                else ("tests/test_" + f.rsplit("/", 1)[-1])
            )
            lines.append(f"{name_} {dots:<50} [{pct:>3}%]")
        if fail:
            lines += [
                "",
                "=================================== FAILURES ===================================",
                f"_{name:_^78}_",
                "",
                f"    def {name}():",
                f">       assert {rng.choice(('len(result) == 1', 'row.email == expected', 'total == 42'))}",
                f"E       AssertionError: assert {rng.randint(0, 9)} == {rng.randint(10, 99)}",
                "",
                f"{test_file}:{rng.randint(10, 200)}: AssertionError",
                "=========================== short test summary info ============================",
                f"FAILED {test_file}::{name} - AssertionError",
                f"========================= {failed} failed, {total - failed} passed in {rng.uniform(0.5, 30):.2f}s =========================",
            ]
        else:
            lines.append(
                f"============================== {total} passed in {rng.uniform(0.5, 30):.2f}s ==============================="
            )
        return "\n".join(lines) + "\n"
    if lang == "go":
        mod = project.remote.split(":")[-1].removesuffix(".git")
        lines = []
        for pkg in ("internal/handlers", "internal/store", "internal/middleware", "internal/auth"):
            if fail and pkg == "internal/handlers":
                lines += [
                    f"--- FAIL: {name} ({rng.uniform(0, 1):.2f}s)",
                    f"    {test_file.rsplit('/', 1)[-1]}:{rng.randint(20, 200)}: expected status "
                    f"{rng.choice((429, 200, 404))}, got {rng.choice((500, 200, 401))}",
                    "FAIL",
                    f"FAIL\tgithub.com/{mod}/{pkg}\t{rng.uniform(0.1, 3):.3f}s",
                ]
            else:
                lines.append(f"ok  \tgithub.com/{mod}/{pkg}\t{rng.uniform(0.1, 3):.3f}s")
        if fail:
            lines.append("FAIL")
        return "\n".join(lines) + "\n"
    if lang == "rs":
        lines = [
            f"   Compiling {project.name} v0.4.2 ({project.cwd})",
            f"    Finished `test` profile [unoptimized + debuginfo] target(s) in {rng.uniform(1, 40):.2f}s",
            f"     Running unittests src/main.rs (target/debug/deps/{project.name}-{rng.getrandbits(64):016x})",
            "",
            f"running {total} tests",
        ]
        for _ in range(min(total, rng.randint(4, 14))):
            lines.append(
                f"test {rng.choice(('config', 'walker', 'index', 'output'))}::tests::{test_name(rng, project)} ... ok"
            )
        if fail:
            lines += [
                f"test walker::tests::{name} ... FAILED",
                "",
                "failures:",
                "",
                f"---- walker::tests::{name} stdout ----",
                f"thread 'walker::tests::{name}' panicked at src/index/walker.rs:{rng.randint(20, 300)}:9:",
                "assertion `left == right` failed\n  left: 3\n right: 2",
            ]
        lines.append(
            f"\ntest result: {'FAILED' if fail else 'ok'}. {total - failed} passed; {failed} failed; "
            f"0 ignored; 0 measured; 0 filtered out; finished in {rng.uniform(0, 3):.2f}s"
        )
        return "\n".join(lines) + "\n"
    if lang == "kt":
        lines = ["> Task :app:compileDebugKotlin", "> Task :app:testDebugUnitTest"]
        if fail:
            lines += [
                "",
                f"CartViewModelTest > {name}() FAILED",
                f"    java.lang.AssertionError: expected:<{rng.choice(('0.0', 'true', '1'))}> but was:<{rng.choice(('NaN', 'false', '2'))}>",
                "        at org.junit.Assert.fail(Assert.java:89)",
                f"        at dev.acme.shop.CartViewModelTest.{name.replace(' ', '_')}(CartViewModelTest.kt:{rng.randint(20, 140)})",
                "",
                f"{total} tests completed, {failed} failed",
                "",
                "FAILURE: Build failed with an exception.",
                "",
                "* What went wrong:",
                "Execution failed for task ':app:testDebugUnitTest'.",
                "> There were failing tests. See the report at: file:///home/dev/mobile/app/build/reports/tests/testDebugUnitTest/index.html",
                "",
                f"BUILD FAILED in {rng.randint(5, 90)}s",
            ]
        else:
            lines += [
                "",
                f"BUILD SUCCESSFUL in {rng.randint(5, 90)}s",
                f"{rng.randint(20, 60)} actionable tasks: {rng.randint(3, 20)} executed, {rng.randint(10, 40)} up-to-date",
            ]
        return "\n".join(lines) + "\n"
    # tf / infra
    if "kubectl" in cmd:
        rows = ["NAME                          READY   STATUS             RESTARTS      AGE"]
        for i in range(rng.randint(3, 8)):
            status = "CrashLoopBackOff" if fail and i % 2 == 0 else "Running"
            rows.append(
                f"api-server-{rng.getrandbits(40):010x}-{rng.getrandbits(20):05x}   "
                f"{'0/1' if status != 'Running' else '1/1'}     {status:<18} "
                f"{rng.randint(0, 30):<13} {rng.randint(1, 50)}m"
            )
        return "\n".join(rows) + "\n"
    if fail:
        return _infra_failure(cmd, rng.getrandbits(128))  # one draw, whichever tool failed
    adds, changes = rng.randint(0, 6), rng.randint(0, 4)
    lines = [
        "Terraform used the selected providers to generate the following execution plan.",
        "Resource actions are indicated with the following symbols:",
        "  + create",
        "  ~ update in-place",
        "",
        "Terraform will perform the following actions:",
        "",
    ]
    for _ in range(adds + changes):
        res = rng.choice(TF_RESOURCES)
        lines += [
            f"  # module.{rng.choice(('eks', 'vpc', 'rds'))}.aws_{res}.{ident(rng, project).var} will be created",
            f'  + resource "aws_{res}" "{ident(rng, project).var}" {{',
            "      + arn  = (known after apply)",
            '      + tags = { "team" = "platform" }',
            "    }",
            "",
        ]
    lines.append(f"Plan: {adds} to add, {changes} to change, 0 to destroy.")
    return "\n".join(lines) + "\n"


def check_run(rng: random.Random, project: Project, cmd: str, fail: bool) -> str:
    """Output of a build / lint / typecheck command."""
    f = rng.choice(code_files(project))
    if not fail:
        word = (
            cmd.split()[1]
            if cmd.startswith(("npx", "npm", "cargo", "go ", "python"))
            else cmd.split()[0]
        )
        outputs = {
            "tsc": "",
            "lint": "",
            "eslint": "",
            "build": (
                f"vite v6.0.7 building for production...\n✓ {rng.randint(200, 2000)} modules transformed.\n"
                f"dist/assets/index-{rng.getrandbits(32):08x}.js  {rng.uniform(80, 900):.2f} kB │ gzip: "
                f"{rng.uniform(20, 300):.2f} kB\n✓ built in {rng.uniform(1, 20):.2f}s\n"
            ),
            "ruff": "All checks passed!\n",
            "mypy": f"Success: no issues found in {rng.randint(10, 200)} source files\n",
            "vet": "",
            "golangci-lint": "",
            "clippy": (
                f"    Checking {project.name} v0.4.2 ({project.cwd})\n    Finished `dev` profile "
                f"[unoptimized + debuginfo] target(s) in {rng.uniform(1, 30):.2f}s\n"
            ),
            "tflint": "",
            "terraform": "Success! The configuration is valid.\n",
        }
        return outputs.get(
            word,
            rng.choice(
                (
                    "",
                    f"✨ Done in {rng.uniform(0.5, 30):.2f}s.\n",
                    f"BUILD SUCCESSFUL in {rng.randint(5, 90)}s\n"
                    if project.lang == "kt"
                    else "OK\n",
                )
            ),
        )
    idn = ident(rng, project)
    if project.lang == "ts":
        return (
            f"{f}:{rng.randint(3, 200)}:{rng.randint(1, 40)} - error TS2339: Property '{idn.prop}' "
            f"does not exist on type '{idn.type}'.\n\nFound {rng.randint(1, 9)} errors in "
            f"{rng.randint(1, 4)} files.\n"
        )
    if project.lang == "py":
        return (
            f'{f}:{rng.randint(3, 200)}: error: Item "None" of "{idn.type} | None" has no '
            f'attribute "{idn.prop}"  [union-attr]\nFound {rng.randint(1, 9)} errors in 1 file '
            f"(checked {rng.randint(10, 90)} source files)\n"
        )
    if project.lang == "go":
        return f"# {project.name}/{f.rsplit('/', 1)[0]}\n./{f}:{rng.randint(3, 200)}:{rng.randint(2, 30)}: undefined: {idn.Fn}\n"
    if project.lang == "rs":
        return (
            f"error[E0502]: cannot borrow `self.{idn.var}` as mutable because it is also borrowed as immutable\n"
            f"  --> {f}:{rng.randint(10, 200)}:{rng.randint(5, 30)}\n   |\n"
            f"   = help: consider cloning the value before the loop\n\n"
            f'error: could not compile `{project.name}` (bin "{project.name}") due to 1 previous error\n'
        )
    if project.lang == "kt":
        return f"e: file://{project.cwd}/{f}:{rng.randint(3, 200)}:{rng.randint(2, 30)} Unresolved reference: {idn.fn}\n\nBUILD FAILED in {rng.randint(5, 60)}s\n"
    return f'Error: Unsupported argument\n\n  on {f} line {rng.randint(3, 80)}:\n  An argument named "{idn.prop}" is not expected here.\n'


def stack_trace(rng: random.Random, project: Project) -> str:
    """An exception with a stack, as a user pastes it."""
    idn = ident(rng, project)
    files = list(project.files)
    lang = project.lang
    if lang == "py":
        frames = "".join(
            f'  File "{project.cwd}/{rng.choice(files)}", line {rng.randint(5, 400)}, in {ident(rng, project).fn}\n'
            f"    {statement(rng, 'py', idn).splitlines()[0]}\n"
            for _ in range(rng.randint(3, 7))
        )
        return f"Traceback (most recent call last):\n{frames}{rng.choice(('KeyError', 'ValueError', 'TypeError', 'pyarrow.lib.ArrowInvalid'))}: '{idn.prop}'\n"
    if lang == "go":
        frames = "".join(
            f"github.com/acme/{project.name}/{rng.choice(files).rsplit('.', 1)[0]}.(*Service).{ident(rng, project).Fn}(...)\n"
            f"\t{project.cwd}/{rng.choice(files)}:{rng.randint(5, 400)} +0x{rng.getrandbits(12):x}\n"
            for _ in range(rng.randint(3, 6))
        )
        return f"panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x{rng.getrandbits(24):x}]\n\ngoroutine {rng.randint(20, 900)} [running]:\n{frames}"
    if lang == "kt":
        frames = "".join(
            f"\tat dev.acme.shop.{ident(rng, project).Fn}.{ident(rng, project).fn}({rng.choice(files).rsplit('/', 1)[-1]}:{rng.randint(5, 300)})\n"
            for _ in range(rng.randint(3, 7))
        )
        return f"FATAL EXCEPTION: main\nProcess: dev.acme.shop, PID: {rng.randint(2000, 30000)}\njava.lang.NullPointerException: Attempt to invoke virtual method 'double {idn.type}.get{idn.prop.capitalize()}()' on a null object reference\n{frames}"
    if lang == "rs":
        return (
            f"thread 'main' panicked at {rng.choice(files)}:{rng.randint(5, 300)}:{rng.randint(5, 40)}:\n"
            f"called `Option::unwrap()` on a `None` value\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n"
        )
    if lang == "tf":
        return (
            f"Warning: BackOff  kubelet  Back-off restarting failed container api in pod api-server-{rng.getrandbits(36):09x}\n"
            f'Error: failed to start container "api": exec: "/app/server": permission denied\n'
            f"  Last State:  Terminated\n    Reason:    Error\n    Exit Code: 126\n"
        )
    frames = "".join(
        f"    at {ident(rng, project).Fn} ({project.cwd}/{rng.choice(files)}:{rng.randint(5, 300)}:{rng.randint(3, 40)})\n"
        for _ in range(rng.randint(3, 7))
    )
    return f"TypeError: Cannot read properties of undefined (reading '{idn.prop}')\n{frames}"


def long_log(rng: random.Random, project: Project, lines: int) -> str:
    """A long log (service logs, verbose test output, a training run): `lines` lines."""
    kind = rng.randrange(3)
    out: list[str] = []
    base = rng.randint(0, 80000)
    levels = ("INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR")
    idents = [ident(rng, project) for _ in range(24)]
    areas = project.areas
    rand = rng.random
    t = base
    for i in range(lines):
        t += 1 + int(rand() * 30)
        stamp = (
            f"2026-10-{(t // 86400) % 28 + 1:02d}T{(t // 3600) % 24:02d}:{(t // 60) % 60:02d}:"
            f"{t % 60:02d}.{int(rand() * 1000):03d}Z"
        )
        idn = idents[int(rand() * 24)]
        level = levels[int(rand() * 6)]
        if kind == 0:
            out.append(
                f'{{"ts":"{stamp}","level":"{level}","msg":"{idn.fn} {MESSAGES[int(rand() * 12)]}",'
                f'"{idn.prop}":{int(rand() * 99999)},"request_id":"{rng.getrandbits(48):012x}",'
                f'"latency_ms":{1 + int(rand() * 2500)}}}'
            )
        elif kind == 1:
            out.append(
                f"{stamp} {level:<5} [{areas[int(rand() * len(areas))]}] {idn.fn}: "
                f"{idn.var} {idn.prop}={int(rand() * 9999)} "
                f"{MESSAGES[int(rand() * 12)] if rand() < 0.2 else 'ok'}"
            )
        else:
            out.append(
                f"step {i:>6} | loss {rand() * 3:.4f} | lr {rand() * 3e-4:.2e} | "
                f"{idn.prop} {int(rand() * 9999)} | {areas[int(rand() * len(areas))]} "
                f"{rand() * 500:.1f} ms"
            )
    return "\n".join(out) + "\n"


def git_output(rng: random.Random, project: Project, sub: str, branch: str, message: str) -> str:
    files = rng.sample(list(project.files), k=min(len(project.files), rng.randint(1, 4)))
    if sub == "status":
        return (
            f'On branch {branch}\nChanges not staged for commit:\n  (use "git add <file>..." to update what will be committed)\n'
            + "".join(f"\tmodified:   {f}\n" for f in files)
            + '\nno changes added to commit (use "git add" and/or "git commit -a")\n'
        )
    if sub == "log":
        return "".join(
            f"{rng.getrandbits(28):07x} {rng.choice(('Fix', 'Add', 'Refactor', 'Bump', 'Revert'))} "
            f"{rng.choice(project.nouns)} {rng.choice(('handling', 'tests', 'docs', 'validation', 'config'))}\n"
            for _ in range(rng.randint(4, 10))
        )
    if sub == "commit":
        ins, dels = rng.randint(2, 180), rng.randint(0, 60)
        return (
            f"[{branch} {rng.getrandbits(28):07x}] {message}\n {len(files)} file{'s' if len(files) > 1 else ''} "
            f"changed, {ins} insertions(+), {dels} deletions(-)\n"
        )
    if sub == "push":
        return f"To {project.remote}\n   {rng.getrandbits(28):07x}..{rng.getrandbits(28):07x}  {branch} -> {branch}\n"
    return ""


def _infra_failure(cmd: str, bits: int) -> str:
    """What a failing infrastructure check prints, in its own tool's words (`bits`: the one
    random draw its details come from)."""
    if "kubeconform" in cmd:
        invalid = 1 + bits % 2
        total = 8 + (bits >> 8) % 9
        return (
            "stdin - HorizontalPodAutoscaler webapp is invalid: problem validating schema. Check "
            "JSON formatting: jsonschema: '/spec/metrics/0/resource/target/averageUtilization' "
            "does not validate with https://kubernetesjsonschema.dev/v1.29.0-standalone-strict/"
            "horizontalpodautoscaler-autoscaling-v2.json#/properties/spec/properties/metrics/items"
            "/properties/resource/properties/target/properties/averageUtilization/type: expected "
            "integer, but got string\n"
            f"Summary: {total} resources found parsing stdin - Valid: {total - invalid}, "
            f"Invalid: {invalid}, Errors: 0, Skipped: 0\n"
        )
    if cmd.startswith("act"):
        return (
            "[CI/build] 🚀  Start image=catthehacker/ubuntu:act-latest\n"
            "[CI/build]   ✅  Success - Main actions/checkout@v4\n"
            "[CI/build] ⭐ Run Main terraform fmt -check -recursive\n"
            f"| modules/{('eks', 'rds', 'vpc')[bits % 3]}/main.tf\n"
            "[CI/build]   ❌  Failure - Main terraform fmt -check -recursive\n"
            "[CI/build] exitcode '3': failure\n"
            "[CI/build] 🏁  Job failed\n"
        )
    if "validate" in cmd:
        module, resource, argument, value = (
            ("eks", "aws_eks_node_group", "instance_type", '"m6i.large"'),
            ("rds", "aws_db_instance", "storage_encrypted_at_rest", "true"),
            ("vpc", "aws_subnet", "public_ip_on_launch", "false"),
        )[bits % 3]
        line = 12 + (bits >> 8) % 80
        return (
            "╷\n│ Error: Unsupported argument\n│\n"
            f'│   on modules/{module}/main.tf line {line}, in resource "{resource}" "main":\n'
            f"│   {line}:   {argument} = {value}\n│\n"
            f'│ An argument named "{argument}" is not expected here.\n╵\n'
        )
    return (
        "╷\n│ Error: Error acquiring the state lock\n│\n│ Error message: ConditionalCheckFailedException: "
        "The conditional request failed\n│ Lock Info:\n│   ID:        "
        f"{bits:032x}\n│   Path:      acme-tfstate/prod/terraform.tfstate\n"
        "│   Operation: OperationTypePlan\n│   Who:       runner@gha-7f2c\n╵\n"
    )
