"""Attack a shard's examples: build the attack from its spec, run every example's search in
lock-step, and turn each ending into a record (docs/attacks.md).

Each round gathers the inputs that all unfinished searches asked for, drops the states
below ``min_similarity`` (no query), tokenizes, and scores every token sequence that its
example has not had scored yet in one length-sorted pass; an example's queries stop at
``max_queries`` (later inputs are answered ``SPENT``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from robustx.attack.candidates import CandidateLister, attack_words
from robustx.attack.constraints import Constraints, allowed_candidates
from robustx.attack.goals import Outcome, goal_for
from robustx.attack.oracle import Oracle, TokenIds
from robustx.attack.params import build_params
from robustx.attack.search import FILTERED, SEARCHES, SPENT, Ask, Found, Problem, SearchMethod
from robustx.attack.similarity import Similarity
from robustx.errors import RobustxError
from robustx.perturb import PERTURBATIONS
from robustx.perturb.base import Perturbation, ShardContext
from robustx.study.spec import AttackSpec
from robustx.tasks.base import Example, Task

RECORD_KEYS = ("id", "gold", "pred", "correct", "status", "clean_pred", "fields", "edits", "queries", "words",
               "modified", "budget", "similarity")


@dataclass(frozen=True)
class Attack:
    """An attack spec built and checked against its task."""

    spec: AttackSpec
    perturbation: Perturbation
    constraints: Constraints
    search: SearchMethod
    search_params: Any
    goal: Callable[[np.ndarray, Example], Outcome]


def build_attack(spec: AttackSpec, task: Task) -> Attack:
    """``spec`` built for ``task``; every problem is a RobustxError naming the attack's part."""
    from robustx.attack.candidates import at_rate_one

    where = f"attack {spec.name}"
    perturbation = PERTURBATIONS.get(spec.transformation).from_dict(spec.params, f"{where}: params")
    at_rate_one(perturbation)
    search = SEARCHES.get(spec.search)
    return Attack(
        spec, perturbation,
        build_params(Constraints, spec.constraints, f"{where}: constraints"),
        search, build_params(search.Params, spec.search_params, f"{where}: search_params"),
        goal_for(spec.goal, task, spec.target),
    )


def attack_key(spec: AttackSpec) -> str:
    """What decides an attack's output, with its constraints and search parameters filled in with
    their defaults: a changed default changes the key, so a cached shard is never served stale.
    Transformation parameters that say where a resource lives are left out (the input key holds
    the resources' content). A TextAttack recipe's key is its name, version, budget and fields."""
    from robustx.hashing import stable_digest

    if spec.textattack:
        from robustx.attack.textattack_recipes import key_parts

        return stable_digest(*key_parts(spec))
    location = PERTURBATIONS.get(spec.transformation).location_params
    search = SEARCHES.get(spec.search)
    return stable_digest(
        spec.transformation, {k: v for k, v in spec.params.items() if k not in location}, spec.search,
        dataclasses.asdict(build_params(search.Params, spec.search_params, f"attack {spec.name}: search_params")),
        spec.goal, spec.target,
        dataclasses.asdict(build_params(Constraints, spec.constraints, f"attack {spec.name}: constraints")),
        spec.max_queries, spec.draws, list(spec.fields))


def attack_records(attack: Attack, task: Task, lang: str, seed: int, examples: Sequence[Example], oracle: Oracle,
                   aligned: Mapping[str, Mapping[str, Example]] | None = None,
                   similarity: Similarity | None = None) -> list[dict]:
    """One record per example, in order (see ``RECORD_KEYS`` and docs/attacks.md)."""
    spec = attack.spec
    fields = spec.fields or tuple(task.text_fields)
    lister = CandidateLister(attack.perturbation, seed, spec.draws)
    langs = attack.perturbation.aligned_languages(lang)
    missing = [other for other in langs if other not in (aligned or {})]
    if missing:
        raise RobustxError(f"attack {spec.name}: {spec.transformation} reads aligned rows of {', '.join(missing)}: "
                           "give them (language -> row -> example) from the same data source")
    lister.prepare(ShardContext(lang, tuple(fields), examples, {k: aligned[k] for k in langs}))
    problems = []
    for example in examples:
        refs = attack_words(example, fields)
        candidates = lister.candidates(example, fields, refs)
        usable = allowed_candidates(candidates, refs, lang, attack.constraints, attack.perturbation.cross_script)
        problems.append(Problem(example, tuple(fields), refs, candidates, usable,
                                attack.constraints.word_budget(len(refs)), oracle.mask_token))
    found = _lockstep(attack, task, problems, oracle, similarity)
    return [_record(attack, p, f, queries, similarity) for p, (f, queries) in zip(problems, found, strict=True)]


def _lockstep(attack: Attack, task: Task, problems: Sequence[Problem], oracle: Oracle,
              similarity: Similarity | None) -> list[tuple[Found, int]]:
    """Every problem's search run to its end; returns (ending, queries) per problem."""
    budget, floor = attack.spec.max_queries, attack.constraints.min_similarity
    scored: list[dict[TokenIds, Outcome]] = [{} for _ in problems]
    searches = {i: attack.search.run(p, attack.search_params) for i, p in enumerate(problems)}
    asks: dict[int, Ask] = {i: next(s) for i, s in searches.items()}
    ended: dict[int, Found] = {}
    while asks:
        answers: dict[int, list] = {i: [None] * len(ask.inputs) for i, ask in asks.items()}
        wanted: list[tuple[int, int, tuple[str, ...]]] = []
        if floor > 0 and similarity is not None:
            _filter(problems, asks, answers, similarity, floor)
        for i, ask in asks.items():
            wanted.extend((i, j, tuple(fields[f] for f in task.text_fields))
                          for j, fields in enumerate(ask.inputs) if answers[i][j] is None)
        ids = oracle.token_ids([inputs for _, _, inputs in wanted]) if wanted else []
        # Queries in request order per example, within the example's budget.
        todo: dict[int, list[TokenIds]] = {}
        for (i, j, _), key in zip(wanted, ids):
            if key in scored[i] or key in todo.get(i, ()):
                continue
            if len(scored[i]) + len(todo.get(i, ())) < budget:
                todo.setdefault(i, []).append(key)
        unique = list(dict.fromkeys(key for keys in todo.values() for key in keys))
        outputs = dict(zip(unique, oracle.outputs(unique))) if unique else {}
        for i, keys in todo.items():
            for key in keys:
                scored[i][key] = attack.goal(outputs[key], problems[i].example)
        for (i, j, _), key in zip(wanted, ids):
            answers[i][j] = scored[i].get(key, SPENT)
        for i in list(asks):
            try:
                asks[i] = searches[i].send(answers[i])
            except StopIteration as stop:
                ended[i] = stop.value
                del asks[i]
    return [(ended[i], len(scored[i])) for i in range(len(problems))]


def _filter(problems: Sequence[Problem], asks: Mapping[int, Ask], answers: Mapping[int, list],
            similarity: Similarity, floor: float) -> None:
    """Answer ``FILTERED`` for asked states whose changed fields fall below ``floor`` similarity."""
    pairs = [(problems[i].example.fields[f], fields[f]) for i, ask in asks.items() if ask.similar
             for fields in ask.inputs for f in problems[i].fields if fields[f] != problems[i].example.fields[f]]
    similarity.embed([text for pair in pairs for text in pair])
    for i, ask in asks.items():
        if ask.similar:
            for j, fields in enumerate(ask.inputs):
                if _similarity(problems[i], fields, similarity) < floor:
                    answers[i][j] = FILTERED


def _similarity(problem: Problem, fields: Mapping[str, str], similarity: Similarity) -> float:
    """The least similarity of an attacked field to its original (1 where none changed)."""
    original = problem.example.fields
    return min((similarity.cosine(original[f], fields[f]) for f in problem.fields), default=1.0)


def _record(attack: Attack, problem: Problem, found: Found, queries: int, similarity: Similarity | None) -> dict:
    example, state = problem.example, found.state
    fields = problem.fields_of(state)
    words, modified = len(problem.refs), len(problem.modified(state))
    checked = attack.constraints.min_similarity > 0 and similarity is not None
    return {
        "id": example.id,
        "gold": example.label,
        "pred": found.outcome.pred,
        "correct": found.outcome.pred == example.label,
        "status": found.status,
        "clean_pred": found.clean.pred,
        "fields": {f: fields[f] for f in problem.fields if fields[f] != example.fields[f]},
        "edits": [dataclasses.asdict(e) for i in state for e in problem.candidates[i].edits],
        "queries": queries,
        "words": words,
        "modified": modified,
        "budget": modified / words if found.status == "success" and words else None,
        "similarity": round(_similarity(problem, fields, similarity), 6) if checked else None,
    }
