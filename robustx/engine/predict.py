"""Batched inference under ``torch.inference_mode()`` with length-sorted dynamic padding.

Results always come back in input order. The overhead over a bare ``model(**batch)``
loop on the same batches is measured by ``benchmarks/bench_predict.py``.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from robustx.engine.batching import length_sorted_batches, pad_batch
from robustx.progress import progress_bar


def resolve_device(name: str) -> str:
    import torch

    if name == "auto":
        if torch.cuda.is_available():
            return "cuda"
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return "mps"
        return "cpu"
    return name


def resolve_dtype(name: str, device: str) -> str:
    """``auto``: bfloat16 on a CUDA device that supports it (or that this process cannot see,
    as a Ray driver without a GPU), else float32; other names as given."""
    if name != "auto":
        return name
    if not device.startswith("cuda"):
        return "float32"
    import torch

    return "bfloat16" if not torch.cuda.is_available() or torch.cuda.is_bf16_supported() else "float32"


def tokenize(tokenizer, texts: Sequence[Sequence[str]], max_length: int, prefix: str = "") -> list[list[int]]:
    """Token ids of single texts or text pairs (each item a tuple of 1 or 2 strings)."""
    if not texts:
        return []
    width = len(texts[0])
    first = [prefix + t[0] for t in texts]
    second = [prefix + t[1] for t in texts] if width == 2 else None
    enc = tokenizer(first, second, truncation=True, max_length=max_length, add_special_tokens=True)
    return enc["input_ids"]


def _run(model, ids: Sequence[Sequence[int]], pad_id: int, batch_size: int, device: str,
         forward: Callable, label: str, progress: bool, ragged: bool = False) -> np.ndarray | list[np.ndarray]:
    """``forward``'s output per input, in input order: one array (n, ...) or, ``ragged``, a list of
    per-token arrays (len_i, ...) cut to each input's own length."""
    import torch

    batches = length_sorted_batches([len(x) for x in ids], batch_size)
    out: np.ndarray | None = None
    rows: list[np.ndarray | None] = [None] * len(ids)
    with torch.inference_mode(), progress_bar(label, len(ids), progress) as advance:
        for index in batches:
            input_ids, mask = pad_batch([ids[i] for i in index], pad_id)
            result = forward(model, torch.from_numpy(input_ids).to(device), torch.from_numpy(mask).to(device))
            result = result.float().cpu().numpy()
            if ragged:
                for row, i in enumerate(index):
                    rows[i] = result[row, : len(ids[i])]
            else:
                if out is None:
                    out = np.empty((len(ids), *result.shape[1:]), dtype=np.float32)
                out[index] = result
            advance(len(index))
    if ragged:
        return rows  # type: ignore[return-value]
    return out if out is not None else np.empty((0, 0), dtype=np.float32)


def _logits(model, input_ids, mask):
    return model(input_ids=input_ids, attention_mask=mask).logits


def _span_logits(model, input_ids, mask):
    """Start and end logits of an extractive QA head, stacked on the last axis: (batch, tokens, 2)."""
    import torch

    out = model(input_ids=input_ids, attention_mask=mask)
    return torch.stack([out.start_logits, out.end_logits], dim=-1)


def _mean_pooled(model, input_ids, mask):
    hidden = model(input_ids=input_ids, attention_mask=mask).last_hidden_state
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1)
    return _l2(pooled)


def _cls_pooled(model, input_ids, mask):
    return _l2(model(input_ids=input_ids, attention_mask=mask).last_hidden_state[:, 0])


def _l2(x):
    import torch

    return torch.nn.functional.normalize(x, dim=-1)


POOLERS = {"mean": _mean_pooled, "cls": _cls_pooled}


def predict_logits(model, tokenizer, texts: Sequence[Sequence[str]], *, batch_size: int, max_length: int,
                   device: str, prefix: str = "", label: str = "predict", progress: bool = False) -> np.ndarray:
    """Class logits, shape (n, num_labels), in input order."""
    ids = tokenize(tokenizer, texts, max_length, prefix)
    return logits_of_ids(model, ids, tokenizer.pad_token_id, batch_size=batch_size, device=device, label=label,
                         progress=progress)


def logits_of_ids(model, ids: Sequence[Sequence[int]], pad_id: int, *, batch_size: int, device: str,
                  label: str = "predict", progress: bool = False) -> np.ndarray:
    """Class logits of already tokenized inputs (attacks tokenize first, to score each token sequence once)."""
    return _run(model, ids, pad_id, batch_size, device, _logits, label, progress)


def encode_sentences(model, tokenizer, texts: Sequence[str], *, batch_size: int, max_length: int, device: str,
                     prefix: str = "", pooling: str = "mean", label: str = "encode", progress: bool = False) -> np.ndarray:
    """L2-normalized sentence embeddings, shape (n, hidden), in input order."""
    ids = tokenize(tokenizer, [(t,) for t in texts], max_length, prefix)
    return embeddings_of_ids(model, ids, tokenizer.pad_token_id, batch_size=batch_size, device=device,
                             pooling=pooling, label=label, progress=progress)


def embeddings_of_ids(model, ids: Sequence[Sequence[int]], pad_id: int, *, batch_size: int, device: str,
                      pooling: str = "mean", label: str = "encode", progress: bool = False) -> np.ndarray:
    """L2-normalized sentence embeddings of already tokenized texts."""
    return _run(model, ids, pad_id, batch_size, device, POOLERS[pooling], label, progress)


def token_logits_of_ids(model, ids: Sequence[Sequence[int]], pad_id: int, *, batch_size: int, device: str,
                        label: str = "predict", progress: bool = False) -> list[np.ndarray]:
    """Per-token class logits of a token-classification head, one (len_i, num_labels) array per input."""
    return _run(model, ids, pad_id, batch_size, device, _logits, label, progress, ragged=True)


def span_logits_of_ids(model, ids: Sequence[Sequence[int]], pad_id: int, *, batch_size: int, device: str,
                       label: str = "predict", progress: bool = False) -> list[np.ndarray]:
    """Start and end logits of an extractive QA head, one (len_i, 2) array per input."""
    return _run(model, ids, pad_id, batch_size, device, _span_logits, label, progress, ragged=True)
