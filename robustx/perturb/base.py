"""The perturbation interface, the edit record and the per-example seeding.

A perturbation sees one text at a time with a ``random.Random`` built from a stable
hash of (perturbation seed, registry name, parameters, example id, field). Its output
therefore depends on nothing else: not on process, PYTHONHASHSEED, batch size or
shard order.

Most recipes look at nothing but that text. Two kinds need more, and get it through
two optional hooks that the runner calls once per shard (one task, language,
recipe and seed) before the first example:

* recipes that read the same example in other languages (cross-lingual pair mixing,
  phrase code-mixing from aligned translations) name those languages in
  ``aligned_languages(lang)``; the runner loads them once from the study's own data
  source into an ``AlignedIndex`` (language -> row -> Example, keyed by
  ``Example.row``), passes their rows in the ``ShardContext`` given to
  ``prepare``, and folds their content into the shard key;
* recipes whose backend works on batches (machine translation) translate every text
  of the shard in ``prepare`` and answer ``perturb_text`` from that cache.

``perturb_field`` gives a recipe the whole example (its ``row``) instead of one
text; by default it calls ``perturb_text``. Outside the runner, call
``prepare(ShardContext(...))`` before ``perturb_example``.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import functools
import gc
import random
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, ClassVar, Mapping, Sequence

from robustx.errors import RobustxError
from robustx.hashing import SeedPrefix, stable_seed
from robustx.registry import Registry
from robustx.tasks.base import Example


@dataclass(frozen=True)
class Edit:
    """One change: ``before`` at ``[start, end)`` of the original field became ``after``."""

    field: str
    start: int
    end: int
    before: str
    after: str
    op: str


@dataclass(frozen=True)
class PerturbedText:
    """A perturbed text, its edits (``field`` left empty) and the achieved rate's parts."""

    text: str
    edits: tuple[Edit, ...]
    units: int
    changed: int


@dataclass(frozen=True)
class ShardContext:
    """What ``Perturbation.prepare`` sees: one shard's examples and, for recipes that
    asked for them, the row-aligned examples of other languages (``aligned[lang][row]``)."""

    lang: str
    fields: tuple[str, ...]
    examples: Sequence[Example]
    aligned: Mapping[str, Mapping[str, Example]] = dataclasses.field(default_factory=dict)


class AlignedIndex:
    """Examples of other languages by ``row``, loaded on first use and kept.

    ``load(lang)`` returns a language's examples from the same data source (same
    split and limit) as the shard's; the runner builds one index per study run.
    """

    def __init__(self, load: Callable[[str], Sequence[Example]]) -> None:
        self._load = load
        self._examples: dict[str, Sequence[Example]] = {}
        self._rows: dict[str, Mapping[str, Example]] = {}

    def examples(self, lang: str) -> Sequence[Example]:
        if lang not in self._examples:
            self._examples[lang] = self._load(lang)
        return self._examples[lang]

    def rows(self, lang: str) -> Mapping[str, Example]:
        if lang not in self._rows:
            self._rows[lang] = {ex.row: ex for ex in self.examples(lang)}
        return self._rows[lang]


class Perturbation:
    """Base class. Subclasses set ``name``, ``family``, ``Params`` and implement ``perturb_text``.

    ``Params`` is a frozen dataclass; its fields are the recipe's declared parameters.
    ``cross_script`` marks recipes that insert characters of other scripts by design
    (homoglyphs, code-switching) so the script-purity checks can exempt them.
    """

    name: ClassVar[str]
    family: ClassVar[str]
    cross_script: ClassVar[bool] = False
    # Recipes that rewrite a field whole (machine translation, swapping in another language's
    # field) leave no edit inside it that token tags or answer spans could follow.
    whole_field: ClassVar[bool] = False
    Params: ClassVar[type]
    # Parameters that say where a resource lives, not what the recipe does: they stay out of the
    # per-example seed and the shard key (``resource_files``' content goes into the key), so the
    # same dictionary in another folder or machine gives byte-identical output.
    location_params: ClassVar[tuple[str, ...]] = ()

    def __init__(self, params: Any) -> None:
        self.params = params

    @classmethod
    def from_dict(cls, values: Mapping[str, Any], where: str) -> "Perturbation":
        """Build from TOML values, naming ``where`` (file and key) in every error.

        Every value is checked against its ``Params`` field's annotation first, here for
        every recipe (see ``check_param``): ``rate = true`` or ``rate = "0.1"`` is refused
        with one line naming the parameter, never coerced or passed on to fail later.
        """
        if not isinstance(values, Mapping):
            raise RobustxError(f"{where}: parameters of {cls.name} must be a table, got {values!r}")
        hints = param_types(cls.Params)
        unknown = sorted(set(values) - set(hints), key=str)
        if unknown:
            raise RobustxError(
                f"{where}: unknown parameter {unknown[0]!r} for {cls.name}; known: {', '.join(sorted(hints))}"
            )
        for key, value in values.items():
            expected = check_param(value, hints[key])
            if expected is not None:
                raise RobustxError(f"{where}: parameter {key!r} of {cls.name} must be {expected}, got {value!r}")
        try:
            params = cls.Params(**values)
        except (TypeError, ValueError) as exc:
            raise RobustxError(f"{where}: bad parameters for {cls.name}: {exc}") from None
        return cls(params)

    def describe(self) -> dict[str, Any]:
        return {"perturbation": self.name, "family": self.family, "params": dataclasses.asdict(self.params)}

    def unsupported_reason(self, lang: str) -> str | None:
        """Why ``lang`` is not supported, or ``None`` if it is."""
        return None

    def resource_files(self, lang: str) -> tuple[Path, ...]:
        """The data files (dictionaries, wordnets) this recipe reads for ``lang``."""
        return ()

    def aligned_languages(self, lang: str) -> tuple[str, ...]:
        """Languages whose row-aligned examples this recipe reads when perturbing ``lang``."""
        return ()

    def prepare(self, context: ShardContext) -> None:
        """Called once per shard before any example (batch work, aligned rows); default: nothing."""

    def perturb_field(self, example: Example, field: str, rng: random.Random) -> PerturbedText:
        """Perturb ``example.fields[field]`` in its language; recipes that need the example's ``row`` override this."""
        return self.perturb_text(example.fields[field], example.language_of(field), rng)

    def perturb_text(self, text: str, lang: str, rng: random.Random) -> PerturbedText:  # pragma: no cover
        raise NotImplementedError


PERTURBATIONS: Registry[type[Perturbation]] = Registry("perturbation")


@functools.lru_cache(maxsize=None)
def param_types(params_class: type) -> dict[str, Any]:
    """Each field of a ``Params`` dataclass -> its annotation, resolved (``from __future__`` strings)."""
    hints = typing.get_type_hints(params_class)
    return {f.name: hints[f.name] for f in dataclasses.fields(params_class)}


def check_param(value: Any, hint: Any) -> str | None:
    """``None`` if ``value`` fits the annotation ``hint``, else what it must be ("a number").

    As TOML gives values: a float field takes an int too (``rate = 1``) but never a
    bool, an int field no bool, a ``tuple[str, ...]`` a list of strings (or one string,
    read as a one-item list, as the recipes always have), a ``Mapping`` a table.
    Annotations this does not know (a class of a library) are left to the recipe.
    """
    return None if _fits(value, hint) else _describe(hint)


def _fits(value: Any, hint: Any) -> bool:
    if hint is Any:
        return True
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Union or origin is types.UnionType:
        return any(_fits(value, arg) for arg in args)
    if origin is typing.Literal:
        return any(value == arg and type(value) is type(arg) for arg in args)
    if origin in (tuple, list, collections.abc.Sequence):
        if origin is not tuple or (len(args) == 2 and args[1] is Ellipsis):
            item = args[0] if args else Any
            if isinstance(value, str):
                return item is str
            return isinstance(value, (list, tuple)) and all(_fits(v, item) for v in value)
        return isinstance(value, (list, tuple)) and len(value) == len(args) and all(map(_fits, value, args))
    if origin in (dict, collections.abc.Mapping):
        key, item = args if args else (Any, Any)
        return isinstance(value, Mapping) and all(_fits(k, key) and _fits(v, item) for k, v in value.items())
    if isinstance(hint, type):
        return isinstance(value, hint)
    return True


_NAMES = {bool: "true or false", int: "an integer", float: "a number", str: "a string", type(None): "None"}


def _describe(hint: Any) -> str:
    if hint in _NAMES:
        return _NAMES[hint]
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Union or origin is types.UnionType:
        return " or ".join(_describe(arg) for arg in args)
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(arg) for arg in args)
    if origin in (tuple, list, collections.abc.Sequence):
        item = args[0] if args else Any
        if origin is tuple and args and not (len(args) == 2 and args[1] is Ellipsis):
            return f"a list of {len(args)} values"
        plural = {str: "strings", int: "integers", float: "numbers", bool: "true/false values"}
        return f"a list of {plural.get(item, 'values')}"
    if origin in (dict, collections.abc.Mapping):
        return "a table"
    return f"a {getattr(hint, '__name__', str(hint))}"


@dataclass(frozen=True)
class PerturbedExample:
    example: Example
    edits: tuple[Edit, ...]
    units: int
    changed: int


def example_rng(seed: int, recipe: str, params: Mapping[str, Any], example_id: str, field: str) -> random.Random:
    return random.Random(stable_seed(seed, recipe, dict(params), example_id, field))


def seed_params(perturbation: Perturbation) -> dict[str, Any]:
    """The parameters that seed ``example_rng``: location parameters read as their defaults, fields
    marked ``metadata={"seeded": False}`` (added later, e.g. a model revision) left out."""
    fields = {f.name: f for f in dataclasses.fields(perturbation.Params)}
    return {k: fields[k].default if k in perturbation.location_params else v
            for k, v in dataclasses.asdict(perturbation.params).items() if fields[k].metadata.get("seeded", True)}


def _seed_prefix(perturbation: Perturbation, seed: int) -> SeedPrefix:
    """The (seed, registry name, params) part of ``example_rng``'s hash, kept on the instance (params are frozen)."""
    cache = perturbation.__dict__.setdefault("_seed_prefixes", {})
    prefix = cache.get(seed)
    if prefix is None:
        prefix = cache[seed] = SeedPrefix(seed, perturbation.name, seed_params(perturbation))
    return prefix


def perturb_example(perturbation: Perturbation, example: Example, seed: int, fields: Sequence[str],
                    entities: str = "") -> PerturbedExample:
    """Apply ``perturbation`` to the named ``fields`` of ``example``; the label is never touched.

    Each field's rng is ``example_rng(seed, perturbation.name, seed_params(perturbation), example.id, field)``:
    seeded by the registry name, never by what a study calls the perturbation, so the same
    recipe and parameters give the same output from Python and from any study.
    """
    check_fields(fields)
    return _perturb_one(perturbation, _seed_prefix(perturbation, seed), example, fields, entities)


def _perturb_one(perturbation: Perturbation, prefix: SeedPrefix, example: Example, fields: Sequence[str],
                 entities: str = "") -> PerturbedExample:
    new_fields: dict[str, str] = {}
    edits: list[Edit] = []
    units = changed = 0
    spans = list(example.spans)
    for field in fields:
        text = example.fields.get(field)
        # The hot path: an ASCII string needs no other look (a third of a microsecond otherwise).
        if type(text) is not str or not text.isascii():
            check_text(example, field, text)
        if example.spans and perturbation.whole_field and any(s.field == field for s in example.spans):
            raise RobustxError(f"{perturbation.name} rewrites whole fields: it cannot keep the labelled spans "
                               f"(token tags or answers) of field {field!r} of {example.id!r} aligned")
        rng = random.Random(prefix.seed(example.id, field))
        out = perturbation.perturb_field(example, field, rng)
        if example.spans:
            out, field_spans = _keep_structure(example, field, out, entities)
            spans = [s for s in spans if s.field != field] + field_spans
        new_fields[field] = out.text
        edits.extend(Edit(field, e.start, e.end, e.before, e.after, e.op) for e in out.edits)
        units += out.units
        changed += out.changed
    perturbed = example.with_fields(**new_fields)
    if example.spans:
        perturbed = dataclasses.replace(perturbed, spans=tuple(sorted(spans, key=lambda s: (s.field, s.start))))
    return PerturbedExample(perturbed, tuple(edits), units, changed)


def _shifted(spans: Sequence, edits: Sequence[Edit]) -> list:
    """Answer spans moved by the edits before them (none touches them: ``protect``)."""
    return [dataclasses.replace(s, start=s.start + d, end=s.end + d)
            for s in spans for d in [sum(len(e.after) - (e.end - e.start) for e in edits if e.end <= s.start)]]


def _keep_structure(example: Example, field: str, out: PerturbedText, entities: str) -> tuple[PerturbedText, list]:
    """``out`` without the edits that would break an answer or cut a token (or, by ``entities``,
    touch or miss an entity), and the field's spans carried through the rest (``robustx.tasks.spans``)."""
    from robustx.perturb.editing import apply
    from robustx.tasks.spans import ANSWER, alignable, carry, entity_edits, protect

    own = [s for s in example.spans if s.field == field]
    if not own:
        return out, []
    text = example.fields[field]
    tokens = [s for s in own if s.label != ANSWER]
    kept = entity_edits(protect(out.edits, own), own, entities)
    kept = alignable(kept, tokens, text) if tokens else kept
    if len(kept) != len(out.edits):  # edits on an answer or across a token were left out: fewer words changed
        out = PerturbedText(apply(text, kept), tuple(kept), out.units, max(0, out.changed - (len(out.edits) - len(kept))))
    return out, (carry(own, out.edits, text) if tokens else _shifted(own, out.edits))


def check_fields(fields: Sequence[str]) -> None:
    """``fields`` must be a sequence of distinct names: a name given twice would perturb that
    field twice from its original text and count its edits and units twice."""
    if isinstance(fields, str):
        raise RobustxError(f"fields must be a list of field names, got the string {fields!r}")
    twice = sorted({f for f in fields if list(fields).count(f) > 1}, key=str)
    if twice:
        raise RobustxError(f"fields: {twice[0]!r} is given twice")


def check_text(example: Example, field: str, text: Any) -> None:
    """Raise a RobustxError naming the example and field unless ``text`` is a valid Unicode string.

    A lone surrogate (U+D800-U+DFFF, e.g. from ``errors="surrogateescape"`` decoding) is not
    text: recipes would split it as a letter and the output could not be written as UTF-8.
    """
    if type(text) is str:
        try:
            text.encode("utf-8")
            return
        except UnicodeEncodeError as exc:
            raise RobustxError(f"example {example.id!r}, field {field!r}: lone surrogate U+{ord(text[exc.start]):04X} "
                               f"at character {exc.start} (not valid Unicode text: decode the data strictly)") from None
    where = f"example {example.id!r}, field {field!r}"
    if field not in example.fields:
        raise RobustxError(f"{where}: no such field; the example has {', '.join(map(repr, example.fields))}")
    if not isinstance(text, str):
        raise RobustxError(f"{where}: text must be a string, got {type(text).__name__} {text!r:.60}")
    check_text(example, field, str(text))  # a str subclass: its characters


def perturb_examples(
    perturbation: Perturbation, examples: Sequence[Example], seed: int, fields: Sequence[str], entities: str = ""
) -> list[PerturbedExample]:
    """``perturb_example`` on each of ``examples``, in order: a shard's perturbed set.

    Automatic garbage collection is paused for the loop. A recipe's memo tables fill with
    many small containers while it meets new words, and every collection that they trigger
    walks all the objects of the process (datasets, models, modules: often most of a
    million) for nothing: a fifth of the time of a keyboard-typo shard that starts cold.
    Reference cycles made in the loop wait for the first collection after it.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        check_fields(fields)
        prefix = _seed_prefix(perturbation, seed)
        return [_perturb_one(perturbation, prefix, example, fields, entities) for example in examples]
    finally:
        if paused:
            gc.enable()
