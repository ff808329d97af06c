"""Perturbation throughput and grapheme safety: robustx vs nlpaug and TextAttack, side by side.

Compares, in one run on the same real sentences (XNLI test premises and hypotheses in
en de ru ar hi th zh el, plus PAWS-X dev sentence pairs in ja: 9 languages, 8 scripts --
XNLI alone has only 7 -- 250 sentences each):

  robustx char.keyboard_typo        vs nlpaug KeyboardAug, TextAttack WordSwapQWERTY (Augmenter)
  robustx char.random_edit (swap)   vs nlpaug RandomCharAug(action="swap")
  robustx translate.code_switch     alone (goal >= 10,000 sentences/s)

robustx runs the way a study runs it: ``perturb_examples`` on the examples of each task (both text
fields), which builds a fresh per-example, per-field ``example_rng``; each timed pass
starts with empty per-word and per-token memo tables and a new recipe instance ("cold"; one-time loading of
keyboard tables, alphabets and dictionaries happens in an untimed warm-up pass, as it
happens once per process in a study). A "warm" pass (caches kept) is shown for reference.
Every figure is the median of ``--repeats`` passes, interleaved (one pass of every method
per round, rotating the order) so that load from other jobs hits all methods alike; wall
time gives sentences/s, process CPU time a cross-check that such load disturbs less.
TextAttack is slow: it runs on an evenly spread subset (``--textattack-examples`` examples
per language) and its rate is per sentence; robustx is also timed on that subset.

Settings (about one edit per 10 % of words everywhere):
  robustx   keyboard_typo rate=0.1 max_per_word=1 (own layout per language; zh through its pinyin
            IME: homophones and one-key slips); random_edit rate=0.1 ops=[swap];
            code_switch defaults (rate=0.3, embedded de es fr ru zh, top_k=1, pivot=true).
  nlpaug    KeyboardAug(aug_word_p=0.1, aug_char_min=1, aug_char_max=1, include_numeric=False,
            include_special_char=False, lang=own layout if nlpaug has one (en de th), ru->uk
            (closest Cyrillic layout it ships), else its default en); RandomCharAug(action="swap",
            aug_word_p=0.1, aug_char_min=1, aug_char_max=1, swap_mode="adjacent"). Other
            arguments at their defaults (aug_word_min=1, min_char=4). One ``augment(list)``
            call per language (its fastest single-thread path). Seeded with random/numpy.
  TextAttack Augmenter(WordSwapQWERTY(), pct_words_to_swap=0.1, transformations_per_example=1),
            no constraints; one ``augment(text)`` call per sentence.

Grapheme safety, on the same sentences: the fraction of outputs that
  * detach a combining mark: the output has a grapheme cluster (regex ``\\X``) that holds a
    combining mark (\\p{M}) but does not start with a letter -- a mark on its own or on a
    space/punctuation -- that the input does not have;
  * inject a foreign script into a word: inside runs of letters and marks, the output has more
    changes of script between neighbouring letters than the input (Han, Hiragana and Katakana
    count as one script; Common/Inherited letters are ignored).

Setup: the peers pin transformers<5, so they live in a venv of their own (see
benchmarks/requirements-peers.txt):

    python3 -m venv /work/peers-venv && . /work/peers-venv/bin/activate
    pip install torch==2.13.0 && pip install -r benchmarks/requirements-peers.txt
    pip install -e . --no-deps

Usage (a missing peer is skipped with a note, so robustx's own venv runs it too):

    ROBUSTX_LEXICAL_DIR=../shared/data/lexical /work/peers-venv/bin/python benchmarks/bench_perturb.py \\
        [--data ../shared/data] [--per-lang 250] [--repeats 7] [--textattack-examples 25]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from collections import Counter
from itertools import groupby
from pathlib import Path
from typing import Callable, Sequence

ROOT = Path(__file__).resolve().parents[1]
SEED = 0
# (task, split, language): XNLI has 7 scripts; PAWS-X ja (dev: its test copy here lacks ja) adds kana.
SOURCES = (
    ("xnli", "test", ("en", "de", "ru", "ar", "hi", "th", "zh", "el")),
    ("pawsx", "dev", ("ja",)),
)
NLPAUG_KEYBOARD = {"en": "en", "de": "de", "th": "th", "ru": "uk"}  # else nlpaug's default "en"

# --------------------------------------------------------------------------- data


def load_examples(data: Path, per_lang: int) -> dict[str, list]:
    """``per_lang // 2`` examples (two text fields each) per language, spread over the file.

    XNLI repeats each premise for three hypotheses in consecutive rows: a step that is a
    multiple of 3 gives distinct premises.
    """
    from robustx.tasks import TASKS, DataSource

    out: dict[str, list] = {}
    for task_name, split, langs in SOURCES:
        task = TASKS.get(task_name)()
        for lang in langs:
            examples = list(task.load(lang, DataSource(path=str(data), split=split)).examples)
            want = per_lang // 2
            step = max(1, len(examples) // want)
            if task_name == "xnli":
                step = max(3, step - step % 3)
            out[lang] = examples[::step][:want]
    return out


def sentences_of(examples: Sequence) -> list[str]:
    return [text for ex in examples for text in ex.fields.values()]


# --------------------------------------------------------------------------- safety

import regex  # noqa: E402  (robustx dependency; also in the peers venv)

_CLUSTER = regex.compile(r"\X")
_RUN = regex.compile(r"[\p{L}\p{M}]+")
_LETTER = regex.compile(r"\p{L}")
_MARK = regex.compile(r"\p{M}")
_SAME = {"Hiragana": "Han", "Katakana": "Han"}


def _detached(text: str) -> Counter:
    return Counter(c for c in _CLUSTER.findall(text) if not _LETTER.match(c[0]) and _MARK.search(c))


def _script_changes(text: str) -> int:
    from robustx.text.scripts import char_info

    changes = 0
    for run in _RUN.findall(text):
        previous = None
        for char in run:
            script, letter, _ = char_info(char)
            if not letter or script in ("Common", "Inherited"):
                continue
            script = _SAME.get(script, script)
            if previous is not None and script != previous:
                changes += 1
            previous = script
    return changes


def safety(inputs: Sequence[str], outputs: Sequence[str]) -> dict[str, float]:
    detached = foreign = either = changed = 0
    for before, after in zip(inputs, outputs, strict=True):
        d = bool(_detached(after) - _detached(before))
        f = _script_changes(after) > _script_changes(before)
        detached += d
        foreign += f
        either += d or f
        changed += after != before
    n = len(inputs)
    return {"n": n, "changed": changed / n, "detached": detached / n, "foreign": foreign / n, "either": either / n}


# --------------------------------------------------------------------------- methods


class Method:
    """A timed pass: ``setup()`` (untimed) then ``run()`` returning outputs in input order."""

    def __init__(self, label: str, inputs: list[str], langs: list[str], run: Callable[[], list[str]],
                 setup: Callable[[], None] = lambda: None) -> None:
        self.label, self.inputs, self.langs, self.run, self.setup = label, inputs, langs, run, setup
        self.cross_script = False  # inserts other scripts by design: the foreign-script check does not apply
        self.times: list[float] = []
        self.cpu: list[float] = []  # process CPU time: less sensitive to other jobs on a shared machine
        self.outputs: list[str] | None = None

    def timed(self) -> None:
        self.setup()
        gc.collect()
        start, cpu = time.perf_counter(), time.process_time()
        outputs = self.run()
        self.times.append(time.perf_counter() - start)
        self.cpu.append(time.process_time() - cpu)
        if self.outputs is None:
            self.outputs = outputs

    @property
    def rate(self) -> float:
        return len(self.inputs) / statistics.median(self.times)

    @property
    def cpu_rate(self) -> float:
        return len(self.inputs) / statistics.median(self.cpu)


def robustx_method(label: str, name: str, params: dict, examples: list, warm: bool) -> Method:
    from robustx.perturb import PERTURBATIONS
    from robustx.perturb.base import perturb_examples

    cls = PERTURBATIONS.get(name)
    kept = cls(cls.Params(**params))

    def clear() -> None:  # the recipes' memo tables; loading caches stay (once per process)
        import robustx.perturb.candidates as candidates
        import robustx.perturb.char.keyboard_typo as keyboard_typo
        import robustx.perturb.char.random_edit as random_edit

        candidates._eligible.cache_clear()  # the per-token memo
        keyboard_typo._spots.cache_clear()  # and the per-word ones
        random_edit._applicable.cache_clear()

    # One batch per task (XNLI and PAWS-X name their two text fields differently), as a shard is one task.
    batches = [(fields, list(group)) for fields, group in groupby(examples, key=lambda ex: tuple(ex.fields))]

    def run() -> list[str]:
        recipe = kept if warm else cls(cls.Params(**params))
        out: list[str] = []
        for fields, batch in batches:
            out.extend(done.example.fields[f] for done in perturb_examples(recipe, batch, SEED, fields) for f in fields)
        return out

    run()  # untimed warm-up: keyboard tables, alphabets, dictionaries load once per process
    langs = [ex.lang for ex in examples for _ in ex.fields]
    method = Method(label, sentences_of(examples), langs, run, setup=(lambda: None) if warm else clear)
    method.cross_script = cls.cross_script
    return method


def nlpaug_method(label: str, make: Callable[[str], object], examples: dict[str, list]) -> Method:
    import numpy as np

    augmenters = {lang: make(lang) for lang in examples}
    texts = {lang: sentences_of(exs) for lang, exs in examples.items()}

    def seed() -> None:
        random.seed(SEED)
        np.random.seed(SEED)

    def run() -> list[str]:
        out: list[str] = []
        for lang, batch in texts.items():
            out.extend(augmenters[lang].augment(batch))
        return out

    inputs = [t for batch in texts.values() for t in batch]
    langs = [lang for lang, batch in texts.items() for _ in batch]
    return Method(label, inputs, langs, run, setup=seed)


def textattack_method(label: str, augmenter, examples: list) -> Method:
    import numpy as np

    def seed() -> None:
        random.seed(SEED)
        np.random.seed(SEED)

    inputs = sentences_of(examples)

    def run() -> list[str]:
        out = []
        for text in inputs:
            got = augmenter.augment(text)
            out.append(got[0] if got else text)
        return out

    return Method(label, inputs, [ex.lang for ex in examples for _ in ex.fields], run, setup=seed)


# --------------------------------------------------------------------------- peers


def import_nlpaug():
    try:
        import nlpaug.augmenter.char as nac  # noqa: F401
    except Exception as exc:  # noqa: BLE001 - any import failure means "skip this peer"
        print(f"note: nlpaug not importable ({type(exc).__name__}: {exc}); skipping it. "
              "Install the peers venv (benchmarks/requirements-peers.txt).")
        return None
    return nac


def import_textattack(cache: Path):
    """Import TextAttack offline (robustx.attack.textattack_bridge: NLTK stopwords and its
    post-install marker in our own cache), or None with a note where it cannot be."""
    from robustx.attack.textattack_bridge import textattack
    from robustx.errors import RobustxError

    start = time.perf_counter()
    try:
        textattack(cache)
        from textattack.augmentation import Augmenter
        from textattack.transformations import WordSwapQWERTY
    except RobustxError as exc:
        print(f"note: {exc}; skipping it. Use the peers venv (benchmarks/requirements-peers.txt).")
        return None
    print(f"TextAttack imported in {time.perf_counter() - start:.1f} s")
    return Augmenter(transformation=WordSwapQWERTY(), pct_words_to_swap=0.1, transformations_per_example=1)


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--per-lang", type=int, default=250, help="sentences per language (2 per example)")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--textattack-examples", type=int, default=25,
                        help="examples (2 sentences each) per language for TextAttack's subset")
    parser.add_argument("--peer-cache", default=str(Path.home() / ".cache" / "robustx-bench"),
                        help="where NLTK stopwords and TextAttack's marker are written")
    args = parser.parse_args()
    if args.repeats < 3:
        parser.error("--repeats must be >= 3")
    os.environ.setdefault("ROBUSTX_LEXICAL_DIR", str(Path(args.data) / "lexical"))
    random.seed(SEED)

    from robustx.perturb import PERTURBATIONS

    by_lang = load_examples(Path(args.data), args.per_lang)
    keyboard = PERTURBATIONS.get("char.keyboard_typo")
    declined = {lang: r for lang in by_lang if (r := keyboard(keyboard.Params()).unsupported_reason(lang))}
    kb_lang = {lang: exs for lang, exs in by_lang.items() if lang not in declined}
    ta_lang = {lang: exs[:: max(1, len(exs) // args.textattack_examples)][: args.textattack_examples]
               for lang, exs in kb_lang.items()}
    flat = lambda d: [ex for exs in d.values() for ex in exs]  # noqa: E731
    all_ex, kb_ex, ta_ex = flat(by_lang), flat(kb_lang), flat(ta_lang)

    print(f"python {sys.version.split()[0]}; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}")
    print(f"sentences: {len(sentences_of(all_ex))} in {len(by_lang)} languages ({' '.join(by_lang)}), "
          f"{len(sentences_of(all_ex)) // len(by_lang)} each; keyboard set {len(sentences_of(kb_ex))} "
          f"(robustx declines {', '.join(f'{k}: {v}' for k, v in declined.items()) or 'none'})")

    methods: list[Method] = [
        robustx_method("robustx char.keyboard_typo", "char.keyboard_typo",
                       {"rate": 0.1, "max_per_word": 1}, kb_ex, warm=False),
        robustx_method("robustx char.keyboard_typo, warm caches", "char.keyboard_typo",
                       {"rate": 0.1, "max_per_word": 1}, kb_ex, warm=True),
        robustx_method("robustx char.keyboard_typo, TextAttack subset", "char.keyboard_typo",
                       {"rate": 0.1, "max_per_word": 1}, ta_ex, warm=False),
        robustx_method("robustx char.random_edit swap", "char.random_edit",
                       {"rate": 0.1, "ops": ["swap"]}, all_ex, warm=False),
        robustx_method("robustx char.random_edit swap, warm caches", "char.random_edit",
                       {"rate": 0.1, "ops": ["swap"]}, all_ex, warm=True),
        robustx_method("robustx translate.code_switch", "translate.code_switch", {}, all_ex, warm=False),
        robustx_method("robustx translate.code_switch, warm caches", "translate.code_switch",
                       {}, all_ex, warm=True),
    ]
    nac = import_nlpaug()
    if nac is not None:
        methods.append(nlpaug_method(
            "nlpaug KeyboardAug",
            lambda lang: nac.KeyboardAug(aug_word_p=0.1, aug_char_min=1, aug_char_max=1, include_numeric=False,
                                         include_special_char=False, lang=NLPAUG_KEYBOARD.get(lang, "en")),
            kb_lang))
        methods.append(nlpaug_method(
            "nlpaug RandomCharAug swap",
            lambda lang: nac.RandomCharAug(action="swap", aug_word_p=0.1, aug_char_min=1, aug_char_max=1,
                                           swap_mode="adjacent"),
            by_lang))
    augmenter = import_textattack(Path(args.peer_cache))
    if augmenter is not None:
        methods.append(textattack_method("TextAttack WordSwapQWERTY (subset)", augmenter, ta_ex))

    for r in range(args.repeats):
        shift = r % len(methods)
        for method in methods[shift:] + methods[:shift]:
            method.timed()
        print(f"round {r + 1}/{args.repeats} done")

    print()
    print(f"Throughput (median of {args.repeats} interleaved passes; one perturbed output per sentence)")
    print(f"| {'method':48} | sentences | median s | sentences/s | CPU s | sentences/CPU s |")
    print(f"|{'-' * 50}|-----------|----------|-------------|-------|-----------------|")
    for m in methods:
        print(f"| {m.label:48} | {len(m.inputs):9} | {statistics.median(m.times):8.3f} | {m.rate:11,.0f} "
              f"| {statistics.median(m.cpu):5.3f} | {m.cpu_rate:15,.0f} |")
    print("all passes, wall s: " + "; ".join(f"{m.label}: " + " ".join(f"{t:.3f}" for t in m.times) for m in methods))

    find = {m.label: m for m in methods}

    def ratio(a: str, b: str, goal: float, note: str = "") -> None:
        if a in find and b in find:
            value = find[a].rate / find[b].rate
            cpu = find[a].cpu_rate / find[b].cpu_rate
            verdict = "meets" if value >= goal else "MISSES"
            print(f"- {a} / {b} = {value:,.1f}x wall, {cpu:,.1f}x CPU (goal >= {goal:g}x: {verdict}){note}")
        else:
            print(f"- {a} / {b}: n/a ({b if a in find else a} not run)")

    print()
    print("Ratios (sentences/s over sentences/s)")
    ratio("robustx char.keyboard_typo", "nlpaug KeyboardAug", 10)
    ratio("robustx char.keyboard_typo", "TextAttack WordSwapQWERTY (subset)", 100,
          f" -- TextAttack on {len(sentences_of(ta_ex))} sentences, rate per sentence")
    ratio("robustx char.keyboard_typo, TextAttack subset", "TextAttack WordSwapQWERTY (subset)", 100,
          " -- both on the same subset")
    ratio("robustx char.random_edit swap", "nlpaug RandomCharAug swap", 10)
    cs = find["robustx translate.code_switch"].rate
    cs_cpu = find["robustx translate.code_switch"].cpu_rate
    print(f"- robustx translate.code_switch: {cs:,.0f} sentences/s wall, {cs_cpu:,.0f} per CPU second (goal >= 10,000: "
          f"{'meets' if cs >= 10_000 else 'MISSES'})")

    print()
    print("Grapheme safety (fraction of outputs): detached combining mark | foreign script injected into a word")
    print(f"| {'method':48} | sentences | changed | detached mark | foreign script | either |")
    print(f"|{'-' * 50}|-----------|---------|---------------|----------------|--------|")
    per_lang_rows = []
    for m in methods:
        if "warm" in m.label or m.label.endswith("TextAttack subset"):
            continue
        s = safety(m.inputs, m.outputs)
        foreign = "by design" if m.cross_script else f"{s['foreign']:14.1%}"
        either = s["detached"] if m.cross_script else s["either"]
        print(f"| {m.label:48} | {s['n']:9} | {s['changed']:7.1%} | {s['detached']:13.1%} | {foreign:>14} "
              f"| {either:6.1%} |")
        per_lang_rows.append(m)
    if any(m.cross_script for m in per_lang_rows):
        print("  by design: code_switch replaces whole words by words of other scripts; its 'either' column "
              "counts detached marks only.")

    print()
    print("Safety by language: either flag (detached mark or foreign script; code_switch: detached mark only)")
    langs = list(by_lang)
    print(f"| {'method':48} | " + " | ".join(f"{lang:>5}" for lang in langs) + " |")
    print(f"|{'-' * 50}|" + "|".join("-------" for _ in langs) + "|")
    for m in per_lang_rows:
        cells = []
        for lang in langs:
            pairs = [(a, b) for a, b, l in zip(m.inputs, m.outputs, m.langs) if l == lang]
            key = "detached" if m.cross_script else "either"
            cells.append(f"{safety(*zip(*pairs))[key]:5.0%}" if pairs else "    -")
        print(f"| {m.label:48} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
