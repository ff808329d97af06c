"""Spans through a field's edits: token tags and answer spans stay aligned (docs/structured.md).

Every recipe reports its edits, so structure is carried by one rule rather than per recipe:

- an answer span (label ``"answer"``) is protected: edits that overlap or touch it are
  dropped before they apply, so the answer text and its place in the context stay true;
- a token span keeps its tag through edits inside it (a typo), shifts with edits before it,
  disappears with an edit that deletes it whole (word drop), is copied by an insertion of its
  own text right after it (word repeat), and moves with its text when an edit rewrites a run
  of whole tokens into the same tokens in another order (word swap);
- any other overlap (an edit across a token boundary) cannot be aligned: ``alignable`` leaves
  such edits out before they apply, and ``carry`` given one raises an ``AlignmentError`` naming
  it, never a silently shifted tag.
"""

from __future__ import annotations

from typing import Sequence

from robustx.errors import RobustxError
from robustx.perturb.base import Edit
from robustx.tasks.base import Span

ANSWER = "answer"


class AlignmentError(RobustxError):
    """An edit that no rule can carry a span through."""


def protect(edits: Sequence[Edit], spans: Sequence[Span]) -> list[Edit]:
    """``edits`` without those that overlap or touch a protected (answer) span."""
    guarded = [s for s in spans if s.label == ANSWER]
    return [e for e in edits if not any(e.start <= s.end and s.start <= e.end for s in guarded)]


ENTITY_MODES = ("protect", "only")


def entity_edits(edits: Sequence[Edit], spans: Sequence[Span], mode: str) -> list[Edit]:
    """``edits`` that keep entity tokens (tags other than ``O``) as ``mode`` says: ``"protect"``
    drops every edit touching one, ``"only"`` every edit that touches none ("" keeps all)."""
    if not mode:
        return list(edits)
    entities = [s for s in spans if s.label not in ("O", ANSWER)]

    def touches(e: Edit) -> bool:
        return any(e.start <= s.end and s.start <= e.end for s in entities)

    return [e for e in edits if touches(e) == (mode == "only")]


def alignable(edits: Sequence[Edit], spans: Sequence[Span], text: str) -> list[Edit]:
    """``edits`` without those that no rule can carry a token's tag through (a word drop that takes
    the letters of ``'s`` but leaves its apostrophe): recipes cut words as robustx counts them,
    tagged data as its treebank does, and an edit that does not fit is left out, not guessed at."""
    keep = []
    for edit in edits:
        try:
            carry(spans, [edit], text)
        except AlignmentError:
            continue
        keep.append(edit)
    return keep


def carry(spans: Sequence[Span], edits: Sequence[Edit], text: str) -> list[Span]:
    """The spans of one field (non-overlapping) after ``edits`` (non-overlapping) rewrote ``text``."""
    edits = sorted(edits, key=lambda e: (e.start, e.end))
    deltas = [len(e.after) - (e.end - e.start) for e in edits]
    owner = _insertion_owners(spans, edits)

    def shift(pos: int, span: int) -> int:
        """How far the text at ``pos`` moved: the edits that end at or before it, but for the
        insertions that belong to ``span`` itself."""
        return sum(d for k, (e, d) in enumerate(zip(edits, deltas)) if e.end <= pos and owner.get(k) != span)

    out: list[Span] = []
    moved: dict[int, list[tuple[int, int]]] = {}  # per rewriting edit, the parts of its text already matched
    used: set[int] = set()  # edits some span followed
    for index, span in enumerate(spans):
        over = [k for k, e in enumerate(edits) if (e.start < span.end and span.start < e.end) or owner.get(k) == index]
        used.update(over)
        inside = all(span.start <= edits[k].start and edits[k].end <= span.end for k in over)
        deleted = len(over) == 1 and not edits[over[0]].after.strip()
        if not over or (inside and not (deleted and (edits[over[0]].start, edits[over[0]].end) == (span.start, span.end))):
            start = span.start + shift(span.start, index)
            out.append(Span(span.field, start, start + span.end - span.start + sum(deltas[k] for k in over), span.label))
            continue
        edit = edits[over[0]]
        if len(over) > 1 or span.start < edit.start or edit.end < span.end:
            raise AlignmentError(f"edit {edit.op!r} of [{edit.start}, {edit.end}) {edit.before!r} -> {edit.after!r} "
                                 f"cuts the token {text[span.start:span.end]!r}: its tag cannot follow")
        if deleted:
            continue  # the token went with its edit (word drop), and its tag with it
        word, taken = text[span.start:span.end], moved.setdefault(over[0], [])
        at = edit.after.find(word)
        while at != -1 and any(at < b and a < at + len(word) for a, b in taken):
            at = edit.after.find(word, at + 1)
        if at == -1:
            raise AlignmentError(f"edit {edit.op!r} rewrites {edit.before!r} as {edit.after!r}: the token "
                                 f"{word!r} is not in it, so its tag cannot follow")
        taken.append((at, at + len(word)))
        start = edit.start + shift(edit.start, index) + at
        out.append(Span(span.field, start, start + len(word), span.label))
    # Word repeat: an insertion of a token's own text right after it is a copy, with its tag.
    for k, edit in enumerate(edits):
        source = next((s for s in spans if edit.start == edit.end == s.end), None)
        word = text[source.start:source.end] if source else None
        if k not in used and source and edit.after.strip() == word and edit.after.endswith(word):
            start = edit.start + sum(deltas[:k]) + len(edit.after) - len(word)
            out.append(Span(source.field, start, start + len(word), source.label))
            used.add(k)
    stray = [edits[k] for k in range(len(edits)) if k not in used]
    if stray:
        e = stray[0]
        raise AlignmentError(f"edit {e.op!r} of [{e.start}, {e.end}) {e.before!r} -> {e.after!r} changes the text "
                             "between tokens: no token's tag can follow it")
    return sorted(out, key=lambda s: (s.start, s.end))


def _insertion_owners(spans: Sequence[Span], edits: Sequence[Edit]) -> dict[int, int]:
    """Insertions that belong to a span: inside it, or at its end or start without white space
    between (a letter typed after or before a word is part of the word; an inserted word is not)."""
    owners = {}
    for k, e in enumerate(edits):
        if e.start != e.end or not e.after:
            continue
        for i, s in enumerate(spans):
            if s.start < e.start < s.end or (e.start == s.end and not e.after[0].isspace()):
                owners[k] = i
                break
        else:
            starts = [i for i, s in enumerate(spans) if s.start == e.start and not e.after[-1].isspace()]
            if starts:
                owners[k] = starts[0]
    return owners
