"""Paired robustness statistics for a corpus metric that is a ratio of per-example parts.

Token accuracy (right / tokens), entity F1 (2·tp / (predicted + expected)) and QA F1 (f1 / 1)
are ``sum_i num_i / sum_i den_i`` over examples (``robustx.metrics.records``). The inputs are
each example's (num, den), clean and per perturbation seed, aligned by example id; a perturbed
example may have another denominator (a dropped word leaves its token out).

- metric = sum num / sum den (0 where nothing is counted, seqeval's rule); the perturbed
  metric is the mean over perturbation seeds of each seed's metric; drop = clean − perturbed;
- 95 % CI of the drop: percentile paired bootstrap over examples — an example is resampled
  with its clean and all its perturbed parts, and both ratios are recomputed from the
  resampled sums (perturbation seeds held fixed);
- test: the within-example permutation test of ``paired.py`` (an example's 1 + S outcomes
  exchangeable under H0), by Monte Carlo: ``n_perm`` uniform relabellings per example,
  p = (1 + #{T* ≥ T}) / (1 + n_perm) (Phipson & Smyth 2010, never 0).

Binary records (classification) keep ``PairedOutcomes`` and its exact tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from robustx.errors import RobustxError
from robustx.stats.design import perturbation_seed_warning
from robustx.stats.paired import PairedDrop, PairedOutcomes, align_records, paired_drop, percentile_ci

Ratio = Callable[[Mapping[str, Any]], tuple[float, float]]
_CHUNK = 500  # permutation replicates per vectorized block (memory: CHUNK × n × (S + 1))


def _metric(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), 0.0)


@dataclass(frozen=True, eq=False)
class ScoredOutcomes:
    """Per-example metric parts of one checkpoint on one language: ``parts[k, i] = (num, den)`` for
    condition k (0 = clean, 1..S = perturbation seeds) and example i."""

    parts: np.ndarray                 # float [1 + S, n, 2]
    seeds: tuple = ()
    ids: tuple = ()

    def __post_init__(self):
        parts = np.asarray(self.parts, dtype=float)
        if parts.ndim != 3 or parts.shape[0] < 2 or parts.shape[1] == 0 or parts.shape[2] != 2:
            raise RobustxError(f"scored outcomes must be parts[1 + S, n, 2] with S >= 1 and n >= 1; got {parts.shape}")
        object.__setattr__(self, "parts", parts)

    @classmethod
    def from_records(cls, clean: Sequence[dict], perturbed_by_seed: Mapping[object, Sequence[dict]],
                     ratio: Ratio) -> "ScoredOutcomes":
        """Align prediction records of the clean and each perturbed condition by id."""
        base = align_records(clean, perturbed_by_seed)
        parts = np.array([[ratio(r) for r in rows] for rows in base.rows], dtype=float)
        return cls(parts, tuple(perturbed_by_seed), base.ids)

    @property
    def n(self) -> int:
        return int(self.parts.shape[1])

    @property
    def n_seeds(self) -> int:
        return int(self.parts.shape[0] - 1)

    @property
    def clean_accuracy(self) -> float:
        return float(_metric(*self.parts[0].sum(axis=0)))

    @property
    def perturbed_accuracy_by_seed(self) -> np.ndarray:
        sums = self.parts[1:].sum(axis=1)
        return _metric(sums[:, 0], sums[:, 1])

    @property
    def perturbed_accuracy(self) -> float:
        return float(self.perturbed_accuracy_by_seed.mean())

    @property
    def drop(self) -> float:
        return self.clean_accuracy - self.perturbed_accuracy

    def weighted(self, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(clean metric, seed-averaged perturbed metric) of each row of example ``weights`` [B, n]."""
        sums = np.einsum("bn,knp->bkp", weights, self.parts)
        values = _metric(sums[..., 0], sums[..., 1])
        return values[:, 0], values[:, 1:].mean(axis=1)

    def resampled_drops(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` drops, each on n examples resampled with replacement."""
        weights = rng.multinomial(self.n, np.full(self.n, 1 / self.n), size=size)
        clean, pert = self.weighted(weights)
        return clean - pert


def permutation_test(outcomes: ScoredOutcomes, rng: np.random.Generator, n_perm: int = 9999) -> tuple[float, float]:
    """Monte Carlo within-example permutation test of the drop; (p_greater, p_two_sided)."""
    parts = np.moveaxis(outcomes.parts, 0, 1)            # [n, 1 + S, 2]
    n, k = parts.shape[:2]
    observed = outcomes.drop
    greater = two = 0
    done = 0
    while done < n_perm:
        size = min(_CHUNK, n_perm - done)
        order = rng.random((size, n, k)).argsort(axis=2)
        shuffled = parts[np.arange(n)[None, :, None], order]           # [size, n, 1 + S, 2]
        sums = shuffled.sum(axis=1)
        values = _metric(sums[..., 0], sums[..., 1])
        stat = values[:, 0] - values[:, 1:].mean(axis=1)
        greater += int(np.count_nonzero(stat >= observed - 1e-12))
        two += int(np.count_nonzero(np.abs(stat) >= abs(observed) - 1e-12))
        done += size
    return (1 + greater) / (1 + n_perm), (1 + two) / (1 + n_perm)


def scored_drop(outcomes: ScoredOutcomes, rng: np.random.Generator, *, n_boot: int = 2000, level: float = 0.95,
                n_perm: int = 9999) -> PairedDrop:
    """The metric, its drop, the bootstrap CI and the permutation test for one row (module docstring)."""
    clean, pert = outcomes.weighted(rng.multinomial(outcomes.n, np.full(outcomes.n, 1 / outcomes.n), size=n_boot))
    drops = clean - pert
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(clean > 0, drops / clean, np.nan)
    p_greater, p_two = permutation_test(outcomes, rng, n_perm)
    value, by_seed = outcomes.clean_accuracy, outcomes.perturbed_accuracy_by_seed
    drop = outcomes.drop
    warning = perturbation_seed_warning(outcomes.n_seeds)
    return PairedDrop(
        n=outcomes.n, n_seeds=outcomes.n_seeds, clean_accuracy=value, perturbed_accuracy=outcomes.perturbed_accuracy,
        perturbed_accuracy_by_seed=tuple(map(float, by_seed)), abs_drop=drop,
        rel_drop=drop / value if value > 0 else None, ci_level=level, abs_drop_ci=percentile_ci(drops, level),
        rel_drop_ci=percentile_ci(rel, level) if value > 0 else None, bootstrap_se=float(np.std(drops, ddof=1)),
        seed_sd=float(np.std(by_seed, ddof=1)) if outcomes.n_seeds > 1 else None, n_boot=n_boot,
        test=f"within-example permutation test (Monte Carlo, {n_perm} relabellings)", p_greater=p_greater,
        p_two_sided=p_two, mcnemar_by_seed=(), warnings=(warning,) if warning else (),
        ci_method="percentile paired bootstrap over examples, metric recomputed from resampled parts "
                  "(perturbation seeds fixed)",
    )


def outcomes_of(binary: bool, ratio: Ratio, clean: Sequence[dict],
                perturbed_by_seed: Mapping[object, Sequence[dict]]) -> PairedOutcomes | ScoredOutcomes:
    """Binary records pair as right/wrong outcomes (exact tests); others as metric parts."""
    if binary:
        return PairedOutcomes.from_records(clean, perturbed_by_seed)
    return ScoredOutcomes.from_records(clean, perturbed_by_seed, ratio)


def drop_of(outcomes: PairedOutcomes | ScoredOutcomes, rng: np.random.Generator) -> PairedDrop:
    return scored_drop(outcomes, rng) if isinstance(outcomes, ScoredOutcomes) else paired_drop(outcomes, rng)
