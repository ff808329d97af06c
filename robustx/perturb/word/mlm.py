"""Masked-LM word substitution (BAE-R, Garg & Ramakrishnan 2020; BERT-Attack, Li et al. 2020).

Each chosen word is replaced by a mask token (one copy of the text per word, the
rest of the text left as it is, as BAE-R does), the masked LM ``model`` predicts the
mask, and the word becomes a candidate drawn uniformly (by the example's rng) from
the ``top_k`` predictions that pass the filters: a whole-word piece (a word-start
piece where the word follows a space; any piece inside a chunk of a script written
without spaces), one word of the replaced word's script (``units.single_word``: no
special token, digit or punctuation, no other script), different from the word in
more than case. The replacement takes the word's capitalisation. Candidates are
sorted by token id before the draw, so ties in the scores cannot reorder them. No
victim model is queried: this is the random-choice counterpart of those attacks,
which rank candidates by sentence similarity (BAE) or by the victim's loss
(BERT-Attack).

``model`` is any checkpoint ``transformers.AutoModelForMaskedLM`` loads (a local
directory, or a hub id where the hub can be reached; default XLM-R base, which
covers all XTREME languages) with its tokenizer; it is
loaded once per process on first use and shared by every recipe instance.

**Batching.** A recipe sees one text at a time (outputs must not depend on batch
composition), so all masked copies of one text go through the model as one batch.
Only the rows at the masks reach the output projection (a forward pre-hook on the
model's output embeddings selects them), so the vocabulary-sized matrix product
costs one row per masked word instead of one per token.

**Rate.** ``units`` counts the text's stand-alone words (``units.lexical_words``).
``rate * units`` of them (rounded stochastically) should change. Words are tried in
a random order; a word whose predictions all fail the filters is passed over and
the next ones are tried, in up to four rounds of growing batches, so the achieved
rate stays close to ``rate`` unless few words have a usable prediction.

Outputs are deterministic for a given model, ``torch`` version and machine (the
same text always forms the same batch); floating-point differences between
machines can reorder near-equal scores at the ``top_k`` boundary.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Sequence

from robustx.errors import ParamsError, RobustxError, first_line
from robustx.perturb.base import Edit, Perturbation, PerturbedText
from robustx.perturb.editing import check_rate
from robustx.perturb.word.units import (
    cluster_safe,
    lexical_words,
    match_case,
    scripts_for,
    single_word,
    stochastic_count,
)
from robustx.text import CHUNK_SIZE, Word

MAX_ROUNDS = 4
_LOCK = threading.Lock()


@dataclass(frozen=True)
class MaskedLMParams:
    """``model``: masked-LM checkpoint (directory or hub id); ``rate``: fraction of words
    replaced; ``top_k``: predictions examined per word; ``device``: torch device;
    ``revision``: for a hub id, the branch, tag or commit to load (empty: the default branch)."""

    model: str = "FacebookAI/xlm-roberta-base"
    rate: float = 0.1
    top_k: int = 30
    device: str = "cpu"
    # Which weights predict, not which draws are made: outside the seed, so seeds stay as they were.
    revision: str = field(default="", metadata={"seeded": False})

    def __post_init__(self) -> None:
        if not isinstance(self.model, str) or not self.model:
            raise ParamsError("model must name a masked-LM checkpoint (a local directory or a hub id)")
        check_rate(self.rate)
        if not isinstance(self.top_k, int) or self.top_k < 1:
            raise ParamsError(f"top_k must be a positive integer, got {self.top_k!r}")
        if not isinstance(self.device, str) or not self.device:
            raise ParamsError(f"device must be a torch device name, got {self.device!r}")
        if not isinstance(self.revision, str):
            raise ParamsError(f"revision must be a branch, tag or commit name, got {self.revision!r}")


class MaskedLM:
    """A loaded masked LM with its tokenizer, and what each vocabulary piece spells."""

    def __init__(self, name: str, device: str, revision: str = "") -> None:
        import torch
        from transformers import AutoModelForMaskedLM, AutoTokenizer

        from robustx.models.sources import source_of

        if revision and not source_of(name).revisions:
            raise RobustxError(f"word.mlm: revision {revision!r} given for {name!r}, which is not a hub id")
        pinned = {"revision": revision} if revision else {}
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(name, **pinned)
            self.model = AutoModelForMaskedLM.from_pretrained(name, **pinned).to(device).eval()
        except Exception as exc:  # transformers raises OSError, ValueError, KeyError, ...
            raise RobustxError(f"word.mlm: cannot load the masked LM {name!r}: {first_line(exc)}") from None
        tok = self.tokenizer
        if tok.mask_token is None or tok.mask_token_id is None:
            raise RobustxError(f"word.mlm: the tokenizer of {name!r} has no mask token")
        self.torch = torch
        self.device = device
        self.mask, self.mask_id = tok.mask_token, tok.mask_token_id
        self.special = frozenset(tok.all_special_ids)
        sample = tok.convert_ids_to_tokens(list(range(min(len(tok), 20000))))
        self.marker = ""  # how a word-start piece is marked
        self.wordpiece = sum(t.startswith("##") for t in sample) > 100
        if not self.wordpiece:
            for marker in ("▁", "Ġ"):
                if sum(t.startswith(marker) for t in sample) > 100:
                    self.marker = marker
                    break
        positions = getattr(self.model.config, "max_position_embeddings", 512) or 512
        self.max_length = max(8, min(int(tok.model_max_length), positions - 2))
        self._pieces: dict[int, tuple[str, bool]] = {}
        self._rows = None
        head = self.model.get_output_embeddings()
        if isinstance(head, torch.nn.Linear):
            head.register_forward_pre_hook(self._select)

    def _select(self, module, args):
        if self._rows is None:
            return None
        return (args[0][self._rows],) + tuple(args[1:])

    def piece(self, token_id: int) -> tuple[str, bool]:
        """The text of one piece and whether it starts a word."""
        found = self._pieces.get(token_id)
        if found is None:
            raw = self.tokenizer.convert_ids_to_tokens(token_id)
            if self.wordpiece:
                found = (raw[2:], False) if raw.startswith("##") else (raw, True)
            elif self.marker:
                found = (self.tokenizer.convert_tokens_to_string([raw]).strip(), raw.startswith(self.marker))
            else:
                found = (self.tokenizer.convert_tokens_to_string([raw]).strip(), True)
            self._pieces[token_id] = found
        return found

    def predict(self, texts: Sequence[str], k: int) -> list[list[int]]:
        """The ``k`` best piece ids at the (single) mask of each text; [] where it was cut off."""
        torch = self.torch
        enc = self.tokenizer(
            list(texts), padding=True, truncation=True, max_length=self.max_length, return_tensors="pt"
        )
        enc = {key: value.to(self.device) for key, value in enc.items()}
        masks = enc["input_ids"] == self.mask_id
        with torch.inference_mode():
            self._rows = masks
            try:
                logits = self.model(**enc).logits
            finally:
                self._rows = None
        if logits.dim() == 3:  # no hook (an output layer other than Linear): select now
            logits = logits[masks]
        top = logits.topk(min(k, logits.shape[-1]), dim=-1).indices.tolist() if logits.shape[0] else []
        out: list[list[int]] = [[] for _ in texts]
        for (row, _), ids in zip(masks.nonzero().tolist(), top):
            out[row] = ids
        return out


@lru_cache(maxsize=4)
def load_model(name: str, device: str, revision: str = "") -> MaskedLM:
    return MaskedLM(name, device, revision)


class MaskedLMSubstitution(Perturbation):
    name = "word.mlm"
    family = "word"
    Params = MaskedLMParams

    def _lm(self) -> MaskedLM:
        with _LOCK:
            return load_model(self.params.model, self.params.device, self.params.revision)

    def _candidates(self, lm: MaskedLM, text: str, lang: str, words: Sequence[Word]) -> list[tuple[str, ...]]:
        masked = [text[: w.start] + lm.mask + text[w.end :] for w in words]
        out = []
        for word, ids in zip(words, lm.predict(masked, self.params.top_k)):
            surface = text[word.start : word.end]
            scripts = scripts_for(lang, word.script)
            inside = word.script in CHUNK_SIZE  # a chunk: any piece may fill it
            found: set[tuple[int, str]] = set()
            for token_id in ids:
                if token_id in lm.special:
                    continue
                spelled, starts = lm.piece(token_id)
                if (starts or inside) and single_word(spelled, scripts) and spelled.lower() != surface.lower():
                    found.add((token_id, match_case(surface, spelled)))
            out.append(tuple(dict.fromkeys(new for _, new in sorted(found))))
        return out

    def perturb_text(self, text: str, lang: str, rng: random.Random) -> PerturbedText:
        words = lexical_words(text)
        target = stochastic_count(self.params.rate, len(words), rng)
        if not target:
            return PerturbedText(text, (), len(words), 0)
        lm = self._lm()
        if lm.mask in text:  # a literal mask token would be predicted too
            return PerturbedText(text, (), len(words), 0)
        order = rng.sample(range(len(words)), len(words))
        chosen: dict[int, str] = {}
        pos = 0
        for attempt in range(MAX_ROUNDS):
            need = target - len(chosen)
            if need <= 0 or pos >= len(order):
                break
            batch = order[pos : pos + need * 2**attempt]
            pos += len(batch)
            for i, found in zip(batch, self._candidates(lm, text, lang, [words[i] for i in batch])):
                if found and len(chosen) < target:
                    chosen[i] = rng.choice(found)
        edits = [
            Edit("", words[i].start, words[i].end, text[words[i].start : words[i].end], new, "mlm")
            for i, new in sorted(chosen.items())
        ]
        out, kept = cluster_safe(text, edits)
        return PerturbedText(out, tuple(kept), len(words), len(kept))
