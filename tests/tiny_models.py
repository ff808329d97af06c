"""Tiny random-weight checkpoints in standard layouts, made on the fly (no download).

They load in well under a second, so tests of the runner and of checkpoint handling
need no real model. Their predictions are meaningless but deterministic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from conftest import SHARED

XLMR_TOKENIZER = SHARED / "models" / "xlmr-tokenizer" / "tokenizer.json"
XNLI_LABELS = ("entailment", "neutral", "contradiction")


def xlmr_tokenizer():
    from conftest import require_shared
    from transformers import PreTrainedTokenizerFast

    require_shared("models", "xlmr-tokenizer", "tokenizer.json")
    return PreTrainedTokenizerFast(tokenizer_file=str(XLMR_TOKENIZER), bos_token="<s>", eos_token="</s>",
                                   unk_token="<unk>", sep_token="</s>", pad_token="<pad>", cls_token="<s>",
                                   mask_token="<mask>")


def tiny_xlmr_classifier(path: Path, labels: Sequence[str] = XNLI_LABELS, seed: int = 0,
                         safe_serialization: bool = True) -> Path:
    """A 2-layer, 16-wide XLM-R sequence classifier with named labels and the real XLM-R tokenizer."""
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaForSequenceClassification

    torch.manual_seed(seed)
    config = XLMRobertaConfig(vocab_size=250002, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                              intermediate_size=32, max_position_embeddings=130, num_labels=len(labels),
                              id2label=dict(enumerate(labels)), label2id={l: i for i, l in enumerate(labels)})
    model = XLMRobertaForSequenceClassification(config).eval()
    model.save_pretrained(path, safe_serialization=safe_serialization)
    xlmr_tokenizer().save_pretrained(path)
    return path
