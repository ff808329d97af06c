"""TextAttack's own recipes attacking robustx checkpoints from a study (``[[attacks]] textattack = ...``).

The recipes that run offline: DeepWordBug (Gao et al. 2018) and Pruthi et al. (2019); TextBugger
and the word-embedding recipes need the Universal Sentence Encoder or GloVe from the network.
TextAttack brings its transformation, constraints and search; robustx brings the model
(``textattack_bridge.model_wrapper``: labels by name, the checkpoint's prefix, the prediction
engine), the examples, the query budget (``max_queries``) and the fields it may change, and
writes the same records as its own attacks (``run.RECORD_KEYS``), so accuracy under attack,
success rate and queries sit beside robustx's attacks in summaries and reports. TextAttack
counts the words itself (its English-centred splitting), and has no edit records or
similarity: those are left empty. It needs the ``textattack`` extra (transformers < 5);
without it the study is refused at load.
"""

from __future__ import annotations

import importlib.util
from typing import Sequence

from robustx.errors import RobustxError
from robustx.study.spec import AttackSpec
from robustx.tasks.base import Example, Task

RECIPES = {"deepwordbug": "DeepWordBugGao2018", "pruthi": "Pruthi2019"}


def check(spec: AttackSpec, task: Task) -> None:
    """Everything checkable before work starts, without importing TextAttack (seconds)."""
    if spec.textattack not in RECIPES:
        raise RobustxError(f"unknown TextAttack recipe {spec.textattack!r}; offline ones: {', '.join(RECIPES)}")
    if task.kind != "classification":
        raise RobustxError(f"TextAttack recipes attack classifiers; {task.name} is {task.kind}")
    if spec.goal != "untargeted":
        raise RobustxError("TextAttack recipes run with their untargeted goal only")
    if importlib.util.find_spec("textattack") is None:
        raise RobustxError("TextAttack is not installed here: pip install 'robustx[textattack]' "
                           "(it needs transformers < 5, so use a separate environment)")


def key_parts(spec: AttackSpec) -> tuple:
    """What decides a TextAttack attack's output: the recipe, TextAttack's version, budget and fields."""
    from importlib.metadata import version

    return ("textattack", spec.textattack, version("textattack"), spec.max_queries, list(spec.fields))


def attack_records(spec: AttackSpec, task: Task, seed: int, examples: Sequence[Example], loaded, checkpoint,
                   batch_size: int, max_length: int) -> list[dict]:
    """One record per example, in order, in robustx's attack record format."""
    from robustx.attack.textattack_bridge import model_wrapper, textattack

    ta = textattack()
    import textattack.attack_recipes as recipes
    from textattack.attack_results import SkippedAttackResult, SuccessfulAttackResult
    from textattack.constraints.pre_transformation import InputColumnModification

    fields = tuple(task.text_fields)
    attack = getattr(recipes, RECIPES[spec.textattack]).build(
        model_wrapper(loaded, checkpoint, task, batch_size, max_length))
    frozen = set(fields) - set(spec.fields or fields)
    if frozen:
        attack.pre_transformation_constraints.append(InputColumnModification(list(fields), frozen))
    rows = [(tuple(ex.fields[f] for f in fields) if len(fields) > 1 else ex.fields[fields[0]],
             task.labels.index(ex.label)) for ex in examples]
    dataset = ta.datasets.Dataset(rows, input_columns=list(fields))
    args = ta.AttackArgs(num_examples=len(rows), random_seed=seed, silent=True, disable_stdout=True,
                         query_budget=spec.max_queries)
    results = ta.Attacker(attack, dataset, args).attack_dataset()
    out = []
    for ex, result in zip(examples, results, strict=True):
        before, after = result.original_result.attacked_text, result.perturbed_result.attacked_text
        status = ("success" if isinstance(result, SuccessfulAttackResult)
                  else "skipped" if isinstance(result, SkippedAttackResult) else "failed")
        pred = task.labels[int(result.perturbed_result.output)]
        words = len(before.words)
        modified = len(before.all_words_diff(after)) if status == "success" else 0
        adversarial = dict(after._text_input)
        out.append({
            "id": ex.id, "gold": ex.label, "pred": pred, "correct": pred == ex.label, "status": status,
            "clean_pred": task.labels[int(result.original_result.output)],
            "fields": {f: adversarial[f] for f in fields if adversarial[f] != ex.fields[f]} if status == "success" else {},
            "edits": [], "queries": int(result.perturbed_result.num_queries if status != "skipped" else 0),
            "words": words, "modified": modified,
            "budget": modified / words if status == "success" and words else None, "similarity": None,
        })
    return out
