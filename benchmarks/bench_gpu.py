"""Throughput and model-FLOPs utilization of robustx's scoring path on an XLM-R-large-shaped classifier.

Random weights (timing only) in the shape of xlm-roberta-large (24 layers, width 1024, 16
heads, FFN 4096, the real XLM-R vocabulary and tokenizer) score the full XNLI test (15
languages x 5,010 pairs) through `robustx.engine.predict.predict_logits`, the path a study
uses: length-sorted batches, dynamic padding, `[run] dtype`. Printed:

  tokens/s        real (unpadded) tokens scored per second
  MFU             model FLOPs of those tokens per second / the GPU's dense peak in that dtype,
                  with model FLOPs per token = 2 x non-embedding parameters + 4 x layers x
                  width x the pair's length (attention scores and values; Kaplan et al. 2020)

Goal: >= 40 % MFU in bfloat16 on an H100-class GPU. Without a GPU it says so and times a
small slice in float32 on the CPU (MFU not defined there).

Usage: python benchmarks/bench_gpu.py [--data ../shared/data] [--dtype bfloat16] [--batch-size 256]
       [--pairs N (default: all on a GPU, 48 on a CPU)]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

LANGS = ("ar", "bg", "de", "el", "en", "es", "fr", "hi", "ru", "sw", "th", "tr", "ur", "vi", "zh")
# Dense (no sparsity) peak FLOP/s by GPU name fragment and dtype, from the vendors' data sheets.
PEAKS = {
    "H200": {"bfloat16": 989e12, "float16": 989e12, "float32": 67e12},
    "H100": {"bfloat16": 989e12, "float16": 989e12, "float32": 67e12},
    "A100": {"bfloat16": 312e12, "float16": 312e12, "float32": 19.5e12},
    "L40S": {"bfloat16": 362e12, "float16": 362e12, "float32": 91.6e12},
}


def xnli_pairs(data: Path, limit: int | None) -> list[tuple[str, str]]:
    from robustx.tasks import TASKS
    from robustx.tasks.base import DataSource

    task = TASKS.get("xnli")()
    pairs = [(ex.fields["premise"], ex.fields["hypothesis"])
             for lang in LANGS for ex in task.load(lang, DataSource(path=str(data))).examples]
    return pairs[:: max(1, len(pairs) // limit)][:limit] if limit else pairs


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(root.parent / "shared" / "data"))
    parser.add_argument("--tokenizer", default=str(root.parent / "shared" / "models" / "xlmr-tokenizer" / "tokenizer.json"))
    parser.add_argument("--dtype", default="bfloat16", choices=("bfloat16", "float16", "float32"))
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--pairs", type=int, default=None)
    args = parser.parse_args()

    import torch
    from transformers import PreTrainedTokenizerFast, XLMRobertaConfig, XLMRobertaForSequenceClassification

    from robustx.engine.predict import predict_logits, tokenize

    gpu = torch.cuda.is_available()
    device, dtype = ("cuda", args.dtype) if gpu else ("cpu", "float32")
    if not gpu:
        torch.set_num_threads(2)
        print("no GPU found: timing a small slice on the CPU in float32 (MFU is defined for a GPU only)")
    pairs = xnli_pairs(Path(args.data), args.pairs if args.pairs or gpu else 48)
    tokenizer = PreTrainedTokenizerFast(tokenizer_file=args.tokenizer, bos_token="<s>", eos_token="</s>",
                                        unk_token="<unk>", sep_token="</s>", pad_token="<pad>", cls_token="<s>",
                                        mask_token="<mask>")
    config = XLMRobertaConfig(vocab_size=250002, hidden_size=1024, num_hidden_layers=24, num_attention_heads=16,
                              intermediate_size=4096, max_position_embeddings=514, num_labels=3)
    torch.manual_seed(0)
    model = XLMRobertaForSequenceClassification(config).to(device, getattr(torch, dtype)).eval()
    non_embedding = sum(p.numel() for n, p in model.named_parameters() if "embeddings" not in n)
    lengths = [len(ids) for ids in tokenize(tokenizer, pairs, 128)]

    def run(subset):
        predict_logits(model, tokenizer, subset, batch_size=args.batch_size, max_length=128, device=device)
        if gpu:
            torch.cuda.synchronize()

    run(pairs[: args.batch_size])  # warm-up: kernels, allocator
    started = time.perf_counter()
    run(pairs)
    seconds = time.perf_counter() - started
    tokens = sum(lengths)
    flops = sum(2 * non_embedding * n + 4 * config.num_hidden_layers * config.hidden_size * n * n for n in lengths)
    name = torch.cuda.get_device_name() if gpu else "CPU"
    print(f"{name}, {dtype}, {len(pairs)} XNLI pairs ({tokens} tokens, mean {tokens / len(pairs):.1f}), "
          f"batch {args.batch_size}: {seconds:.2f} s")
    print(f"  tokens/s = {tokens / seconds:,.0f}")
    print(f"  model TFLOP/s = {flops / seconds / 1e12:.1f}")
    peak = next((p[dtype] for key, p in PEAKS.items() if key in name), None) if gpu else None
    if peak:
        print(f"  MFU = {100 * flops / seconds / peak:.1f} %  (peak {peak / 1e12:.0f} TFLOP/s, goal >= 40 %)")
    elif gpu:
        print(f"  MFU: no peak on record for {name}; divide the TFLOP/s above by its dense {dtype} peak")


if __name__ == "__main__":
    main()
