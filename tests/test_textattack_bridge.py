"""The TextAttack bridge (extra robustx[textattack], transformers < 5): TextAttack imports offline,
a robustx checkpoint is a TextAttack model, robustx's recipes and script constraint work as
TextAttack parts. Skipped where TextAttack cannot be imported (the main environment: CI runs
these in a second one, see .ci/run)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from robustx.errors import RobustxError

try:
    from robustx.attack.textattack_bridge import textattack

    ta = textattack()
except RobustxError as exc:
    if os.environ.get("ROBUSTX_REQUIRE_TEXTATTACK"):  # the second CI environment: a skip would hide a break
        raise
    pytest.skip(str(exc), allow_module_level=True)

pytestmark = pytest.mark.textattack


def test_the_model_wrapper_gives_the_study_probabilities(tiny_ckpt):
    from robustx.attack.textattack_bridge import model_wrapper
    from robustx.engine.predict import predict_logits
    from robustx.models.checkpoint import load_model
    from robustx.study.spec import CheckpointSpec
    from robustx.tasks import TASKS

    task = TASKS.get("xnli")()
    ckpt = CheckpointSpec(name="tiny", path=str(tiny_ckpt))
    loaded = load_model(ckpt, task, "cpu")
    pairs = [("A man sleeps.", "Nobody sleeps."), ("Ein Mann schläft.", "Ein Mensch ruht.")]
    probs = model_wrapper(loaded, ckpt, task)(pairs)
    logits = predict_logits(loaded.model, loaded.tokenizer, pairs, batch_size=8, max_length=128, device="cpu")
    assert probs.shape == (2, 3) and np.allclose(probs.sum(axis=1), 1)
    assert (probs.argmax(axis=1) == logits[:, loaded.label_index].argmax(axis=1)).all()


def test_robustx_recipes_are_textattack_transformations_that_keep_the_script():
    from robustx.attack.textattack_bridge import script_constraint, transformation
    from robustx.perturb import PERTURBATIONS
    from robustx.text import graphemes, is_mark

    typo = PERTURBATIONS.get("char.random_edit").from_dict({}, "test")
    swap = transformation(typo, "hi", seed=0)
    text = ta.shared.AttackedText("मैंने कल एक किताब पढ़ी")
    out = swap(text)
    assert out and all(t.text != text.text for t in out)
    for t in out:  # no detached vowel sign, no foreign letter
        assert not any(is_mark(c[0]) for c in graphemes(t.text))
    again = transformation(typo, "hi", seed=0)(text)
    assert [t.text for t in out] == [t.text for t in again]
    keep = script_constraint("hi")
    latin = text.replace_word_at_index(1, "kal")
    assert keep._check_constraint(out[0], text) and not keep._check_constraint(latin, text)
    with pytest.raises(RobustxError, match="unknown language"):
        script_constraint("xx")


def test_textattack_recipes_run_from_a_study(tmp_path, shared_data, tiny_ckpt):
    """``[[attacks]] textattack = "deepwordbug"``: TextAttack's recipe attacks a robustx checkpoint in
    `robustx run`, its records sit beside robustx's in the summary and the report, and the same
    study gives the same records again."""
    import json

    from robustx.cli.report import build_report
    from robustx.runner.execute import run_study
    from robustx.study.load import load_study

    study = tmp_path / "study.toml"
    study.write_text(f"""
[study]
name = "ta"
task = "xnli"
languages = ["en", "de"]
perturbation_seeds = [0]

[data]
path = "{shared_data}"
limit = 6

[run]
progress = false

[[checkpoints]]
name = "tiny"
path = "{tiny_ckpt}"

[[attacks]]
textattack = "deepwordbug"
max_queries = 200

[[attacks]]
textattack = "pruthi"
fields = ["hypothesis"]
""", encoding="utf-8")
    first = run_study(load_study(study, output=str(tmp_path / "a")), log=lambda _: None).summary
    rows = {(r["lang"], r["attack"]): r for r in first["attacks"]}
    assert set(rows) == {(lang, a) for lang in ("en", "de") for a in ("textattack_deepwordbug", "textattack_pruthi")}
    assert all(r["n"] == 6 and r["success"] + r["failed"] + r["skipped"] == 6 for r in rows.values())
    records = [json.loads(line) for f in sorted((tmp_path / "a" / "attacks").rglob("*.jsonl"))
               for line in f.read_text().splitlines()]
    assert {r["status"] for r in records} <= {"success", "failed", "skipped"}
    pruthi = [json.loads(line) for f in (tmp_path / "a" / "attacks").rglob("textattack_pruthi*.jsonl")
              for line in f.read_text().splitlines()]
    assert pruthi and all(set(r["fields"]) <= {"hypothesis"} for r in pruthi)
    again = run_study(load_study(study, output=str(tmp_path / "b")), log=lambda _: None).summary
    assert again["attacks"] == first["attacks"]
    build_report(tmp_path / "a", tmp_path / "report", fingerprints=False)
