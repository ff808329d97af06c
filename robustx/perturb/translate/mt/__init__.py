"""Machine-translation backends: a registry of batch translators.

A backend translates batches: ``translate(texts, src, tgt) -> list[str]``, one output
per input, in order. The recipes (``translate.round_trip``, ``translate.translate_test``)
are per text but never call a backend per text in a run: their ``prepare`` hook, which
the runner calls once per shard, translates every distinct text of the shard in one
call and keeps the results; ``perturb_text`` answers from that cache (a text it has
not seen, as in direct use, is translated on its own).

Backends (``MT_BACKENDS``):

* ``apertium``: rule-based, offline, Debian packages (``apertium`` plus pair packages such
  as ``apertium-eng-spa``, ``apertium-fr-es``); ``model`` optionally names a folder of
  locally built modes (``apertium -d``).
* ``hf``: a Hugging Face seq2seq model (Marian, NLLB, M2M100, ...) by hub id or local
  folder; ``{src}`` and ``{tgt}`` in ``model`` are filled per language pair
  (``Helsinki-NLP/opus-mt-{src}-{tgt}``).

A backend lists the direct pairs it has (``pairs``; ``None``: any pair, it cannot
tell); ``route`` chains them through the fewest intermediate languages (Apertium
translates fr->en as fr->es->en). A backend that is not installed raises a
``RobustxError`` naming what to install when first asked for its pairs or a translation.
"""

from __future__ import annotations

from collections import deque
from functools import lru_cache
from typing import ClassVar, Sequence

from robustx.errors import RobustxError
from robustx.registry import Registry


class MTBackend:
    """Base class: subclasses set ``name`` and implement ``translate_direct`` (and ``pairs``)."""

    name: ClassVar[str]

    def __init__(self, model: str = "") -> None:
        self.model = model

    def pairs(self) -> frozenset[tuple[str, str]] | None:
        """The direct (src, tgt) pairs, or None where any pair may work."""
        return None

    def translate_direct(self, texts: Sequence[str], src: str, tgt: str) -> list[str]:  # pragma: no cover
        raise NotImplementedError

    def route(self, src: str, tgt: str) -> list[str] | None:
        """Languages from ``src`` to ``tgt`` through the fewest direct pairs, or None."""
        pairs = self.pairs()
        if pairs is None or src == tgt:
            return [src, tgt]
        paths, queue = {src: [src]}, deque([src])
        while queue:
            here = queue.popleft()
            for a, b in sorted(pairs):
                if a == here and b not in paths:
                    paths[b] = paths[here] + [b]
                    if b == tgt:
                        return paths[b]
                    queue.append(b)
        return None

    def describe_pairs(self) -> str:
        pairs = self.pairs()
        return "any" if pairs is None else ", ".join(f"{a}-{b}" for a, b in sorted(pairs)) or "none"

    def translate(self, texts: Sequence[str], src: str, tgt: str) -> list[str]:
        """``texts`` translated from ``src`` to ``tgt`` (each distinct text once)."""
        if src == tgt:
            return list(texts)
        path = self.route(src, tgt)
        if path is None:
            raise RobustxError(f"MT backend {self.name!r} cannot translate {src} to {tgt}; pairs: {self.describe_pairs()}")
        unique = list(dict.fromkeys(texts))
        out = unique
        for a, b in zip(path, path[1:]):
            out = self.translate_direct(out, a, b)
        done = dict(zip(unique, out))
        return [done[t] for t in texts]


MT_BACKENDS: Registry[type[MTBackend]] = Registry("MT backend")
MT_BACKENDS.register("apertium", "robustx.perturb.translate.mt.apertium:Apertium")
MT_BACKENDS.register("hf", "robustx.perturb.translate.mt.hf:HFSeq2Seq")


@lru_cache(maxsize=8)
def get_backend(name: str, model: str = "") -> MTBackend:
    """The backend ``name`` for ``model``, one instance per process (models load once)."""
    return MT_BACKENDS.get(name)(model)
