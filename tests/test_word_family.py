"""Word perturbations: drop, repeat, adjacent swap, wordnet synonyms, inflection, masked LM.

Every recipe is checked on arbitrary Unicode and on real XNLI sentences of all 15
languages: edits fit the input and rebuild the output, grapheme clusters stay whole,
new letters are of the replaced word's script, drop never empties a field, the
achieved rate matches the requested one, and output is deterministic for a seed,
in any process. The masked-LM recipe runs a tiny randomly initialised BERT with the
real XLM-R tokenizer: that tests its mechanics (masking, batching, filters, rate,
determinism), not the quality of its substitutions, which needs a trained model.
"""

from __future__ import annotations

import csv
import json
import math
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from conftest import SHARED
from hypothesis import given, settings
from hypothesis import strategies as st

from robustx.errors import RobustxError
from robustx.perturb.lexical import ENV as LEXICAL_ENV
from robustx.perturb import PERTURBATIONS, Perturbation, PerturbedText
from robustx.perturb.word.drop import WordDrop
from robustx.perturb.word.inflection import Inflection
from robustx.perturb.word.mlm import MaskedLMSubstitution
from robustx.perturb.word.repeat import WordRepeat
from robustx.perturb.word.swap import WordSwap, disjoint_pairs
from robustx.perturb.word.synonym import WordnetSynonym
from robustx.perturb.word.units import match_case, scripts_for, tokens, units_of
from robustx.recipes import load_recipe
from robustx.text import char_script, graphemes, is_letter, is_mark, words

ROOT = Path(__file__).resolve().parents[1]
XNLI_LANGS = "ar bg de el en es fr hi ru sw th tr ur vi zh".split()
RATE = 0.3
TOKENIZER = SHARED / "models" / "xlmr-tokenizer" / "tokenizer.json"
NAMES = {
    "word.drop": WordDrop,
    "word.repeat": WordRepeat,
    "word.swap": WordSwap,
    "word.synonym": WordnetSynonym,
    "word.inflection": Inflection,
    "word.mlm": MaskedLMSubstitution,
}
RECIPES = ("word_drop_10", "word_repeat_10", "word_swap_10", "synonym_wordnet_10",
           "inflection_lemma_30", "inflection_random_30", "mlm_bae_xlmr_10")  # fmt: skip
MOVERS = (WordDrop, WordRepeat, WordSwap)  # rearrange the text's own clusters

# A toy wordnet (OMW tab format) so the property tests need nothing from ../shared.
TOY = {
    "eng": "01-n cat\n01-n feline\n02-v like\n02-v enjoy\n03-a big\n03-a large\n04-n ice cream\n04-n gelato\n"
    "05-a happy\n05-a glad\n06-n book\n06-n volume\n06-n 3D\n07-n dog\n07-n hound-dog\n07-n Hund\n",
    "deu": "01-n Katze\n01-n Mieze\n03-a groß\n03-a riesig\n06-n Buch\n06-n Band\n",
    "cmn": "01-n 猫\n01-n 猫咪\n02-v 喜欢\n02-v 喜爱\n08-n 中国\n08-n 中华\n09-n 人民\n09-n 百姓\n",
    "hin": "06-n किताब\n06-n पुस्तक\n06-n ग्रंथ\n",
    "tha": "01-n แมว\n01-n วิฬาร์\n10-v คิด\n10-v นึก\n",
    "vie": "11-n đặc ân\n11-n đặc quyền\n12-v nghĩ\n12-v suy nghĩ\n01-n mèo\n01-n miêu\n",
    "jpn": "01-n 猫\n01-n ネコ\n13-v 食べる\n13-v 喰う\n",
}
VOCAB = ("cat Cat CAT like big happy book dog ice cream Katze groß Buch 猫 喜欢 中国人民 किताब पुस्तकें "
         "แมว คิด đặc ân nghĩ mèo 食べる ネコ don't state-of-the-art (cats), \"dogs\" 1990 "
         "going books went gingen Häuser").split()  # fmt: skip
MIXED = "Zwei Männer spielen Fußball. Привет! नमस्ते किताब ฉันไม่ได้คิด 中华人民共和国 フォー地方議会と e\u0301té"
WORD_LANGS = ("en", "de", "zh", "hi", "th", "vi", "ja", "ru", "ar", "fr")


@pytest.fixture(scope="module")
def toy_wordnet(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("lexical")
    folder = root / "omw" / "wikt"
    folder.mkdir(parents=True)
    for iso3, rows in TOY.items():
        lines = [f"# toy\t{iso3}\tnowhere\tnone"]
        for row in rows.strip().splitlines():
            synset, lemma = row.split(" ", 1)
            lines.append(f"0000{synset}\t{iso3}:lemma\t{lemma}")
        (folder / f"wn-wikt-{iso3}.tab").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(root)


@pytest.fixture(scope="session")
def tiny_mlm(tmp_path_factory) -> str:
    """A randomly initialised one-layer BERT MLM with the XLM-R tokenizer cut to its first pieces.

    Keeping XLM-R's first 40,000 pieces (ids unchanged, ``<mask>`` moved to 40,000) leaves a
    real SentencePiece vocabulary for every XNLI script (under 5 % unknown pieces) that
    loads in a tenth of a second instead of seconds.
    """
    if not TOKENIZER.is_file():
        if os.environ.get("ROBUSTX_REQUIRE_SHARED") == "1":
            pytest.fail(f"XLM-R tokenizer not found at {TOKENIZER} (required under .ci/run)")
        pytest.skip(f"XLM-R tokenizer not found at {TOKENIZER} (../shared/models)")
    import torch
    from tokenizers import Tokenizer
    from transformers import BertConfig, BertForMaskedLM, PreTrainedTokenizerFast

    spec = json.loads(TOKENIZER.read_text(encoding="utf-8"))
    size = 40000
    spec["model"]["vocab"] = spec["model"]["vocab"][:size] + [["<mask>", 0.0]]
    spec["added_tokens"] = [dict(t, id=size) if t["content"] == "<mask>" else t for t in spec["added_tokens"]]
    folder = tmp_path_factory.mktemp("tiny-mlm")
    special = dict(bos_token="<s>", eos_token="</s>", unk_token="<unk>", sep_token="</s>", cls_token="<s>")
    tok = PreTrainedTokenizerFast(tokenizer_object=Tokenizer.from_str(json.dumps(spec)), mask_token="<mask>",
                                  pad_token="<pad>", **special)  # fmt: skip
    assert tok.mask_token_id == size and tok.convert_ids_to_tokens(6) == "▁"
    tok.save_pretrained(folder)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(tok), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=128, pad_token_id=tok.pad_token_id)  # fmt: skip
    BertForMaskedLM(config).save_pretrained(folder)
    return str(folder)


@pytest.fixture()
def one_thread():
    """torch on one thread: two threads on a shared 2-core machine can be 5x slower."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def make(cls: type[Perturbation], **params: object) -> Perturbation:
    return cls.from_dict(params, "test")


def check(text: str, out: PerturbedText, lang: str) -> None:
    """Edits fit and rebuild; clusters whole; new letters in the edited word's script."""
    assert isinstance(out.text, str)
    assert 0 <= out.changed <= out.units
    rebuilt, pos = [], 0
    for edit in out.edits:
        assert edit.start >= pos and text[edit.start : edit.end] == edit.before != edit.after, edit
        rebuilt.append(text[pos : edit.start] + edit.after)
        pos = edit.end
        if edit.op in ("drop", "repeat", "swap"):
            continue
        home = next((char_script(c) for c in edit.before if char_script(c) not in ("Common", "Inherited")), None)
        if home is None:  # a chunk of joiners only ("ーー" of "ーー一") has the script of the run it was cut from
            home = next((w.script for w in words(text) if w.start <= edit.start < w.end), "Common")
        allowed = scripts_for(lang, home) | {"Common", "Inherited"}
        for cluster in graphemes(edit.after):
            assert cluster == " " or (is_letter(cluster[0]) and char_script(cluster[0]) in allowed), (edit, cluster)
    assert "".join(rebuilt) + text[pos:] == out.text
    before, after = graphemes(text), graphemes(out.text)
    assert sum(is_mark(g[0]) for g in after) <= sum(is_mark(g[0]) for g in before)
    if all(edit.op in ("drop", "repeat", "swap") for edit in out.edits):
        assert set(after) <= set(before) | {" "}, set(after) - set(before)
    else:
        new = Counter(after) - Counter(before)
        assert all(c == " " or is_letter(c[0]) for c in new.elements()), new


def check_drop_keeps_a_word(text: str, out: PerturbedText) -> None:
    if units_of(tokens(text)):
        assert units_of(tokens(out.text)), (text, out.text)


def tolerance(rate: float, units: int) -> float:
    """Three binomial standard deviations (the stochastic rounding makes it tighter), at least 0.02."""
    return max(0.02, 3 * math.sqrt(rate * (1 - rate) / max(units, 1)))


# ---------------------------------------------------------------- registry, params, recipes


def test_registered() -> None:
    for name, cls in NAMES.items():
        assert PERTURBATIONS.get(name) is cls and cls.name == name
        assert cls.family == "word" and not cls.cross_script


def test_recipes_load() -> None:
    for name in RECIPES:
        recipe = load_recipe(name)
        assert recipe.citation and recipe.description and recipe.perturbation in NAMES
        NAMES[recipe.perturbation].from_dict(recipe.params, name)


@pytest.mark.parametrize(
    "cls, params",
    [
        (WordDrop, {"rate": 1.5}),
        (WordSwap, {"rate": -0.1}),
        (WordRepeat, {"pace": 1}),
        (WordnetSynonym, {"sources": ["babelnet"]}),
        (WordnetSynonym, {"sources": []}),
        (WordnetSynonym, {"min_length": 0}),
        (WordnetSynonym, {"multiword": "yes"}),
        (Inflection, {"mode": "stem"}),
        (MaskedLMSubstitution, {"model": ""}),
        (MaskedLMSubstitution, {"model": "x", "top_k": 0}),
    ],
)
def test_bad_params(cls: type[Perturbation], params: dict[str, object]) -> None:
    with pytest.raises(RobustxError, match="test"):
        cls.from_dict(params, "test")


def test_sources_are_canonical() -> None:
    assert make(WordnetSynonym, sources=["omw", "wikt"]).params.sources == ("wikt", "omw")
    assert make(WordnetSynonym, sources="omw").params.sources == ("omw",)


def test_support() -> None:
    synonym, inflection, mlm = make(WordnetSynonym), make(Inflection), make(MaskedLMSubstitution)
    assert [lang for lang in XNLI_LANGS if synonym.unsupported_reason(lang)] == []
    assert synonym.unsupported_reason("ta") and make(WordnetSynonym, sources=["omw"]).unsupported_reason("fi") is None
    assert [lang for lang in XNLI_LANGS if inflection.unsupported_reason(lang)] == ["th", "ur", "vi", "zh"]
    assert all(mlm.unsupported_reason(lang) is None for lang in XNLI_LANGS)
    for cls in MOVERS:
        assert all(make(cls).unsupported_reason(lang) is None for lang in XNLI_LANGS)
    with pytest.raises(RobustxError, match="word.inflection"):
        inflection.perturb_text("我喜欢猫", "zh", random.Random(0))


# ---------------------------------------------------------------- drop, repeat, swap


@pytest.mark.parametrize(
    "text, keep, expected",
    [
        ("I like cats.", "I like", "I like."),
        ("I like cats.", "like cats", "like cats."),
        ("Yes, I do.", "I do", "I do."),
        ("(cats are) here", "are here", "(are) here"),
        ('a "cat" b', "a b", "a b"),
        ("he said (cats", "he said", "he said"),
        ("one two three", "one three", "one three"),
        ("one two three", "three", "three"),
    ],
)
def test_drop_keeps_punctuation_in_place(text: str, keep: str, expected: str) -> None:
    kept, n = set(keep.split()), len(units_of(tokens(text)))
    drop = make(WordDrop, rate=(n - len(kept)) / n)
    for seed in range(400):
        out = drop.perturb_text(text, "en", random.Random(seed))
        check(text, out, "en")
        if {out.text[u.start : u.end] for u in units_of(tokens(out.text))} == kept and out.text == expected:
            return
    pytest.fail(f"no seed of 400 gave {expected!r}")


def test_drop_never_empties_and_chunks() -> None:
    drop = make(WordDrop, rate=1.0)
    for text in ("one", "a b", "我喜欢猫，你呢？", "ฉันไม่ได้คิด", MIXED):
        for seed in range(30):
            out = drop.perturb_text(text, "zh", random.Random(seed))
            check(text, out, "zh")
            check_drop_keeps_a_word(text, out)
            assert out.changed == max(out.units - 1, 0)
    assert drop.perturb_text("one", "en", random.Random(0)).units == 0


def test_repeat_and_swap_examples() -> None:
    repeat = make(WordRepeat, rate=1.0)
    assert repeat.perturb_text("I like cats.", "en", random.Random(0)).text == "I I like like cats cats."
    assert repeat.perturb_text("猫猫", "zh", random.Random(0)).text == "猫猫猫猫"
    out = make(WordSwap, rate=1.0).perturb_text("I like cats.", "en", random.Random(0))
    assert out.text in ("like I cats.", "I cats like.") and out.changed == 2 and out.units == 3
    assert make(WordSwap, rate=1.0).perturb_text("very very", "en", random.Random(0)).changed == 0


def test_disjoint_pairs_are_uniform() -> None:
    counts = Counter(tuple(disjoint_pairs(5, 0.4, random.Random(seed))) for seed in range(4000))
    assert set(counts) == {(0,), (1,), (2,), (3,)}  # 0.4 * 5 / 2 = exactly one pair
    assert max(counts.values()) / min(counts.values()) < 1.25
    assert all(len(disjoint_pairs(7, 1.0, random.Random(s))) == 3 for s in range(20))


# ---------------------------------------------------------------- synonym, inflection


def test_synonym_toy(toy_wordnet) -> None:
    syn = make(WordnetSynonym, rate=1.0, lexical_dir=toy_wordnet)
    out = syn.perturb_text("The CAT is big. Happy cats like books.", "en", random.Random(0))
    assert out.text == "The FELINE is large. Glad cats enjoy books." and out.units == 4
    # ice cream -> gelato is not looked up (multiword lemma); gelato -> "ice cream" only with multiword
    assert syn.perturb_text("gelato", "en", random.Random(0)).units == 0
    assert make(WordnetSynonym, rate=1.0, lexical_dir=toy_wordnet, multiword=True).perturb_text(
        "gelato", "en", random.Random(0)).text == "ice cream"  # fmt: skip
    # hound-dog is two words (hyphen): only Hund (same script) is a candidate
    assert syn.perturb_text("dog", "en", random.Random(0)).text == "Hund"
    assert syn.perturb_text("Katze groß", "de", random.Random(0)).text == "Mieze riesig"
    assert syn.perturb_text("中国人民喜欢猫", "zh", random.Random(0)).text == "中华百姓喜爱猫咪"
    assert syn.perturb_text("ฉันคิด", "th", random.Random(0)).text == "ฉันนึก"
    assert syn.perturb_text("Tôi nghĩ đặc ân", "vi", random.Random(0)).text == "Tôi suy nghĩ đặc quyền"
    assert syn.perturb_text("猫を食べる", "ja", random.Random(0)).text in ("ネコを喰う",)
    assert syn.perturb_text("don't catfish", "en", random.Random(0)).units == 0


def test_match_case() -> None:
    assert match_case("Cat", "feline") == "Feline"
    assert match_case("CAT", "feline") == "FELINE"
    assert match_case("cat", "Hund") == "Hund"
    assert match_case("I", "ego") == "Ego"


def test_synonym_needs_a_directory(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv(LEXICAL_ENV, raising=False)
    with pytest.raises(RobustxError, match=f"params.lexical_dir or {LEXICAL_ENV}"):
        make(WordnetSynonym).perturb_text("cat", "en", random.Random(0))
    monkeypatch.setenv(LEXICAL_ENV, str(tmp_path / "missing"))
    with pytest.raises(RobustxError, match="does not exist"):
        make(WordnetSynonym).perturb_text("cat", "en", random.Random(0))
    monkeypatch.setenv(LEXICAL_ENV, str(tmp_path))
    with pytest.raises(RobustxError, match="wn-wikt-eng.tab"):
        make(WordnetSynonym).perturb_text("cat", "en", random.Random(0))


def test_inflection_examples() -> None:
    lemma = make(Inflection, rate=1.0)
    assert lemma.perturb_text("Running dogs went home.", "en", random.Random(0)).text == "Run dog go home."
    assert lemma.perturb_text("Sie gingen in die Häuser", "de", random.Random(0)).text == "Sie gehen in der Haus"
    assert lemma.perturb_text("don't", "en", random.Random(0)).units == 0
    inflect = make(Inflection, rate=1.0, mode="inflect")
    out = inflect.perturb_text("The books", "en", random.Random(0))
    assert out.units == 1 and out.text.startswith("The book") and out.text != "The books"  # "The": no other form


# ---------------------------------------------------------------- arbitrary text


def _sentences():
    piece = st.one_of(st.sampled_from(VOCAB), st.text(max_size=4), st.text(alphabet=MIXED, max_size=6))
    return st.lists(piece, max_size=10).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(text=st.one_of(st.text(), _sentences()), cls=st.sampled_from(MOVERS), lang=st.sampled_from(WORD_LANGS),
       rate=st.floats(0, 1), seed=st.integers(0, 2**64))  # fmt: skip
def test_movers_on_any_text(text: str, cls: type[Perturbation], lang: str, rate: float, seed: int) -> None:
    perturbation = make(cls, rate=rate)
    out = perturbation.perturb_text(text, lang, random.Random(seed))
    check(text, out, lang)
    assert perturbation.perturb_text(text, lang, random.Random(seed)) == out
    if cls is WordDrop:
        check_drop_keeps_a_word(text, out)
    identity = make(cls, rate=0.0).perturb_text(text, lang, random.Random(seed))
    assert identity.text == text and not identity.edits and identity.changed == 0


@settings(max_examples=100, deadline=None)
@given(text=st.one_of(st.text(), _sentences()), lang=st.sampled_from(WORD_LANGS), rate=st.floats(0, 1),
       seed=st.integers(0, 2**64), which=st.sampled_from(["synonym", "multiword", "lemma", "inflect"]))  # fmt: skip
def test_lexical_on_any_text(toy_wordnet, text: str, lang: str, rate: float, seed: int, which: str) -> None:
    if which in ("synonym", "multiword"):
        lang = lang if lang in ("en", "de", "zh", "hi", "th", "vi", "ja") else "en"
        perturbation = make(WordnetSynonym, rate=rate, lexical_dir=toy_wordnet, multiword=which == "multiword")
        zero = make(WordnetSynonym, rate=0.0, lexical_dir=toy_wordnet)
    else:
        small = ("en", "fr", "hi", "ar") if which == "inflect" else ("en", "de", "fr", "hi", "ru", "ar")
        lang = lang if lang in small else "en"  # (inverting the German or Russian table takes seconds)
        perturbation, zero = make(Inflection, rate=rate, mode=which), make(Inflection, rate=0.0, mode=which)
    out = perturbation.perturb_text(text, lang, random.Random(seed))
    check(text, out, lang)
    assert perturbation.perturb_text(text, lang, random.Random(seed)) == out
    identity = zero.perturb_text(text, lang, random.Random(seed))
    assert identity.text == text and not identity.edits and identity.units == out.units


@settings(max_examples=30, deadline=None)
@given(text=st.one_of(st.text(max_size=60), _sentences()), lang=st.sampled_from(WORD_LANGS),
       rate=st.floats(0, 1), seed=st.integers(0, 2**64))  # fmt: skip
def test_mlm_on_any_text(tiny_mlm, text: str, lang: str, rate: float, seed: int) -> None:
    import torch

    torch.set_num_threads(1)
    perturbation = make(MaskedLMSubstitution, model=tiny_mlm, rate=rate, top_k=50)
    out = perturbation.perturb_text(text, lang, random.Random(seed))
    check(text, out, lang)
    assert perturbation.perturb_text(text, lang, random.Random(seed)) == out
    identity = make(MaskedLMSubstitution, model=tiny_mlm, rate=0.0).perturb_text(text, lang, random.Random(seed))
    assert identity.text == text and not identity.edits


def test_mlm_errors(tmp_path) -> None:
    unused = make(MaskedLMSubstitution, model=str(tmp_path / "nothing"), rate=0.0)
    assert unused.perturb_text("a cat", "en", random.Random(0)).units == 2  # rate 0 loads nothing
    missing = make(MaskedLMSubstitution, model=str(tmp_path / "nothing"), rate=1.0)
    with pytest.raises(RobustxError, match="cannot load the masked LM"):
        missing.perturb_text("a cat", "en", random.Random(0))


# ---------------------------------------------------------------- real XNLI sentences


def _xnli(shared_data: Path, lang: str, rows: int) -> list[str]:
    with open(shared_data / "xnli" / "test" / f"{lang}.tsv", encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    picked = random.Random(lang).sample(table, rows)
    return [row["sentence1"] for row in picked] + [row["sentence2"] for row in picked]


def _run(perturbation: Perturbation, texts: list[str], lang: str) -> tuple[int, int]:
    units = changed = 0
    for i, text in enumerate(texts):
        out = perturbation.perturb_text(text, lang, random.Random(i))
        check(text, out, lang)
        if isinstance(perturbation, WordDrop):
            check_drop_keeps_a_word(text, out)
        units, changed = units + out.units, changed + out.changed
    return units, changed


@pytest.mark.shared_data
@pytest.mark.parametrize("cls", [*MOVERS, WordnetSynonym, Inflection])
def test_xnli_every_language(shared_data: Path, cls: type[Perturbation]) -> None:
    params: dict[str, object] = {"rate": RATE}
    if cls is WordnetSynonym:
        params["lexical_dir"] = str(shared_data / "lexical")
    perturbation = make(cls, **params)
    for lang in XNLI_LANGS:
        if perturbation.unsupported_reason(lang):
            assert cls is Inflection and lang in ("th", "ur", "vi", "zh")
            continue
        units, changed = _run(perturbation, _xnli(shared_data, lang, 100), lang)
        assert units > {WordnetSynonym: 60, Inflection: 300}.get(cls, 600), (lang, units)
        assert abs(changed / units - RATE) <= tolerance(RATE, units), (lang, units, changed / units)


@pytest.mark.shared_data
def test_native_omw_wordnets_merge(shared_data: Path) -> None:
    lexical = str(shared_data / "lexical")
    wikt = make(WordnetSynonym, rate=RATE, lexical_dir=lexical)
    both = make(WordnetSynonym, rate=RATE, lexical_dir=lexical, sources=["omw", "wikt"])
    texts = _xnli(shared_data, "fr", 50)
    assert _run(both, texts, "fr")[0] > 1.5 * _run(wikt, texts, "fr")[0]  # more words have synonyms
    with pytest.raises(RobustxError, match="wn-data-deu.tab"):
        make(WordnetSynonym, lexical_dir=lexical, sources=["omw"]).perturb_text("Katze", "de", random.Random(0))


@pytest.mark.shared_data
def test_xnli_mlm_mechanics(shared_data: Path, tiny_mlm: str, one_thread) -> None:
    perturbation = make(MaskedLMSubstitution, model=tiny_mlm, rate=RATE, top_k=50)
    for lang in XNLI_LANGS:
        units, changed = _run(perturbation, _xnli(shared_data, lang, 10), lang)
        assert units > 100 and changed <= units
        if lang in ("en", "de", "ru", "zh"):  # scripts where even a random model proposes enough words
            assert abs(changed / units - RATE) <= tolerance(RATE, units), (lang, changed / units)


# ---------------------------------------------------------------- determinism across processes

DETERMINISM = """
import json, sys
from robustx.perturb.base import perturb_example
from robustx.perturb.word.drop import WordDrop
from robustx.perturb.word.inflection import Inflection
from robustx.perturb.word.repeat import WordRepeat
from robustx.perturb.word.swap import WordSwap
from robustx.perturb.word.synonym import WordnetSynonym
from robustx.tasks.base import Example

def outputs(texts, wordnets, model):
    recipes = [WordDrop.from_dict({"rate": 0.5}, "t"), WordRepeat.from_dict({"rate": 0.5}, "t"),
               WordSwap.from_dict({"rate": 0.5}, "t"),
               WordnetSynonym.from_dict({"rate": 0.5, "lexical_dir": wordnets}, "t"),
               Inflection.from_dict({"rate": 0.5, "mode": "inflect"}, "t")]
    if model:
        import torch
        from robustx.perturb.word.mlm import MaskedLMSubstitution
        torch.set_num_threads(1)
        recipes.append(MaskedLMSubstitution.from_dict({"rate": 0.5, "model": model}, "t"))
    out = []
    for p in recipes:
        for lang, text in texts:
            if p.unsupported_reason(lang) or (p.name == "word.inflection" and lang == "de"):
                continue  # (German's table takes seconds to invert)
            ex = Example(id=f"{lang}-1", lang=lang, fields={"s": text})
            out.append(perturb_example(p, ex, 7, ["s"]).example.fields["s"])
    return out

if __name__ == "__main__":
    print(json.dumps(outputs(*json.loads(sys.argv[1])), ensure_ascii=False))
"""


def test_deterministic_across_processes(toy_wordnet, request) -> None:
    """The same outputs in this process and in one with another PYTHONHASHSEED."""
    model = request.getfixturevalue("tiny_mlm") if TOKENIZER.is_file() else ""
    texts = [("en", "The big cats like happy books, don't they? Running dogs went home."),
             ("de", "Die Katze ist groß und die Häuser gingen."), ("zh", "中国人民喜欢猫，我们也喜欢。"),
             ("th", "ฉันคิดว่าแมวน่ารัก"), ("vi", "Tôi nghĩ đó là một đặc ân."), ("hi", "मैंने किताब पढ़ी।"),
             ("ja", "猫を食べる")]  # fmt: skip
    arg = json.dumps([texts, toy_wordnet, model], ensure_ascii=False)
    seed = "4242" if os.environ.get("PYTHONHASHSEED") != "4242" else "17"
    proc = subprocess.run([sys.executable, "-c", DETERMINISM, arg], env={**os.environ, "PYTHONHASHSEED": seed},
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    namespace: dict = {}
    exec(DETERMINISM, namespace)
    here = namespace["outputs"](texts, toy_wordnet, model)
    assert json.loads(proc.stdout) == here
    originals = [text for _, text in texts]
    assert sum(r not in originals for r in here) >= len(here) // 2
