"""Tiny random-weight checkpoints in standard layouts, made on the fly (no download).

They load in well under a second, so tests of the runner and of checkpoint handling
need no real model. Their predictions are meaningless but deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from conftest import SHARED

XLMR_TOKENIZER = SHARED / "models" / "xlmr-tokenizer" / "tokenizer.json"
XNLI_LABELS = ("entailment", "neutral", "contradiction")
# Weights drawn wider than HF's 0.02 so that logits differ between inputs: comparisons of two
# layouts' predictions then mean something.
TINY = dict(hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32,
            max_position_embeddings=130, initializer_range=0.5)


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
    config = XLMRobertaConfig(vocab_size=250002, **TINY, **_labels(labels))
    model = XLMRobertaForSequenceClassification(config).eval()
    model.save_pretrained(path, safe_serialization=safe_serialization)
    xlmr_tokenizer().save_pretrained(path)
    return path


def tiny_xlmr_head(path: Path, head: str, labels: Sequence[str] = (), seed: int = 0) -> Path:
    """A 2-layer, 16-wide XLM-R with another head (``TokenClassification``, ``QuestionAnswering``)."""
    import torch
    import transformers

    torch.manual_seed(seed)
    config = transformers.XLMRobertaConfig(vocab_size=250002, **TINY, **(_labels(labels) if labels else {}))
    getattr(transformers, f"XLMRobertaFor{head}")(config).eval().save_pretrained(path)
    xlmr_tokenizer().save_pretrained(path)
    return path


# ----------------------------------------------------------------------------- real-client formats
# Each format is one standard layout a user's checkpoint may come in, built with tiny random
# weights, plus the same weights in the reference layout (what save_pretrained writes:
# model.safetensors + tokenizer.json; merged weights for an adapter). tests/test_checkpoint_formats.py
# checks every row and tools/checkpoint_matrix.py writes the table of docs/checkpoints.md from it.
CORPUS_LANGS = ("en", "de", "ru", "zh", "ar", "hi", "sw")


def corpus(per_language: int = 60) -> list[str]:
    """XNLI test premises in seven languages and five scripts: text to train tiny tokenizers on."""
    from conftest import require_shared

    root = require_shared("data", "xnli", "test")
    lines: list[str] = []
    for lang in CORPUS_LANGS:
        with open(root / f"{lang}.tsv", encoding="utf-8") as f:
            next(f)  # header
            lines += [row.split("\t")[4] for _, row in zip(range(per_language), f)]
    return lines


def sentencepiece_model(path: Path, vocab_size: int = 800, **ids) -> Path:
    """A unigram SentencePiece model trained offline on ``corpus()``; ``ids``: special pieces."""
    import io

    import sentencepiece

    buffer = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus()), model_writer=buffer, vocab_size=vocab_size, model_type="unigram",
        character_coverage=1.0, num_threads=1, minloglevel=2, **ids)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
    return path


def wordpiece_vocab(path: Path, vocab_size: int = 1000) -> Path:
    """A cased WordPiece ``vocab.txt`` (BERT's special tokens first) trained offline on ``corpus()``."""
    from tokenizers.implementations import BertWordPieceTokenizer

    trainer = BertWordPieceTokenizer(lowercase=False, strip_accents=False)
    trainer.train_from_iterator(corpus(), vocab_size=vocab_size, min_frequency=1)
    path.mkdir(parents=True, exist_ok=True)
    trainer.save_model(str(path))
    return path / "vocab.txt"


def _labels(labels: Sequence[str]) -> dict:
    return {"num_labels": len(labels), "id2label": dict(enumerate(labels)),
            "label2id": {label: i for i, label in enumerate(labels)}}


def _model(model_class: str, config_class: str, seed: int, **config):
    import torch
    import transformers

    torch.manual_seed(seed)
    return getattr(transformers, model_class)(getattr(transformers, config_class)(**config)).eval()


def save_bin(model, path: Path) -> Path:
    """config.json + pytorch_model.bin (transformers 5 itself only writes safetensors)."""
    import torch

    path.mkdir(parents=True, exist_ok=True)
    model.config.save_pretrained(path)
    torch.save(model.state_dict(), path / "pytorch_model.bin")
    return path


def _reference(model, tokenizer, path: Path) -> Path:
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def _auto_tokenizer(path: Path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(path))


def xlmr_canonical(root: Path) -> tuple[Path, None]:
    return tiny_xlmr_classifier(root / "format"), None


def xlmr_bin(root: Path) -> tuple[Path, Path]:
    from transformers import AutoModelForSequenceClassification

    reference = tiny_xlmr_classifier(root / "reference", seed=1)
    path = save_bin(AutoModelForSequenceClassification.from_pretrained(str(reference)), root / "format")
    xlmr_tokenizer().save_pretrained(path)
    return path, reference


def xlmr_sharded(root: Path) -> tuple[Path, Path]:
    from transformers import AutoModelForSequenceClassification

    reference = tiny_xlmr_classifier(root / "reference", seed=2)
    path = root / "format"
    AutoModelForSequenceClassification.from_pretrained(str(reference)).save_pretrained(path, max_shard_size="1MB")
    xlmr_tokenizer().save_pretrained(path)
    return path, reference


def xlmr_sentencepiece(root: Path) -> tuple[Path, Path]:
    """XLM-R's layout before tokenizer.json: sentencepiece.bpe.model only (ids as in XLM-R's file)."""
    path = root / "format"
    sentencepiece_model(path / "sentencepiece.bpe.model", unk_id=0, bos_id=1, eos_id=2, pad_id=-1)
    model = _model("XLMRobertaForSequenceClassification", "XLMRobertaConfig", 3, vocab_size=802, **TINY,
                   **_labels(XNLI_LABELS))
    model.save_pretrained(path)
    return path, _reference(model, _auto_tokenizer(path), root / "reference")


def mbert_vocab(root: Path) -> tuple[Path, Path]:
    """BERT (mBERT cased) with its WordPiece vocab.txt and tokenizer_config.json, no tokenizer.json."""
    import json

    path = root / "format"
    wordpiece_vocab(path)
    (path / "tokenizer_config.json").write_text(json.dumps({"tokenizer_class": "BertTokenizer",
                                                            "do_lower_case": False}))
    model = _model("BertForSequenceClassification", "BertConfig", 4, vocab_size=1000, **TINY, **_labels(XNLI_LABELS))
    model.save_pretrained(path)
    return path, _reference(model, _auto_tokenizer(path), root / "reference")


def distilmbert_bin(root: Path) -> tuple[Path, Path]:
    """DistilBERT (distilbert-base-multilingual-cased's layout): pytorch_model.bin + vocab.txt."""
    import json

    path = root / "format"
    wordpiece_vocab(path)
    (path / "tokenizer_config.json").write_text(json.dumps({"tokenizer_class": "DistilBertTokenizer",
                                                            "do_lower_case": False}))
    model = _model("DistilBertForSequenceClassification", "DistilBertConfig", 5, vocab_size=1000, dim=16, n_layers=2,
                   n_heads=2, hidden_dim=32, max_position_embeddings=130, initializer_range=0.5,
                   **_labels(XNLI_LABELS))
    save_bin(model, path)
    return path, _reference(model, _auto_tokenizer(path), root / "reference")


def mdeberta_spm(root: Path) -> tuple[Path, Path]:
    """DeBERTa-v2/v3 (microsoft/mdeberta-v3-base's layout): pytorch_model.bin + spm.model."""
    import json

    path = root / "format"
    sentencepiece_model(path / "spm.model", pad_id=0, bos_id=1, eos_id=2, unk_id=3, pad_piece="[PAD]",
                        bos_piece="[CLS]", eos_piece="[SEP]", unk_piece="[UNK]", user_defined_symbols=["[MASK]"])
    (path / "tokenizer_config.json").write_text(json.dumps({"tokenizer_class": "DebertaV2Tokenizer",
                                                            "do_lower_case": False}))
    model = _model("DebertaV2ForSequenceClassification", "DebertaV2Config", 6, vocab_size=800, **TINY,
                   relative_attention=True, pos_att_type=["p2c", "c2p"], position_buckets=32,
                   max_relative_positions=-1, norm_rel_ebd="layer_norm", share_att_key=True,
                   position_biased_input=False, **_labels(XNLI_LABELS))
    save_bin(model, path)
    return path, _reference(model, _auto_tokenizer(path), root / "reference")


def lora_adapter(root: Path, base: Path | None = None, relative_base: bool = False,
                 safe_serialization: bool = True) -> tuple[Path, Path]:
    """A PEFT LoRA adapter (query/value, classification head saved whole) over a local tiny XLM-R
    classifier; the reference is the merged model. The adapter holds no tokenizer: the base's serves."""
    import json

    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForSequenceClassification

    base = base or tiny_xlmr_classifier(root / "base", seed=7)
    model = get_peft_model(AutoModelForSequenceClassification.from_pretrained(str(base)),
                           LoraConfig(task_type="SEQ_CLS", r=4, lora_alpha=8, target_modules=["query", "value"]))
    torch.manual_seed(8)
    with torch.no_grad():  # LoRA's B starts at zero, which would make the adapter a no-op
        for name, weight in model.named_parameters():
            if "lora_" in name or "modules_to_save" in name:
                weight.add_(torch.randn_like(weight) * 0.5)
    path = root / "format"
    model.save_pretrained(path, safe_serialization=safe_serialization)
    if relative_base:  # as trained from the folder above: resolved beside the adapter
        config = json.loads((path / "adapter_config.json").read_text())
        config["base_model_name_or_path"] = "../" + base.name
        (path / "adapter_config.json").write_text(json.dumps(config))
    merged = model.merge_and_unload()
    return path, _reference(merged, xlmr_tokenizer(), root / "reference")


def lora_adapter_bin(root: Path) -> tuple[Path, Path]:
    return lora_adapter(root, relative_base=True, safe_serialization=False)


def xlmr_encoder_bin(root: Path) -> tuple[Path, Path]:
    """A bare XLM-R encoder for retrieval, pytorch_model.bin + tokenizer.json."""
    model = _model("XLMRobertaModel", "XLMRobertaConfig", 9, vocab_size=250002, **TINY)
    path = save_bin(model, root / "format")
    xlmr_tokenizer().save_pretrained(path)
    return path, _reference(model, xlmr_tokenizer(), root / "reference")


@dataclass(frozen=True)
class Format:
    name: str
    model: str  # architecture, as a user would name it
    layout: str  # the files that make it this format
    kind: str  # the task kind it is loaded for
    make: Callable[[Path], tuple[Path, Path | None]]  # (format dir, same weights in the reference layout)
    reference: str = "model.safetensors + tokenizer.json"


FORMATS = (
    Format("xlmr", "XLM-R classifier", "model.safetensors + tokenizer.json", "classification", xlmr_canonical,
           reference=""),
    Format("xlmr-bin", "XLM-R classifier", "pytorch_model.bin + tokenizer.json", "classification", xlmr_bin),
    Format("xlmr-sharded", "XLM-R classifier", "model.safetensors.index.json + model-0000k-of-0000n.safetensors",
           "classification", xlmr_sharded),
    Format("xlmr-sentencepiece", "XLM-R classifier",
           "model.safetensors + sentencepiece.bpe.model (no tokenizer.json)", "classification", xlmr_sentencepiece),
    Format("mbert", "mBERT (BertForSequenceClassification)",
           "model.safetensors + WordPiece vocab.txt (no tokenizer.json)", "classification", mbert_vocab),
    Format("distilmbert", "DistilmBERT (DistilBertForSequenceClassification)", "pytorch_model.bin + vocab.txt",
           "classification", distilmbert_bin),
    Format("mdeberta", "mDeBERTa-v3 (DebertaV2ForSequenceClassification)",
           "pytorch_model.bin + SentencePiece spm.model", "classification", mdeberta_spm),
    Format("lora", "PEFT LoRA adapter over a local XLM-R classifier",
           "adapter_config.json + adapter_model.safetensors (tokenizer from the base)", "classification", lora_adapter,
           reference="merged weights, model.safetensors + tokenizer.json"),
    Format("lora-bin", "PEFT LoRA adapter, base given relative to the adapter",
           "adapter_config.json + adapter_model.bin", "classification", lora_adapter_bin,
           reference="merged weights, model.safetensors + tokenizer.json"),
    Format("xlmr-encoder-bin", "XLM-R encoder (retrieval)", "pytorch_model.bin + tokenizer.json", "retrieval",
           xlmr_encoder_bin),
)
