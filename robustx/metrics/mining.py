"""BUCC 2018 bitext mining: ratio-margin candidates, F1 of mined pairs, the threshold chosen on dev.

A port of XTREME's ``third_party/utils_retrieve.py`` (google-research/xtreme @
838c13b69daafb9328785d16caae2711e4012123, itself from LASER's ``mine_bitexts.py``) as its
BUCC run calls it: ``mine_bitext(mode="mine", retrieval="max", margin="ratio",
neighborhood=4, dist="cosine")``, then ``bucc_eval``:

1. Sentences with the same text are mined once (``text_load_unify``; the embedding of the
   last occurrence, as ``unique_embeddings``); embeddings are L2-normalized.
2. Each source's k = 4 nearest targets by cosine and each target's 4 nearest sources; the
   margin of a pair is ``cos(x, y) / ((mean of x's k cosines + mean of y's k cosines) / 2)``
   — the ratio margin of Artetxe & Schwenk (2019). As in XTREME, nothing guards the sign: a
   negative cosine over a negative denominator (a sentence far from everything) scores high.
3. Forward candidates: each source with its best target *among its k nearest* by margin;
   backward candidates likewise for each target. ``retrieval="max"``: all candidates by
   descending margin, each kept unless its source or target was already taken (a
   one-to-one matching); a kept pair is written only when its margin is > 0.
4. Pairs go back to ids by text; a text that occurs twice (after ``strip``) has no id and
   its pairs are dropped (``read_sent2id``).
5. ``best_threshold`` (``bucc_optimize``) picks the F1-maximizing margin on dev;
   ``extract`` keeps the pairs with margin ≥ a threshold; ``pair_scores`` is ``bucc_eval``'s
   and ``evaluate.py``'s P/R/F1, in percent.

Differences from XTREME: the nearest neighbours come from a blocked numpy product (float32,
like faiss's ``IndexFlatIP``) instead of faiss, so a margin may differ in its last float32
bits (checked on the BUCC zh-en dev texts with synthetic embeddings: the same 7,802 pairs,
the same P/R/F1, the threshold within 2e-7); ties in cosine or margin go to the lower index
(the forward candidate first), where faiss and numpy's unstable ``argsort`` leave the order
unspecified; and where only the lowest-scored candidate reaches the best F1,
``bucc_optimize`` fails (it reads one past the end) while ``best_threshold`` returns that
candidate's score.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from robustx.errors import RobustxError

K = 4
BLOCK_ROWS = 512  # similarity rows held at once: BUCC zh-en at dim 384 peaks at about 170 MB above the embeddings

Pair = tuple[str, str]


@dataclass(frozen=True, eq=False)
class Sentences:
    """One side of a BUCC set: sentence ids, their texts and one embedding row each."""

    ids: Sequence[str]
    texts: Sequence[str]
    embeddings: np.ndarray  # [n, dim]

    def __post_init__(self):
        emb = np.asarray(self.embeddings, dtype=np.float32)
        if emb.ndim != 2 or not (len(self.ids) == len(self.texts) == emb.shape[0]):
            raise RobustxError(f"mining needs one id, one text and one embedding row per sentence; got "
                               f"{len(self.ids)} ids, {len(self.texts)} texts, embeddings of shape {emb.shape}")
        if emb.shape[0] == 0:
            raise RobustxError("mining needs at least one sentence on each side")
        if not np.isfinite(emb).all():
            raise RobustxError("embeddings contain NaN or infinite values")
        if len(set(self.ids)) != len(self.ids):
            raise RobustxError("sentence ids must be unique on each side")
        object.__setattr__(self, "embeddings", emb)


@dataclass(frozen=True)
class PairScores:
    """Precision, recall and F1 of mined pairs, in percent."""

    precision: float
    recall: float
    f1: float


def mine(source: Sentences, target: Sentences, k: int = K) -> dict[Pair, float]:
    """Candidate pairs (source id, target id) → margin, in descending margin: XTREME's ``cand2score``."""
    src_texts, src_rows = _unify(source.texts)
    trg_texts, trg_rows = _unify(target.texts)
    src_ids, trg_ids = _ids_by_text(source), _ids_by_text(target)
    candidates: dict[Pair, float] = {}
    for i, j, score in zip(*mine_indices(source.embeddings[src_rows], target.embeddings[trg_rows], k)):
        src_text, trg_text = src_texts[i].strip(), trg_texts[j].strip()
        if src_text in src_ids and trg_text in trg_ids:
            candidates[(src_ids[src_text], trg_ids[trg_text])] = float(score)
    return candidates


def mine_indices(x: np.ndarray, y: np.ndarray, k: int = K) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mined (source rows, target rows, margins) of embeddings ``x`` and ``y``, in descending margin.

    ``mine_bitext``'s "max" retrieval with the ratio margin over k nearest neighbours; only
    pairs with a margin > 0 are returned.
    """
    if k < 1:
        raise RobustxError(f"the margin's neighbourhood k must be at least 1, not {k}")
    if np.ndim(x) != 2 or np.ndim(y) != 2 or np.shape(x)[1] != np.shape(y)[1] or not (len(x) and len(y)):
        raise RobustxError(f"mining needs two non-empty [n, dim] embedding matrices of one dim; got shapes "
                           f"{np.shape(x)} and {np.shape(y)}")
    x, y = _normalize(x), _normalize(y)
    x_cos, x_nn = _knn(x, y, min(k, y.shape[0]))
    y_cos, y_nn = _knn(y, x, min(k, x.shape[0]))
    x_mean, y_mean = x_cos.mean(axis=1), y_cos.mean(axis=1)
    fwd = x_cos / ((x_mean[:, None] + y_mean[x_nn]) / 2)
    bwd = y_cos / ((y_mean[:, None] + x_mean[y_nn]) / 2)
    fwd_best, bwd_best = fwd.argmax(axis=1), bwd.argmax(axis=1)
    src = np.concatenate([np.arange(x.shape[0]), y_nn[np.arange(y.shape[0]), bwd_best]])
    trg = np.concatenate([x_nn[np.arange(x.shape[0]), fwd_best], np.arange(y.shape[0])])
    scores = np.concatenate([fwd.max(axis=1), bwd.max(axis=1)])
    kept = []
    seen_src, seen_trg = set(), set()
    for c in np.argsort(-scores, kind="stable"):
        if src[c] not in seen_src and trg[c] not in seen_trg:
            seen_src.add(src[c])
            seen_trg.add(trg[c])
            if scores[c] > 0:
                kept.append(c)
    kept = np.array(kept, dtype=np.int64)
    return src[kept], trg[kept], scores[kept]


def best_threshold(candidates: Mapping[Pair, float], gold: set[Pair]) -> float:
    """``bucc_optimize``: the midpoint between the margins around the F1-maximizing cut (0 if no candidate is gold)."""
    items = sorted(candidates.items(), key=lambda item: -item[1])
    extracted = correct = 0
    threshold = 0.0
    best_f1 = 0.0
    for i, (pair, score) in enumerate(items):
        extracted += 1
        correct += pair in gold
        if correct > 0:
            precision = correct / extracted
            recall = correct / len(gold)
            f1 = 2 * precision * recall / (precision + recall)
            if f1 > best_f1:
                best_f1 = f1
                threshold = (score + items[i + 1][1]) / 2 if i + 1 < len(items) else score
    return threshold


def extract(candidates: Mapping[Pair, float], threshold: float) -> set[Pair]:
    """``bucc_extract``: the candidate pairs whose margin is at least ``threshold``."""
    return {pair for pair, score in candidates.items() if score >= threshold}


def pair_scores(predicted: set[Pair], gold: set[Pair]) -> PairScores:
    """Precision, recall and F1 of mined pairs against gold pairs (all 0 when none is right)."""
    correct = len(predicted & gold)
    if correct == 0:
        return PairScores(0.0, 0.0, 0.0)
    precision = correct / len(predicted)
    recall = correct / len(gold)
    return PairScores(100 * precision, 100 * recall, 100 * (2 * precision * recall / (precision + recall)))


def _unify(texts: Sequence[str]) -> tuple[list[str], list[int]]:
    """The distinct texts in order of first occurrence, and the row whose embedding each one uses (its last)."""
    last: dict[str, int] = {}
    for row, text in enumerate(texts):
        last[text] = row
    return list(last), list(last.values())


def _ids_by_text(side: Sentences) -> dict[str, str]:
    """``read_sent2id``: stripped text → id, without texts that occur more than once."""
    ids: dict[str, str] = {}
    repeated = set()
    for sentence_id, text in zip(side.ids, side.texts):
        text = text.strip()
        if text in ids:
            repeated.add(text)
        else:
            ids[text] = sentence_id
    for text in repeated:
        del ids[text]
    return ids


def _normalize(emb: np.ndarray) -> np.ndarray:
    """Unit rows in float32; a zero row stays zero (as ``faiss.normalize_L2``)."""
    emb = np.asarray(emb, dtype=np.float32)
    norms = np.linalg.norm(emb, axis=1, keepdims=True)
    return emb / np.where(norms > 0, norms, 1).astype(np.float32)


def _knn(queries: np.ndarray, database: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each query's k largest inner products with the database, descending; ties go to the lower index."""
    cos = np.empty((queries.shape[0], k), dtype=np.float32)
    nn = np.empty((queries.shape[0], k), dtype=np.int64)
    for start in range(0, queries.shape[0], BLOCK_ROWS):
        sims = queries[start:start + BLOCK_ROWS] @ database.T
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        top_sims = np.take_along_axis(sims, top, axis=1)
        # argpartition picks arbitrarily among values tied with the k-th: sort those rows fully
        tied = (sims >= top_sims.min(axis=1, keepdims=True)).sum(axis=1) > k
        if tied.any():
            top[tied] = np.argsort(-sims[tied], axis=1, kind="stable")[:, :k]
            top_sims = np.take_along_axis(sims, top, axis=1)
        order = np.lexsort((top, -top_sims), axis=1)
        nn[start:start + BLOCK_ROWS] = np.take_along_axis(top, order, axis=1)
        cos[start:start + BLOCK_ROWS] = np.take_along_axis(top_sims, order, axis=1)
    return cos, nn
