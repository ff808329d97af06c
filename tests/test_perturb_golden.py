"""Pinned outputs: the same recipe, parameters, seed and text give these exact outputs in every release.

A study's perturbed sets are part of its results: a change to a recipe's code that
alters one output byte (another order of random draws, another word split) makes
earlier runs irreproducible. Speed work must leave these digests alone; a deliberate
change of behaviour changes them and says so in its commit.
"""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pytest

from robustx.hashing import canonical_json, stable_digest
from robustx.perturb import PERTURBATIONS
from robustx.perturb.base import perturb_example
from robustx.tasks.base import Example

pytestmark = pytest.mark.golden

# Sentences in 12 scripts, with the hard cases: marks, viramas, no spaces, Hangul, mixed scripts.
SENTENCES = {
    "en": "The quick brown fox doesn't jump over 3 lazy dogs, does it?",
    "de": "Zwei Männer spielen Fußball im Straßenpark, während ÄLTERE zuschauen.",
    "ru": "Привет! Мы не знали, что Москва так далеко от Санкт-Петербурга.",
    "el": "Η γρήγορη καφέ αλεπού πηδάει πάνω από τον τεμπέλη σκύλο.",
    "ar": "ذهبَ الولدُ إلى المدرسةِ صباحاً ولم يعدْ حتى المساء.",
    "hi": "मैंने किताब पढ़ी और फिर क्षत्रिय राजा की कहानी सुनी।",
    "th": "ฉันไม่ได้คิดว่าเขาจะมาที่นี่วันนี้ เพราะฝนตกหนัก",
    "zh": "中华人民共和国成立于1949年，首都是北京。",
    "ja": "フォー地方議会と東京の学校は、ひらがなとカタカナを使います。",
    "ko": "한국어는 아름다운 언어입니다. 저는 매일 공부해요!",
    "vi": "Tôi không nghĩ rằng anh ấy sẽ đến đây hôm nay.",
    "tr": "İstanbul'da yaşayan öğrenciler ığdır'a gitmek istemiyor.",
}
SEED = 11

# recipe -> (params, digest of its outputs on SENTENCES, two fields per example)
PINNED = {
    "char.keyboard_typo": ({"rate": 0.5, "max_per_word": 2}, "dc610bd812e40d94"),
    "char.random_edit": ({"rate": 0.5}, "c518b4c09943269c"),
    "char.homoglyph": ({"rate": 0.5}, "bd8ef3ba5ff0347b"),
    "char.invisible": ({"rate": 0.5, "per_word": 2}, "f4bf7b2473b178c4"),
    "char.ocr": ({"rate": 0.5}, "e3eb4c1a21ebcb80"),
    "char.strip_marks": ({"rate": 0.5}, "42ae60db226e3fd1"),
    "char.case": ({"rate": 0.5}, "90352f183c53094a"),
    "word.drop": ({"rate": 0.3}, "66f3180a7a35788a"),
    "word.repeat": ({"rate": 0.3}, "fcc5d17e9dc68989"),
    "word.swap": ({"rate": 0.5}, "ac7d8c2d1d0ac6bf"),
}


def outputs_digest(name: str, params: dict, examples: list[Example]) -> str:
    perturbation = PERTURBATIONS.get(name).from_dict(params, "test")
    done, changed = [], False
    for example in examples:
        if perturbation.unsupported_reason(example.lang):
            continue
        out = perturb_example(perturbation, example, SEED, tuple(example.fields))
        done.append([out.example.fields, [dataclasses.asdict(e) for e in out.edits], out.units, out.changed])
        changed |= out.example.fields != example.fields
    assert changed, name
    return stable_digest(canonical_json(done))


def _examples() -> list[Example]:
    langs = list(SENTENCES)
    return [
        Example(id=f"{lang}-{i}", lang=lang, fields={"a": SENTENCES[lang], "b": SENTENCES[langs[(i + 1) % len(langs)]]})
        for i, lang in enumerate(langs)
    ]


@pytest.mark.parametrize("name", sorted(PINNED))
def test_outputs_are_pinned(name: str) -> None:
    params, digest = PINNED[name]
    assert outputs_digest(name, params, _examples()) == digest


# The same on real sentences: the first 40 premise/hypothesis pairs of every XNLI test language.
PINNED_XNLI = {
    "char.keyboard_typo": ({"rate": 0.1}, "15e58f018445e1c1"),
    "char.random_edit": ({"rate": 0.3}, "7b5b7adbf1ee76f9"),
    "char.random_edit ": ({"rate": 0.1, "ops": ["swap"]}, "8b6a39f881ce8a78"),
    "word.swap": ({"rate": 0.1}, "75c97c073abdb3b6"),
}


@pytest.mark.shared_data
@pytest.mark.parametrize("key", sorted(PINNED_XNLI))
def test_xnli_outputs_are_pinned(shared_data: Path, key: str) -> None:
    examples = []
    for path in sorted((shared_data / "xnli" / "test").glob("*.tsv")):
        with open(path, encoding="utf-8", newline="") as handle:
            for i, row in zip(range(40), csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)):
                examples.append(Example(id=f"{path.stem}-{i}", lang=path.stem,
                                        fields={"premise": row["sentence1"], "hypothesis": row["sentence2"]}))
    assert len(examples) == 15 * 40
    params, digest = PINNED_XNLI[key]
    assert outputs_digest(key.strip(), params, examples) == digest
