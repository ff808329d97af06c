"""Random word deletion (EDA's random deletion; Moradi & Samwald 2021's word deletion).

``rate`` of the units (``units``: token cores in scripts with spaces, grapheme chunks
in scripts without) are deleted; at least one unit always stays, so a field never
becomes empty, and a text of one unit is left as it is (``units`` 0).

Punctuation stays where a reader expects it. A deleted token takes one neighbouring
white-space run with it (the one before it, else the one after), so no double space
is left. Punctuation that followed the word attaches to the previous word
(``I like cats.`` -> ``I like.``), punctuation before it to the next
(``(cats are)`` -> ``(are)``), brackets and quotes around the word alone go with it
(``a "cat" b`` -> ``a b``). At the start of the text a word goes with the
punctuation after it (``Yes, I do`` -> ``I do``). Chunks of a script without spaces
are cut out of their token; a token left empty takes a white-space run with it.
"""

from __future__ import annotations

import random
import unicodedata

from robustx.perturb.base import Edit, Perturbation, PerturbedText
from robustx.perturb.editing import choose
from robustx.perturb.word.units import RateParams, Token, Unit, cluster_safe, tokens, units_of

_QUOTES = "\"'«»‹›„‚“”‘’「」『』"


def _opens(char: str) -> bool:
    return unicodedata.category(char) in ("Ps", "Pi") or char in _QUOTES


def _closes(char: str) -> bool:
    return unicodedata.category(char) in ("Pe", "Pf") or char in _QUOTES


class _Gaps:
    """The white-space runs between tokens; each may be removed with one deleted token."""

    def __init__(self, toks: list[Token]) -> None:
        self.toks = toks
        self.taken: set[int] = set()

    def before(self, i: int) -> tuple[int, int] | None:
        return self._take(i - 1)

    def after(self, i: int) -> tuple[int, int] | None:
        return self._take(i)

    def _take(self, gap: int) -> tuple[int, int] | None:
        if gap < 0 or gap >= len(self.toks) - 1 or gap in self.taken:
            return None
        self.taken.add(gap)
        return self.toks[gap].end, self.toks[gap + 1].start


def _core_region(text: str, tok: Token, i: int, unit: Unit, gaps: _Gaps) -> tuple[int, int]:
    start, end = unit.start, unit.end
    while start > tok.start and end < tok.end and _opens(text[start - 1]) and _closes(text[end]):
        start, end = start - 1, end + 1
    head, tail = start > tok.start, end < tok.end
    if not head and not tail:  # a bare word: it takes the space before it, else the one after
        gap = gaps.before(i)
        if gap:
            return gap[0], end
        gap = gaps.after(i)
        return (start, gap[1]) if gap else (start, end)
    if not head:  # punctuation follows: it joins the previous word, or goes too at the start
        if i == 0:
            gap = gaps.after(i)
            return start, gap[1] if gap else tok.end
        gap = gaps.before(i)
        return (gap[0], end) if gap else (start, end)
    if not tail:  # punctuation precedes: it joins the next word, or goes too at the end
        if i == len(gaps.toks) - 1:
            gap = gaps.before(i)
            return (gap[0] if gap else tok.start), end
        gap = gaps.after(i)
        return (start, gap[1]) if gap else (start, end)
    return start, end


class WordDrop(Perturbation):
    name = "word.drop"
    family = "word"
    Params = RateParams

    def perturb_text(self, text: str, lang: str, rng: random.Random) -> PerturbedText:
        toks = tokens(text)
        units = units_of(toks)
        if len(units) < 2:
            return PerturbedText(text, (), 0, 0)
        chosen = choose(units, self.params.rate, rng)
        if len(chosen) == len(units):  # never delete every word
            del chosen[rng.randrange(len(chosen))]
        by_token: dict[int, list[Unit]] = {}
        for unit in chosen:
            by_token.setdefault(unit.token, []).append(unit)
        gaps = _Gaps(toks)
        regions: list[tuple[int, int]] = []
        for i in sorted(by_token):
            tok, picked = toks[i], by_token[i]
            if picked[0].core:
                regions.append(_core_region(text, tok, i, picked[0], gaps))
                continue
            spans = [(u.start, u.end) for u in picked]
            if sum(e - s for s, e in spans) == tok.end - tok.start:  # the token goes entirely
                gap = gaps.before(i) or gaps.after(i)
                if gap and gap[1] == tok.start:
                    spans[0] = (gap[0], spans[0][1])
                elif gap:
                    spans[-1] = (spans[-1][0], gap[1])
            regions.extend(spans)
        edits = [Edit("", s, e, text[s:e], "", "drop") for s, e in regions]
        out, kept = cluster_safe(text, edits)
        return PerturbedText(out, tuple(kept), len(units), len(kept))
