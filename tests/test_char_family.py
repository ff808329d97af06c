"""The rest of the character family: homoglyphs, mark stripping, OCR, invisible characters, case.

Every recipe is checked on arbitrary Unicode and on real XNLI sentences of all 15
languages: edits fit the input and rebuild the output, grapheme clusters stay whole,
no letter of a foreign script appears unless the recipe is ``cross_script`` (the
OCR recipe may add digits; the invisible recipe adds only its format characters,
which taken out again give back the input), the achieved rate matches the
requested one, labels are untouched, and output is deterministic for a seed.
"""

from __future__ import annotations

import csv
import importlib.util
import math
import os
import random
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_char_perturb import MIXED, MIXED_LETTERS, recipe

from robustx.errors import RobustxError
from robustx.perturb.base import Perturbation, PerturbedText, perturb_example
from robustx.perturb.char import confusables
from robustx.perturb.char.case import Case
from robustx.perturb.char.homoglyph import Homoglyph, substitutes
from robustx.perturb.char.invisible import CURSIVE, INVISIBLE, Invisible
from robustx.perturb.char.ocr import Ocr
from robustx.perturb.char.strip_marks import StripMarks
from robustx.tasks.base import Example
from robustx.text import LANGUAGES, char_script, grapheme_spans, graphemes, is_letter, is_mark, words

ROOT = Path(__file__).resolve().parents[1]
RATE = 0.3
XNLI_LANGS = "ar bg de el en es fr hi ru sw th tr ur vi zh".split()
MORE_LETTERS = "Việt Nam ĐÀ çalışmak İIıi ΟΔΟΣ ά ё й أَهْلاً كـتاب שָׁלוֹם rn cl Ol ß ŉ և ᄀ각ᆨ"

RECIPES: list[tuple[type[Perturbation], dict[str, object]]] = [
    (Homoglyph, {}),
    (Homoglyph, {"same_script": True}),
    (StripMarks, {}),
    (StripMarks, {"unit": "cluster"}),
    (Ocr, {}),
    (Ocr, {"digits": False}),
    (Invisible, {}),
    (Invisible, {"per_word": 3, "chars": list(INVISIBLE)}),
    (Case, {}),
    (Case, {"mode": "random"}),
    (Case, {"mode": "upper"}),
    (Case, {"mode": "lower"}),
]
IDS = [f"{cls.name}{params}" for cls, params in RECIPES]


def supported(perturbation: Perturbation, lang: str) -> str:
    """``lang`` if the recipe supports it, else English (which every recipe supports)."""
    return lang if perturbation.unsupported_reason(lang) is None else "en"


def check(text: str, out: PerturbedText, perturbation: Perturbation) -> None:
    """Edits fit the input and rebuild the output; clusters whole; scripts as allowed."""
    assert isinstance(out.text, str)
    assert 0 <= out.changed <= out.units
    boundaries = {0} | {end for _, end in grapheme_spans(text)}
    pieces, pos = [], 0
    spans = words(text)
    for edit in out.edits:
        assert edit.start >= pos and text[edit.start : edit.end] == edit.before != edit.after, edit
        assert edit.start in boundaries and edit.end in boundaries, edit  # never inside a cluster
        home = [w for w in spans if w.start <= edit.start and edit.end <= w.end]
        assert home, edit  # inside a word
        if isinstance(perturbation, Invisible):
            assert edit.before == "" and edit.after in INVISIBLE.values()
            assert home[0].start < edit.start < home[0].end  # inside, not at an edge
            if edit.after in ("\u200c", "\u200d"):  # joiners: not where they change the rendering
                assert home[0].script not in CURSIVE and unicodedata.combining(text[edit.start - 1]) != 9
        else:
            assert edit.after == "" or all(is_letter(c[0]) or c.isdigit() for c in graphemes(edit.after)), edit
            for char in set(edit.after) - set(edit.before):
                script = char_script(char)
                if is_mark(char) or script in ("Common", "Inherited") and not char.isdigit():
                    continue
                if isinstance(perturbation, Ocr) and char.isdigit():
                    assert perturbation.params.digits
                    continue
                assert perturbation.cross_script or script == home[0].script, (edit, script)
        pieces += [text[pos : edit.start], edit.after]
        pos = edit.end
    pieces.append(text[pos:])
    assert "".join(pieces) == out.text
    if isinstance(perturbation, Invisible):
        check_invisible(text, out)
    else:
        # No edit fuses with a neighbour or splits one: the output's clusters are the
        # untouched clusters of the input and the clusters of each replacement.
        assert graphemes(out.text) == [cluster for piece in pieces for cluster in graphemes(piece)]


def check_invisible(text: str, out: PerturbedText) -> None:
    """Taking the inserted characters out again gives the input's clusters, one by one."""
    inserted, shift = set(), 0
    for edit in out.edits:
        inserted.update(range(edit.start + shift, edit.start + shift + len(edit.after)))
        shift += len(edit.after)
    kept = ["".join(out.text[i] for i in range(a, b) if i not in inserted) for a, b in grapheme_spans(out.text)]
    assert [cluster for cluster in kept if cluster] == graphemes(text)


@pytest.mark.parametrize(
    "cls, params",
    [
        (Homoglyph, {"rate": 2}),
        (Homoglyph, {"same_script": "yes"}),
        (Homoglyph, {"confusables": "/nonexistent/confusables.txt"}),
        (StripMarks, {"unit": "letter"}),
        (Ocr, {"rate": -1}),
        (Ocr, {"digits": 1}),
        (Invisible, {"chars": ["nbsp"]}),
        (Invisible, {"chars": []}),
        (Invisible, {"per_word": 0}),
        (Case, {"mode": "title"}),
    ],
)
def test_bad_params(cls: type[Perturbation], params: dict[str, object]) -> None:
    with pytest.raises(RobustxError, match="test"):
        cls.from_dict(params, "test")


def test_missing_confusables_file_is_explained() -> None:
    with pytest.raises(RobustxError, match="confusables file not found.*bundled"):
        Homoglyph.from_dict({"confusables": "/nonexistent/confusables.txt"}, "test")


def test_chars_are_canonical() -> None:
    assert recipe(Invisible, chars=["zwj", "zwsp"]).params.chars == ("zwsp", "zwj")
    assert recipe(Invisible, chars="wj").params.chars == ("wj",)


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(st.text(), st.text(alphabet=MIXED_LETTERS + MORE_LETTERS)),
    which=st.sampled_from(RECIPES),
    lang=st.sampled_from(sorted(LANGUAGES)),
    rate=st.floats(0, 1),
    seed=st.integers(0, 2**64),
)
def test_any_text(text: str, which: tuple, lang: str, rate: float, seed: int) -> None:
    cls, params = which
    perturbation = recipe(cls, rate=rate, **params)
    lang = supported(perturbation, lang)
    out = perturbation.perturb_text(text, lang, random.Random(seed))
    check(text, out, perturbation)
    assert perturbation.perturb_text(text, lang, random.Random(seed)) == out
    identity = recipe(cls, rate=0.0, **params).perturb_text(text, lang, random.Random(seed))
    assert identity.text == text and not identity.edits and identity.changed == 0


@pytest.mark.parametrize("cls, params", RECIPES, ids=IDS)
def test_rate_one_changes_every_eligible_word(cls: type[Perturbation], params: dict[str, object]) -> None:
    text = MIXED + " " + MORE_LETTERS
    perturbation = recipe(cls, rate=1.0, **params)
    for lang in ("de", "tr", "el", "ru", "ar", "he", "ja", "th"):
        if perturbation.unsupported_reason(lang):
            continue
        out = perturbation.perturb_text(text, lang, random.Random(5))
        check(text, out, perturbation)
        assert out.units > 0 and out.changed == out.units, (lang, out.units, out.changed)


@pytest.mark.parametrize("cls, params", RECIPES, ids=IDS)
def test_unsupported_languages_raise(cls: type[Perturbation], params: dict[str, object]) -> None:
    perturbation = recipe(cls, **params)
    for lang in sorted(LANGUAGES):
        reason = perturbation.unsupported_reason(lang)
        if reason:
            assert len(reason) > 20
            with pytest.raises(RobustxError, match=cls.name):
                perturbation.perturb_text(MIXED, lang, random.Random(0))
    assert perturbation.unsupported_reason("en") is None
    assert perturbation.unsupported_reason("xx") is None  # script-driven: the words decide


def test_coverage_decisions() -> None:
    def unsupported(perturbation: Perturbation) -> list[str]:
        return [lang for lang in sorted(LANGUAGES) if perturbation.unsupported_reason(lang)]

    assert unsupported(recipe(Homoglyph)) == ["bn", "hi", "ko", "mr"]
    assert unsupported(recipe(StripMarks)) == "bn hi ja ka ko ml mr my ta te th zh".split()
    assert "spelling" in (recipe(StripMarks).unsupported_reason("hi") or "")
    assert unsupported(recipe(Ocr)) == unsupported(recipe(StripMarks))
    assert unsupported(recipe(Invisible)) == []
    assert unsupported(recipe(Invisible, chars=["lrm"])) == ["ar", "fa", "he", "ur"]
    caseless = unsupported(recipe(Case))
    assert "ka" in caseless and not {"el", "ru", "bg", "kk", "tr", "vi"} & set(caseless)
    assert "Mtavruli" in (recipe(Case).unsupported_reason("ka") or "")


def test_homoglyph_candidates() -> None:
    table = substitutes("", False)
    assert {"а", "α"} <= set(table["a"]) and "о" in table["o"]  # Cyrillic a, Greek alpha; Cyrillic o
    for source, targets in table.items():
        assert char_script(source) != "Arabic"  # cursive: a positional table instead
        for target in targets:
            assert unicodedata.normalize("NFKC", target) == target  # no fullwidth or math letters
            assert unicodedata.category(target) != "Lm" and char_script(target) != "Other"
    same = substitutes("", True)
    assert all(char_script(t) == char_script(s) for s, ts in same.items() for t in ts)
    assert "I" in same["l"]


def test_homoglyph_arabic_letters_look_the_same_where_they_stand() -> None:
    homoglyph = recipe(Homoglyph, rate=1.0)
    seen = {homoglyph.perturb_text("كتاب في على", "ar", random.Random(seed)).text for seed in range(100)}
    # kaf joins the next letter: Persian keheh; final yeh has no look-alike; final alef maksura: Persian yeh
    assert seen == {"کتاب في علی"}


def test_homoglyph_keeps_marks_and_reads_a_file(shared_data: Path) -> None:
    out = recipe(Homoglyph, rate=1.0).perturb_text("é", "fr", random.Random(0))
    assert unicodedata.normalize("NFD", out.text)[1:] == "\u0301" and out.text != "é"
    path = shared_data / "lexical" / "homoglyphs" / "confusables.txt"
    from_file = recipe(Homoglyph, rate=0.5, confusables=str(path))
    bundled = recipe(Homoglyph, rate=0.5)
    assert confusables.load(str(path)) == confusables.load("")
    assert from_file.perturb_text(MIXED, "de", random.Random(1)) == bundled.perturb_text(MIXED, "de", random.Random(1))


def test_confusables_table_matches_the_generator(shared_data: Path, tmp_path: Path) -> None:
    source = shared_data / "lexical" / "homoglyphs" / "confusables.txt"
    spec = importlib.util.spec_from_file_location("gen_confusables", ROOT / "tools" / "gen_confusables.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "confusables_data.py"
    assert module.main(["--source", str(source), "--out", str(out)]) == 0
    committed = ROOT / "robustx" / "perturb" / "char" / "confusables_data.py"
    assert out.read_bytes() == committed.read_bytes()
    assert "Unicode" in committed.read_text(encoding="utf-8")[:300]  # the licence notice


@pytest.mark.parametrize(
    "lang, text, stripped",
    [
        ("vi", "Việt Nam, Đà Nẵng", "Viet Nam, Da Nang"),
        ("tr", "Çalışmak İstanbul'da", "Calismak Istanbul'da"),
        ("ru", "Ёлка и йогурт", "Елка и иогурт"),
        ("el", "Η Ελλάδα, Ϊ", "Η Ελλαδα, Ι"),
        ("ar", "أَهْلاً كـتاب إلى آخر مؤمن", "اهلا كتاب الى اخر مؤمن"),  # hamza on waw is spelling
        ("he", "שָׁלוֹם", "שלום"),
        ("pl", "Łódź", "Lodz"),
    ],
)
def test_strip_marks_examples(lang: str, text: str, stripped: str) -> None:
    out = recipe(StripMarks, rate=1.0).perturb_text(text, lang, random.Random(0))
    assert out.text == stripped


def test_strip_marks_units() -> None:
    text = "café naïve résumé plain"
    assert recipe(StripMarks).perturb_text(text, "fr", random.Random(0)).units == 3
    by_cluster = recipe(StripMarks, unit="cluster", rate=1.0).perturb_text(text, "fr", random.Random(0))
    assert by_cluster.units == 4 and by_cluster.text == "cafe naive resume plain"


def test_ocr_examples() -> None:
    ocr = recipe(Ocr, rate=1.0)
    seen = {ocr.perturb_text("modern", "en", random.Random(seed)).text for seed in range(200)}
    assert {"modem", "rnodern"} <= seen
    letters_only = recipe(Ocr, rate=1.0, digits=False)
    for seed in range(50):
        out = letters_only.perturb_text("Oil BOSS lobby", "en", random.Random(seed))
        assert out.changed == 3 and not any(c.isdigit() for c in out.text)
    persian = {ocr.perturb_text("بابا", "fa", random.Random(seed)).text for seed in range(200)}
    arabic = {ocr.perturb_text("بابا", "ar", random.Random(seed)).text for seed in range(200)}
    assert any("پ" in t for t in persian) and not any("پ" in t for t in arabic)


def test_invisible_stays_invisible() -> None:
    every = recipe(Invisible, rate=1.0, per_word=5, chars=list(INVISIBLE))
    for seed in range(50):
        for text, lang in (("مرحبا بكم في العالم", "ar"), ("שלום עולם", "he"), ("क्षत्रिय किताबें", "hi")):
            out = every.perturb_text(text, lang, random.Random(seed))
            check(text, out, every)
            if lang == "ar":
                assert not {"\u200c", "\u200d"} & set(out.text)  # they would change the joining
            assert ("\u200e" if lang != "hi" else "\u200f") not in out.text  # no mark against the direction
    paired = recipe(Invisible, rate=1.0, chars=["rlo"]).perturb_text("hello", "en", random.Random(0))
    assert paired.text.count("\u202e") == paired.text.count("\u202c") == 1


@pytest.mark.parametrize(
    "mode, lang, text, expected",
    [
        ("upper", "tr", "istanbul ılık", "İSTANBUL ILIK"),
        ("lower", "tr", "İSTANBUL ILIK", "istanbul ılık"),
        ("upper", "de", "straße", "STRAßE"),  # ß has no one-cluster capital
        ("lower", "el", "ΟΔΟΣ Σ", "οδο\u03c2 \u03c3"),  # final sigma
        ("upper", "ru", "ёлка", "ЁЛКА"),
    ],
)
def test_case_examples(mode: str, lang: str, text: str, expected: str) -> None:
    out = recipe(Case, rate=1.0, mode=mode).perturb_text(text, lang, random.Random(0))
    assert out.text == expected


def test_case_flip_changes_one_letter() -> None:
    out = recipe(Case, rate=1.0).perturb_text("hello World", "en", random.Random(0))
    assert out.changed == 2 and len(out.edits) == 2
    assert sum(a != b for a, b in zip(out.text, "hello World")) == 2


def _xnli(shared_data: Path, lang: str, count: int) -> list[Example]:
    path = shared_data / "xnli" / "test" / f"{lang}.tsv"
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    picked = random.Random(lang).sample(rows, count)
    return [
        Example(f"{lang}-{row['index']}", lang, {"premise": row["sentence1"], "hypothesis": row["sentence2"]},
                row["gold_label"], row["index"])
        for row in picked
    ]  # fmt: skip


@pytest.mark.shared_data
@pytest.mark.parametrize("cls, params", RECIPES[::2] + [RECIPES[7]], ids=IDS[::2] + [IDS[7]])
def test_xnli_every_language(shared_data: Path, cls: type[Perturbation], params: dict[str, object]) -> None:
    perturbation = recipe(cls, rate=RATE, **params)
    for lang in XNLI_LANGS:
        if perturbation.unsupported_reason(lang):
            continue
        units = changed = 0
        for example in _xnli(shared_data, lang, 200):
            result = perturb_example(perturbation, example, 11, ["premise"])
            assert result.example.label == example.label and result.example.id == example.id
            assert result.example.fields["hypothesis"] == example.fields["hypothesis"]
            text = example.fields["premise"]
            out = PerturbedText(result.example.fields["premise"], result.edits, result.units, result.changed)
            check(text, out, perturbation)
            assert all(edit.field == "premise" for edit in result.edits)
            units, changed = units + result.units, changed + result.changed
        if units < 300:
            continue  # too few eligible words (e.g. diacritics in English) for a rate check
        tolerance = max(0.02, 4 * math.sqrt(RATE * (1 - RATE) / units))
        assert abs(changed / units - RATE) <= tolerance, (lang, units, changed / units)


@pytest.mark.shared_data
def test_xnli_eligible_words(shared_data: Path) -> None:
    """Where a recipe is supported, real text gives it words to change (English and
    Swahili XNLI sentences have next to no diacritics: nothing to strip)."""
    empty = []
    for cls, params in RECIPES[::2]:
        perturbation = recipe(cls, rate=RATE, **params)
        for lang in XNLI_LANGS:
            if perturbation.unsupported_reason(lang):
                continue
            units = sum(
                perturbation.perturb_text(e.fields["premise"], lang, random.Random(0)).units
                for e in _xnli(shared_data, lang, 100)
            )
            if not units:
                empty.append(f"{cls.name}:{lang}")
    assert empty == ["char.strip_marks:en", "char.strip_marks:sw"]


def test_coverage_table() -> None:
    from robustx.perturb.coverage import coverage

    cells = coverage()
    assert len(cells) == 40 * len({cell.recipe for cell in cells})
    assert all(cell.reason or cell.error for cell in cells if not cell.supported)
    assert not [cell.lang for cell in cells if cell.recipe == "char.keyboard_typo" and not cell.supported]


@pytest.mark.shared_data
def test_coverage_doc_is_current(shared_data: Path) -> None:
    import shutil

    # The MT recipes' support is whatever Apertium pairs are installed; .ci/run installs them.
    if shutil.which("apertium") is None:
        message = "apertium is not installed: the MT rows of docs/coverage.md cannot be checked"
        if os.environ.get("ROBUSTX_REQUIRE_SHARED") == "1":
            pytest.fail(message + " (.ci/run installs it)")
        pytest.skip(message)
    spec = importlib.util.spec_from_file_location("coverage_table", ROOT / "tools" / "coverage_table.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    doc = ROOT / "docs" / "coverage.md"
    expected = module.generate(shared_data / "lexical")
    assert doc.read_text(encoding="utf-8") == expected, "docs/coverage.md is stale: run python tools/coverage_table.py"
    assert "| ? |" not in expected, "some recipe's support could not be checked with ../shared resources"


@pytest.mark.parametrize(
    "name, cls",
    [
        ("homoglyph_boucher2022", Homoglyph),
        ("invisible_boucher2022", Invisible),
        ("ocr_namysl2020", Ocr),
        ("strip_marks_naplava2018", StripMarks),
        ("case_lower_mayhew2020", Case),
        ("case_flip_10", Case),
    ],
)
def test_shipped_recipes_load(name: str, cls: type[Perturbation]) -> None:
    from robustx.recipes import load_recipe

    shipped = load_recipe(name)
    assert shipped.perturbation == cls.name and shipped.description
    perturbation = cls.from_dict(shipped.params, name)
    out = perturbation.perturb_text(MIXED, "de", random.Random(0))
    check(MIXED, out, perturbation)
