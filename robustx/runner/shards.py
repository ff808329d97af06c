"""The units of work of a study, each independent and addressed by a content key.

A ``PerturbShard`` makes the perturbed test set of one (task, language, perturbation,
seed); every checkpoint shares it. An ``EvalShard`` scores one checkpoint on one
(language, condition), where the condition is ``clean`` or a perturbed set. Keys are
stable digests of everything that determines the output, so a finished shard is
reused by any later run, in any order, on any worker (a Ray task per shard later).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from robustx.hashing import stable_digest
from robustx.perturb import PERTURBATIONS
from robustx.runner import layout
from robustx.study.spec import AttackSpec, CheckpointSpec, PerturbationSpec, RunSpec

CLEAN = "clean"
# Bump when the record format or the perturbation code changes what a key produces.
FORMAT_VERSION = 1


@dataclass(frozen=True)
class PerturbShard:
    task: str
    lang: str
    perturbation: PerturbationSpec
    seed: int
    data_key: str

    @property
    def key(self) -> str:
        p = self.perturbation
        # Location parameters (where a dictionary lives) are left out: data_key holds the files' content.
        location = PERTURBATIONS.get(p.perturbation).location_params
        params = {k: v for k, v in p.params.items() if k not in location}
        # The entity mode joins the key only where set, so other keys stay as they were.
        return stable_digest(FORMAT_VERSION, self.task, self.lang, self.data_key, p.perturbation,
                             params, list(p.fields), self.seed, *((p.entities,) if p.entities else ()))

    @property
    def condition(self) -> str:
        return f"{self.perturbation.name}@{self.seed}"

    def path(self, root: Path) -> Path:
        return root / layout.perturbed_shard(self.task, self.lang, self.perturbation.name, self.seed, self.key)


@dataclass(frozen=True)
class EvalShard:
    checkpoint: CheckpointSpec
    checkpoint_key: str
    task: str
    lang: str
    condition: str
    input_key: str
    settings_key: str

    @property
    def key(self) -> str:
        return stable_digest(FORMAT_VERSION, self.checkpoint_key, self.input_key, self.settings_key)

    def path(self, root: Path) -> Path:
        return root / layout.prediction_shard(self.checkpoint.name, self.task, self.lang, self.condition, self.key)


@dataclass(frozen=True)
class AttackShard:
    """One checkpoint attacked on one (language, attack, seed): the result depends on the model,
    so the key holds the checkpoint's fingerprint and prediction settings besides the inputs."""

    checkpoint: CheckpointSpec
    checkpoint_key: str
    settings_key: str
    task: str
    lang: str
    attack: AttackSpec
    seed: int
    input_key: str

    @property
    def key(self) -> str:
        from robustx.attack.run import attack_key

        return stable_digest(FORMAT_VERSION, "attack", self.checkpoint_key, self.settings_key, self.task, self.lang,
                             self.input_key, attack_key(self.attack), self.seed)

    @property
    def condition(self) -> str:
        return f"{self.attack.name}@{self.seed}"

    def path(self, root: Path) -> Path:
        return root / layout.attack_shard(self.checkpoint.name, self.task, self.lang, self.attack.name, self.seed,
                                          self.key)


def settings_key(run: RunSpec, checkpoint: CheckpointSpec) -> str:
    """What besides weights and inputs changes predictions (batch size and threads do not).
    ``run.dtype`` is resolved (not "auto"); float32 adds nothing, so keys made before dtypes stay."""
    parts = [run.max_length, checkpoint.prefix, checkpoint.pooling, dict(checkpoint.label_map)]
    return stable_digest(*parts, *([run.dtype] if run.dtype != "float32" else []))
