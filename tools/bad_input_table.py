"""Write ``docs/bad-input.md``, the table of the bad-input campaign, from its cases.

Usage: ``python tools/bad_input_table.py [--out FILE] [--check]``

The cases are data in ``tests/bad_input/bad_input_cases.py``; this renders each one's
input, invocation and expected behaviour. Run it after adding or changing a case, or
after a pending fix lands and its ``pending`` mark is removed; ``--check`` only reports
whether the file is current (exit status 1 if not), as the test suite does.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "bad-input.md"
CASES_DIR = ROOT / "tests" / "bad_input"


def _cases():
    sys.path.insert(0, str(CASES_DIR))
    try:
        import bad_input_cases
    finally:
        sys.path.remove(str(CASES_DIR))
    return bad_input_cases


PLACEHOLDERS = ("tmp", "study", "data", "ckpt", "out", "holder_pid")


def _text(value: str) -> str:
    """A string with its placeholders shown as <name> (they are paths of the test's folder)."""
    for name in PLACEHOLDERS:
        value = value.replace("{" + name + "}", f"<{name}>")
    return value


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return "nan" if math.isnan(value) else "inf"
    if isinstance(value, str):
        return json.dumps(_text(value), ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, bytes):
        return repr(value)
    return repr(value)


def _code(text: str) -> str:
    """Inline code in a table cell: pipes escaped, backticks fenced by a longer run."""
    text = text.replace("|", "\\|").replace("\n", "\\n")
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _input(case, m) -> str:
    parts = ["after a finished run of the base study, then"] if case.before else []
    if case.study_text is not None:
        text = case.study_text if isinstance(case.study_text, str) else repr(case.study_text)
        parts.append("study file " + _code(text))
    for key, value in case.study:
        parts.append(_code(f"{key}: deleted" if value is m.DELETE else f"{key} = {_toml(value)}"))
    for path, content in case.files:
        if isinstance(content, m.Corrupt):
            what = f"{content.how}"
        elif content is None:
            what = "deleted"
        elif len(content) == 0:
            what = "empty"
        elif len(content) <= 40:
            what = _code(content if isinstance(content, str) else repr(content))
        else:
            what = f"rewritten ({len(content)} bytes)"
        parts.append(f"{_code(_text(path))}: {what}")
    if case.checkpoint:
        parts.append(f"checkpoint: {m.CHECKPOINT_CHANGES[case.checkpoint]}")
    if not parts:
        return "the base study" if any("{study}" in a for a in case.argv) and case.mode != "api" else "—"
    if parts == ["after a finished run of the base study, then"]:
        return "after a finished run of the base study, the same study"
    return "; ".join(parts).replace("then; ", "then ")


def _invocation(case) -> str:
    if case.mode == "api":
        kind, args = case.api
        shown = ", ".join(f"{k}={v!r}" for k, v in args.items())
        return _code(f"{kind}({shown})")
    command = _code("robustx " + " ".join(_text(a) for a in case.argv))
    how = {"inprocess": "", "subprocess": " (process)", "kill-resume": " (processes, killed)",
           "concurrent": " (while another run holds the directory)", "closed-pipe": " (stdout: a closed pipe)"}
    return command + how[case.mode]


def _expected(case, m) -> str:
    e = case.expect
    if case.mode == "api":
        return f"raises {e.raises} naming " + ", ".join(_code(_text(c)) for c in e.culprit)
    parts = ["exit " + ("any" if e.code is None else str(e.code))]
    if e.code == 2 and e.traceback:
        parts.append("the traceback, naming " + ", ".join(_code(_text(c)) for c in e.culprit))
    elif e.code == 2:
        named = ", ".join(_code(_text(c)) for c in e.culprit)
        parts.append("one line `robustx: error: …`" + (f" naming {named}" if named else ""))
    elif e.culprit:
        parts.append("a warning naming " + ", ".join(_code(_text(c)) for c in e.culprit))
    if case.mode == "closed-pipe":
        parts.append("nothing on stderr")
    if e.state:
        parts.append("run dir: " + e.state)
    return "; ".join(parts)


def generate() -> str:
    m = _cases()
    groups = m.by_category()
    pending = [c for c in m.CASES if c.pending]
    lines = [
        "# Bad input: what robustx does with it",
        "",
        "Generated by `python tools/bad_input_table.py` from the cases in",
        "`tests/bad_input/bad_input_cases.py` (issue 14; the design is `docs/reliability.md`).",
        "Do not edit by hand: `tests/bad_input/test_bad_input.py` fails when this file is stale.",
        "",
        f"{len(m.CASES)} cases: " + ", ".join(f"{len(cases)} {name}" for name, cases in groups.items()) + ".",
        f"{len(m.CASES) - len(pending)} hold on this branch; {len(pending)} wait for a fix in another area.",
        "",
        "**Got.** The test of each case runs its input and asserts the expected behaviour, so a passing",
        "test run *is* the evidence that got = expected: `= expected` in the last column means the case",
        "passes (`pytest tests/bad_input`), and a failing case fails the suite. `pending: <area>`",
        "means the fix belongs to that area and has not landed here: the case is",
        "`xfail(strict=True)`, so it fails the suite as soon as the fix lands, until its mark is removed",
        "and this table regenerated.",
        "",
        "**Expected, always.** For a user's error: exit status 2, stderr exactly one line starting",
        "`robustx: error:` that contains the named culprits, no `Traceback` in stdout or stderr.",
        "Placeholders: `<tmp>` the case's folder, `<study>` its study file, `<data>` its data folder,",
        "`<ckpt>` its checkpoint, `<out>` its run directory.",
        "",
        "**Base study.** Every case starts from this study, a 4-row XNLI copy per language in the",
        "`../shared/data` layout, and a tiny random XLM-R classifier (`tests/tiny_models.py`):",
        "",
        "```toml",
        *_base_toml(m).splitlines(),
        "```",
        "",
        "**Run directory states.**",
        "",
        *[f"- `{name}`: {text}" for name, text in m.STATES.items() if name],
        "",
    ]
    for name, cases in groups.items():
        lines += [f"## {name}: {m.CATEGORIES[name]} ({len(cases)})", "",
                  "| case | what | input | invocation | expected | got |", "|---|---|---|---|---|---|"]
        for c in cases:
            got = f"pending: {c.pending}" if c.pending else "= expected"
            what = c.description.replace("|", "\\|")
            lines.append(f"| `{c.id}` | {what} | {_input(c, m)} | {_invocation(c)} | {_expected(c, m)} | {got} |")
        lines.append("")
    return "\n".join(lines)


def _base_toml(m) -> str:
    out = []
    for key, value in m.BASE_STUDY.items():
        if isinstance(value, dict):
            out += [f"[{key}]"] + [f"{k} = {_toml(v)}" for k, v in value.items()] + [""]
        else:
            for table in value:
                out += [f"[[{key}]]"] + [f"{k} = {_toml(v)}" for k, v in table.items()] + [""]
    return "\n".join(out).rstrip("\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file differs; write nothing")
    args = parser.parse_args(argv)
    text = generate()
    from docfile import write_or_check

    return write_or_check(args.out, text, "bad_input_table.py", args.check)


if __name__ == "__main__":
    sys.exit(main())
