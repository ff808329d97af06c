"""Korean keyboard typos: one jamo of a Hangul syllable becomes a 2-set (dubeolsik) neighbour."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pytest

from robustx.perturb import PerturbedText
from robustx.perturb.char import layouts
from robustx.perturb.char.keyboard_typo import KeyboardTypo
from robustx.text import graphemes

SENTENCE = "다중 우주는 유사한 자연과 보편적 계층 구조를 지닌 대안 우주의 모음입니다. 값싼 닭볶음탕, 왜 없어요?"


def typo(**params: object) -> KeyboardTypo:
    return KeyboardTypo.from_dict(params, "test")


def jamo(syllable: str) -> tuple[str, ...]:
    """Initial, medial and final ("" for none) of a precomposed syllable as compatibility
    jamo, through Unicode's own decomposition and names (independent of the recipe)."""
    assert len(syllable) == 1 and "\uac00" <= syllable <= "\ud7a3", syllable
    decomposed = unicodedata.normalize("NFD", syllable)
    parts = [unicodedata.lookup("HANGUL LETTER " + unicodedata.name(c).split(" ", 2)[2]) for c in decomposed]
    return (*parts, "")[:3]


def check_korean(text: str, out: PerturbedText) -> int:
    """Every edit turns one syllable into another that differs in exactly one jamo, a
    2-set key neighbour of the same role; the text keeps its clusters. Returns the edits."""
    neighbours = layouts.load("ko").neighbours
    for edit in out.edits:
        assert text[edit.start : edit.end] == edit.before
        before, after = jamo(edit.before), jamo(edit.after)
        diff = [(old, new) for old, new in zip(before, after) if old != new]
        assert len(diff) == 1, (edit.before, edit.after)
        old, new = diff[0]
        assert old and new and new in neighbours[old], (edit.before, edit.after)  # no final stays none
    assert len(graphemes(out.text)) == len(graphemes(text))
    return len(out.edits)


def test_dubeolsik_table() -> None:
    keyboard = layouts.load("ko")
    assert "KS X 5002" in keyboard.source
    assert set(keyboard.neighbours["ㅂ"]) == set("12ㅈㅁ")  # Q: 1 2 W A
    assert set(keyboard.neighbours["ㅗ"]) == set("ㅎㅓㅕㅛㅜㅠ")  # H: G J Y U B N
    assert set(keyboard.neighbours["ㄲ"]) == set("$%ㄸㅆㅇㄹ")  # shift R: $ % and shift E T D F
    assert not any("a" <= char <= "z" for char in keyboard.neighbours)  # letter keys type jamo


def test_korean_typos_change_one_jamo() -> None:
    out = typo(rate=1.0, max_per_word=3).perturb_text(SENTENCE, "ko", random.Random(0))
    assert out.units == out.changed == len(SENTENCE.split())
    assert check_korean(SENTENCE, out) > out.changed
    for seed in range(200):
        check_korean(SENTENCE, typo(rate=0.5).perturb_text(SENTENCE, "ko", random.Random(seed)))


def test_korean_rate_zero_and_determinism() -> None:
    same = typo(rate=0.0).perturb_text(SENTENCE, "ko", random.Random(1))
    assert same.text == SENTENCE and not same.edits and same.units > 0
    recipe = typo(rate=0.3)
    first = recipe.perturb_text(SENTENCE, "ko", random.Random(5))
    assert first == recipe.perturb_text(SENTENCE, "ko", random.Random(5)) and first.text != SENTENCE


def test_lone_jamo_stay_compatibility_jamo() -> None:
    # A lone jamo (ㅋㅋ) becomes another key's compatibility jamo, never a conjoining one.
    for seed in range(50):
        out = typo(rate=1.0).perturb_text("ㅋㅋ ㅠㅠ", "ko", random.Random(seed))
        assert all("\u3131" <= char <= "\u318e" for char in out.text.replace(" ", "")), out.text


@pytest.mark.shared_data
def test_pawsx_korean_sentences(shared_data: Path) -> None:
    lines = (shared_data / "pawsx" / "dev" / "ko.tsv").read_text(encoding="utf-8").splitlines()
    recipe = typo(rate=0.3, max_per_word=2)
    edits = 0
    for i, line in enumerate(lines[:300]):
        sentence = line.split("\t")[0]
        edits += check_korean(sentence, recipe.perturb_text(sentence, "ko", random.Random(i)))
    assert edits > 1000
