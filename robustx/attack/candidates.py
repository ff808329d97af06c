"""An attack's transformation: the candidate rewrites of an example, listed from a recipe.

A recipe run at rate 1 edits every word it can, each with one of its possible edits, and
records them. ``draws`` such runs, each with its own per-example seed, give each word its
candidates (distinct edits, in word order then draw order): "list candidates" from the
recipes' own "sample one", so every family — and its grapheme and script safety — serves
as an attack transformation unchanged. See docs/attacks.md.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from typing import Mapping, Sequence

from robustx.errors import RobustxError
from robustx.hashing import SeedPrefix
from robustx.perturb.base import Edit, Perturbation, ShardContext, check_text, seed_params
from robustx.perturb.editing import apply
from robustx.tasks.base import Example
from robustx.text import words


@dataclass(frozen=True)
class WordRef:
    """A word of an attacked field: ``text[start:end]`` of ``field``."""

    field: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Candidate:
    """The edits one draw made to one word (or, for a phrase, to the words it spans).
    ``words`` indexes the example's attacked words (``attack_words``)."""

    field: str
    edits: tuple[Edit, ...]
    words: tuple[int, ...]


def attack_words(example: Example, fields: Sequence[str]) -> list[WordRef]:
    """The words of the attacked fields, in field order: what ``max_words`` and importance count."""
    out = []
    for field in fields:
        text = example.fields[field]
        out.extend(WordRef(field, w.start, w.end, text[w.start:w.end]) for w in words(text))
    return out


def at_rate_one(perturbation: Perturbation) -> Perturbation:
    """The recipe with ``rate = 1``: every word it can change gets one of its edits."""
    if not any(f.name == "rate" for f in dataclasses.fields(perturbation.Params)):
        raise RobustxError(f"{perturbation.name} has no per-word 'rate': it rewrites whole fields and cannot list "
                           "candidates for an attack; use a char, word or code-switching recipe")
    return type(perturbation)(dataclasses.replace(perturbation.params, rate=1.0))


def _touched(edit: Edit, refs: Sequence[tuple[int, WordRef]]) -> tuple[int, ...]:
    """Indices of the words an edit touches; an insertion touches the word it lies in or starts."""
    if edit.start == edit.end:
        inside = [i for i, w in refs if w.start <= edit.start < w.end]
        return tuple(inside or [i for i, w in refs if w.end == edit.start][:1])
    return tuple(i for i, w in refs if w.start < edit.end and edit.start < w.end)


class CandidateLister:
    """Lists the candidates of examples for one recipe and seed (``at_rate_one``). ``prepare``
    gives the recipe its shard context once (aligned rows for phrase mixing)."""

    def __init__(self, perturbation: Perturbation, seed: int, draws: int) -> None:
        self.listing = at_rate_one(perturbation)
        self.draws = draws
        # Seeded by the recipe as the study gave it (its own rate), so rate never changes the draws.
        self.prefix = SeedPrefix(seed, perturbation.name, seed_params(perturbation), "attack")

    def prepare(self, context: ShardContext) -> None:
        self.listing.prepare(context)

    def candidates(self, example: Example, fields: Sequence[str], refs: Sequence[WordRef]) -> list[Candidate]:
        """The candidates of ``example``, deduplicated, in the order of their first word, then of
        their draw. Edits that touch no word are dropped: an attack changes words. Draw ``d`` of a
        field is seeded by (seed, recipe, its parameters, "attack", example id, field, d)."""
        found: dict[tuple, Candidate] = {}
        for field in fields:
            text = example.fields[field]
            check_text(example, field, text)
            field_refs = [(i, w) for i, w in enumerate(refs) if w.field == field]
            for draw in range(self.draws):
                out = self.listing.perturb_field(example, field, random.Random(self.prefix.seed(example.id, field, draw)))
                for group in _groups(out.edits, field_refs):
                    edits = tuple(dataclasses.replace(e, field=field) for e, _ in group)
                    touched = tuple(sorted({i for _, ws in group for i in ws}))
                    key = (field, tuple((e.start, e.end, e.after) for e in edits))
                    if key not in found and apply(text, edits) != text:
                        found[key] = Candidate(field, edits, touched)
        return sorted(found.values(), key=lambda c: c.words[0])  # stable: draw order within a word


def _groups(edits: Sequence[Edit], refs: Sequence[tuple[int, WordRef]]) -> list[list[tuple[Edit, tuple[int, ...]]]]:
    """One draw's edits grouped by the words they touch (edits sharing a word form one candidate)."""
    groups: list[list[tuple[Edit, tuple[int, ...]]]] = []
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        touched = _touched(edit, refs)
        if not touched:
            continue
        if groups and set(touched) & {i for _, ws in groups[-1] for i in ws}:
            groups[-1].append((edit, touched))
        else:
            groups.append([(edit, touched)])
    return groups


def render(example: Example, fields: Sequence[str], candidates: Sequence[Candidate],
           state: Sequence[int]) -> dict[str, str]:
    """The attacked fields with the candidates of ``state`` (indices, words disjoint) applied."""
    by_field: dict[str, list[Edit]] = {}
    for index in state:
        by_field.setdefault(candidates[index].field, []).extend(candidates[index].edits)
    return {f: apply(example.fields[f], sorted(by_field[f], key=lambda e: (e.start, e.end))) if f in by_field
            else example.fields[f] for f in fields}


def without_word(example: Example, ref: WordRef, replacement: str) -> Mapping[str, str]:
    """``example``'s fields with one word replaced (deleted when ``replacement`` is empty), for importance."""
    text = example.fields[ref.field]
    end = ref.end
    if not replacement and text[end:end + 1] == " " and (ref.start == 0 or text[ref.start - 1] == " "):
        end += 1  # a deleted word takes one separating space along
    return {**example.fields, ref.field: text[:ref.start] + replacement + text[end:]}
