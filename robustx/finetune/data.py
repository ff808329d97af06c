"""Training and dev data for fine-tuning: readers, label ids, holdout, leak checks, tokenization.

Local data comes either through the task's own reader (``split`` + ``lang`` on the
``../shared/data`` layout) or from an explicit TSV ``file`` in any of the pair layouts
(header with sentence1/sentence2 or premise/hypothesis and label/gold_label; or no header
with ``id s1 s2 label`` or ``s1 s2 label`` columns; the PAWS-Wiki copies have no header).
Every row goes through ``robustx.tasks.common.collect``, the same validation the
evaluation readers use. Hugging Face data goes through ``robustx.tasks.hf.hf_rows``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

from robustx.errors import RobustxError
from robustx.finetune.config import HF_DEFAULT, DataConfig
from robustx.hashing import file_sha256, stable_digest

# English evaluation copies in the ../shared/data layout: (relative path, text columns, header?).
EVAL_FILES = {
    "xnli": [("xnli/test/{lang}.tsv", ("sentence1", "sentence2"))],
    "pawsx": [("pawsx/test/{lang}.tsv", ("sentence1", "sentence2")),
              ("pawsx/dev/{lang}.tsv", (0, 1)),
              ("pawsx/paws_wiki_en/dev.tsv", (1, 2))],
}
_TEXT_COLUMNS = (("sentence1", "sentence2"), ("premise", "hypothesis"))
_LABEL_COLUMNS = ("label", "gold_label")
_ID_COLUMNS = ("id", "index", "pairID")


@dataclass(frozen=True)
class TrainTask:
    """What the trainer needs to know of a task: its kind, label names, text fields and metric.

    ``kind`` picks the model head, collation and dev scoring (``robustx.finetune.heads``):
    ``pair_classification`` or ``token_classification``.
    """

    name: str
    kind: str
    labels: tuple[str, ...]
    text_fields: tuple[str, ...]
    metric: str = "accuracy"


@dataclass
class TrainData:
    """Examples of one data set: the texts of each example (a pair's two sentences, a tagged
    sentence's words, a question and its context) with their labels: an integer in task label
    order per pair, one per word, or the (start, end) characters of each gold answer."""

    name: str
    task: TrainTask
    ids: list[str]
    texts: list[tuple[str, ...]]
    labels: list[Any]
    files: list[dict] = field(default_factory=list)  # [{"path", "sha256"}] or [{"hf": ...}]
    lang: str = "en"
    rows: list[str] = field(default_factory=list)  # language-independent keys (Example.row, else id)

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, index: Sequence[int], name: str | None = None) -> "TrainData":
        return TrainData(name or self.name, self.task, [self.ids[i] for i in index], [self.texts[i] for i in index],
                         [self.labels[i] for i in index], self.files, self.lang, [self.rows[i] for i in index])

    def content_digest(self) -> str:
        return stable_digest(self.ids, self.texts, self.labels, length=64)


# Task kinds robustx can train, and the training head of each.
TRAINABLE_KINDS = {"classification": "pair_classification", "tagging": "token_classification",
                   "qa": "span_extraction"}


def train_task(name: str) -> TrainTask:
    from robustx.tasks import TASKS

    cls = TASKS.get(name)
    kind = TRAINABLE_KINDS.get(cls.kind)
    if kind is None or (kind == "pair_classification" and len(cls.text_fields) != 2):
        raise RobustxError(f"task {name!r} ({cls.kind}) cannot be fine-tuned yet: only sentence-pair "
                           "classification, tagging and extractive QA")
    return TrainTask(name, kind, tuple(cls.labels), tuple(cls.text_fields), cls.metric)


def _task_instance(name: str):
    from robustx.models.labels import ALIASES
    from robustx.tasks import TASKS

    task = TASKS.get(name)()
    # Hub copies and hand-made files spell labels differently: accept the usual aliases too.
    aliases = dict(getattr(task, "label_aliases", {}))
    for label in task.labels:
        for alias in ALIASES.get(label, ()):
            aliases.setdefault(alias, label)
            aliases.setdefault(alias.upper(), label)
            aliases.setdefault(alias.capitalize(), label)
    task.label_aliases = aliases
    return task


def _file_rows(path: Path, text_fields: Sequence[str]) -> Iterator:
    from robustx.tasks.readers import RawRow, read_lines, tsv_header, tsv_lines

    lines = read_lines(path)
    if not lines:
        raise RobustxError(f"{path}: empty file")
    first = lines[0].split("\t")
    if any(c in first for c in _LABEL_COLUMNS):
        label_col = next(c for c in _LABEL_COLUMNS if c in first)
        text_cols = next((pair for pair in (tuple(text_fields), *_TEXT_COLUMNS) if all(c in first for c in pair)), None)
        if text_cols is None:
            raise RobustxError(f"{path}:1: header has no text columns (sentence1/sentence2 or premise/hypothesis)")
        cols = tsv_header(path, lines, (*text_cols, label_col))
        id_col = next((c for c in _ID_COLUMNS if c in cols), None)
        for line in tsv_lines(path, lines, len(first), first_line=2):
            if line.problem:
                yield RawRow(line.where, problem=line.problem)
                continue
            cells = line.cells
            row_id = cells[cols[id_col]] if id_col else str(line.number - 1)
            yield RawRow(line.where, row_id, (cells[cols[text_cols[0]]], cells[cols[text_cols[1]]]), cells[cols[label_col]])
        return
    width = len(first)
    if width not in (3, 4):
        raise RobustxError(f"{path}:1: expected a header or 3 (s1 s2 label) / 4 (id s1 s2 label) columns, got {width}")
    for line in tsv_lines(path, lines, width):
        if line.problem:
            yield RawRow(line.where, problem=line.problem)
            continue
        cells = line.cells
        if width == 4:
            yield RawRow(line.where, cells[0], (cells[1], cells[2]), cells[3])
        else:
            yield RawRow(line.where, str(line.number), (cells[0], cells[1]), cells[2])


def load_data(cfg: DataConfig, data_dir: str) -> TrainData:
    """Read one configured data set; every problem is a RobustxError naming the file or key."""
    from robustx.tasks.base import DataSource
    from robustx.tasks.common import collect

    spec = train_task(cfg.task)
    task = _task_instance(cfg.task)
    files: list[dict] = []
    if spec.kind != "pair_classification" and (cfg.file or cfg.source == "hf"):
        if cfg.file:
            raise RobustxError(f"data.{cfg.name}.file: a {cfg.task} data set is read by its task reader: "
                               "give split and lang instead")
        data = task.load(cfg.lang, DataSource(kind="hf", split=cfg.split, allow_skip=cfg.allow_skip, limit=cfg.limit))
        files.append({"hf": data.source})
    elif cfg.source == "local" and cfg.file:
        path = Path(cfg.file).expanduser()
        path = path if path.is_absolute() else Path(data_dir) / path
        if not path.is_file():
            raise RobustxError(f"data.{cfg.name}.file: file not found: {path}")
        source = DataSource(kind="local", path=str(path), split=cfg.name, allow_skip=cfg.allow_skip, limit=cfg.limit)
        data = collect(task, cfg.lang, source, _file_rows(path, spec.text_fields), str(path))
        files.append({"path": str(path), "sha256": file_sha256(path)})
    elif cfg.source == "local":
        source = DataSource(kind="local", path=data_dir, split=cfg.split, allow_skip=cfg.allow_skip, limit=cfg.limit)
        data = task.load(cfg.lang, source)
        files.append({"path": data.source, "sha256": file_sha256(data.source)})
    else:
        from robustx.tasks.hf import hf_rows

        dataset = cfg.dataset or HF_DEFAULT[cfg.task]
        subset = cfg.subset or ("" if cfg.dataset else cfg.lang)
        columns = cfg.columns or spec.text_fields
        rows, origin = hf_rows(dataset, subset or None, cfg.split, columns, label_column=cfg.label_column)
        source = DataSource(kind="hf", split=cfg.split, allow_skip=cfg.allow_skip, limit=cfg.limit)
        data = collect(task, cfg.lang, source, rows, origin)
        files.append({"hf": origin})
    if not data.examples:
        raise RobustxError(f"data.{cfg.name} ({cfg.describe()}): no examples")
    texts, labels = zip(*(_example(spec, task, e) for e in data.examples))
    out = TrainData(name=cfg.name, task=spec, ids=[e.id for e in data.examples], texts=list(texts),
                    labels=list(labels), files=files, lang=cfg.lang, rows=[e.row or e.id for e in data.examples])
    if data.skipped:
        out.files[-1]["skipped_rows"] = data.skipped
    return out


def _example(spec: TrainTask, task, example) -> tuple[tuple[str, ...], Any]:
    """An example's texts and label as its kind trains on them (TrainData's docstring)."""
    if spec.kind == "token_classification":
        from robustx.runner.scoring import words_of

        index = {label: i for i, label in enumerate(spec.labels)}
        return words_of(task, example), tuple(index[s.label] for s in example.spans)
    texts = tuple(example.fields[f] for f in spec.text_fields)
    if spec.kind == "span_extraction":
        return texts, tuple((s.start, s.end) for s in example.spans)
    return texts, spec.labels.index(example.label)


def holdout_split(data: TrainData, n: int) -> tuple[TrainData, TrainData]:
    """(train, dev): the examples of the units with the smallest stable hash of (data name, unit)
    form dev, units added until ``n`` examples are out.

    A unit is an example, or for extractive QA a context with all its questions, so that no
    held-out question's paragraph is read in training. The choice depends only on the data,
    never on the seed, so every run shares one dev set.
    """
    if n >= len(data):
        raise RobustxError(f"data.{data.name}.holdout = {n} leaves no training examples (it has {len(data)})")
    if data.task.kind == "span_extraction":
        context = data.task.text_fields.index("context")
        units = [data.texts[i][context] for i in range(len(data))]
    else:
        units = data.ids
    members: dict[str, list[int]] = {}
    for i, unit in enumerate(units):
        members.setdefault(unit, []).append(i)
    dev: set[int] = set()
    for unit in sorted(members, key=lambda u: stable_digest(data.name, u)):
        if len(dev) >= n:
            break
        dev.update(members[unit])
    if len(dev) == len(data):
        raise RobustxError(f"data.{data.name}.holdout = {n} leaves no training examples (whole contexts are held out)")
    return (data.subset([i for i in range(len(data)) if i not in dev]),
            data.subset([i for i in range(len(data)) if i in dev], name=f"{data.name}:holdout"))


def check_no_leak(data: TrainData, cfg: DataConfig, data_dir: str) -> None:
    """Refuse training data sharing any (text_a, text_b) pair with an evaluation copy in ``data_dir``
    (for tagging and QA: a copy or slice of the task's test set in that language, read by its reader).

    A content check behind the name check in ``config.forbidden_reason``: it also catches an
    evaluation file copied or renamed elsewhere.
    """
    from robustx.tasks.readers import read_lines

    if not data_dir:
        return
    train = set(data.texts)
    if data.task.kind != "pair_classification":
        _check_no_test_examples(data, train, cfg, data_dir)
        return
    for pattern, cols in EVAL_FILES.get(data.task.name, []):
        path = Path(data_dir) / pattern.format(lang=cfg.lang)
        if not path.is_file():
            continue
        lines = read_lines(path)
        if not lines:
            continue
        header = lines[0].split("\t")
        if isinstance(cols[0], str):
            if not all(c in header for c in cols):
                continue
            a, b = header.index(cols[0]), header.index(cols[1])
            body = lines[1:]
        else:
            a, b = cols
            body = lines
        hits = 0
        for line in body:
            cells = line.split("\t")
            if len(cells) > max(a, b) and (cells[a], cells[b]) in train:
                hits += 1
        if hits:
            raise RobustxError(f"data.{cfg.name} ({cfg.describe()}) shares {hits} pairs with the evaluation file "
                               f"{path}: training on it would leak evaluation data")


# Official splits repeat short sentences ("Thanks !"; UD English-EWT dev and test share 73, 72 of
# them under five words, and one quotation): a leak is a copy or a slice of the evaluation set.
LEAK_MIN_WORDS = 5
LEAK_SHARE = 0.01


def _check_no_test_examples(data: TrainData, train: set, cfg: DataConfig, data_dir: str) -> None:
    """Refuse training data holding over 1 % of the task's test examples in that language (for
    tagging, counting sentences of five or more words)."""
    from robustx.tasks.base import DataSource

    task = _task_instance(data.task.name)
    if "test" not in task.splits:
        return
    try:
        test = task.load(cfg.lang, DataSource(kind="local", path=data_dir, split="test", allow_skip=True))
    except RobustxError:
        return  # no test copy in data_dir: nothing to leak into
    texts = [_example(data.task, task, e)[0] for e in test.examples]
    if data.task.kind == "token_classification":
        texts = [words for words in texts if len(words) >= LEAK_MIN_WORDS]
    hits = sum(1 for text in texts if text in train)
    if texts and hits > LEAK_SHARE * len(texts):
        raise RobustxError(f"data.{cfg.name} ({cfg.describe()}) holds {hits} of the {len(texts)} examples of the "
                           f"evaluation data {test.source}: training on it would leak evaluation data")


@dataclass
class RunData:
    """One run's data: training sets per phase (holdouts removed, ``examples`` caps applied) and dev."""

    intermediate: list[TrainData]
    target: TrainData
    dev: TrainData
    records: dict[str, dict]  # data name -> metadata (files, sha256, examples, content digest)
    heldout: dict | None = None  # {"data": target data name, "rows": held-out rows} when dev is a holdout


_LOADED: dict[tuple, TrainData] = {}


def _load_cached(cfg: DataConfig, data_dir: str) -> TrainData:
    key = (cfg, data_dir)
    if key not in _LOADED:
        _LOADED[key] = load_data(cfg, data_dir)
    return _LOADED[key]


def _training_part(cfg: DataConfig, data_dir: str) -> TrainData:
    full = _load_cached(cfg, data_dir)
    check_no_leak(full, cfg, data_dir)
    return holdout_split(full, cfg.holdout)[0] if cfg.holdout else full


def _cap(data: TrainData, examples: int | None) -> TrainData:
    return data if examples is None or examples >= len(data) else data.subset(range(examples))


def prepare_run(run) -> RunData:
    """Load, split, cap and leak-check every data set of ``run`` (cheap: no torch, no tokenizer)."""
    records: dict[str, dict] = {}

    def record(cfg: DataConfig, data: TrainData, role: str) -> None:
        entry = records.setdefault(cfg.name, {
            "task": cfg.task, "source": cfg.source, "lang": cfg.lang, **({"split": cfg.split} if cfg.split else {}),
            "description": cfg.describe(), "files": data.files, "labels": list(data.task.labels), "roles": {},
        })
        entry["roles"][role] = {"examples": len(data), "content_sha256": data.content_digest()}

    inter = []
    for cfg in run.intermediate:
        data = _cap(_training_part(cfg, run.data_dir), run.intermediate_hp.examples)
        record(cfg, data, "intermediate")
        inter.append(data)
    target = _cap(_training_part(run.target, run.data_dir), run.target_hp.examples)
    record(run.target, target, "target")
    heldout = None
    if run.dev is not None:
        dev = _load_cached(run.dev, run.data_dir)
        record(run.dev, dev, "dev")
    else:
        dev = holdout_split(_load_cached(run.target, run.data_dir), run.target.holdout)[1]
        record(run.target, dev, "dev")
        heldout = {"data": run.target.name, "rows": sorted(dev.rows)}
    return RunData(inter, target, dev, records, heldout)
