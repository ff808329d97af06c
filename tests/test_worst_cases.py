"""The five worst cases of issue 14, each as the user met it, through the command line.

Each was exit 0 with a wrong number, lost or mixed results, or a traceback; each is now a
one-line error naming the culprit, before any work, with exit 2.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from robustx.cli.main import main

STUDY = """
[study]
name = "worst"
task = "xnli"
languages = {languages}
perturbation_seeds = {seeds}
output = "{out}"

[data]
path = "{data}"
limit = 4

[run]
progress = false

[[checkpoints]]
name = "{name}"
path = "{ckpt}"

[[perturbations]]
recipe = "char_noise_30"
params = {{ rate = {rate} }}
"""


@pytest.fixture()
def study(tmp_path, shared_data, tiny_ckpt):
    def write(languages='["de"]', seeds="[0]", rate="0.3", name="tiny", ckpt=tiny_ckpt, out=None) -> str:
        path = tmp_path / "study.toml"
        path.write_text(STUDY.format(languages=languages, seeds=seeds, rate=rate, name=name, ckpt=ckpt,
                                     data=shared_data, out=out or tmp_path / "run"), encoding="utf-8")
        return str(path)
    return write


def refused(capsys, argv: list[str], *fragments: str) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("robustx: error: ") and "Traceback" not in err, err
    for fragment in fragments:
        assert fragment in err, err


def test_worst_1_a_checkpoint_without_tokenizer_files_is_refused(study, tiny_ckpt, tmp_path, capsys):
    # transformers would build a fallback tokenizer mapping every word to one id: a wrong number, exit 0.
    bare = Path(shutil.copytree(tiny_ckpt, tmp_path / "bare"))
    for name in ("tokenizer.json", "tokenizer_config.json"):
        (bare / name).unlink(missing_ok=True)
    path = study(ckpt=bare)
    for command in ("validate", "run"):
        refused(capsys, [command, path], f"checkpoint tiny ({bare})", "tokenizer")
    assert not list((tmp_path / "run").rglob("*.jsonl")) and not (tmp_path / "run" / "summary.json").exists()


@pytest.mark.parametrize("languages, seeds, fragment", [
    ('["de", "de"]', "[0]", "study.languages: 'de' is listed twice"),
    ('["de"]', "[-1, 0, 0]", "study.perturbation_seeds: 0 is listed twice"),
])
def test_worst_2_a_repeated_language_or_seed_is_refused(study, capsys, languages, seeds, fragment):
    # It was counted twice in the statistics: one checkpoint reported as two with sd 0.0.
    refused(capsys, ["validate", study(languages=languages, seeds=seeds)], fragment)


@pytest.mark.parametrize("rate, fragment", [
    ("true", "parameter 'rate' of char.random_edit must be a number, got True"),
    ('"0.1"', "parameter 'rate' of char.random_edit must be a number, got '0.1'"),
])
def test_worst_3_a_bool_or_string_rate_is_refused(study, capsys, rate, fragment):
    # rate = true was taken as 1.0 (every word edited); "0.1" gave a TypeError's message.
    refused(capsys, ["validate", study(rate=rate)], fragment)


def test_worst_4_one_run_directory_holds_one_study(study, tmp_path, shared_data, capsys):
    first = study()
    assert main(["run", first]) == 0
    summary = (tmp_path / "run" / "summary.json").read_bytes()
    # Another study into the same directory is refused before anything is written ...
    refused(capsys, ["run", study(languages='["de", "fr"]')], "holds another study", "--fresh")
    assert (tmp_path / "run" / "summary.json").read_bytes() == summary
    assert json.loads((tmp_path / "run" / "study.json").read_text())["languages"] == ["de"]
    # ... and so is a run of it on data that fails to load: study.json and summary.json still agree.
    bad = tmp_path / "bad" / "xnli" / "test"
    bad.mkdir(parents=True)
    shutil.copy(shared_data / "xnli" / "test" / "de.tsv", bad / "de.tsv")
    (bad / "fr.tsv").write_text("", encoding="utf-8")
    refused(capsys, ["run", study(languages='["de", "fr"]'), "--fresh", "--data-dir", str(tmp_path / "bad")],
            "fr.tsv")
    assert json.loads((tmp_path / "run" / "study.json").read_text())["languages"] == ["de"]
    assert (tmp_path / "run" / "summary.json").read_bytes() == summary and not list(tmp_path.glob("run.old-*"))


@pytest.mark.parametrize("name", ["../escape", "..", ""])
def test_worst_5_a_name_that_is_not_a_path_component_is_refused(study, tmp_path, capsys, name):
    # "../escape" wrote shards outside the run directory; ".." and "" were accepted.
    refused(capsys, ["run", study(name=name)], f"checkpoints[0].name: {name!r} cannot name files")
    assert not (tmp_path / "run").exists() and not (tmp_path / "escape").exists()
