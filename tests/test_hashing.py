"""Stable seeds: the prefix-hashed fast path gives exactly ``stable_seed``'s value."""

from __future__ import annotations

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from robustx.hashing import SeedPrefix, stable_seed
from robustx.perturb import PERTURBATIONS
from robustx.perturb.base import example_rng, perturb_example
from robustx.tasks import Example

json_scalars = st.one_of(st.integers(), st.text(), st.booleans(), st.none(), st.floats(allow_nan=False))
params = st.dictionaries(st.text(max_size=8), st.one_of(json_scalars, st.lists(json_scalars, max_size=3)), max_size=4)


@given(st.integers(), st.text(), params, st.text(), st.text())
def test_seed_prefix_equals_stable_seed(seed, recipe, p, example_id, field):
    assert SeedPrefix(seed, recipe, p).seed(example_id, field) == stable_seed(seed, recipe, p, example_id, field)


def test_empty_prefix():
    assert SeedPrefix().seed("a", 1) == stable_seed("a", 1)


def test_perturb_example_uses_example_rng():
    p = PERTURBATIONS.get("char.random_edit").from_dict({"rate": 0.5}, "t")
    ex = Example(id="xnli-de-3", lang="de", fields={"premise": "Der schnelle braune Fuchs springt."}, label="entailment")
    out = perturb_example(p, ex, 7, ["premise"])
    rng = example_rng(7, p.name, dataclasses.asdict(p.params), ex.id, "premise")
    assert out.example.fields["premise"] == p.perturb_text(ex.fields["premise"], "de", rng).text
