"""Search methods: generators that ask for inputs to be scored and end with what they found.

A search yields an ``Ask`` (rendered fields to score) and receives one answer per input: an
``Outcome``, or ``FILTERED`` (the state broke the similarity constraint; it cost no query)
or ``SPENT`` (the query budget ran out: the search ends with the best it has). The driver
(``run.py``) advances every example's search in lock-step and scores a round's inputs
together, so searches stay simple and sequential while inference is batched. Ties keep
the candidate order, so a search is deterministic. See docs/attacks.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Generator, Literal, Mapping, Sequence

from robustx.attack.candidates import Candidate, WordRef, render, without_word
from robustx.attack.goals import Outcome
from robustx.registry import Registry
from robustx.tasks.base import Example

State = tuple[int, ...]  # indices of applied candidates, sorted
FILTERED = "filtered"
SPENT = "spent"
Answer = Outcome | str


@dataclass(frozen=True)
class Ask:
    """Inputs to score: each a full set of fields; ``similar``: check them against ``min_similarity``."""

    inputs: Sequence[Mapping[str, str]]
    similar: bool = True


@dataclass(frozen=True)
class Found:
    """How a search ended: ``status`` success, failed or skipped, at ``state`` with ``outcome``;
    ``clean``: the outcome of the clean input."""

    status: str
    state: State
    outcome: Outcome
    clean: Outcome


@dataclass
class Problem:
    """One example to attack: its words, candidates, which candidates the constraints allow, the
    word budget, and the unknown token for importance by masking."""

    example: Example
    fields: tuple[str, ...]
    refs: Sequence[WordRef]
    candidates: Sequence[Candidate]
    usable: Sequence[bool]
    word_budget: int
    mask_token: str

    def fields_of(self, state: State) -> dict[str, str]:
        return {**self.example.fields, **render(self.example, self.fields, self.candidates, state)}

    def modified(self, state: State) -> set[int]:
        return {w for i in state for w in self.candidates[i].words}

    def allows(self, state: State, index: int) -> bool:
        """Candidate ``index`` may join ``state``: constraints pass, its words unmodified, within budget."""
        if not self.usable[index]:
            return False
        words, modified = set(self.candidates[index].words), self.modified(state)
        return not words & modified and len(words | modified) <= self.word_budget

    def by_word(self) -> dict[int, list[int]]:
        """Usable candidates by their first word."""
        out: dict[int, list[int]] = {}
        for i, cand in enumerate(self.candidates):
            if self.usable[i]:
                out.setdefault(cand.words[0], []).append(i)
        return out


Search = Generator[Ask, Sequence[Answer], Found]


@dataclass(frozen=True)
class SearchMethod:
    """``run(problem, params) -> Search``, and its parameters' dataclass."""

    run: Callable[..., Search]
    Params: type


SEARCHES: Registry[SearchMethod] = Registry("search method")


def _best(states: Sequence[State], answers: Sequence[Answer]) -> tuple[State, Outcome] | None:
    """The highest-scoring scored state (the first of equal ones), or None."""
    best = None
    for state, answer in zip(states, answers):
        if isinstance(answer, Outcome) and (best is None or answer.score > best[1].score):
            best = (state, answer)
    return best


def _start(problem: Problem) -> Generator[Ask, Sequence[Answer], Outcome]:
    (clean,) = yield Ask([problem.fields_of(())], similar=False)
    return clean


def _importance(problem: Problem, wir: str, words: Sequence[int]) -> Generator[Ask, Sequence[Answer], list[int]]:
    """``words`` ordered by leave-one-out importance, most important first (ties: text order)."""
    replacement = problem.mask_token if wir == "mask" else ""
    probes = [without_word(problem.example, problem.refs[w], replacement) for w in words]
    answers = yield Ask(probes, similar=False)
    scores = {w: (a.score if isinstance(a, Outcome) else float("-inf")) for w, a in zip(words, answers)}
    return sorted(words, key=lambda w: -scores[w])


@dataclass(frozen=True)
class GreedyWIRParams:
    """``wir``: word importance by deleting each word (``delete``) or replacing it with the
    tokenizer's unknown token (``mask``)."""

    wir: Literal["delete", "mask"] = "delete"


def greedy_wir(problem: Problem, params: GreedyWIRParams) -> Search:
    """TextAttack's GreedyWordSwapWIR: words in importance order, each given its best candidate
    when that raises the score."""
    current = clean = yield from _start(problem)
    if current.success:
        return Found("skipped", (), current, clean)
    slots = problem.by_word()
    order = yield from _importance(problem, params.wir, sorted(slots))
    state: State = ()
    for word in order:
        options = [i for i in slots[word] if problem.allows(state, i)]
        if not options:
            continue
        states = [tuple(sorted(state + (i,))) for i in options]
        answers = yield Ask([problem.fields_of(s) for s in states])
        best = _best(states, answers)
        if best and best[1].score > current.score:
            state, current = best
            if current.success:
                return Found("success", state, current, clean)
        if SPENT in answers:
            break
    return Found("failed", state, current, clean)


@dataclass(frozen=True)
class BeamParams:
    """``width``: states kept per step; ``wir``: as for greedy_wir."""

    width: int = 4
    wir: Literal["delete", "mask"] = "delete"

    def __post_init__(self) -> None:
        if self.width < 1:
            raise ValueError(f"width must be at least 1, got {self.width}")


def beam(problem: Problem, params: BeamParams) -> Search:
    """Beam search over the importance order: each kept state is extended by each candidate of the
    next word (or left as it is); the ``width`` best states go on."""
    current = clean = yield from _start(problem)
    if current.success:
        return Found("skipped", (), current, clean)
    slots = problem.by_word()
    order = yield from _importance(problem, params.wir, sorted(slots))
    beams: list[tuple[State, Outcome]] = [((), current)]
    for word in order:
        grown = [tuple(sorted(s + (i,))) for s, _ in beams for i in slots[word] if problem.allows(s, i)]
        grown = list(dict.fromkeys(grown))
        if not grown:
            continue
        answers = yield Ask([problem.fields_of(s) for s in grown])
        scored = [(s, a) for s, a in zip(grown, answers) if isinstance(a, Outcome)]
        pool = sorted(beams + scored, key=lambda pair: -pair[1].score)  # stable: earlier states win ties
        beams = pool[: params.width]
        winners = [pair for pair in scored if pair[1].success]
        if winners:
            state, outcome = max(winners, key=lambda pair: pair[1].score)
            return Found("success", state, outcome, clean)
        if SPENT in answers:
            break
    state, outcome = beams[0]
    return Found("failed", state, outcome, clean)


@dataclass(frozen=True)
class GreedyParams:
    """No parameters: every step scores every allowed candidate."""


def greedy(problem: Problem, params: GreedyParams) -> Search:
    """TextAttack's GreedySearch, Bumblebee's phrase search: at each step score every candidate at
    every unmodified word and apply the best, while it raises the score."""
    current = clean = yield from _start(problem)
    if current.success:
        return Found("skipped", (), current, clean)
    state: State = ()
    while True:
        states = [tuple(sorted(state + (i,))) for i in range(len(problem.candidates)) if problem.allows(state, i)]
        if not states:
            break
        answers = yield Ask([problem.fields_of(s) for s in states])
        best = _best(states, answers)
        if not best or best[1].score <= current.score:
            break
        state, current = best
        if current.success:
            return Found("success", state, current, clean)
        if SPENT in answers:
            break
    return Found("failed", state, current, clean)


SEARCHES.register("greedy_wir", SearchMethod(greedy_wir, GreedyWIRParams))
SEARCHES.register("beam", SearchMethod(beam, BeamParams))
SEARCHES.register("greedy", SearchMethod(greedy, GreedyParams))
