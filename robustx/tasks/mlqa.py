"""MLQA: extractive QA (SQuAD v1.1 JSON) with the context in one language and the question in
another, over ar de en es hi vi zh.

Languages as a study names them:

* a plain code (``"de"``) means context and question in that language, the setting XTREME
  scores (``context-de-question-de``);
* a pair code ``"<context>-<question>"`` (``"de-en"``: a German context, an English question)
  names one of the 42 cross-lingual settings (MLQA's generalised cross-lingual transfer).
  ``"de-de"`` is not a code: it is written ``"de"``.

Every code is in ``MLQA.languages``, so ``check_language`` accepts them and lists them all
for an unknown one. ``mlqa_pair`` splits a code into (context, question) languages; an
example's ``lang`` is the code as written. MLQA's question ids are shared across languages
(the 512 German dev questions are 512 of the 1148 English ones, with the same ids), so a row
is the same QA instance in every setting that has it.

Layouts: ``mlqa/<split>/<split>-context-<c>-question-<q>.json`` (the offline copy holds
``dev`` only), the release's ``MLQA_V1/<split>/...``; Hugging Face ``google/xtreme``
``MLQA.<c>.<q>``, splits ``test`` and ``validation``.
"""

from __future__ import annotations

from itertools import product
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Mapping, Sequence

from robustx.tasks.base import Example
from robustx.tasks.common import Rows
from robustx.tasks.hf import HF_SPLITS, hf_qa_rows
from robustx.tasks.squad import SquadTask, squad_rows

if TYPE_CHECKING:
    from robustx.metrics.qa import QAScore

HF_DATASET = "google/xtreme"

MLQA_LANGUAGES: tuple[str, ...] = ("ar", "de", "en", "es", "hi", "vi", "zh")


def mlqa_pair(code: str) -> tuple[str, str]:
    """The (context, question) languages of an MLQA language code: ``"de"`` -> (de, de),
    ``"de-en"`` -> (de, en)."""
    context, _, question = code.partition("-")
    return context, question or context


class MLQA(SquadTask):
    name: ClassVar[str] = "mlqa"
    languages: ClassVar[tuple[str, ...]] = MLQA_LANGUAGES + tuple(
        f"{c}-{q}" for c, q in product(MLQA_LANGUAGES, repeat=2) if c != q
    )
    splits: ClassVar[tuple[str, ...]] = ("test", "dev")
    folders: ClassVar[tuple[str, ...]] = ("mlqa", "MLQA_V1", "mlqa/MLQA_V1")
    parallel: ClassVar[bool] = True

    def field_languages(self, lang: str) -> Mapping[str, str]:
        context, question = mlqa_pair(lang)
        return {"context": context, "question": question} if context != question else {}

    def score_answer(self, example: Example, prediction: str, answers: Sequence[str]) -> "QAScore":
        """MLQA's official scoring, in the answer's (the context's) language."""
        from robustx.metrics.qa import mlqa_score

        return mlqa_score(prediction, answers, example.language_of("context"))

    def local_rows(self, root: Path, lang: str, split: str) -> Rows:
        context, question = mlqa_pair(lang)
        name = f"{split}-context-{context}-question-{question}.json"
        what = f"MLQA {split} data for {lang!r} (context {context}, question {question})"
        path = self.locate(root, (f"{split}/{name}", name), what)
        return squad_rows(path), str(path)

    def hf_rows(self, lang: str, split: str) -> Rows:
        context, question = mlqa_pair(lang)
        return hf_qa_rows(HF_DATASET, f"MLQA.{context}.{question}", HF_SPLITS[split])
