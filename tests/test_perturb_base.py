"""The shared machinery of the recipes: drawing, per-token candidate tables, batch perturbation."""

from __future__ import annotations

import gc
import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_char_perturb import MIXED

from robustx.perturb import PERTURBATIONS
from robustx.perturb.base import perturb_example, perturb_examples
from robustx.perturb.candidates import WordTable, placed
from robustx.perturb.editing import sorted_sample
from robustx.tasks.base import Example
from robustx.text import words


@given(st.integers(0, 60), st.integers(0, 2**32), st.data())
def test_sorted_sample_draws_what_sample_draws(n: int, seed: int, data: st.DataObject) -> None:
    k = data.draw(st.integers(0, n))
    a, b = random.Random(seed), random.Random(seed)
    assert sorted_sample(a, range(n), k) == sorted(b.sample(range(n), k))
    assert a.random() == b.random()  # the same random numbers were read


@given(st.text(alphabet="ab Zж中กำ\u0301\u0d4e .,", max_size=40) | st.sampled_from(MIXED.split(" ")).map(lambda w: w + " " + MIXED))
def test_word_table_lists_the_eligible_words_of_the_text(text: str) -> None:
    eligible = lambda word: len(word.graphemes) > 1 and word.graphemes  # noqa: E731
    table = WordTable(eligible)
    for _ in range(2):  # built, then from the memo
        got = [(placed(word, offset), data) for offset, word, data in table.candidates(text)]
        assert got == [(word, eligible(word)) for word in words(text) if eligible(word)]


def _examples() -> list[Example]:
    return [Example(id=f"x-{i}", lang="de", fields={"s": f"{i} Zwei Männer spielen Fußball im Park"}) for i in range(30)]


def test_perturb_examples_is_perturb_example_on_each() -> None:
    recipe = PERTURBATIONS.get("char.random_edit").from_dict({"rate": 0.5}, "test")
    batch = perturb_examples(recipe, _examples(), 3, ["s"])
    assert batch == [perturb_example(recipe, ex, 3, ["s"]) for ex in _examples()]
    assert gc.isenabled()  # collection, paused for the loop, is back


def test_perturb_examples_leaves_collection_as_the_caller_set_it() -> None:
    recipe = PERTURBATIONS.get("char.random_edit").from_dict({"rate": 0.5}, "test")
    gc.disable()
    try:
        perturb_examples(recipe, _examples(), 3, ["s"])
        assert not gc.isenabled()
    finally:
        gc.enable()
    broken = PERTURBATIONS.get("char.random_edit").from_dict({"rate": 0.5}, "test")
    broken.perturb_text = None  # the loop fails: collection must come back all the same
    with pytest.raises(TypeError):
        perturb_examples(broken, _examples(), 3, ["s"])
    assert gc.isenabled()


def test_readme_python_example_runs(capsys) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(block, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert "of 9 words" in printed and "op='keyboard'" in printed


def test_readme_python_example_gives_a_studys_output() -> None:
    """The same recipe and parameters give the same perturbed text from Python as in a study
    that names the perturbation otherwise (the runner's shard, here named "typo30")."""
    from robustx.runner.perturbing import perturb_records
    from robustx.runner.shards import PerturbShard
    from robustx.study.spec import PerturbationSpec

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    scope: dict = {}
    exec(compile(readme.split("```python\n", 1)[1].split("```", 1)[0], "README.md", "exec"), scope)
    spec = PerturbationSpec("typo30", "char.keyboard_typo", {"rate": 0.3}, ("text",))
    (record,) = perturb_records(PerturbShard("demo", "hi", spec, 0, "key"), [scope["ex"]])
    assert record["fields"]["text"] == scope["out"].example.fields["text"] != scope["ex"].fields["text"]
