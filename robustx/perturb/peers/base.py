"""What every peer-library adapter shares: the script guard, per-call seeding, edit records.

nlpaug and TextAttack draw from the global ``random`` / ``numpy.random`` (and TextAttack
from ``torch``) state, which no per-call seed of theirs survives (nlpaug #6). The adapter
seeds those generators from the example's own rng before each call and restores them
afterwards, so an adapted recipe is as reproducible as a native one.

Both libraries are measured (``../shared/research/FINDINGS.md``) to damage non-Latin text:
they split on ``\\W`` or Latin-oriented word patterns, detach combining vowel signs, and
insert Latin letters into other scripts. An adapter therefore refuses a language whose
scripts its augmenter is known to damage; ``allow_unsafe_scripts = true`` runs it anyway
(for reproducing a peer's numbers), and the edit records then show the damage.

Edits are recovered by a character diff of input and output, so applying them to the input
gives the output exactly, whatever the library did to spacing or punctuation.
"""

from __future__ import annotations

import difflib
import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

from robustx.errors import ParamsError, RobustxError, first_line
from robustx.perturb.base import Edit, Perturbation, PerturbedText
from robustx.text.languages import LANGUAGES
from robustx.text.words import words


# The guard each augmenter gets: "char" edits characters inside words, "word" moves, drops
# or inserts whole words.
KINDS = ("char", "word")


@dataclass(frozen=True)
class PeerParams:
    """``augmenter``: the library's class, e.g. ``char.KeyboardAug``; ``options``: its keyword
    arguments; ``allow_unsafe_scripts``: run on scripts the library is measured to damage."""

    augmenter: str
    options: Mapping[str, Any] = field(default_factory=dict)
    allow_unsafe_scripts: bool = False

    def __post_init__(self) -> None:
        kind, _, cls = self.augmenter.partition(".")
        if kind not in KINDS or not cls:
            raise ParamsError(f"augmenter must be <kind>.<Class> with kind one of {', '.join(KINDS)}, "
                             f"got {self.augmenter!r}")
        if not isinstance(self.options, Mapping):
            raise ParamsError(f"options must be a table, got {self.options!r}")


@contextmanager
def seeded_globals(rng: random.Random, torch_too: bool = False) -> Iterator[None]:
    """Global random / numpy (/ torch) seeded from ``rng`` for one call, then restored."""
    import numpy as np

    saved = random.getstate(), np.random.get_state()
    random.seed(rng.getrandbits(64))
    np.random.seed(rng.getrandbits(32))
    if torch_too:
        import torch

        torch_state = torch.random.get_rng_state()
        torch.manual_seed(rng.getrandbits(63))
    try:
        yield
    finally:
        random.setstate(saved[0])
        np.random.set_state(saved[1])
        if torch_too:
            torch.random.set_rng_state(torch_state)


def diff_edits(before: str, after: str, op: str) -> tuple[Edit, ...]:
    """Character-level edits that turn ``before`` into ``after``."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    return tuple(Edit("", i1, i2, before[i1:i2], after[j1:j2], f"{op}:{tag}")
                 for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal")


def words_touched(text: str, edits: tuple[Edit, ...]) -> tuple[int, int]:
    """(words of ``text``, words an edit overlaps or touches) for the achieved rate."""
    spans = [(w.start, w.end) for w in words(text)]
    touched = sum(1 for start, end in spans if any(e.start <= end and e.end >= start for e in edits))
    return len(spans), touched


class PeerAdapter(Perturbation):
    """Base of the adapters: subclasses name ``library``, set ``safe_scripts`` per augmenter
    kind, and implement ``_build`` (make the augmenter) and ``_augment`` (one text)."""

    library: str
    family = "peer"
    Params = PeerParams
    uses_torch_rng = False
    # augmenter kind (KINDS) -> scripts it does not damage. Both libraries' char augmenters
    # draw Latin letters; their word tokenizers split at combining marks (Indic, Thai,
    # Arabic harakat, Hebrew points), so whole-word moves are safe only in scripts without.
    safe_scripts: Mapping[str, frozenset[str]] = {
        "char": frozenset({"Latin"}),
        "word": frozenset({"Latin", "Greek", "Cyrillic", "Hangul", "Georgian", "Armenian"}),
    }
    # languages written without spaces, which whitespace-word augmenters cannot split
    no_spaces = frozenset({"zh", "ja", "th", "my", "km"})

    def __init__(self, params: PeerParams) -> None:
        super().__init__(params)
        self.kind, _, self.class_name = params.augmenter.partition(".")
        self._augmenter: Any = None

    def unsupported_reason(self, lang: str) -> str | None:
        if self.params.allow_unsafe_scripts:
            return None
        language = LANGUAGES.get(lang)
        if language is None:
            return f"unknown language {lang!r}"
        override = "; set allow_unsafe_scripts = true to run anyway"
        if self.kind == "word" and lang in self.no_spaces:
            return f"{self.library} splits words on whitespace, which {language.name} text does not use{override}"
        unsafe = [s for s in language.scripts if s not in self.safe_scripts[self.kind]]
        if unsafe:
            harm = "inserts Latin letters and splits off combining marks" if self.kind == "char" else \
                "splits words at combining marks"
            return f"{self.library} {self.kind} augmenters are measured to damage {unsafe[0]} text ({harm}){override}"
        return None

    def augmenter(self) -> Any:
        if self._augmenter is None:
            self._augmenter = self._build()
        return self._augmenter

    def perturb_text(self, text: str, lang: str, rng: random.Random) -> PerturbedText:
        augmenter = self.augmenter()
        with seeded_globals(rng, self.uses_torch_rng):
            out = self._augment(augmenter, text)
        edits = diff_edits(text, out, self.params.augmenter)
        units, changed = words_touched(text, edits)
        return PerturbedText(out, edits, units, changed)

    def _build(self) -> Any:  # pragma: no cover - subclasses
        raise NotImplementedError

    def _augment(self, augmenter: Any, text: str) -> str:  # pragma: no cover - subclasses
        raise NotImplementedError

    def _fail(self, exc: BaseException) -> RobustxError:
        return RobustxError(f"{self.name}: cannot build {self.library} {self.params.augmenter} "
                            f"with options {dict(self.params.options)}: {first_line(exc)}")
