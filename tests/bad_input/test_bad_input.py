"""Runs the bad-input campaign (``bad_input_cases.CASES``): one test per case.

A case's folder holds its study file, a few-row XNLI copy (``data/xnli/test/{de,fr}.tsv``)
and a hard-linked copy of one tiny random XLM-R classifier (made once per session;
a change to it replaces the file, never writes through the link). CLI cases run
in-process through ``robustx.cli.main.main``; kills, a second process and a closed
pipe need a real process (``python -m robustx`` from this checkout).
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import math
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bad_input_cases import (
    BASE_FILES,
    BASE_STUDY,
    CASES,
    DELETE,
    Case,
    Corrupt,
    check_ids,
)

ROOT = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------ the case's folder


@dataclass
class Env:
    tmp: Path

    @property
    def study(self) -> Path:
        return self.tmp / "study.toml"

    @property
    def data(self) -> Path:
        return self.tmp / "data"

    @property
    def ckpt(self) -> Path:
        return self.tmp / "ckpt"

    @property
    def out(self) -> Path:
        return self.tmp / "run"

    def fill(self, value: Any, **extra: str) -> Any:
        """``value`` with the placeholders replaced, recursively."""
        if isinstance(value, str):
            names = {"tmp": self.tmp, "study": self.study, "data": self.data, "ckpt": self.ckpt, "out": self.out, **extra}
            for name, path in names.items():
                value = value.replace("{" + name + "}", str(path))
            return value
        if isinstance(value, list):
            return [self.fill(v, **extra) for v in value]
        if isinstance(value, tuple):
            return tuple(self.fill(v, **extra) for v in value)
        if isinstance(value, dict):
            return {k: self.fill(v, **extra) for k, v in value.items()}
        return value


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory) -> Path | None:
    """The tiny classifier, made on first use; None where ../shared lacks the XLM-R tokenizer."""
    from tiny_models import XLMR_TOKENIZER, tiny_xlmr_classifier

    if not XLMR_TOKENIZER.is_file():
        return None
    with contextlib.redirect_stderr(io.StringIO()):  # the save progress bar
        return tiny_xlmr_classifier(tmp_path_factory.mktemp("bad-input-model") / "tiny")


def needs_model(case: Case) -> bool:
    """Whether the case needs a real checkpoint: all but API calls and study-file errors that
    ``validate`` reports while loading (those get an empty checkpoint folder, so they run where
    ../shared is absent, and without making the model)."""
    load_error = case.argv[0] == "validate" and case.category == "study" and not case.pending
    return case.mode != "api" and not load_error


def link_checkpoint(source: Path, target: Path) -> None:
    target.mkdir(parents=True)
    for path in source.iterdir():
        os.link(path, target / path.name)


def replace_file(path: Path, data: bytes | str | None) -> None:
    """Unlink, then write: a hard-linked file of the shared checkpoint is never written through."""
    path.unlink()
    if data is not None:
        path.write_bytes(data.encode() if isinstance(data, str) else data)


def change_checkpoint(ckpt: Path, change: str) -> None:
    if not change:
        return
    config = json.loads((ckpt / "config.json").read_text(encoding="utf-8"))
    if change == "no-config":
        replace_file(ckpt / "config.json", None)
    elif change == "no-tokenizer":
        for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "sentencepiece.bpe.model"):
            if (ckpt / name).exists():
                replace_file(ckpt / name, None)
    elif change in ("label-k", "not-classifier", "two-labels"):
        if change == "label-k":
            labels = ["LABEL_0", "LABEL_1", "LABEL_2"]
        elif change == "two-labels":
            labels = ["entailment", "neutral"]
        else:
            labels = list(config["id2label"].values())
            config["architectures"] = ["XLMRobertaForMaskedLM"]
        config["id2label"] = {str(i): name for i, name in enumerate(labels)}
        config["label2id"] = {name: i for i, name in enumerate(labels)}
        replace_file(ckpt / "config.json", json.dumps(config, indent=2))
    elif change == "truncated-weights":
        data = (ckpt / "model.safetensors").read_bytes()
        replace_file(ckpt / "model.safetensors", data[: len(data) // 2])
    elif change == "no-weights":
        replace_file(ckpt / "model.safetensors", None)
    elif change == "corrupt-config":
        replace_file(ckpt / "config.json", "{ not json")
    else:
        raise AssertionError(change)


# ------------------------------------------------------------------ study files


def parse_key(key: str) -> list[str | int]:
    parts: list[str | int] = []
    for part in key.split("."):
        match = re.fullmatch(r"(.+?)\[(\d+)\]", part)
        if match:
            parts += [match.group(1), int(match.group(2))]
        else:
            parts.append(part)
    return parts


def patch(doc: dict, key: str, value: Any) -> None:
    *path, last = parse_key(key)
    node: Any = doc
    for part, after in zip(path, [*path[1:], last]):
        if isinstance(part, int):
            if part == len(node):
                node.append({})
            node = node[part]
        else:
            node = node.setdefault(part, [] if isinstance(after, int) else {})  # a new [[array]] or table
    if value is DELETE:
        del node[last]
    elif isinstance(last, int) and last == len(node):
        node.append(value)
    else:
        node[last] = value


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def toml_dumps(doc: dict) -> str:
    def is_tables(v: Any) -> bool:
        return isinstance(v, list) and bool(v) and all(isinstance(t, dict) for t in v)

    lines = [f"{toml_key(k)} = {toml_value(v)}" for k, v in doc.items() if not isinstance(v, dict) and not is_tables(v)]
    for key, value in doc.items():
        if isinstance(value, dict):
            lines += ["", f"[{toml_key(key)}]"] + [f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()]
    for key, value in doc.items():
        if is_tables(value):
            for table in value:
                lines += ["", f"[[{toml_key(key)}]]"] + [f"{toml_key(k)} = {toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def write_study(env: Env, patches: tuple = (), text: str | bytes | None = None) -> None:
    if text is not None:
        env.study.write_bytes(text.encode() if isinstance(text, str) else text)
        return
    doc = json.loads(json.dumps(BASE_STUDY))
    for key, value in patches:
        patch(doc, key, value)
    env.study.write_text(toml_dumps(env.fill(doc)), encoding="utf-8")


def apply_files(env: Env, files: tuple) -> None:
    for pattern, content in files:
        if isinstance(content, Corrupt):
            paths = sorted(env.tmp.glob(pattern))
            assert paths, f"no file matches {pattern}"
            for path in paths:
                path.write_bytes(corrupted(path.read_bytes(), content.how))
            continue
        path = env.tmp / pattern
        if content is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode() if isinstance(content, str) else content)


def corrupted(data: bytes, how: str) -> bytes:
    if how == "truncate":
        return data[: len(data) // 2]
    if how == "empty":
        return b""
    if how == "garbage":
        return b"\x00garbage{\n"
    if how == "other-ids":
        records = [json.loads(line) for line in data.decode().splitlines()]
        return "".join(json.dumps({**r, "id": r["id"] + "-other"}) + "\n" for r in records).encode()
    raise ValueError(how)


def setup(env: Env, case: Case, checkpoint: Path | None) -> None:
    if checkpoint is None:
        env.ckpt.mkdir()
    else:
        link_checkpoint(checkpoint, env.ckpt)
    for path, content in BASE_FILES.items():
        (env.tmp / path).parent.mkdir(parents=True, exist_ok=True)
        (env.tmp / path).write_text(content, encoding="utf-8")
    change_checkpoint(env.ckpt, case.checkpoint)


# ------------------------------------------------------------------ invocations


@dataclass
class Outcome:
    code: int | None
    stdout: str
    stderr: str
    seconds: float = 0.0


def run_inprocess(argv: list[str]) -> Outcome:
    """``main(argv)`` with stdout and stderr captured; an exception that escapes is printed as
    a traceback into stderr, as the interpreter would."""
    from robustx.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code: int | None = main(argv)
        except SystemExit as exc:  # argparse
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except Exception:
            traceback.print_exc(file=err)
            code = 1
    return Outcome(code, out.getvalue(), err.getvalue(), time.perf_counter() - started)


def subprocess_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}


def run_subprocess(argv: list[str], timeout: float = 300) -> Outcome:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "robustx", *argv], capture_output=True, text=True, cwd=ROOT,
                          env=subprocess_env(), timeout=timeout)
    return Outcome(done.returncode, done.stdout, done.stderr, time.perf_counter() - started)


def spawn(argv: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "robustx", *argv], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd=ROOT, env=subprocess_env())


def run_files(out: Path) -> int:
    return sum(1 for p in out.rglob("*") if p.is_file() and p.name not in (".lock", "summary.json")) if out.is_dir() else 0


def kill_resume(env: Env, argv: list[str]) -> tuple[Outcome, bytes]:
    """An uninterrupted run gives the reference summary and its number of files N; then, into a
    fresh directory, three runs each killed (SIGKILL) once the k-th file of the run is there
    (k drawn from each third of 1..N-1 in turn) plus a random 0-50 ms, so that kills land in every phase
    (study.json, perturbing, loading, scoring); then one run to the end."""
    reference = run_subprocess(argv)
    assert reference.code == 0, reference.stderr
    expected, total = (env.out / "summary.json").read_bytes(), run_files(env.out)
    shutil.rmtree(env.out)
    rng = random.Random(14)
    for target in (rng.randrange(1 + total * i // 3, total * (i + 1) // 3) for i in range(3)):
        process = spawn(argv)
        while process.poll() is None and run_files(env.out) < target:
            time.sleep(0.01)
        time.sleep(rng.uniform(0, 0.05))
        process.send_signal(signal.SIGKILL)
        process.wait()
    return run_inprocess(argv), expected


def concurrent(env: Env, argv: list[str]) -> tuple[Outcome, int]:
    """A run of the case's study holds the directory; a second run of the same study starts."""
    holder = spawn(argv)
    try:
        deadline = time.monotonic() + 120
        while not ((env.out / ".lock").exists() or (env.out / "study.json").exists()):
            assert holder.poll() is None, "the first run ended before it took the directory"
            assert time.monotonic() < deadline, "the first run did not start in 120 s"
            time.sleep(0.05)
        return run_inprocess(argv), holder.pid
    finally:
        holder.kill()
        holder.wait()


def closed_pipe(argv: list[str]) -> Outcome:
    """stdout is a pipe whose reader has gone before the first line (``robustx list | head -0``)."""
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run([sys.executable, "-m", "robustx", *argv], stdout=write, stderr=subprocess.PIPE,
                              text=True, cwd=ROOT, env=subprocess_env(), timeout=120)
    finally:
        os.close(write)
    return Outcome(done.returncode, "", done.stderr)


def call_api(env: Env, case: Case) -> BaseException | None:
    from robustx.perturb import PERTURBATIONS, perturb_example, perturb_examples
    from robustx.recipes import load_recipe
    from robustx.tasks import TASKS, DataSource
    from robustx.tasks.base import Example

    kind, args = case.api
    try:
        if kind == "perturb_example":
            recipe = PERTURBATIONS.get("char.random_edit").from_dict({"rate": 0.5}, "api")
            example = Example("xnli/test/de/7", "de", args["fields"], "neutral", "7")
            perturb_example(recipe, example, 0, args.get("names", tuple(args["fields"])))
        elif kind == "perturb_examples":
            recipe = PERTURBATIONS.get("char.random_edit").from_dict({"rate": 0.5}, "api")
            examples = [Example(f"xnli/test/de/{i}", "de", {"premise": text, "hypothesis": "Ein Satz."}, "neutral",
                                str(i)) for i, text in enumerate(args["texts"])]
            perturb_examples(recipe, examples, 0, args.get("names", ("premise", "hypothesis")))
        elif kind == "from_dict":
            PERTURBATIONS.get(args["recipe"]).from_dict(args["params"], "api")
        elif kind == "params":
            PERTURBATIONS.get(args["recipe"]).Params(**args["params"])
        elif kind == "registry":
            PERTURBATIONS.get(args["recipe"])
        elif kind == "load_recipe":
            load_recipe(args["recipe"])
        elif kind == "load":
            source = DataSource(path=str(env.data), split=args.get("split", "test"), allow_skip=args.get("allow_skip", False))
            TASKS.get(args.get("task", "xnli"))().load(args["lang"], source)
        else:
            raise AssertionError(kind)
    except Exception as exc:  # noqa: BLE001 - the case says which
        return exc
    return None


# ------------------------------------------------------------------ the run directory


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != ".lock"}


def consistency_problem(out: Path) -> str | None:
    """Why study.json and summary.json do not describe the same complete run, or None."""
    for name in ("study.json", "summary.json"):
        if not (out / name).is_file():
            return f"no {name}"
    study = json.loads((out / "study.json").read_text(encoding="utf-8"))
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    for key, other in (("name", "study"), ("task", "task"), ("languages", "languages"),
                       ("perturbation_seeds", "perturbation_seeds")):
        if study[key] != summary[other]:
            return f"study.json {key} {study[key]!r} but summary.json {other} {summary[other]!r}"
    names = sorted({c["name"] for c in study["checkpoints"]})
    if sorted({row["checkpoint"] for row in summary["clean"]}) != names:
        return "summary.json scores other checkpoints than study.json names"
    missing = [f for files in summary["files"].values() for f in files if not (out / f).is_file()]
    return f"summary.json lists missing {missing[0]}" if missing else None


def check_state(case: Case, env: Env, before: dict[str, bytes], reference: bytes | None) -> None:
    state, out = case.expect.state, env.out
    if state == "absent":
        assert not out.exists(), f"{out} was created: {sorted(snapshot(out)) if out.is_dir() else 'a file'}"
    elif state == "no-summary":
        assert not (out / "summary.json").exists(), "summary.json was written"
        assert not list(out.glob("predictions/**/*.jsonl")), "predictions were written"
    elif state == "no-study":
        left = [name for name in ("study.json", "summary.json") if (out / name).exists()]
        assert not left, f"{', '.join(left)} left by a run that failed"
    elif state == "unchanged":
        assert snapshot(out) == before, "the earlier run's files changed: " + ", ".join(
            sorted(k for k in set(before) | set(snapshot(out)) if before.get(k) != snapshot(out).get(k)))
    elif state in ("complete", "same-summary"):
        assert consistency_problem(out) is None, consistency_problem(out)
        if state == "same-summary":
            assert (out / "summary.json").read_bytes() == reference, "summary.json differs from the uninterrupted run's"
    elif state == "moved-aside":
        old = sorted(out.parent.glob(out.name + ".old-*"))
        assert len(old) == 1, f"expected one {out.name}.old-<timestamp>, found {[p.name for p in old]}"
        assert snapshot(old[0]) == before, "the moved run differs from the earlier run"
        assert consistency_problem(out) is None, consistency_problem(out)
    elif state == "file-unchanged":
        assert out.is_file() and out.read_bytes() == before["<file>"], "the output file was changed"
    else:
        assert state == "", state


# ------------------------------------------------------------------ the test


def _params():
    check_ids()
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=f"pending: {case.pending}")] if case.pending else []
        yield pytest.param(case, id=case.id, marks=marks)


def _skip_reason(case: Case) -> str | None:
    if case.unless == "no-proc":
        return None if Path("/proc/self").is_dir() else "no /proc here"
    if case.unless in ("cuda", "mps"):
        import torch

        present = torch.cuda.is_available() if case.unless == "cuda" else torch.backends.mps.is_available()
        return f"this machine has {case.unless}" if present else None
    return None


@pytest.mark.parametrize("case", list(_params()))
def test_bad_input(case: Case, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    reason = _skip_reason(case)
    if reason:
        pytest.skip(reason)
    checkpoint = None
    if needs_model(case):
        checkpoint = request.getfixturevalue("tiny_checkpoint")
        if checkpoint is None:
            from conftest import require_shared

            require_shared("models", "xlmr-tokenizer", "tokenizer.json")  # skips, or fails under .ci/run
    env = Env(tmp_path)
    setup(env, case, checkpoint)
    before: dict[str, bytes] = {}
    reference: bytes | None = None
    if case.before == "finished":
        write_study(env)
        prior = run_inprocess(["run", str(env.study)])
        assert prior.code == 0, f"the earlier run failed: {prior.stderr}"
        before, reference = snapshot(env.out), (env.out / "summary.json").read_bytes()
    apply_files(env, case.files)
    if case.expect.state == "file-unchanged":
        before = {"<file>": env.out.read_bytes()}
    write_study(env, case.study, case.study_text)
    argv = [env.fill(a) for a in case.argv]
    extra: dict[str, str] = {}

    if case.mode == "api":
        error = call_api(env, case)
        assert error is not None, "no error raised"
        assert type(error).__name__ == case.expect.raises, f"{type(error).__name__}: {error}"
        assert "\n" not in str(error), f"not one line: {error}"
        for culprit in case.expect.culprit:
            assert env.fill(culprit) in str(error), f"{culprit!r} not in {str(error)!r}"
        return
    if case.mode == "inprocess":
        outcome = run_inprocess(argv)
    elif case.mode == "subprocess":
        outcome = run_subprocess(argv)
    elif case.mode == "kill-resume":
        outcome, reference = kill_resume(env, argv)
    elif case.mode == "concurrent":
        outcome, holder = concurrent(env, argv)
        extra["holder_pid"] = str(holder)
        assert outcome.seconds < 10, f"the second run took {outcome.seconds:.0f}s: it did not fail at once"
    elif case.mode == "closed-pipe":
        outcome = closed_pipe(argv)
    else:
        raise AssertionError(case.mode)

    expect = case.expect
    both = outcome.stdout + outcome.stderr
    if not expect.traceback:
        assert "Traceback" not in both, outcome.stderr[-3000:]
    else:
        assert "Traceback" in outcome.stderr, outcome.stderr
    if expect.code is not None:
        assert outcome.code == expect.code, f"exit {outcome.code}; stderr: {outcome.stderr[-2000:]}"
    if case.mode == "closed-pipe":
        assert outcome.stderr == "", outcome.stderr
    if expect.code == 2:
        lines = outcome.stderr.splitlines()
        if not expect.traceback:
            assert len(lines) == 1 and lines[0].startswith("robustx: error: "), outcome.stderr[-2000:]
        for culprit in expect.culprit:
            assert env.fill(culprit, **extra) in outcome.stderr, f"{culprit!r} not in {outcome.stderr!r}"
    else:
        for culprit in expect.culprit:  # a warning that names the file
            assert env.fill(culprit, **extra) in both, f"{culprit!r} not in the output"
    check_state(case, env, before, reference)


def test_case_count_and_doc_is_current() -> None:
    """docs/bad-input.md is made from the cases by tools/bad_input_table.py."""
    assert len(CASES) >= 100
    spec = importlib.util.spec_from_file_location("bad_input_table", ROOT / "tools" / "bad_input_table.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    doc = ROOT / "docs" / "bad-input.md"
    assert doc.read_text(encoding="utf-8") == module.generate(), "docs/bad-input.md is stale: run python tools/bad_input_table.py"
