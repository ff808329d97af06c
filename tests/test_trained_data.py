"""A study never scores what its checkpoints trained on (docs/structured.md, "Training data a
study must not score"): the guard at load, ``[data] heldout = true``, and QA holdouts by context."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from robustx.errors import RobustxError

STUDY = """
[study]
task = "{task}"
languages = {languages}

[data]
path = "{data}"
split = "{split}"
{extra}

[run]
progress = false
max_length = 96

[[checkpoints]]
name = "reader"
path = "{ckpt}"

[[perturbations]]
recipe = "char_swap_30"
"""


def _trained(ckpt: Path, task: str, lang: str, split: str, heldout: list[str] | None, recorded_split: bool = True):
    """Give ``ckpt`` the robustx.json of a finetune run whose target was ``task`` ``split`` ``lang``."""
    entry = {"task": task, "source": "local", "lang": lang, "description": f"{task}/{split}/{lang}",
             "roles": {"target": {"examples": 100}, "dev": {"examples": len(heldout or ())}}}
    if recorded_split:
        entry["split"] = split
    meta = {"format": 1, "kind": "robustx-finetune", "group": "trained", "seed": 1, "data": {"train_set": entry}}
    if heldout is not None:
        meta["heldout"] = {"data": "train_set", "rows": heldout}
    (ckpt / "robustx.json").write_text(json.dumps(meta), encoding="utf-8")


def _study(tmp_path: Path, shared_data: Path, ckpt: Path, task: str, languages: list[str], split: str,
           extra: str = "") -> Path:
    path = tmp_path / f"{task}-{'-'.join(languages)}.toml"
    path.write_text(STUDY.format(task=task, languages=json.dumps(languages), data=shared_data, split=split,
                                 extra=extra, ckpt=ckpt), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    from tiny_models import tiny_xlmr_head

    return tiny_xlmr_head(tmp_path_factory.mktemp("reader") / "reader", "QuestionAnswering")


def _mlqa(shared_data: Path, lang: str):
    from robustx.tasks import TASKS
    from robustx.tasks.base import DataSource

    return TASKS.get("mlqa")().load(lang, DataSource(path=str(shared_data), split="dev")).examples


def test_a_parallel_task_refuses_every_language_of_the_split_a_checkpoint_trained_on(tmp_path, shared_data, reader):
    from robustx.study.load import load_study

    _trained(reader, "mlqa", "en", "dev", heldout=None)
    for languages in (["en"], ["de", "zh"], ["de-en"]):
        with pytest.raises(RobustxError, match=r"reader was trained on mlqa dev en .*parallel task.*heldout = true"):
            load_study(_study(tmp_path, shared_data, reader, "mlqa", languages, "dev"))
    # another task, or another split of the same task, is not training data
    assert load_study(_study(tmp_path, shared_data, reader, "xquad", ["de"], "test")).data.heldout_rows == ()
    assert load_study(_study(tmp_path, shared_data, reader, "mlqa", ["de"], "test")).data.heldout_rows == ()
    # heldout = true needs a holdout to keep
    with pytest.raises(RobustxError, match=r"data\.heldout: reader was trained on mlqa dev en .*without holding"):
        load_study(_study(tmp_path, shared_data, reader, "mlqa", ["de"], "dev", "heldout = true"))
    with pytest.raises(RobustxError, match=r"data\.heldout: no checkpoint was trained on xquad test"):
        load_study(_study(tmp_path, shared_data, reader, "xquad", ["de"], "test", "heldout = true"))


def test_heldout_scores_only_the_held_out_questions_in_every_language(tmp_path, shared_data, reader):
    from robustx.runner.execute import run_study
    from robustx.study.load import load_study

    heldout = [e.row for e in _mlqa(shared_data, "en")][::40]  # 29 questions
    _trained(reader, "mlqa", "en", "dev", heldout=heldout)
    study = load_study(_study(tmp_path, shared_data, reader, "mlqa", ["de", "zh"], "dev", "heldout = true"),
                       output=str(tmp_path / "run"))
    assert study.data.heldout_rows == tuple(sorted(heldout))
    result = run_study(study, log=lambda _: None)
    for lang in ("de", "zh"):
        expected = {e.id for e in _mlqa(shared_data, lang) if e.row in heldout}
        assert 0 < len(expected) < len(heldout)
        records = [json.loads(line) for f in (tmp_path / "run" / "predictions" / "reader" / "mlqa" / lang).glob("*.jsonl")
                   for line in f.read_text().splitlines()]
        assert {r["id"] for r in records} == expected
        assert {r["n"] for r in result.summary["results"] if r["lang"] == lang} == {len(expected)}
    assert json.loads((tmp_path / "run" / "study.json").read_text())["data"]["heldout_rows"] == sorted(heldout)
    # held-out rows that no example of a language has: refused, naming the language
    _trained(reader, "mlqa", "en", "dev", heldout=["no-such-question"])
    with pytest.raises(RobustxError, match=r"data\.heldout: no example of mlqa de .* held-out rows"):
        run_study(load_study(_study(tmp_path, shared_data, reader, "mlqa", ["de"], "dev", "heldout = true"),
                             output=str(tmp_path / "run2")), log=lambda _: None)


def test_a_limit_with_heldout_counts_held_out_questions_not_rows_of_the_file(tmp_path, shared_data, reader):
    from robustx.runner.execute import load_data
    from robustx.study.load import load_study
    from robustx.tasks import TASKS

    heldout = [e.row for e in _mlqa(shared_data, "en")][::40]
    _trained(reader, "mlqa", "en", "dev", heldout=heldout)
    study = load_study(_study(tmp_path, shared_data, reader, "mlqa", ["de"], "dev", "heldout = true\nlimit = 5"))
    data = load_data(study, TASKS.get("mlqa")(), log=lambda _: None)
    assert [e.id for e in data["de"].examples] == [e.id for e in _mlqa(shared_data, "de") if e.row in heldout][:5]


@pytest.mark.parametrize("recorded_split", [True, False])  # False: robustx.json from before "split"
def test_a_task_that_is_not_parallel_refuses_only_the_language_trained_on(tmp_path, shared_data, recorded_split):
    from tiny_models import tiny_xlmr_head

    from robustx.study.load import load_study
    from robustx.tasks import TASKS

    tagger = tiny_xlmr_head(tmp_path / "tagger", "TokenClassification", TASKS.get("panx").labels)
    _trained(tagger, "panx", "en", "dev", heldout=None, recorded_split=recorded_split)
    assert load_study(_study(tmp_path, shared_data, tagger, "panx", ["de", "zh"], "dev")).data.heldout_rows == ()
    with pytest.raises(RobustxError, match=r"checkpoints: reader was trained on panx dev en \(data 'train_set'\)"):
        load_study(_study(tmp_path, shared_data, tagger, "panx", ["de", "en"], "dev"))


def test_a_qa_holdout_takes_whole_contexts_and_other_holdouts_are_unchanged(shared_data):
    from robustx.finetune.config import DataConfig
    from robustx.finetune.data import holdout_split, load_data
    from robustx.hashing import stable_digest

    qa = load_data(DataConfig(name="mlqa_en", task="mlqa", split="dev", lang="en"), str(shared_data))
    train, dev = holdout_split(qa, 300)
    assert 300 <= len(dev) < 330 and len(train) + len(dev) == len(qa)
    assert not {t[1] for t in train.texts} & {t[1] for t in dev.texts}  # no paragraph on both sides
    assert holdout_split(qa, 300)[1].ids == dev.ids  # the same in every run

    pairs = load_data(DataConfig(name="xnli_en", task="xnli", split="dev", lang="en"), str(shared_data))
    _, held = holdout_split(pairs, 490)
    ranked = sorted(pairs.ids, key=lambda i: stable_digest("xnli_en", i))[:490]  # the rule of the zoo's checkpoints
    assert sorted(held.ids) == sorted(ranked)
