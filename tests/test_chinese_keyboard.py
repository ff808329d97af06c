"""Chinese keyboard typos: a pinyin IME slip turns a character into a homophone or into the
most frequent character of a syllable one neighbouring key away."""

from __future__ import annotations

import random
from pathlib import Path

import pypinyin
import pytest

from robustx.errors import RobustxError
from robustx.perturb.char import layouts
from robustx.perturb.char.keyboard_typo import KeyboardTypo
from robustx.tasks import TASKS, DataSource
from robustx.text import char_script, graphemes


def reading(char: str) -> str:
    return pypinyin.lazy_pinyin(char, style=pypinyin.Style.NORMAL, v_to_u=False)[0]


def one_key_apart(a: str, b: str) -> bool:
    near = layouts.load("zh").neighbours
    diff = [(x, y) for x, y in zip(a, b) if x != y]
    return len(a) == len(b) and len(diff) == 1 and diff[0][1] in near[diff[0][0]]


def test_typos_are_homophones_or_one_key_slips() -> None:
    table = layouts.substitutions("zh", "Han")
    assert len(table) > 3000
    assert table["是"][:2] == ("时", "事")  # the most frequent homophones come first
    for char, typos in table.items():
        assert len(char) == 1 and char_script(char) == "Han" and char not in typos
        for typo in typos:
            assert len(typo) == 1 and char_script(typo) == "Han"
            assert reading(typo) == reading(char) or one_key_apart(reading(char), reading(typo)), (char, typo)


@pytest.mark.shared_data
def test_chinese_sentences_get_ime_typos_at_the_rate(shared_data: Path) -> None:
    recipe = KeyboardTypo.from_dict({"rate": 0.2}, "test")
    assert recipe.unsupported_reason("zh") is None
    table = layouts.substitutions("zh", "Han")
    units = changed = 0
    for example in TASKS.get("xnli")().load("zh", DataSource(path=str(shared_data), limit=300)).examples:
        text = example.fields["premise"]
        out = recipe.perturb_text(text, "zh", random.Random(example.id))
        assert len(graphemes(out.text)) == len(graphemes(text))  # one character for one
        for edit in out.edits:
            assert edit.after in table.get(edit.before, ()) or char_script(edit.before) == "Latin"
        units += out.units
        changed += out.changed
    assert units > 3000 and abs(changed / units - 0.2) < 0.02


def test_missing_pypinyin_is_a_clear_error(monkeypatch) -> None:
    import builtins

    from robustx.perturb.char import pinyin_ime

    real_import = builtins.__import__

    def no_pypinyin(name, *args, **kwargs):
        if name == "pypinyin":
            raise ImportError("No module named 'pypinyin'", name="pypinyin")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pypinyin)
    pinyin_ime.typos.cache_clear()
    layouts.substitutions.cache_clear()
    try:
        with pytest.raises(RobustxError, match="pip install pypinyin"):
            layouts.substitutions("zh", "Han")
    finally:
        monkeypatch.undo()
        pinyin_ime.typos.cache_clear()
        layouts.substitutions.cache_clear()
