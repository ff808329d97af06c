"""Extractive QA in SQuAD v1.1 JSON, shared by XQuAD, MLQA and TyDiQA-GoldP.

One example per question: fields ``question`` and ``context``, one ``"answer"`` span per
gold answer on ``context`` (docs/structured.md); ``tasks.common`` refuses an answer whose
``answer_start`` does not locate its text in the context. The row id is the question id,
and a malformed question is named by file and question id.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterator, Sequence

from robustx.errors import RobustxError
from robustx.tasks.base import Example
from robustx.tasks.common import BenchmarkTask
from robustx.tasks.readers import RawRow, read_json

if TYPE_CHECKING:
    from robustx.metrics.qa import QAScore


class SquadTask(BenchmarkTask):
    """An extractive QA task (``kind = "qa"``) scored by F1 over answer tokens."""

    kind: ClassVar[str] = "qa"
    metric: ClassVar[str] = "f1"
    text_fields: ClassVar[tuple[str, ...]] = ("question", "context")
    span_field: ClassVar[str] = "context"

    def score_answer(self, example: Example, prediction: str, answers: Sequence[str]) -> "QAScore":
        """SQuAD v1.1 exact match and F1 of a predicted answer (XQuAD, TyDiQA-GoldP)."""
        from robustx.metrics.qa import squad_score

        return squad_score(prediction, answers)


def squad_rows(path: Path, keep: Callable[[str], bool] | None = None) -> Iterator[RawRow]:
    """The questions of a SQuAD v1.1 file as rows; ``keep`` selects questions by id.

    Raises:
        RobustxError: for a file that is missing, not UTF-8, not JSON, not SQuAD-shaped, or
            holds no question (a structurally broken article, paragraph or question is a
            malformed row instead, so that ``allow_skip`` can count it).
    """
    data = read_json(path)
    articles = data.get("data") if isinstance(data, dict) else None
    if not isinstance(articles, list):
        raise RobustxError(f'{path}: not SQuAD v1.1 JSON (expected an object with a "data" list of articles)')
    if not any(_questions(article) for article in articles):
        raise RobustxError(f"{path}: no examples (no questions)")
    return _rows(path, articles, keep)


def _questions(article: Any) -> int:
    paragraphs = article.get("paragraphs") if isinstance(article, dict) else None
    if not isinstance(paragraphs, list):
        return 1  # a malformed article is a row (a problem), not nothing
    return sum(len(p["qas"]) if isinstance(p, dict) and isinstance(p.get("qas"), list) else 1 for p in paragraphs)


def _rows(path: Path, articles: list[Any], keep: Callable[[str], bool] | None) -> Iterator[RawRow]:
    for a, article in enumerate(articles, start=1):
        paragraphs = article.get("paragraphs") if isinstance(article, dict) else None
        if not isinstance(paragraphs, list):
            yield RawRow(f"{path}, article {a}", problem='an article without a "paragraphs" list')
            continue
        for p, paragraph in enumerate(paragraphs, start=1):
            here = f"{path}, article {a} paragraph {p}"
            context = paragraph.get("context") if isinstance(paragraph, dict) else None
            questions = paragraph.get("qas") if isinstance(paragraph, dict) else None
            if not isinstance(context, str) or not isinstance(questions, list):
                yield RawRow(here, problem='a paragraph without a "context" string and a "qas" list')
                continue
            for q, qa in enumerate(questions, start=1):
                row = _question(here, q, context, qa, path, keep)
                if row is not None:
                    yield row


def _question(
    here: str, q: int, context: str, qa: Any, path: Path, keep: Callable[[str], bool] | None
) -> RawRow | None:
    """One question as a row, or None where ``keep`` leaves it out."""
    qid = qa.get("id") if isinstance(qa, dict) else None
    if not isinstance(qid, (str, int)) or isinstance(qid, bool) or not str(qid).strip():
        return RawRow(f"{here} question {q}", problem="a question without an id")
    qid = str(qid)
    if keep is not None and not keep(qid):
        return None
    where = f"{path}, question {qid}"
    question, answers = qa.get("question"), qa.get("answers")
    if not isinstance(question, str):
        return RawRow(where, problem='no "question" string')
    if not isinstance(answers, list):
        return RawRow(where, problem='no "answers" list')
    pairs = []
    for n, answer in enumerate(answers, start=1):
        if not isinstance(answer, dict):
            return RawRow(where, problem=f"answer {n} is not an object")
        pairs.append((answer.get("answer_start"), answer.get("text")))
    return RawRow(where, qid, (question, context), answers=tuple(pairs))
