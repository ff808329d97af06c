"""Translation perturbations: code-switching, aligned-row mixing, phrase mixing, MT backends."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from robustx.errors import RobustxError
from robustx.perturb.lexical import ENV as LEXICAL_ENV
from robustx.perturb import PERTURBATIONS, Perturbation
from robustx.perturb.base import AlignedIndex, ShardContext, perturb_example
from robustx.perturb.translate import lexicon, round_trip
from robustx.perturb.translate.code_switch import CodeSwitch
from robustx.perturb.translate.mt import MT_BACKENDS, MTBackend, get_backend
from robustx.perturb.translate.pair_mix import PairMix
from robustx.perturb.translate.phrase_mix import PhraseMix, align
from robustx.perturb.translate.round_trip import RoundTrip, TranslateTest
from robustx.recipes import load_recipe
from robustx.runner.shards import PerturbShard
from robustx.tasks import TASKS, DataSource, Example

NAMES = {
    "translate.code_switch": CodeSwitch,
    "translate.pair_mix": PairMix,
    "translate.phrase_mix": PhraseMix,
    "translate.round_trip": RoundTrip,
    "translate.translate_test": TranslateTest,
}
RECIPES = ("code_switch_polygloss", "phrase_mix_bumblebee", "xnli_pair_mix_en_premise",
           "pawsx_pair_mix_en_sentence1", "round_trip_apertium", "translate_test_apertium_en")
HAS_APERTIUM = shutil.which("apertium") is not None
NO_APERTIUM = "apertium is not installed (apt-get install apertium apertium-eng-spa apertium-fr-es)"
FIELDS = ("premise", "hypothesis")

# A toy dictionary: enough to test mechanics without ../shared.
TOY = {
    "en-de": "the die\nthe der\ncat katze\ncat kater\nsat saß\nmat matte\nhotel gasthaus\nhotel hotel\ni ich\n",
    "de-en": "die the\nkatze cat\nich i\n",
    "en-fr": "the le\ncat chat\nmat tapis\n",
    "zh-en": "中国 china\n中 middle\n人 person\n人民 people\n我 i\n",
}


@pytest.fixture(scope="module")
def toy_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("lexical") / "muse"
    folder.mkdir()
    for pair, text in TOY.items():
        (folder / f"{pair}.txt").write_text(text, encoding="utf-8")
    return folder.parent


@pytest.fixture(scope="module")
def lexical(shared_data) -> str:
    return str(shared_data / "lexical")


def make(cls: type[Perturbation], **params: object) -> Perturbation:
    return cls.from_dict(params, "test")


def xnli(shared_data: Path, lang: str, limit: int = 600) -> list[Example]:
    return list(TASKS.get("xnli")().load(lang, DataSource(path=str(shared_data), limit=limit)).examples)


def rebuild(text: str, edits) -> str:
    """``text`` with ``edits`` applied, checking that they are sorted and fit it."""
    rebuilt, pos = [], 0
    for edit in edits:
        assert edit.start >= pos and text[edit.start : edit.end] == edit.before != edit.after
        rebuilt.append(text[pos : edit.start] + edit.after)
        pos = edit.end
    return "".join(rebuilt) + text[pos:]


def check_edits(text: str, out) -> None:
    """A PerturbedText's edits fit the original and rebuild the output."""
    assert rebuild(text, out.edits) == out.text
    assert 0 <= out.changed <= out.units


def check_example(ex: Example, out) -> None:
    """Labels and rows untouched; each field's edits rebuild it."""
    assert out.example.label == ex.label and out.example.row == ex.row and out.example.id == ex.id
    for field, text in ex.fields.items():
        assert rebuild(text, [e for e in out.edits if e.field == field]) == out.example.fields[field]


def achieved(outs) -> float:
    return sum(o.changed for o in outs) / sum(o.units for o in outs)


# ---------------------------------------------------------------- registry and recipes


def test_registered_and_recipes_load() -> None:
    for name, cls in NAMES.items():
        assert PERTURBATIONS.get(name) is cls and cls.family == "translate"
    for name in RECIPES:
        recipe = load_recipe(name)
        assert recipe.citation and recipe.perturbation in NAMES
        PERTURBATIONS.get(recipe.perturbation).from_dict(recipe.params, name)


@pytest.mark.parametrize(
    "cls, params",
    [
        (CodeSwitch, {"rate": 1.5}),
        (CodeSwitch, {"embedded": ["xx"]}),
        (CodeSwitch, {"embedded": []}),
        (CodeSwitch, {"top_k": 0}),
        (PairMix, {"source": "english"}),
        (PhraseMix, {"window": 0}),
        (RoundTrip, {"backend": "babelfish"}),
        (RoundTrip, {"backend": "hf"}),
        (TranslateTest, {"target": "English"}),
    ],
)
def test_bad_params(cls: type[Perturbation], params: dict) -> None:
    with pytest.raises(RobustxError, match="bad parameters"):
        make(cls, **params)


def test_language_sets_are_canonical() -> None:
    assert make(CodeSwitch, embedded=["fr", "de", "fr"]).params == make(CodeSwitch, embedded=["de", "fr"]).params


# ---------------------------------------------------------------- code_switch


def test_code_switch_toy(toy_dir: Path) -> None:
    cs = make(CodeSwitch, rate=1.0, embedded=["de"], lexical_dir=str(toy_dir))
    text = "The cat sat on the mat, don't hotel THE cat."
    out = cs.perturb_text(text, "en", random.Random(0))
    check_edits(text, out)
    # the/cat/sat/mat translate (most frequent first: die, katze); 'hotel' is its own most
    # frequent German translation (a cognate) and stays; 'don' and 't' are parts of a
    # token; 'on' is not in the dictionary. Case follows the word.
    assert out.text == "Die katze saß on die matte, don't hotel DIE katze."
    assert out.units == out.changed == 7
    assert {e.op for e in out.edits} == {"code_switch:de"}
    assert make(CodeSwitch, rate=0.0, embedded=["de"], lexical_dir=str(toy_dir)).perturb_text(
        text, "en", random.Random(0)).text == text


def test_code_switch_segments_scripts_without_spaces(toy_dir: Path) -> None:
    cs = make(CodeSwitch, rate=1.0, embedded=["en"], lexical_dir=str(toy_dir))
    text = "我爱中国人民。"
    out = cs.perturb_text(text, "zh", random.Random(0))
    check_edits(text, out)
    # forward maximum matching: 我 | 爱 (unknown) | 中国 | 人民
    assert [e.before for e in out.edits] == ["我", "中国", "人民"]
    assert out.text == "I爱chinapeople。"


def test_code_switch_pivots_through_english(toy_dir: Path) -> None:
    # de -> fr has no file: de -> en -> fr.
    out = make(CodeSwitch, rate=1.0, embedded=["fr"], lexical_dir=str(toy_dir)).perturb_text(
        "Die Katze", "de", random.Random(0))
    assert out.text == "Le Chat"
    no_pivot = make(CodeSwitch, embedded=["fr"], pivot=False, lexical_dir=str(toy_dir))
    assert "no MUSE dictionary from de" in no_pivot.unsupported_reason("de")


def test_missing_dictionaries_are_one_line_errors(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv(LEXICAL_ENV, raising=False)
    with pytest.raises(RobustxError, match="ROBUSTX_LEXICAL_DIR") as err:
        make(CodeSwitch).perturb_text("the cat", "en", random.Random(0))
    assert "\n" not in str(err.value)
    monkeypatch.setenv(LEXICAL_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(RobustxError, match="no MUSE dictionaries"):
        make(CodeSwitch).unsupported_reason("en")


def test_env_var_names_the_folder(toy_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv(LEXICAL_ENV, str(toy_dir))
    assert make(CodeSwitch, rate=1.0, embedded=["de"]).perturb_text("cat", "en", random.Random(0)).text == "katze"


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="the cat sat mat 中国人民我 '-,.\u0301é1", max_size=40), st.integers(0, 2**32))
def test_code_switch_any_text(toy_dir: Path, text: str, seed: int) -> None:
    cs = make(CodeSwitch, rate=0.5, embedded=["de", "en", "fr"], lexical_dir=str(toy_dir))
    for lang in ("en", "zh"):
        check_edits(text, cs.perturb_text(text, lang, random.Random(seed)))


@pytest.mark.shared_data
def test_dictionary_location_changes_nothing_but_its_content_does(toy_dir: Path, tmp_path: Path, monkeypatch) -> None:
    """lexical_dir says where, not what: a copy elsewhere (or the env var) gives the same seeds,
    outputs and shard key; an edited dictionary gives another key, so no stale shard is reused."""
    from robustx.runner.perturbing import build_perturbation
    from robustx.runner.plan import input_key
    from robustx.study.spec import PerturbationSpec

    copy = tmp_path / "elsewhere"
    shutil.copytree(toy_dir, copy)
    examples = [Example(f"x{i}", "en", {"premise": text}, "entailment", str(i))
                for i, text in enumerate(["the cat sat on the mat", "i like the hotel", "the cat and the hotel"])]
    index = AlignedIndex(lambda lang: [])

    def outcome(params: dict) -> tuple:
        spec = PerturbationSpec("cs", "translate.code_switch", params, ("premise",))
        cs = make(CodeSwitch, **params)
        texts = tuple(perturb_example(cs, ex, 3, ("premise",)).example.fields["premise"] for ex in examples)
        key = PerturbShard("xnli", "en", spec, 3, input_key(build_perturbation(spec), "en", "k", index)).key
        return texts, key

    base = {"rate": 0.5, "embedded": ["de"]}
    first = outcome({**base, "lexical_dir": str(toy_dir)})
    assert outcome({**base, "lexical_dir": str(copy)}) == first
    monkeypatch.setenv(LEXICAL_ENV, str(copy))
    assert outcome(base) == first
    assert any(t != ex.fields["premise"] for t, ex in zip(first[0], examples))
    (copy / "muse" / "en-de.txt").write_text(TOY["en-de"] + "dog Hündchen\n", encoding="utf-8")
    assert outcome({**base, "lexical_dir": str(copy)})[1] != first[1]


def test_code_switch_rate_and_labels_on_xnli(shared_data: Path, lexical: str) -> None:
    # en: direct dictionaries; zh: dictionary segmentation; ar -> fr: through English.
    for lang, embedded in (("en", ["de", "fr"]), ("zh", ["en"]), ("ar", ["en", "fr"])):
        cs = make(CodeSwitch, rate=0.3, embedded=embedded, lexical_dir=lexical)
        examples = xnli(shared_data, lang, 500)
        outs = [perturb_example(cs, ex, 0, FIELDS) for ex in examples]
        assert abs(achieved(outs) - 0.3) < 0.02, lang
        assert sum(o.units for o in outs) > 5 * len(examples), lang  # most words are translatable
        for ex, out in zip(examples, outs):
            check_example(ex, out)
        fresh_cs = make(CodeSwitch, rate=0.3, embedded=embedded, lexical_dir=lexical)
        again = [perturb_example(fresh_cs, ex, 0, FIELDS) for ex in examples[:50]]
        assert again == outs[:50]


CROSS_PROCESS = """
import hashlib, json, sys
from robustx.perturb.base import perturb_example
from robustx.perturb.translate.code_switch import CodeSwitch
from robustx.tasks import TASKS, DataSource
cs = CodeSwitch.from_dict({"rate": 0.3, "embedded": ["de", "fr"], "top_k": 3, "lexical_dir": sys.argv[2]}, "t")
examples = TASKS.get("xnli")().load("en", DataSource(path=sys.argv[1], limit=300)).examples
outs = [perturb_example(cs, ex, 7, ("premise", "hypothesis")).example.fields for ex in examples]
print(hashlib.sha256(json.dumps(outs, sort_keys=True).encode()).hexdigest())
"""


@pytest.mark.shared_data
def test_code_switch_deterministic_across_processes(shared_data: Path, lexical: str) -> None:
    digests = set()
    for hash_seed in ("1", "987"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        proc = subprocess.run([sys.executable, "-c", CROSS_PROCESS, str(shared_data), lexical],
                              env=env, capture_output=True, text=True, check=True)
        digests.add(proc.stdout.strip())
    cs = make(CodeSwitch, rate=0.3, embedded=["de", "fr"], top_k=3, lexical_dir=lexical)
    here = [perturb_example(cs, ex, 7, FIELDS).example.fields for ex in xnli(shared_data, "en", 300)]
    assert digests == {hashlib.sha256(json.dumps(here, sort_keys=True).encode()).hexdigest()}


# ---------------------------------------------------------------- pair_mix


@pytest.mark.shared_data
def test_pair_mix_takes_the_same_row(shared_data: Path) -> None:
    task = TASKS.get("xnli")()
    source = DataSource(path=str(shared_data), limit=200)
    index = AlignedIndex(lambda lang: task.load(lang, source).examples)
    pm = make(PairMix, source="en")
    assert pm.aligned_languages("de") == ("en",) and pm.aligned_languages("en") == ()
    german = index.examples("de")
    pm.prepare(ShardContext("de", ("premise",), german, {"en": index.rows("en")}))
    english = index.examples("en")
    for i, ex in enumerate(german):
        out = perturb_example(pm, ex, 0, ("premise",))
        assert ex.row == str(i) and english[i].row == str(i)
        assert out.example.fields["premise"] == english[i].fields["premise"]
        assert out.example.fields["hypothesis"] == ex.fields["hypothesis"]
        assert out.example.label == ex.label == english[i].label
        assert (out.units, out.changed) == (1, 1)
    # English examples stay English; without prepare the recipe says what it needs.
    assert perturb_example(pm, english[0], 0, ("premise",)).example == english[0]
    with pytest.raises(RobustxError, match="prepare"):
        perturb_example(make(PairMix, source="en"), german[0], 0, ("premise",))


@pytest.mark.shared_data
def test_pair_mix_through_the_runner(shared_data: Path, tmp_path: Path) -> None:
    """The runner loads the source language once and keys the shard on its content."""
    from robustx.runner import execute
    from robustx.runner.jobs import run_perturb_job
    from robustx.runner.perturbing import build_perturbation
    from robustx.runner.plan import apply_records, input_key, make_plan
    from robustx.study.spec import DataSpec, PerturbationSpec, StudySpec

    spec = PerturbationSpec("pm", "translate.pair_mix", {"source": "en"}, ("sentence1",))
    study = StudySpec(name="t", task="pawsx", languages=("de", "fr"), output=str(tmp_path), data=DataSpec(
        path=str(shared_data), limit=40), checkpoints=(), perturbations=(spec,), perturbation_seeds=(0,))
    task = TASKS.get("pawsx")()
    data = execute.load_data(study, task, lambda _: None)
    plan = make_plan(study, task, data, tmp_path, execute.source_of(study), lambda _: None)
    made = {job.shard.lang: (job, run_perturb_job(job)) for job in plan.perturb}
    english = {ex.row: ex for ex in task.load("en", DataSource(path=str(shared_data), limit=40)).examples}
    for lang in ("de", "fr"):
        job, records = made[lang]
        assert set(job.aligned) == {"en"} and job.shard.key == plan.conditions[lang]["pm@0"].input_key
        assert job.shard.key != plan.conditions[lang]["clean"].input_key
        for ex, orig in zip(apply_records(job.examples, records), data[lang].examples):
            assert ex.fields["sentence1"] == english[ex.row].fields["sentence1"]
            assert ex.fields["sentence2"] == orig.fields["sentence2"] and ex.label == orig.label
    # perturb_records without the aligned rows says what it needs
    from robustx.runner.perturbing import perturb_records
    from robustx.runner.shards import PerturbShard

    with pytest.raises(RobustxError, match="reads aligned rows of en"):
        perturb_records(PerturbShard("pawsx", "de", spec, 0, "k"), data["de"].examples)
    # the aligned language's content is part of the shard key
    index = AlignedIndex(lambda lang: task.load(lang, DataSource(path=str(shared_data), limit=40)).examples)
    other = AlignedIndex(lambda lang: task.load(lang, DataSource(path=str(shared_data), limit=39)).examples)
    pair_mix = build_perturbation(spec)
    assert input_key(pair_mix, "de", "k", index) != input_key(pair_mix, "de", "k", other)
    assert input_key(pair_mix, "en", "k", index) == "k"


# ---------------------------------------------------------------- phrase_mix


def test_phrase_alignment_toy(toy_dir: Path) -> None:
    table = lexicon.table(str(toy_dir / "muse"), "en", "de", True)
    text, target = "The cat sat on the mat.", "Die Katze saß auf der Matte."

    def phrases(max_words: int) -> list[tuple[str, str]]:
        found = align(text, target, table, frozenset(), 0.3, max_words)
        return [(text[p.start : p.end], target[p.target_start : p.target_end]) for p in found]

    # Every word but 'on' links (each 'the' to the closer of die/der); 'on' is one unlinked
    # word between two links on each side, so with room the whole sentence is one phrase.
    assert phrases(6) == [("The cat sat on the mat", "Die Katze saß auf der Matte")]
    assert phrases(4) == [("The cat sat", "Die Katze saß"), ("the mat", "der Matte")]
    assert phrases(2) == [("The cat", "Die Katze"), ("sat", "saß"), ("the mat", "der Matte")]
    # A link must be a whole token within the window: nothing links in a reordered translation.
    assert align("cat mat", "Matte xxxxxxxxxxxxxxxxxxxxxxxxxx Katzenfutter", table, frozenset(), 0.3, 4) == []


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["the cat", "cat the", "the cat sat on the mat", "mat, sat the cat", "中国 the"]),
       st.lists(st.sampled_from(["die", "der", "Katze", "saß", "auf", "Matte", "中国", ",", "x"]), max_size=12),
       st.integers(1, 5))
def test_phrases_never_overlap(toy_dir: Path, text: str, target: list, max_words: int) -> None:
    table = lexicon.table(str(toy_dir / "muse"), "en", "de", True)
    target = " ".join(target)
    phrases = align(text, target, table, frozenset(), 0.5, max_words)
    for a, b in zip(phrases, phrases[1:]):
        assert a.end <= b.start  # sorted, apart in the text; in the translation apart, in any order
    spans = sorted((p.target_start, p.target_end) for p in phrases)
    assert all(x[1] <= y[0] for x, y in zip(spans, spans[1:]))
    for p in phrases:
        assert 0 <= p.start < p.end <= len(text) and 0 <= p.target_start < p.target_end <= len(target)
        assert text[p.start : p.end] != target[p.target_start : p.target_end]


@pytest.mark.shared_data
def test_phrase_mix_on_xnli(shared_data: Path, lexical: str) -> None:
    task = TASKS.get("xnli")()
    source = DataSource(path=str(shared_data), limit=500)
    index = AlignedIndex(lambda lang: task.load(lang, source).examples)
    for lang, embedded in (("en", ["de"]), ("de", ["en", "fr"])):
        pm = make(PhraseMix, rate=0.5, embedded=embedded, lexical_dir=lexical)
        examples = index.examples(lang)
        pm.prepare(ShardContext(lang, FIELDS, examples, {e: index.rows(e) for e in pm.aligned_languages(lang)}))
        outs = [perturb_example(pm, ex, 3, FIELDS) for ex in examples]
        assert abs(achieved(outs) - 0.5) < 0.03, lang
        assert sum(o.units for o in outs) > 3 * len(examples), lang
        for ex, out in zip(examples, outs):
            check_example(ex, out)
            for edit in out.edits:
                language = edit.op.split(":")[1]
                assert edit.after in index.rows(language)[ex.row].fields[edit.field]  # an aligned phrase
        assert [perturb_example(pm, ex, 3, FIELDS) for ex in examples[:50]] == outs[:50]
        zero = make(PhraseMix, rate=0.0, embedded=embedded, lexical_dir=lexical)
        zero.prepare(ShardContext(lang, FIELDS, examples, {e: index.rows(e) for e in pm.aligned_languages(lang)}))
        assert all(perturb_example(zero, ex, 3, FIELDS).example == ex for ex in examples[:100])


# ---------------------------------------------------------------- MT backends and recipes


class Recorder(MTBackend):
    """A fake backend that upper-cases and records its calls."""

    name = "recorder"

    def __init__(self) -> None:
        super().__init__("")
        self.calls: list[tuple[int, str, str]] = []

    def pairs(self):
        return frozenset({("fr", "es"), ("es", "fr"), ("es", "en"), ("en", "es")})

    def translate_direct(self, texts, src, tgt):
        self.calls.append((len(texts), src, tgt))
        return [f"{t.upper()}/{tgt}" for t in texts]


def test_mt_batches_once_per_shard(monkeypatch) -> None:
    fake = Recorder()
    monkeypatch.setattr(round_trip, "get_backend", lambda name, model: fake)
    examples = [Example(f"x/{i}", "fr", {"premise": f"p{i % 3}", "hypothesis": f"h{i}"}, "entailment", str(i))
                for i in range(10)]
    tt = make(TranslateTest, target="en")
    assert tt.legs("fr") == ["fr", "es", "en"] and tt.legs("en") == ["en"]
    tt.prepare(ShardContext("fr", FIELDS, examples))
    assert fake.calls == [(13, "fr", "es"), (13, "es", "en")]  # 3 distinct premises + 10 hypotheses, one call a leg
    out = perturb_example(tt, examples[4], 0, FIELDS)
    assert out.example.fields == {"premise": "P1/ES/en", "hypothesis": "H4/ES/en"} and out.example.label == "entailment"
    assert len(fake.calls) == 2  # answered from the cache
    rt = make(RoundTrip, pivots=["es"])
    assert rt.legs("fr") == ["fr", "es", "fr"] and rt.legs("es") is None
    assert "cannot translate es through any of es" in rt.unsupported_reason("es")
    assert rt.perturb_text("abc", "fr", random.Random(0)).text == "ABC/ES/fr"  # direct use: translated alone


def test_missing_backends_are_clear_errors(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RobustxError, match="apt-get install apertium"):
        MT_BACKENDS.get("apertium")().translate(["hello"], "en", "es")
    with pytest.raises(RobustxError, match="unknown MT backend"):
        MT_BACKENDS.get("babelfish")
    with pytest.raises(RobustxError, match="needs params.model"):
        MT_BACKENDS.get("hf")("")
    with pytest.raises(RobustxError, match="cannot load model"):
        get_backend("hf", str(tmp_path / "no-model")).translate(["hello"], "en", "de")


@pytest.mark.skipif(not HAS_APERTIUM, reason=NO_APERTIUM)
@pytest.mark.shared_data
def test_apertium_round_trip_and_translate_test(shared_data: Path) -> None:
    backend = get_backend("apertium", "")
    assert {("en", "es"), ("es", "en"), ("fr", "es"), ("es", "fr")} <= backend.pairs()
    examples = xnli(shared_data, "en", 12)
    rt = make(RoundTrip)
    assert rt.legs("en") == ["en", "es", "en"] and rt.legs("es") == ["es", "en", "es"]
    assert "cannot translate de" in rt.unsupported_reason("de")
    rt.prepare(ShardContext("en", ("hypothesis",), examples))
    outs = [perturb_example(rt, ex, 0, ("hypothesis",)) for ex in examples]
    assert sum(o.changed for o in outs) >= len(examples) // 2
    for ex, out in zip(examples, outs):
        assert out.example.label == ex.label and out.example.fields["premise"] == ex.fields["premise"]
        assert out.example.fields["hypothesis"].strip() and "\n" not in out.example.fields["hypothesis"]
    again = make(RoundTrip)  # direct use, one text a call: the same translations
    for ex, out in zip(examples[:2], outs):
        assert again.perturb_text(ex.fields["hypothesis"], "en", random.Random(0)).text == out.example.fields["hypothesis"]
    french = xnli(shared_data, "fr", 4)
    tt = make(TranslateTest, target="en")
    tt.prepare(ShardContext("fr", ("hypothesis",), french))
    english = [tt.perturb_text(ex.fields["hypothesis"], "fr", random.Random(0)).text for ex in french]
    assert all(new != ex.fields["hypothesis"] for new, ex in zip(english, french))
    assert sum(bool({"I", "the", "was", "to", "we", "We", "The"} & set(text.split())) for text in english) >= 3


TINY_MARIAN = "the cat dog sat on mat a big small"


@pytest.fixture(scope="module")
def tiny_marian(tmp_path_factory) -> Path:
    """A random 1-layer MarianMT with a word-level tokenizer, saved locally (mechanics only)."""
    pytest.importorskip("transformers")
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import MarianConfig, MarianMTModel, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-marian")
    vocab = {"<pad>": 0, "</s>": 1, "<unk>": 2, **{w: i + 3 for i, w in enumerate(TINY_MARIAN.split())}}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>").save_pretrained(folder)
    torch.manual_seed(0)
    config = MarianConfig(vocab_size=len(vocab), d_model=16, encoder_layers=1, decoder_layers=1,
                          encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32,
                          decoder_ffn_dim=32, max_position_embeddings=32, pad_token_id=0, eos_token_id=1,
                          decoder_start_token_id=0, forced_eos_token_id=1)
    MarianMTModel(config).save_pretrained(folder)
    return folder


def test_hf_backend_mechanics(tiny_marian: Path) -> None:
    tt = make(TranslateTest, backend="hf", model=str(tiny_marian), target="de")
    examples = [Example(f"x/{i}", "en", {"premise": "the cat sat on the mat", "hypothesis": words}, "neutral", str(i))
                for i, words in enumerate(["a big dog", "small cat", "the mat"])]
    tt.prepare(ShardContext("en", FIELDS, examples))
    outs = [perturb_example(tt, ex, 0, FIELDS) for ex in examples]
    for ex, out in zip(examples, outs):
        assert all(isinstance(out.example.fields[f], str) for f in FIELDS) and out.example.label == ex.label
    fresh = make(TranslateTest, backend="hf", model=str(tiny_marian), target="de")
    assert fresh.perturb_text("small cat", "en", random.Random(0)).text == outs[1].example.fields["hypothesis"]
