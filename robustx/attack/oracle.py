"""The model as an attack sees it: outputs for many inputs in one length-sorted pass, each
distinct token sequence scored once.

Inputs are tokenized first and keyed by their token ids, so two candidates that spell the
same model input (two typos the tokenizer maps alike) cost one query and get one output:
an output never depends on which other inputs shared its batch, so choices between
candidates are batch-invariant.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from robustx.models.checkpoint import LoadedModel
from robustx.study.spec import CheckpointSpec, RunSpec
from robustx.tasks.base import Task, TaskData

TokenIds = tuple[int, ...]


class Oracle:
    """Class probabilities (in ``task.labels`` order) or similarities to the target pool."""

    def __init__(self, task: Task, loaded: LoadedModel, checkpoint: CheckpointSpec, run: RunSpec,
                 data: TaskData, label: str) -> None:
        self.task, self.loaded, self.checkpoint, self.run, self.label = task, loaded, checkpoint, run, label
        self._targets = None
        if task.kind == "retrieval":
            from robustx.runner.scoring import target_embeddings

            self._targets = target_embeddings(loaded, checkpoint, run, data, label)

    @property
    def mask_token(self) -> str:
        return self.loaded.tokenizer.unk_token or ""

    def token_ids(self, inputs: Sequence[tuple[str, ...]]) -> list[TokenIds]:
        from robustx.engine.predict import tokenize

        return [tuple(ids) for ids in tokenize(self.loaded.tokenizer, inputs, self.run.max_length,
                                               self.checkpoint.prefix)]

    def outputs(self, ids: Sequence[TokenIds]) -> np.ndarray:
        """One output row per token sequence, in order."""
        from robustx.engine.predict import embeddings_of_ids, logits_of_ids

        loaded, run, pad = self.loaded, self.run, self.loaded.tokenizer.pad_token_id
        if self._targets is not None:
            queries = embeddings_of_ids(loaded.model, ids, pad, batch_size=run.batch_size, device=loaded.device,
                                        pooling=self.checkpoint.pooling, label=self.label)
            return queries @ self._targets.T
        logits = logits_of_ids(loaded.model, ids, pad, batch_size=run.batch_size, device=loaded.device,
                               label=self.label)[:, loaded.label_index].astype(np.float64)
        exp = np.exp(logits - logits.max(axis=1, keepdims=True))
        return exp / exp.sum(axis=1, keepdims=True)
