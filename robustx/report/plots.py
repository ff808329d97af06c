"""Report figures as SVG text (matplotlib, Agg backend): drop per language, heat map, forest plot.

Every function returns a standalone ``<svg>`` element (no XML prolog), so the same
string is written to ``plots/*.svg`` for the Markdown report and inlined into the HTML.
Text stays text (``svg.fonttype = none``) and ids are salted per figure, so several
figures can share one HTML page. Drops are shown in accuracy points (× 100).
"""

from __future__ import annotations

import io
import math
from html import escape
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    from robustx.stats.groups import GroupTest

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")


def _plt():
    try:
        import matplotlib
    except ImportError:
        from robustx.errors import RobustxError

        raise RobustxError("report plots need matplotlib: pip install matplotlib") from None

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def to_svg(fig, name: str) -> str:
    """The figure as an inline-able ``<svg>`` element (closed afterwards)."""
    plt = _plt()
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": f"robustx-{name}"}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": "robustx"})
    plt.close(fig)
    text = buf.getvalue()
    start = text.find("<svg")
    svg = text[start:] if start >= 0 else text
    label = escape(name, quote=True)
    return svg.replace("<svg ", f'<svg class="plot" data-plot="{label}" role="img" aria-label="{label}" ', 1)


def _nan(x: float | None) -> float:
    return float("nan") if x is None else 100 * x


def drop_by_language(group_rows: Sequence[dict], langs: Sequence[str], perts: Sequence[str],
                     groups: Sequence[str], level: float = 0.95) -> str:
    """Per perturbation, each group's mean drop per language with its CI (error bars)."""
    plt = _plt()
    width = min(11.0, max(6.0, 0.45 * len(langs) * max(1, len(groups)) ** 0.5 + 2))
    fig, axes = plt.subplots(len(perts), 1, figsize=(width, 2.6 * len(perts) + 0.6), squeeze=False, sharex=True)
    index = {(r["group"], r["lang"], r["perturbation"]): r for r in group_rows}
    spread = 0.7 / max(1, len(groups))
    for ax, pert in zip(axes[:, 0], perts):
        for gi, g in enumerate(groups):
            xs, ys, lo, hi = [], [], [], []
            for li, lang in enumerate(langs):
                r = index.get((g, lang, pert))
                if r is None:
                    continue
                xs.append(li + (gi - (len(groups) - 1) / 2) * spread)
                ys.append(_nan(r["drop_mean"]))
                lo.append(ys[-1] - _nan(r["drop_ci_low"]) if r["drop_ci_low"] is not None else 0.0)
                hi.append(_nan(r["drop_ci_high"]) - ys[-1] if r["drop_ci_high"] is not None else 0.0)
            k = max((index[g, lang, pert]["k"] for lang in langs if (g, lang, pert) in index), default=0)
            ax.errorbar(xs, ys, yerr=[lo, hi], fmt="o", ms=5, capsize=3, lw=1.2,
                        color=PALETTE[gi % len(PALETTE)], label=f"{g} (k={k})")
        ax.axhline(0, color="#888", lw=0.8, zorder=0)
        ax.set_ylabel("drop (pts)")
        ax.set_title(pert, loc="left", fontsize=10)
        ax.grid(axis="y", color="#eee")
        ax.set_xticks(range(len(langs)), langs)
        ax.tick_params(labelbottom=True)  # every panel names its languages: a long report is read panel by panel
        ax.set_xlim(-0.6, len(langs) - 0.4)
    axes[0, 0].legend(fontsize=8, ncols=min(4, len(groups)), loc="upper left", frameon=False,
                      bbox_to_anchor=(0, 1.35 if len(perts) == 1 else 1.3))
    axes[-1, 0].set_xlabel(f"language · mean drop over the group's checkpoints, {int(level * 100)}% CI")
    fig.tight_layout()
    return to_svg(fig, "drop-by-language")


def heatmap(group_rows: Sequence[dict], langs: Sequence[str], perts: Sequence[str], groups: Sequence[str]) -> str:
    """Language × perturbation heat map of the mean drop (points), one panel per group."""
    import numpy as np
    from matplotlib.colors import TwoSlopeNorm

    plt = _plt()
    index = {(r["group"], r["lang"], r["perturbation"]): r["drop_mean"] for r in group_rows}
    values = [100 * v for v in index.values() if v is not None and math.isfinite(v)]
    bound = max([abs(v) for v in values] + [1.0])
    norm = TwoSlopeNorm(vmin=-bound, vcenter=0.0, vmax=bound)
    fig, axes = plt.subplots(len(groups), 1, squeeze=False, layout="constrained",
                             figsize=(max(5.0, 0.6 * len(langs) + 2.5), (0.45 * len(perts) + 1.0) * len(groups) + 0.4))
    image = None
    for ax, g in zip(axes[:, 0], groups):
        grid = np.array([[100 * index[g, lang, p] if index.get((g, lang, p)) is not None else np.nan for lang in langs]
                         for p in perts])
        image = ax.imshow(grid, cmap="RdBu_r", norm=norm, aspect="auto")
        for (i, j), v in np.ndenumerate(grid):
            if np.isfinite(v):
                ax.text(j, i, f"{v:.1f}", ha="center", va="center", fontsize=8,
                        color="white" if abs(v) > 0.6 * bound else "black")
        ax.set_xticks(range(len(langs)), langs)
        ax.set_yticks(range(len(perts)), perts)
        ax.set_title(g, loc="left", fontsize=10)
    if image is not None:
        fig.colorbar(image, ax=axes[:, 0].tolist(), label="drop (pts)", shrink=0.9)
    return to_svg(fig, "heatmap")


def forest(rows: Sequence[dict], pair: tuple[str, str], perts: Sequence[str], langs: Sequence[str],
           test: "GroupTest", alpha: float, level: float = 0.95) -> str:
    """Difference in mean drop (A − B) with its hierarchical-bootstrap CI, per perturbation × language.

    Filled marker: adjusted p ≤ alpha; hollow: not significant; grey ×: p withheld by the
    design. The right margin prints the raw p and the adjusted p.
    """
    plt = _plt()
    a, b = pair
    index = {(r["perturbation"], r["lang"]): r for r in rows if (r["group_a"], r["group_b"]) == pair}
    items: list[tuple[str, Any]] = []
    for pert in perts:
        present = [lang for lang in langs if (pert, lang) in index]
        if present:
            items.append(("header", pert))
            items.extend(("row", index[pert, lang]) for lang in present)
    fig, ax = plt.subplots(figsize=(8.0, 0.26 * len(items) + 1.3))
    labels, ys = [], []
    for y, (kind, item) in enumerate(items):
        if kind == "header":
            ax.text(-0.02, y, item, transform=ax.get_yaxis_transform(), ha="right", va="center",
                    fontsize=9, fontweight="bold")
            continue
        r = item
        x = 100 * r["diff"]
        lo = 100 * r["diff_ci_low"] if r["diff_ci_low"] is not None else None
        hi = 100 * r["diff_ci_high"] if r["diff_ci_high"] is not None else None
        if lo is not None:
            ax.plot([lo, hi], [y, y], color="#333", lw=1.3)
        p, adj = r.get(test.p), r.get(test.p_adj)
        if p is None:
            ax.plot([x], [y], marker="X", color="#777", mec="white", mew=0.6, ms=8, zorder=3)
            note = "p withheld (design)"
        else:
            sig = adj is not None and adj <= alpha
            ax.plot([x], [y], marker="s", ms=6, color="#333", mfc="#333" if sig else "white", zorder=3)
            note = f"p={_p(p)}  adj={_p(adj)}{' *' if sig else ''}"
        ax.text(1.02, y, note, transform=ax.get_yaxis_transform(), va="center", fontsize=8,
                family="monospace")
        labels.append(r["lang"])
        ys.append(y)
    ax.axvline(0, color="#888", lw=0.8, ls="--")
    ax.set_yticks(ys, labels, fontsize=8)
    ax.set_ylim(len(items) - 0.5, -0.8)
    ax.set_xlabel(f"mean drop {a} − mean drop {b} (pts), {int(level * 100)}% hierarchical-bootstrap CI\n"
                  f"< 0: {a} more robust · > 0: {b} more robust")
    ax.set_title(f"{a} vs {b}", loc="left", fontsize=10)
    ax.tick_params(axis="y", pad=2)
    ax.grid(axis="x", color="#eee")
    fig.tight_layout()
    return to_svg(fig, f"forest-{a}-vs-{b}")


def _p(p: float | None) -> str:
    if p is None:
        return "—"
    return "<0.001" if p < 0.001 else (f"{p:.3f}" if p < 0.1 else f"{p:.2f}")


def robustness_curve(curves: dict[str, dict[str, Sequence[float]]], budgets: Sequence[float]) -> str:
    """Per attack, each group's accuracy under attack as the budget (largest share of words modified) grows."""
    plt = _plt()
    fig, axes = plt.subplots(1, len(curves), figsize=(4.2 * len(curves) + 0.6, 3.2), squeeze=False, sharey=True)
    for ax, (attack, by_group) in zip(axes[0], curves.items()):
        for gi, (group, values) in enumerate(by_group.items()):
            ax.plot([100 * b for b in budgets], [100 * v for v in values], marker="o", ms=3, lw=1.4,
                    color=PALETTE[gi % len(PALETTE)], label=group)
        ax.set_title(attack, loc="left", fontsize=10)
        ax.set_xlabel("budget: words modified ≤ %")
        ax.grid(color="#eee")
    axes[0, 0].set_ylabel("accuracy under attack %")
    axes[0, 0].legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return to_svg(fig, "robustness-curve")
