"""The run directory's guarantees (docs/reliability.md): one run at a time, one study per
directory, study.json only after the data loaded, reused shards checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from robustx.cli.main import main
from robustx.errors import RobustxError
from robustx.runner import rundir
from robustx.runner.execute import run_study
from robustx.study.load import load_study

STUDY = """
[study]
name = "tiny"
task = "xnli"
languages = {languages}
perturbation_seeds = [0]
output = "{out}"

[data]
path = "{data}"
limit = 6

[run]
progress = false

[[checkpoints]]
name = "tiny"
path = "{ckpt}"

[[perturbations]]
recipe = "char_noise_30"
"""


@pytest.fixture()
def write_study(tmp_path, shared_data, tiny_ckpt):
    def write(languages=("de",), data=shared_data, name="study.toml") -> Path:
        path = tmp_path / name
        path.write_text(STUDY.format(languages=json.dumps(list(languages)), out=tmp_path / "run", data=data,
                                     ckpt=tiny_ckpt), encoding="utf-8")
        return path
    return write


def _quiet(_: str) -> None:
    pass


def _shards(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.jsonl"))}


def test_a_changed_study_is_refused_and_fresh_moves_the_old_one_aside(write_study, tmp_path, capsys):
    run_study(load_study(write_study()), log=_quiet)
    before = _shards(tmp_path / "run")
    changed = write_study(languages=("de", "fr"))
    with pytest.raises(RobustxError, match=r"run: it holds another study \(study.json differs at 'languages'\).*--fresh"):
        run_study(load_study(changed), log=_quiet)
    assert main(["validate", str(changed)]) == 2
    assert "differs at 'languages'" in capsys.readouterr().err
    run_study(load_study(changed), log=_quiet, fresh=True)
    (aside,) = tmp_path.glob("run.old-*")
    assert _shards(aside) == before
    assert json.loads((tmp_path / "run" / "study.json").read_text())["languages"] == ["de", "fr"]
    # The same study resumes: every shard reused.
    again = run_study(load_study(changed), log=_quiet)
    assert again.computed == 0 and again.reused == 2 + 2 * 2


def test_a_second_run_into_a_held_directory_fails_at_once(write_study):
    study = load_study(write_study())
    with rundir.claim(study, log=_quiet):
        with pytest.raises(RobustxError, match=r"locked by another run \(pid \d+ on .* since "):
            run_study(study, log=_quiet)
    run_study(study, log=_quiet)  # released: the kernel drops the lock with the file


def test_study_json_is_written_only_after_the_data_loaded(write_study, tmp_path):
    bad = tmp_path / "data" / "xnli" / "test"
    bad.mkdir(parents=True)
    (bad / "de.tsv").write_text("premise\thypothesis\tentailment\nonly two\tcells\n", encoding="utf-8")
    with pytest.raises(RobustxError, match=r"de\.tsv:2: expected 3 tab-separated columns"):
        run_study(load_study(write_study(data=tmp_path / "data")), log=_quiet)
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == [".lock"]


def test_a_corrupt_shard_is_recomputed_with_a_warning(write_study, tmp_path):
    study = load_study(write_study())
    first = run_study(study, log=_quiet)
    good = _shards(tmp_path / "run")
    perturbed, prediction = (tmp_path / "run" / name for name in sorted(good) if "clean" not in name)
    perturbed.write_text(perturbed.read_text()[:50])
    lines = prediction.read_text().splitlines(keepends=True)
    prediction.write_text("".join(lines[1:]))
    warnings: list[str] = []
    second = run_study(study, log=warnings.append)
    assert _shards(tmp_path / "run") == good and second.summary == first.summary
    assert any(f"recomputing {perturbed}: unreadable" in w for w in warnings)
    assert any(f"recomputing {prediction}: its example ids differ" in w for w in warnings)


@pytest.mark.parametrize("old, new, message", [
    ('languages = {languages}', 'languages = ["de", "de"]', r"study\.languages: 'de' is listed twice"),
    ('perturbation_seeds = [0]', 'perturbation_seeds = [-1, 0, 0]', r"study\.perturbation_seeds: 0 is listed twice"),
    ('name = "tiny"\npath', 'name = "../tiny"\npath', r"checkpoints\[0\]\.name: '\.\./tiny' cannot name files"),
    ('name = "tiny"\npath', 'name = ".."\npath', r"checkpoints\[0\]\.name: '\.\.' cannot name files"),
    ('name = "tiny"\npath', 'name = ""\npath', r"checkpoints\[0\]\.name: '' cannot name files"),
    ('recipe = "char_noise_30"', 'recipe = "char_noise_30"\nname = "a/b"', r"perturbations\[0\]\.name: 'a/b' cannot name"),
    ('"char_noise_30"', '"char_noise_30"\n\n[[checkpoints]]\nname = "again"\npath = "{ckpt}"',
     r"checkpoints: \('default', '.*/tiny'\) is listed twice: a group lists each checkpoint once"),
    ('"char_noise_30"', '"char_noise_30"\n\n[[checkpoints]]\nname = "c"\npath = "{ckpt}"\ngroup = "g"\nseed = 1\n\n'
     '[[checkpoints]]\nname = "d"\npath = "{data}"\ngroup = "g"\nseed = 1',
     r"checkpoints: \('g', 1\) is listed twice: checkpoints of one group differ by fine-tuning seed"),
    ('[run]', '[run]\ndevice = "cuda:x"', r"run\.device: must be cpu, cuda\[:N\], mps or auto"),
    ('[run]', '[run]\ndtype = "fp8"', r"run\.dtype: must be auto, float32, bfloat16, float16, got 'fp8'"),
])
def test_study_file_mistakes(tmp_path, shared_data, tiny_ckpt, capsys, old, new, message):
    text = STUDY.replace(old, new).format(languages='["de"]', out=tmp_path / "run", data=shared_data, ckpt=tiny_ckpt)
    path = tmp_path / "study.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"robustx: error: {path}: ")
    assert __import__("re").search(message, err), err


@pytest.mark.parametrize("output, message", [
    ("file", r"output .*/file: is a file, not a directory"),
    ("file/run", r"output .*/file/run: .*/file is a file, not a directory"),
])
def test_an_output_that_cannot_be_a_directory(write_study, tmp_path, capsys, output, message):
    (tmp_path / "file").write_text("x")
    assert main(["validate", str(write_study()), "--output", str(tmp_path / output)]) == 2
    assert __import__("re").search(message, capsys.readouterr().err)


def test_an_unwritable_output_fails_validation_even_for_root(write_study, capsys):
    if not Path("/proc/self").exists():
        pytest.skip("no /proc here")
    # Permission bits say nothing to root: validate probes by making a directory.
    assert main(["validate", str(write_study()), "--output", "/proc/robustx-run"]) == 2
    assert "output /proc/robustx-run: cannot write in /proc" in capsys.readouterr().err


def test_a_directory_given_as_study_file(tmp_path, capsys):
    assert main(["validate", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"robustx: error: {tmp_path}: cannot read: Is a directory\n"


def test_a_cuda_device_on_a_cpu_only_torch_fails_validation(write_study, capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA device")
    path = write_study()
    path.write_text(path.read_text().replace("[run]", '[run]\ndevice = "cuda"'))
    assert main(["validate", str(path)]) == 2
    assert "run.device: 'cuda', but this torch" in capsys.readouterr().err


def test_an_unexpected_error_is_one_line_and_debug_shows_it(monkeypatch, write_study, capsys):
    import robustx.study.preflight as preflight

    def broken(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(preflight, "check_device", broken)
    assert main(["validate", str(write_study())]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error: ZeroDivisionError: boom (rerun with --debug" in err
    assert main(["validate", str(write_study()), "--debug"]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "ZeroDivisionError: boom" in err


def test_a_study_json_from_before_revision_and_dtype_resumes(write_study, tmp_path):
    """Keys added to the spec since (checkpoint revision, run dtype) mean their old behaviour."""
    study = load_study(write_study())
    run_study(study, log=_quiet)
    record = json.loads((tmp_path / "run" / "study.json").read_text())
    del record["run"]["dtype"], record["checkpoints"][0]["revision"]
    (tmp_path / "run" / "study.json").write_text(json.dumps(record))
    assert run_study(study, log=_quiet).computed == 0
    record["run"]["max_length"] = 64
    (tmp_path / "run" / "study.json").write_text(json.dumps(record))
    with pytest.raises(RobustxError, match=r"differs at 'run.max_length'"):
        run_study(study, log=_quiet)


def test_dtype_enters_the_prediction_keys_except_float32(write_study, tmp_path):
    names = {}
    for dtype in ("auto", "float32", "bfloat16"):
        path = write_study(name=f"{dtype}.toml")
        path.write_text(path.read_text().replace("[run]", f'[run]\ndtype = "{dtype}"'))
        run_study(load_study(path, output=str(tmp_path / dtype)), log=_quiet)
        names[dtype] = set(_shards(tmp_path / dtype))
    assert names["auto"] == names["float32"]  # on a CPU, auto is float32: the keys made before dtypes
    predictions = {n for n in names["bfloat16"] if n.startswith("predictions/")}
    assert predictions and not predictions & names["float32"]
    assert {n for n in names["bfloat16"] if n.startswith("perturbed/")} <= names["float32"]


def test_a_population_that_grew_resumes_and_one_that_lost_a_checkpoint_is_refused(write_study, tmp_path, tiny_ckpt):
    """More seeds matched by a checkpoint glob keep every shard; a checkpoint gone is another study."""
    import shutil

    first = write_study()
    run_study(load_study(first), log=_quiet)
    other = shutil.copytree(tiny_ckpt, tmp_path / "another")
    grown = first.read_text().replace('[[checkpoints]]\nname = "tiny"',
                                      f'[[checkpoints]]\nname = "another"\npath = "{other}"\nseed = 2\n\n'
                                      '[[checkpoints]]\nname = "tiny"')
    first.write_text(grown, encoding="utf-8")
    more = run_study(load_study(first), log=_quiet)
    assert more.reused == 2 + 1 and more.computed == 2  # the new checkpoint's clean and perturbed predictions
    assert [c["checkpoint"] for c in more.summary["clean"]] == ["another", "tiny"]
    fewer = write_study()  # "another" dropped
    with pytest.raises(RobustxError, match=r"differs at 'checkpoints.0'"):
        run_study(load_study(fewer), log=_quiet)


def test_perturbations_and_attacks_added_resume_and_one_removed_is_refused(write_study, tmp_path):
    """Recipes or attacks added to a study keep every shard it had and compute only theirs."""
    first = write_study()
    run_study(load_study(first), log=_quiet)
    before = _shards(tmp_path / "run")
    first.write_text(first.read_text() + '\n[[perturbations]]\nrecipe = "word_drop_10"\n'
                     '\n[[attacks]]\nrecipe = "attack_char_wir"\nfields = ["hypothesis"]\nmax_queries = 20\n',
                     encoding="utf-8")
    grown = run_study(load_study(first), log=_quiet)
    assert grown.reused == 3 and grown.computed == 3  # new: word drop's perturbed set and predictions, the attack
    assert {r["perturbation"] for r in grown.summary["results"]} == {"char_noise_30", "word_drop_10", "attack_char_wir"}
    after = _shards(tmp_path / "run")
    assert all(after[name] == data for name, data in before.items())
    lost = first.read_text().replace('[[perturbations]]\nrecipe = "char_noise_30"\n', "")
    first.write_text(lost, encoding="utf-8")
    with pytest.raises(RobustxError, match=r"differs at 'perturbations.0'"):
        run_study(load_study(first), log=_quiet)
