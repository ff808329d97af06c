"""Perturbations keep structure aligned (docs/structured.md): every token keeps its tag through
every recipe that edits inside or around words, and every answer stays where its span says,
on the real UD-POS, PAN-X, XQuAD and MLQA data and on generated token lists."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from robustx.errors import RobustxError
from robustx.perturb import PERTURBATIONS, perturb_examples
from robustx.perturb.base import Edit
from robustx.tasks import TASKS, DataSource
from robustx.tasks.base import Example, Span
from robustx.tasks.spans import AlignmentError, carry

# Every recipe that edits inside or around words, with parameters that change a lot.
RECIPES = {
    "char.keyboard_typo": {"rate": 0.5},
    "char.random_edit": {"rate": 0.5},
    "char.homoglyph": {"rate": 0.5},
    "char.invisible": {"rate": 0.5},
    "char.ocr": {"rate": 0.5},
    "char.case": {"rate": 0.5},
    "char.strip_marks": {"rate": 0.5},
    "word.drop": {"rate": 0.3},
    "word.repeat": {"rate": 0.3},
    "word.swap": {"rate": 0.3},
    "word.inflection": {"rate": 0.5},
    "word.synonym": {"rate": 0.5},
    "translate.code_switch": {"rate": 0.5},
}


def _recipe(name: str, lang: str, lexical):
    params = dict(RECIPES[name])
    if name in ("word.synonym", "translate.code_switch"):
        params["lexical_dir"] = str(lexical)
    recipe = PERTURBATIONS.get(name).from_dict(params, "test")
    return None if recipe.unsupported_reason(lang) else recipe


def _tiled(example: Example) -> bool:
    """A tagging example's sentence is its tokens joined by single spaces, in span order."""
    text = example.fields["sentence"]
    return text == " ".join(text[s.start:s.end] for s in example.spans)


@pytest.mark.parametrize("task, split, langs", [("udpos", "test", ("de", "hi", "zh", "vi", "ar", "ko")),
                                                 ("panx", "dev", ("de", "ru", "ar", "zh", "hi"))])
def test_every_recipe_keeps_every_token_tagged(task, split, langs, shared_data):
    lexical = shared_data / "lexical"
    for lang in langs:
        examples = TASKS.get(task)().load(lang, DataSource(path=str(shared_data), split=split, limit=150)).examples
        assert all(_tiled(ex) for ex in examples)
        for name in RECIPES:
            recipe = _recipe(name, lang, lexical)
            if recipe is None:
                continue
            for before, out in zip(examples, perturb_examples(recipe, examples, 0, ["sentence"])):
                after = out.example
                assert _tiled(after), (name, lang, before.fields, after.fields)
                tags = [s.label for s in after.spans]
                old = [s.label for s in before.spans]
                if name.startswith("char.") or name in ("word.inflection", "word.synonym", "translate.code_switch"):
                    assert tags == old, (name, lang)
                elif name == "word.drop":
                    assert len(tags) <= len(old)
                elif name == "word.repeat":
                    assert len(tags) >= len(old)
                else:
                    assert sorted(tags) == sorted(old)


@pytest.mark.parametrize("mode", ["protect", "only"])
@pytest.mark.parametrize("name", ["char.keyboard_typo", "word.drop", "word.repeat", "translate.code_switch"])
def test_entity_modes_keep_entities_or_change_only_them(mode, name, shared_data):
    examples = TASKS.get("panx")().load("de", DataSource(path=str(shared_data), split="dev", limit=150)).examples
    recipe = _recipe(name, "de", shared_data / "lexical")
    outs = perturb_examples(recipe, examples, 0, ["sentence"], mode)
    changed = 0
    for before, out in zip(examples, outs):
        entities = [s for s in before.spans if s.label != "O"]
        for e in out.edits:
            touches = any(e.start <= s.end and s.start <= e.end for s in entities)
            assert touches == (mode == "only"), (name, mode, before.fields, e)
        assert _tiled(out.example)
        if mode == "protect":  # every entity keeps its words and tags
            def names(ex):
                return [(ex.fields["sentence"][s.start:s.end], s.label) for s in ex.spans if s.label != "O"]
            assert names(out.example) == names(before)
        changed += bool(out.edits)
    assert changed > 10  # the mode filters edits, it does not silence the recipe


@pytest.mark.parametrize("task", ["xquad", "mlqa"])
def test_every_answer_stays_where_its_span_says(task, shared_data):
    """Every XQuAD and MLQA example (all 49 MLQA language pairs, no limit), under a character and a
    word recipe."""
    langs = TASKS.get(task).languages
    recipes = [PERTURBATIONS.get("char.keyboard_typo").from_dict({"rate": 0.5}, "test"),
               PERTURBATIONS.get("word.drop").from_dict({"rate": 0.3}, "test")]
    split = "test" if task == "xquad" else "dev"
    checked = 0
    for lang in langs:
        if task == "xquad" and not (shared_data / "xquad" / f"xquad.{lang}.json").is_file():
            continue  # XTREME's Thai XQuAD is not in the offline copy
        examples = TASKS.get(task)().load(lang, DataSource(path=str(shared_data), split=split)).examples
        for recipe in recipes:
            for before, out in zip(examples, perturb_examples(recipe, examples, 0, ["question", "context"])):
                context = out.example.fields["context"]
                answers = [before.fields["context"][s.start:s.end] for s in before.spans]
                assert [context[s.start:s.end] for s in out.example.spans] == answers
                checked += 1
        assert any(out.example.fields["context"] != ex.fields["context"] for ex, out in
                   zip(examples, perturb_examples(recipes[0], examples, 0, ["context"])))
    assert checked == {"xquad": 2 * 11_900, "mlqa": 2 * 15_747}[task]


def test_whole_field_recipes_are_refused_on_structured_fields():
    example = Example("udpos/test/de/1", "de", {"sentence": "Der Hund"}, None, "1",
                      (Span("sentence", 0, 3, "DET"), Span("sentence", 4, 8, "NOUN")))
    pair_mix = PERTURBATIONS.get("translate.pair_mix").from_dict({}, "test")
    with pytest.raises(RobustxError, match="rewrites whole fields"):
        perturb_examples(pair_mix, [example], 0, ["sentence"])


def test_an_edit_across_a_token_boundary_is_an_alignment_error():
    spans = [Span("s", 0, 3, "DET"), Span("s", 4, 8, "NOUN")]
    with pytest.raises(AlignmentError, match="cuts the token 'Der'"):
        carry(spans, [Edit("s", 2, 6, "r Hu", "X", "bad")], "Der Hund")


WORDS = st.lists(st.sampled_from(["Hund", "का", "猫", "ẞtraße", "न्यू", "Hà Nội", "x", "ไทย", "(", "don't"]),
                 min_size=1, max_size=12)


@settings(max_examples=150, deadline=None)
@given(tokens=WORDS, seed=st.integers(0, 2**16), name=st.sampled_from(
    ["char.keyboard_typo", "char.random_edit", "char.homoglyph", "char.invisible", "word.drop", "word.repeat",
     "word.swap"]))
def test_generated_sentences_stay_tiled(tokens, seed, name):
    text, spans, at = " ".join(tokens), [], 0
    for i, token in enumerate(tokens):
        spans.append(Span("sentence", at, at + len(token), f"T{i}"))
        at += len(token) + 1
    example = Example("g/1", "de", {"sentence": text}, None, "1", tuple(spans))
    recipe = PERTURBATIONS.get(name).from_dict({"rate": 0.7}, "test")
    out = perturb_examples(recipe, [example], seed, ["sentence"])[0].example
    assert _tiled(out)
    if name.startswith("char."):
        assert [s.label for s in out.spans] == [s.label for s in spans]
