"""Paired robustness statistics for one checkpoint × language × perturbation.

Inputs are per-example correctness on the *same* n examples, aligned by example id:
``clean[n]`` (bool) and ``perturbed[S, n]`` (bool), one row per perturbation seed.
With d_i = clean_i − mean_s perturbed_{s,i} (the per-example, seed-averaged loss):

- clean accuracy  = mean_i clean_i;  perturbed accuracy = mean_{s,i} perturbed_{s,i}
  (the mean over perturbation seeds of each seed's accuracy);
- absolute drop   = clean − perturbed = mean_i d_i;  relative drop = drop / clean;
- 95 % CI of the drop: *percentile* paired bootstrap over examples — an example is
  resampled with its clean and all its perturbed outcomes together, the perturbation
  seeds are held fixed. It measures example-sampling variation only; perturbation-seed
  variation is reported separately as the sample sd (ddof = 1) of the S per-seed
  perturbed accuracies. Because d_i takes at most 2(S+1) distinct (clean, perturbed-sum)
  categories, resampling n examples with replacement is drawn exactly as a multinomial
  over those category counts (identical in distribution, O(B·S) instead of O(B·n));
- exact McNemar test per perturbation seed: the binomial test of b ("lost": clean
  correct, perturbed wrong) among the b + c discordant pairs, p = 1/2, one-sided
  (H1: the perturbation lowers accuracy, i.e. b > c) and two-sided (scipy binomtest);
- exact within-example permutation test of sum_i d_i: under H0 each example's 1 + S
  outcomes (clean and per seed) are exchangeable, and the clean label is re-assigned
  uniformly among them, independently per example; the null distribution is computed
  exactly (a convolution of binomials, ``permutation_test``). With S = 1 it is the
  exact McNemar test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from robustx.errors import RobustxError
from robustx.stats.design import perturbation_seed_warning


@dataclass(frozen=True, eq=False)
class PairedOutcomes:
    """Per-example correctness of one checkpoint on one language: clean and per perturbation seed."""

    clean: np.ndarray                 # bool [n]
    perturbed: np.ndarray             # bool [S, n], rows = perturbation seeds
    seeds: tuple = ()                 # perturbation seed labels, len S (optional)
    ids: tuple = ()                   # example ids, len n (optional)

    def __post_init__(self):
        clean = np.asarray(self.clean, dtype=bool)
        pert = np.asarray(self.perturbed, dtype=bool)
        if pert.ndim == 1:
            pert = pert[None, :]
        if clean.ndim != 1 or pert.ndim != 2 or pert.shape[1] != clean.shape[0]:
            raise RobustxError(f"paired outcomes must be clean[n] and perturbed[S, n]; got shapes "
                               f"{clean.shape} and {np.shape(self.perturbed)}")
        if clean.size == 0 or pert.shape[0] == 0:
            raise RobustxError("paired outcomes need at least one example and one perturbation seed")
        object.__setattr__(self, "clean", clean)
        object.__setattr__(self, "perturbed", pert)

    @classmethod
    def from_records(cls, clean: Sequence[dict], perturbed_by_seed: Mapping[object, Sequence[dict]]) -> "PairedOutcomes":
        """Align prediction records ({"id", "correct", ...}) of the clean and each perturbed condition by id."""
        aligned = align_records(clean, perturbed_by_seed)
        correct = np.array([[bool(r["correct"]) for r in rows] for rows in aligned.rows], dtype=bool)
        return cls(correct[0], correct[1:], tuple(perturbed_by_seed), aligned.ids)

    @property
    def n(self) -> int:
        return int(self.clean.shape[0])

    @property
    def n_seeds(self) -> int:
        return int(self.perturbed.shape[0])

    @property
    def clean_accuracy(self) -> float:
        return float(self.clean.mean())

    @property
    def perturbed_accuracy_by_seed(self) -> np.ndarray:
        return self.perturbed.mean(axis=1)

    @property
    def perturbed_accuracy(self) -> float:
        return float(self.perturbed.mean())

    @property
    def drop(self) -> float:
        return self.clean_accuracy - self.perturbed_accuracy

    def categories(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(counts, clean value, perturbed value) of the 2(S+1) example categories.

        Category c = clean_i·(S+1) + sum_s perturbed_{s,i}; its clean value is 0/1 and its
        perturbed value the seed-averaged correctness sum/S.
        """
        s = self.n_seeds
        code = self.clean.astype(np.int64) * (s + 1) + self.perturbed.sum(axis=0)
        counts = np.bincount(code, minlength=2 * (s + 1))
        cats = np.arange(2 * (s + 1))
        return counts, (cats // (s + 1)).astype(float), (cats % (s + 1)) / s

    def resampled_drops(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` drops, each on n examples resampled with replacement (drawn per category)."""
        counts, clean_v, pert_v = self.categories()
        return resample_means(rng, clean_v - pert_v, counts, size)


@dataclass(frozen=True)
class Aligned:
    """Records of the clean condition and of each perturbation seed, all in the order of ``ids``."""

    ids: tuple
    rows: list[list[dict]]            # clean first, then one list per perturbation seed


def align_records(clean: Sequence[dict], perturbed_by_seed: Mapping[object, Sequence[dict]]) -> Aligned:
    """Pair records by example id; every perturbation seed must hold exactly the clean ids."""
    clean_map = _by_id(clean, "clean")
    ids = tuple(clean_map)
    rows = [list(clean_map.values())]
    for seed, records in perturbed_by_seed.items():
        m = _by_id(records, f"perturbation seed {seed}")
        if m.keys() != clean_map.keys():
            missing = sorted(set(clean_map) - set(m))[:3]
            extra = sorted(set(m) - set(clean_map))[:3]
            raise RobustxError(f"perturbation seed {seed}: example ids differ from the clean condition "
                               f"(missing {missing}, extra {extra}); pairing needs the same examples")
        rows.append([m[i] for i in ids])
    if len(rows) == 1:
        raise RobustxError("no perturbed records to pair with the clean condition")
    return Aligned(ids, rows)


def _by_id(records: Sequence[dict], what: str) -> dict:
    out: dict = {}
    for r in records:
        if r["id"] in out:
            raise RobustxError(f"{what}: example id {r['id']!r} occurs twice; pairing needs unique ids")
        out[r["id"]] = r
    return out


# -- tests -----------------------------------------------------------------------------

@dataclass(frozen=True)
class McNemar:
    """Exact McNemar test: b = lost (clean right, perturbed wrong), c = gained."""

    b: int
    c: int
    p_greater: float      # H1: perturbation lowers accuracy (b > c)
    p_two_sided: float


def mcnemar(clean: np.ndarray, perturbed: np.ndarray) -> McNemar:
    """Exact McNemar test on one perturbation seed: binomtest(b, b + c, 0.5) (scipy)."""
    from scipy.stats import binomtest

    clean = np.asarray(clean, dtype=bool)
    perturbed = np.asarray(perturbed, dtype=bool)
    b = int(np.count_nonzero(clean & ~perturbed))
    c = int(np.count_nonzero(~clean & perturbed))
    if b + c == 0:
        return McNemar(b, c, 1.0, 1.0)
    return McNemar(b, c, float(binomtest(b, b + c, 0.5, alternative="greater").pvalue),
                   float(binomtest(b, b + c, 0.5, alternative="two-sided").pvalue))


def permutation_test(outcomes: PairedOutcomes) -> tuple[float, float]:
    """Exact within-example permutation test of "the perturbation has no effect"; (p_greater, p_two_sided).

    H0: for every example its 1 + S outcomes (clean, and one per perturbation seed) are
    exchangeable. The randomization distribution relabels, independently per example,
    which of the 1 + S outcomes is the clean one (uniformly). Statistic: T = S · sum_i d_i.
    An example with t_i of its 1 + S outcomes correct contributes S + 1 − t_i when a
    correct outcome is labelled clean and −t_i otherwise, so with X_t ~ Binomial(m_t,
    t/(S+1)) for the m_t examples with t_i = t ∈ {1..S} (t = 0 and S + 1 contribute 0),
    T = (S + 1) · sum_t X_t − sum_t t·m_t, whose pmf is the exact convolution of those
    binomials. p_greater = P(T ≥ t_obs) (H1: the perturbation lowers accuracy),
    p_two_sided = P(|T| ≥ |t_obs|). With S = 1 this is exactly the exact McNemar test.
    """
    stat, pmf, t_obs = permutation_null(outcomes)
    p_greater = float(min(1.0, pmf[stat >= t_obs].sum()))
    p_two = float(min(1.0, pmf[np.abs(stat) >= abs(t_obs)].sum()))
    return p_greater, p_two


def permutation_null(outcomes: PairedOutcomes) -> tuple[np.ndarray, np.ndarray, int]:
    """(support of T, its exact null pmf, observed T) for ``permutation_test``."""
    from scipy.stats import binom

    s = outcomes.n_seeds
    total = outcomes.clean.astype(np.int64) + outcomes.perturbed.sum(axis=0)       # t_i
    mixed = (total > 0) & (total < s + 1)
    y_obs = int(np.count_nonzero(outcomes.clean & mixed))
    m = np.bincount(total[mixed], minlength=s + 1)
    pmf = np.ones(1)
    for t in range(1, s + 1):
        if m[t]:
            pmf = np.convolve(pmf, binom.pmf(np.arange(m[t] + 1), m[t], t / (s + 1)))
    offset = int((np.arange(s + 1) * m[: s + 1]).sum())
    stat = (s + 1) * np.arange(pmf.size) - offset
    return stat, pmf, (s + 1) * y_obs - offset


def bootstrap_drop(outcomes: PairedOutcomes, rng: np.random.Generator, n_boot: int = 2000) -> dict[str, np.ndarray]:
    """B paired-bootstrap replicates over examples: {"clean", "perturbed", "drop", "rel_drop"} arrays."""
    counts, clean_v, pert_v = outcomes.categories()
    n = outcomes.n
    draws = rng.multinomial(n, counts / n, size=n_boot)
    clean = draws @ clean_v / n
    pert = draws @ pert_v / n
    drop = clean - pert
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(clean > 0, drop / clean, np.nan)
    return {"clean": clean, "perturbed": pert, "drop": drop, "rel_drop": rel}


def resample_means(rng: np.random.Generator, values: np.ndarray, counts: np.ndarray, size: int) -> np.ndarray:
    """``size`` bootstrap means of a sample given as distinct ``values`` with ``counts``.

    Resampling the n = sum(counts) items with replacement is drawn exactly as a multinomial
    over the distinct values, generated as a chain of conditional binomials (vectorized).
    """
    values = np.asarray(values, dtype=float)
    counts = np.asarray(counts, dtype=np.int64)
    uniq, inv = np.unique(values, return_inverse=True)
    counts = np.bincount(inv.ravel(), weights=counts, minlength=uniq.size).astype(np.int64)
    keep = counts > 0
    uniq, counts = uniq[keep], counts[keep]
    n = int(counts.sum())
    total = np.zeros(size)
    left = np.full(size, n, dtype=np.int64)
    rest = n
    for v, c in zip(uniq[:-1], counts[:-1]):
        x = rng.binomial(left, c / rest) if rest > 0 else np.zeros(size, dtype=np.int64)
        total += v * x
        left -= x
        rest -= c
    total += uniq[-1] * left
    return total / n


def percentile_ci(draws: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of bootstrap draws (NaN draws ignored)."""
    draws = np.asarray(draws, dtype=float)
    draws = draws[np.isfinite(draws)]
    if draws.size == 0:
        return float("nan"), float("nan")
    lo, hi = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


@dataclass(frozen=True)
class PairedDrop:
    """Everything the report shows for one checkpoint × language × perturbation."""

    n: int
    n_seeds: int
    clean_accuracy: float
    perturbed_accuracy: float                      # mean over perturbation seeds
    perturbed_accuracy_by_seed: tuple[float, ...]
    abs_drop: float
    rel_drop: float | None
    ci_level: float
    abs_drop_ci: tuple[float, float]               # percentile paired bootstrap over examples
    rel_drop_ci: tuple[float, float] | None
    bootstrap_se: float                            # example-sampling sd of the drop (bootstrap)
    seed_sd: float | None                          # sd (ddof=1) of perturbed accuracy over perturbation seeds
    n_boot: int
    test: str                                      # which test p_greater / p_two_sided come from
    p_greater: float                               # H1: perturbation lowers accuracy
    p_two_sided: float
    mcnemar_by_seed: tuple[McNemar, ...]
    ci_method: str = "percentile paired bootstrap over examples (perturbation seeds fixed)"
    warnings: tuple[str, ...] = field(default=())


def paired_drop(outcomes: PairedOutcomes, rng: np.random.Generator, *, n_boot: int = 2000,
                level: float = 0.95) -> PairedDrop:
    """Accuracy, drop, bootstrap CI and exact tests for one checkpoint × language × perturbation.

    Estimators and resampling are described in the module docstring. The primary p-values
    are the exact McNemar test when S = 1 and the exact within-example permutation test
    when S > 1 (McNemar per seed is listed as well).
    """
    boot = bootstrap_drop(outcomes, rng, n_boot)
    clean = outcomes.clean_accuracy
    by_seed = outcomes.perturbed_accuracy_by_seed
    drop = outcomes.drop
    per_seed = tuple(mcnemar(outcomes.clean, row) for row in outcomes.perturbed)
    if outcomes.n_seeds == 1:
        test = "exact McNemar (binomial test on discordant pairs)"
        p_greater, p_two = per_seed[0].p_greater, per_seed[0].p_two_sided
    else:
        test = "exact within-example permutation test (clean vs perturbation seeds exchangeable)"
        p_greater, p_two = permutation_test(outcomes)
    warning = perturbation_seed_warning(outcomes.n_seeds)
    return PairedDrop(
        n=outcomes.n, n_seeds=outcomes.n_seeds, clean_accuracy=clean,
        perturbed_accuracy=outcomes.perturbed_accuracy, perturbed_accuracy_by_seed=tuple(map(float, by_seed)),
        abs_drop=drop, rel_drop=drop / clean if clean > 0 else None, ci_level=level,
        abs_drop_ci=percentile_ci(boot["drop"], level),
        rel_drop_ci=percentile_ci(boot["rel_drop"], level) if clean > 0 else None,
        bootstrap_se=float(np.std(boot["drop"], ddof=1)),
        seed_sd=float(np.std(by_seed, ddof=1)) if outcomes.n_seeds > 1 else None,
        n_boot=n_boot, test=test, p_greater=p_greater, p_two_sided=p_two, mcnemar_by_seed=per_seed,
        warnings=(warning,) if warning else (),
    )
