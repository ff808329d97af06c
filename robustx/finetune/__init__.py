"""``robustx finetune``: build populations of fine-tuned checkpoints (Phang et al. 2020 recipe).

pretrained encoder -> optional intermediate training (none, one task, or several tasks with a
shared encoder, one head per task, temperature-sampled batches) -> target-task training with a
fresh head. One run per (model, seed); outputs are standard ``transformers`` checkpoints with
named labels plus ``robustx.json`` (see metadata.py). Importing this package is cheap: torch
is imported by the trainer only.

Modules: config (TOML -> frozen dataclasses), data (readers, holdout, leak checks), sampling
(data order and multi-task mixing), state (resumable training state), trainer, metadata.
"""

from robustx.finetune.config import DataConfig, FinetuneConfig, HyperParams, RunConfig, load_config  # noqa: F401
from robustx.finetune.metadata import read_metadata  # noqa: F401

__all__ = ["DataConfig", "FinetuneConfig", "HyperParams", "RunConfig", "load_config", "read_metadata"]
