"""Machine translation as a perturbation: round trips and translate-test.

``translate.round_trip`` translates a text into a pivot language and back (back-
translation noise: paraphrase, lost words, MT errors), the pivot being the first of
``pivots`` that differs from the text's language and that the backend can reach and
return from (Apertium: en and fr go through es, es through en). ``translate.translate_test``
translates the text into ``target`` (the translate-test setting: an English model
reads machine-translated input); texts already in ``target`` stay as they are.

Batching: the runner calls ``prepare`` once per shard; it translates every distinct
text of the shard's fields in one backend call per leg and keeps the results, so
``perturb_text`` is a lookup. Direct use without ``prepare`` translates each text on
its own (slow with Apertium: ~0.35 s a call). Output depends on the backend and its
version (Apertium packages, model weights), which the shard key does not cover:
name the backend version in the study when it matters. ``units`` is 1 per text,
``changed`` 1 where the translation differs from the text.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from robustx.errors import ParamsError, RobustxError
from robustx.perturb.base import Edit, Perturbation, PerturbedText, ShardContext
from robustx.perturb.translate.mt import MT_BACKENDS, MTBackend, get_backend

_CODE = re.compile(r"[a-z]{2,3}")


def _check_backend(backend: object, model: object) -> None:
    if not isinstance(backend, str) or backend not in MT_BACKENDS:
        raise ParamsError(f"backend must be one of {', '.join(MT_BACKENDS.names())}, got {backend!r}")
    if not isinstance(model, str):
        raise ParamsError(f"model must be a string, got {model!r}")
    if backend == "hf" and not model:
        raise ParamsError("backend 'hf' needs a model: a hub id or folder ('{src}'/'{tgt}' are filled per pair)")


def _check_code(code: object, what: str) -> None:
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise ParamsError(f"{what} must be a language code such as 'es', got {code!r}")


@dataclass(frozen=True)
class RoundTripParams:
    """``backend``: an MT backend (``apertium``, ``hf``); ``model``: its model (hf: id or folder);
    ``pivots``: pivot languages, in order of preference."""

    backend: str = "apertium"
    model: str = ""
    pivots: tuple[str, ...] = ("es", "en")

    def __post_init__(self) -> None:
        _check_backend(self.backend, self.model)
        pivots = (self.pivots,) if isinstance(self.pivots, str) else tuple(self.pivots)
        if not pivots:
            raise ParamsError("pivots must name at least one language")
        for code in pivots:
            _check_code(code, "each pivot")
        object.__setattr__(self, "pivots", pivots)


@dataclass(frozen=True)
class TranslateTestParams:
    """``backend``: an MT backend; ``model``: its model; ``target``: the language translated into."""

    backend: str = "apertium"
    model: str = ""
    target: str = "en"

    def __post_init__(self) -> None:
        _check_backend(self.backend, self.model)
        _check_code(self.target, "target")


class _MachineTranslation(Perturbation):
    family = "translate"
    whole_field = True

    def __init__(self, params) -> None:
        super().__init__(params)
        self._cache: dict[tuple[str, str], str] = {}

    @property
    def backend(self) -> MTBackend:
        return get_backend(self.params.backend, self.params.model)

    def legs(self, lang: str) -> list[str] | None:
        """The languages a text of ``lang`` goes through, ``lang`` first; None if unreachable."""
        raise NotImplementedError  # pragma: no cover

    def unsupported_reason(self, lang: str) -> str | None:
        if self.legs(lang) is not None:
            return None
        return f"MT backend {self.params.backend!r} cannot {self._what(lang)}; pairs: {self.backend.describe_pairs()}"

    def _what(self, lang: str) -> str:  # pragma: no cover
        raise NotImplementedError

    def _run(self, texts: list[str], lang: str) -> list[str]:
        legs = self.legs(lang)
        if legs is None:
            raise RobustxError(f"{self.name}: {self.unsupported_reason(lang)}")
        out = texts
        for src, tgt in zip(legs, legs[1:]):
            out = self.backend.translate(out, src, tgt)
        return out

    def prepare(self, context: ShardContext) -> None:
        texts = list(dict.fromkeys(ex.fields[f] for ex in context.examples for f in context.fields))
        texts = [t for t in texts if (context.lang, t) not in self._cache]
        if texts:
            self._cache.update(((context.lang, t), new) for t, new in zip(texts, self._run(texts, context.lang)))

    def perturb_text(self, text: str, lang: str, rng: random.Random) -> PerturbedText:
        new = self._cache.get((lang, text))
        if new is None:
            new = self._cache[lang, text] = self._run([text], lang)[0]
        if new == text:
            return PerturbedText(text, (), 1, 0)
        return PerturbedText(new, (Edit("", 0, len(text), text, new, self.name.split(".")[1]),), 1, 1)


class RoundTrip(_MachineTranslation):
    name = "translate.round_trip"
    Params = RoundTripParams

    def legs(self, lang: str) -> list[str] | None:
        for pivot in self.params.pivots:
            if pivot == lang:
                continue
            there, back = self.backend.route(lang, pivot), self.backend.route(pivot, lang)
            if there is not None and back is not None:
                return there + back[1:]
        return None

    def _what(self, lang: str) -> str:
        return f"translate {lang} through any of {', '.join(self.params.pivots)} and back"


class TranslateTest(_MachineTranslation):
    name = "translate.translate_test"
    cross_script = True
    Params = TranslateTestParams

    def legs(self, lang: str) -> list[str] | None:
        if lang == self.params.target:
            return [lang]
        return self.backend.route(lang, self.params.target)

    def _what(self, lang: str) -> str:
        return f"translate {lang} to {self.params.target}"
