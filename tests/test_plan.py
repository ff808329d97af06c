"""The plan: scoring jobs gather languages up to a size, reuse what is on disk, and score each
distinct input once; none of that changes a byte of the shards."""

from __future__ import annotations

from pathlib import Path

import pytest

from robustx.runner import plan as plan_module
from robustx.runner.execute import load_data, run_study, source_of
from robustx.runner.plan import make_plan
from robustx.study.load import load_study
from robustx.tasks import TASKS

STUDY = """
[study]
name = "plan"
task = "xnli"
languages = ["de", "en", "sw"]
perturbation_seeds = [0, 1]

[data]
path = "{data}"
limit = 10

[run]
progress = false

[[checkpoints]]
name = "tiny"
path = "{ckpt}"

[[perturbations]]
recipe = "strip_marks_naplava2018"
"""


@pytest.fixture()
def study_file(tmp_path, shared_data, tiny_ckpt) -> Path:
    path = tmp_path / "study.toml"
    path.write_text(STUDY.format(data=shared_data, ckpt=tiny_ckpt), encoding="utf-8")
    return path


def _shards(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.jsonl"))}


def _quiet(_: str) -> None:
    pass


def test_jobs_gather_languages_up_to_a_size_with_the_same_shards(study_file, tmp_path, monkeypatch):
    one = run_study(load_study(study_file, output=str(tmp_path / "one")), log=_quiet)
    monkeypatch.setattr(plan_module, "JOB_INPUTS", 10)  # one language per job
    study = load_study(study_file, output=str(tmp_path / "three"))
    task = TASKS.get("xnli")()
    data = load_data(study, task, _quiet)
    jobs = make_plan(study, task, data, tmp_path / "three", source_of(study), _quiet).score
    assert [sorted(job.data) for job in jobs] == [["de"], ["en"], ["sw"]]
    three = run_study(study, log=_quiet)
    assert _shards(tmp_path / "three") == _shards(tmp_path / "one")
    assert three.summary == one.summary


def test_unchanged_inputs_reuse_a_prediction(study_file, tmp_path):
    # Stripping marks changes nothing in English and Swahili and little in German: most
    # perturbed inputs equal their clean input, and both seeds make the same German edits.
    state = run_study(load_study(study_file, output=str(tmp_path / "run")), log=_quiet)
    assert state.inputs == 3 * 10 * 3 and state.inputs_scored <= 3 * 10 + 10
    # A resume that lacks only perturbed predictions reuses the clean ones on disk.
    for path in (tmp_path / "run" / "predictions").rglob("strip_marks*.jsonl"):
        path.unlink()
    again = run_study(load_study(study_file, output=str(tmp_path / "run")), log=_quiet)
    assert again.inputs == 3 * 10 * 2 and again.inputs_scored <= 10
    assert again.summary == state.summary
