"""Data order and multi-task mixing as pure functions of (seed, step): nothing to carry on resume.

Each training set is read as an endless stream: the concatenation of per-epoch permutations,
permutation ``e`` being drawn from ``stable_seed(seed, data name, e)``. Batch ``j`` of a set is
the stream's slice ``[j*B, (j+1)*B)``, so every batch is full-size and may straddle two epochs.

Multi-task mixing (intermediate phase with several tasks): every batch holds one task's
examples (each task has its own head). The task of step ``s`` is drawn independently with
temperature sampling, ``p_k ∝ n_k ** (1 / T)`` (Arivazhagan et al. 2019):

* ``T = 1``: size-proportional (each example seen about equally often);
* ``T > 1``: flatter, up-weighting small tasks; ``T → ∞``: uniform over tasks.

The schedule is drawn once from ``stable_seed(seed, names, sizes, T)``; the j-th batch of
task k is the j-th slice of k's stream. A step's batch is therefore a function of the seed and
the step number alone, which is what makes a resumed run bitwise equal to an uninterrupted one.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import numpy as np

from robustx.hashing import stable_seed


def mixing_probabilities(sizes: Sequence[int], temperature: float) -> np.ndarray:
    weights = np.asarray(sizes, dtype=np.float64) ** (1.0 / temperature)
    return weights / weights.sum()


@lru_cache(maxsize=64)
def epoch_permutation(seed: int, key: str, epoch: int, n: int) -> np.ndarray:
    return np.random.default_rng(stable_seed("order", seed, key, epoch)).permutation(n)


def stream_slice(seed: int, key: str, n: int, start: int, stop: int) -> np.ndarray:
    """Positions ``[start, stop)`` of the endless per-epoch-permuted stream over ``n`` examples."""
    out = []
    pos = start
    while pos < stop:
        epoch, offset = divmod(pos, n)
        take = min(stop - pos, n - offset)
        out.append(epoch_permutation(seed, key, epoch, n)[offset:offset + take])
        pos += take
    return np.concatenate(out) if out else np.empty(0, dtype=np.int64)


class Schedule:
    """Which task and which examples each step of a phase trains on."""

    def __init__(self, seed: int, names: Sequence[str], sizes: Sequence[int], batch_size: int, steps: int,
                 temperature: float = 1.0) -> None:
        self.seed, self.names, self.sizes = seed, list(names), list(sizes)
        self.batch_size, self.steps = batch_size, steps
        self.probabilities = mixing_probabilities(sizes, temperature)
        if len(names) == 1:
            self.tasks = np.zeros(steps, dtype=np.int64)
        else:
            rng = np.random.default_rng(stable_seed("schedule", seed, list(names), list(sizes), float(temperature)))
            self.tasks = rng.choice(len(names), size=steps, p=self.probabilities)
        # j: how many batches of the same task came before each step.
        self.positions = np.zeros(steps, dtype=np.int64)
        counts = np.zeros(len(names), dtype=np.int64)
        for s, k in enumerate(self.tasks):
            self.positions[s] = counts[k]
            counts[k] += 1
        self.batches_per_task = counts

    def batch(self, step: int) -> tuple[int, np.ndarray]:
        """(task index, example indices) of 0-based ``step``."""
        k = int(self.tasks[step])
        j = int(self.positions[step])
        b = self.batch_size
        return k, stream_slice(self.seed, self.names[k], self.sizes[k], j * b, (j + 1) * b)

    def summary(self) -> dict:
        return {
            name: {"examples": n, "probability": round(float(p), 6), "batches": int(c),
                   "epochs": round(float(c * self.batch_size / n), 4)}
            for name, n, p, c in zip(self.names, self.sizes, self.probabilities, self.batches_per_task)
        }
