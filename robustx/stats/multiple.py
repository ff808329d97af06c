"""Multiple-comparison adjusted p-values: Holm (FWER) and Benjamini–Hochberg (FDR).

With m p-values sorted ascending, p_(1) ≤ … ≤ p_(m):

- Holm (1979), step-down:  p̃_(i) = max_{j ≤ i} min(1, (m − j + 1) · p_(j));
- Benjamini–Hochberg (1995), step-up:  p̃_(i) = min_{j ≥ i} min(1, m / j · p_(j)).

Reject hypothesis i at level alpha when p̃_i ≤ alpha. (These are the plain methods: not
statsmodels' default Holm–Šidák, not deepsig's partial-conjunction "bonferroni".)
The family is configurable: ``adjust_rows`` adjusts jointly across the rows that agree on
the fields named in ``by`` — e.g. rows per (comparison, lang, perturbation) with
``by=("group_a", "group_b")`` make one family of languages × perturbations per comparison. Missing p-values (``None``,
NaN: tests the design could not support) are not part of any family and stay ``None``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Sequence

import numpy as np

METHODS = ("holm", "bh")


def holm(pvalues: Sequence[float]) -> np.ndarray:
    """Holm step-down adjusted p-values, in input order."""
    p = np.asarray(pvalues, dtype=float)
    m = p.size
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    adj = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = adj
    return out


def benjamini_hochberg(pvalues: Sequence[float]) -> np.ndarray:
    """Benjamini–Hochberg step-up adjusted p-values (q-values), in input order."""
    p = np.asarray(pvalues, dtype=float)
    m = p.size
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    adj = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    out = np.empty(m)
    out[order] = adj
    return out


def adjust(pvalues: Sequence[float | None], method: str = "holm") -> list[float | None]:
    """Adjusted p-values in input order; ``None``/NaN entries are excluded and returned as ``None``."""
    if method not in METHODS:
        raise ValueError(f"unknown adjustment {method!r}; choose one of {', '.join(METHODS)}")
    vals = [None if p is None or not np.isfinite(p) else float(p) for p in pvalues]
    idx = [i for i, p in enumerate(vals) if p is not None]
    fn = holm if method == "holm" else benjamini_hochberg
    adj = fn([vals[i] for i in idx])
    out: list[float | None] = [None] * len(vals)
    for i, a in zip(idx, adj):
        out[i] = float(a)
    return out


def adjust_rows(rows: Iterable[dict], p_key: str, *, by: Sequence[str] = (), method: str = "holm",
                out_key: str | None = None) -> list[dict]:
    """Copies of ``rows`` with the adjusted p-value ``out_key`` (default ``f"{p_key}_{method}"``) added.

    Rows that agree on every field in ``by`` form one family, which spans whatever else
    varies among them: with rows per (comparison, lang, perturbation) and
    ``by=("group_a", "group_b")`` each comparison's family is languages × perturbations;
    adding ``"perturbation"`` to ``by`` makes it languages only. The raw ``p_key`` stays
    next to the adjusted one, and ``f"{out_key}_family_size"`` records m.
    """
    rows = [dict(r) for r in rows]
    out_key = out_key or f"{p_key}_{method}"
    families: dict[tuple, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        families[tuple(repr(r.get(k)) for k in by)].append(i)
    for members in families.values():
        adj = adjust([rows[i].get(p_key) for i in members], method)
        size = sum(a is not None for a in adj)
        for i, a in zip(members, adj):
            rows[i][out_key] = a
            rows[i][f"{out_key}_family_size"] = size
    return rows
