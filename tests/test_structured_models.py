"""Token-classification and extractive-QA models end to end: windows, decoding, records, the
ratio-metric statistics, and studies of UD-POS, PAN-X and XQuAD with tiny random models."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from robustx.engine.qa import MAX_ANSWER_TOKENS, best_span
from robustx.engine.tagging import windows, word_pieces
from robustx.stats.paired import PairedOutcomes, paired_drop
from robustx.stats.scored import ScoredOutcomes, permutation_test, scored_drop

SENTENCES = [
    ["The", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog", "."],
    ["Привет", "\u200b", "мир", "có", "của chúng tôi", "日本語のテキスト"],
    ["x" * 60, "short"],
    [],
]


@pytest.fixture(scope="module")
def tokenizer():
    from tiny_models import xlmr_tokenizer

    return xlmr_tokenizer()


@pytest.mark.parametrize("max_length", [8, 12, 128])
def test_windows_label_every_word_once_by_its_first_subword(tokenizer, max_length):
    pieces = word_pieces(tokenizer, SENTENCES)
    seen = {(s, w): 0 for s, words in enumerate(SENTENCES) for w in range(len(words))}
    for window in windows(tokenizer, SENTENCES, max_length, prefix="query: "):
        assert len(window.ids) <= max_length
        assert window.ids[0] == tokenizer.cls_token_id and window.ids[-1] == tokenizer.sep_token_id
        for w, pos in zip(window.words, window.positions):
            seen[window.sentence, w] += 1
            assert window.ids[pos] == pieces[window.sentence][w][0]
    assert set(seen.values()) == {1}
    # the invisible word stands as one token, so words and tags stay aligned
    assert all(p for words in pieces for p in words)


def test_best_span_keeps_to_the_context_and_the_length_limit():
    n = 80
    offsets = [None] * 10 + [(i, i + 1) for i in range(n - 10)]
    start = np.zeros(n)
    end = np.zeros(n)
    start[5], end[6] = 50, 50            # question tokens: never an answer
    start[40], end[75] = 10, 10           # too long (36 tokens)
    start[30], end[33] = 5, 4
    score, first, last = best_span(start, end, offsets)
    assert (first, last) == (offsets[30][0], offsets[33][1]) and score == 9
    assert best_span(start, end, [None] * n) is None
    assert MAX_ANSWER_TOKENS == 30


def _binary(seed: int, n: int = 300, seeds: int = 2):
    rng = np.random.default_rng(seed)
    clean = rng.random(n) < 0.7
    pert = np.array([clean & (rng.random(n) > 0.15) for _ in range(seeds)])
    return clean, pert


def test_scored_statistics_on_binary_parts_agree_with_the_exact_ones():
    clean, pert = _binary(1)
    exact = paired_drop(PairedOutcomes(clean, pert), np.random.default_rng(0))
    parts = np.stack([np.stack([c.astype(float), np.ones_like(c, dtype=float)], axis=-1) for c in (clean, *pert)])
    scored = scored_drop(ScoredOutcomes(parts), np.random.default_rng(0), n_perm=4999)
    assert scored.clean_accuracy == exact.clean_accuracy
    assert scored.perturbed_accuracy_by_seed == pytest.approx(exact.perturbed_accuracy_by_seed)
    assert scored.abs_drop == pytest.approx(exact.abs_drop)
    assert scored.abs_drop_ci == pytest.approx(exact.abs_drop_ci, abs=0.02)
    assert scored.p_greater == pytest.approx(max(exact.p_greater, 1 / 5000), abs=0.01)


def test_the_permutation_test_holds_its_level_and_finds_a_real_drop():
    rng = np.random.default_rng(7)
    tokens = rng.integers(3, 30, size=(200,)).astype(float)
    # H0: clean and perturbed from the same distribution -> p roughly uniform
    ps = []
    for _ in range(40):
        right = rng.binomial(tokens.astype(int), 0.8, size=(3, 200)).astype(float)
        parts = np.stack([np.stack([r, tokens], axis=-1) for r in right])
        ps.append(permutation_test(ScoredOutcomes(parts), rng, n_perm=199)[0])
    assert 0.02 < np.mean(np.array(ps) < 0.1) < 0.3
    # a real drop, and a perturbation that changes token counts (dropped words)
    clean = np.stack([rng.binomial(tokens.astype(int), 0.9).astype(float), tokens], axis=-1)
    fewer = np.maximum(tokens - 1, 1)
    pert = np.stack([rng.binomial(fewer.astype(int), 0.7).astype(float), fewer], axis=-1)
    out = scored_drop(ScoredOutcomes(np.stack([clean, pert])), rng, n_perm=999)
    assert out.clean_accuracy == pytest.approx(clean[:, 0].sum() / tokens.sum())
    assert out.perturbed_accuracy == pytest.approx(pert[:, 0].sum() / fewer.sum())
    assert out.p_greater == 1 / 1000 and out.abs_drop_ci[0] > 0.1


def test_no_change_has_no_drop():
    parts = np.tile(np.array([[3.0, 4.0], [0.0, 2.0], [5.0, 5.0]]), (2, 1, 1))
    out = scored_drop(ScoredOutcomes(parts), np.random.default_rng(0), n_perm=99)
    assert out.abs_drop == 0 and out.p_two_sided == 1.0 and out.abs_drop_ci == (0.0, 0.0)


# ------------------------------------------------------------------------------------ studies

STUDY = """
[study]
name = "{name}"
task = "{task}"
languages = {languages}
perturbation_seeds = [0, 1]

[data]
path = "{data}"
split = "{split}"
limit = {limit}

[run]
progress = false
max_length = {max_length}

[[checkpoints]]
name = "tiny"
path = "{ckpt}"

{perturbations}
"""


def _study(tmp_path: Path, shared_data: Path, ckpt: Path, task: str, languages: list[str], recipes: list[str],
           split: str = "test", limit: int = 12, max_length: int = 64) -> Path:
    path = tmp_path / f"{task}.toml"
    perturbations = "\n".join(f'[[perturbations]]\nrecipe = "{r}"\n' for r in recipes)
    path.write_text(STUDY.format(name=task, task=task, languages=json.dumps(languages), data=shared_data,
                                 split=split, limit=limit, ckpt=ckpt, perturbations=perturbations,
                                 max_length=max_length), encoding="utf-8")
    return path


def _run(study_file: Path, out: Path):
    from robustx.runner.execute import run_study
    from robustx.study.load import load_study

    return run_study(load_study(study_file, output=str(out)), log=lambda _: None)


def _records(root: Path, pattern: str) -> list[dict]:
    return [json.loads(line) for f in sorted(root.rglob(pattern)) for line in f.read_text().splitlines()]


@pytest.mark.parametrize("task, split, languages, labels, parts", [
    ("udpos", "test", ["en", "vi"], "UPOS_TAGS", ("right", "tokens")),
    ("panx", "dev", ["de", "zh"], "PANX_TAGS", ("tp", "predicted", "expected")),
])
def test_tagging_study_end_to_end(tmp_path, shared_data, task, split, languages, labels, parts):
    from tiny_models import tiny_xlmr_head

    from robustx.cli.report import build_report
    from robustx.tasks import TASKS

    tags = TASKS.get(task).labels
    ckpt = tiny_xlmr_head(tmp_path / "tagger", "TokenClassification", tags[::-1])  # mapped by name
    study = _study(tmp_path, shared_data, ckpt, task, languages, ["char_swap_30", "word_drop_10"], split=split,
                   max_length=16)
    result = _run(study, tmp_path / "run")
    summary = result.summary
    assert summary["metric"] == TASKS.get(task).metric
    rows = summary["results"]
    assert {(r["lang"], r["perturbation"]) for r in rows} == {(lang, p) for lang in languages
                                                              for p in ("char_swap_30", "word_drop_10")}
    assert all(r["n"] == 12 and "permutation" in r["test"] for r in rows)
    for rec in _records(tmp_path / "run" / "predictions", "*.jsonl"):
        assert set(rec) == {"id", "gold", "pred", *parts}
        assert len(rec["gold"]) == len(rec["pred"]) and set(rec["pred"]) <= set(tags)
    # word drop removes tags with their words: fewer gold tags than clean
    clean = {r["id"]: r for r in _records(tmp_path / "run" / "predictions", "*clean*.jsonl")}
    dropped = _records(tmp_path / "run" / "predictions", "*word_drop_10*.jsonl")
    assert any(len(r["gold"]) < len(clean[r["id"]]["gold"]) for r in dropped)
    again = _run(study, tmp_path / "run")
    assert again.computed == 0 and again.summary == summary
    build_report(tmp_path / "run", tmp_path / "report", fingerprints=False)
    assert (tmp_path / "report" / "report.html").is_file()
    # POS accuracy sits beside the language's most frequent tag; NER has no baseline (a constant scores 0)
    if task == "udpos":
        gold = {lang: [t for r in _records(tmp_path / "run" / "predictions", f"{lang}/clean*.jsonl") for t in r["gold"]]
                for lang in languages}
        assert summary["baseline"]["scores"] == pytest.approx(
            {lang: max(tags.count(t) for t in tags) / len(tags) for lang, tags in gold.items()})
        assert "baseline: the language's most frequent tag" in (tmp_path / "report" / "report.md").read_text()
    else:
        assert "baseline" not in summary


def test_qa_study_end_to_end(tmp_path, shared_data):
    from tiny_models import tiny_xlmr_head

    from robustx.cli.report import build_report

    ckpt = tiny_xlmr_head(tmp_path / "reader", "QuestionAnswering")
    study = _study(tmp_path, shared_data, ckpt, "xquad", ["en", "zh"], ["char_swap_30"], limit=8, max_length=96)
    result = _run(study, tmp_path / "run")
    assert result.summary["metric"] == "f1"
    records = _records(tmp_path / "run" / "predictions", "*.jsonl")
    assert records and all(set(r) == {"id", "gold", "pred", "em", "f1"} for r in records)
    assert all(0 <= r["f1"] <= 1 and r["em"] in (0.0, 1.0) for r in records)
    from robustx.tasks import TASKS
    from robustx.tasks.base import DataSource

    examples = TASKS.get("xquad")().load("en", DataSource(path=str(shared_data), limit=8)).examples
    contexts = {ex.id: ex.fields["context"] for ex in examples}
    clean_en = [r for r in _records(tmp_path / "run" / "predictions" / "tiny" / "xquad" / "en", "clean*.jsonl")]
    assert clean_en and all(r["pred"] and r["pred"] in contexts[r["id"]] for r in clean_en)
    build_report(tmp_path / "run", tmp_path / "report", fingerprints=False)
    baseline = result.summary["baseline"]
    assert baseline["name"] == "first sentence as answer" and set(baseline["scores"]) == {"en", "zh"}
    assert all(0 < f1 < 1 for f1 in baseline["scores"].values())
    assert "baseline: first sentence as answer" in (tmp_path / "report" / "report.md").read_text()


def test_a_classifier_is_refused_for_a_tagging_task(tmp_path, shared_data, tiny_ckpt):
    from robustx.errors import RobustxError
    from robustx.runner.execute import run_study
    from robustx.study.load import load_study

    study = _study(tmp_path, shared_data, tiny_ckpt, "udpos", ["en"], ["char_swap_30"])
    with pytest.raises(RobustxError, match="not a token classifier"):
        run_study(load_study(study, output=str(tmp_path / "run")), log=lambda _: None)


def _small_bucc(root: Path, shared_data: Path, pairs: int = 25, unpaired: int = 25, distractors: int = 50) -> Path:
    """A BUCC zh-en set in the release layout cut from the real dev files: gold pairs, unpaired
    Chinese sentences and English distractors."""
    src = shared_data / "bucc2018"
    zh = dict(line.split("\t", 1) for line in (src / "zh-en.dev.zh").read_text(encoding="utf-8").splitlines())
    en = dict(line.split("\t", 1) for line in (src / "zh-en.dev.en").read_text(encoding="utf-8").splitlines())
    gold = [line.split("\t") for line in (src / "zh-en.dev.gold").read_text(encoding="utf-8").splitlines()][:pairs]
    paired_en = {e for _, e in gold}
    zh_ids = [z for z, _ in gold] + [z for z in list(zh)[:200] if z not in dict(gold)][:unpaired]
    en_ids = sorted(paired_en | set([e for e in list(en)[:200] if e not in paired_en][:distractors]))
    out = root / "bucc2018"
    out.mkdir(parents=True)
    (out / "zh-en.dev.zh").write_text("".join(f"{i}\t{zh[i]}\n" for i in sorted(zh_ids)), encoding="utf-8")
    (out / "zh-en.dev.en").write_text("".join(f"{i}\t{en[i]}\n" for i in en_ids), encoding="utf-8")
    (out / "zh-en.dev.gold").write_text("".join(f"{z}\t{e}\n" for z, e in gold), encoding="utf-8")
    return root


def test_bucc_mining_study_scores_as_xtreme_does(tmp_path, shared_data, e5_dir):
    """The clean F1 is XTREME's: mine, pick the F1-best margin, extract, score; perturbed sets are
    mined at the clean set's threshold and paired per source sentence."""
    from robustx.engine.predict import encode_sentences
    from robustx.metrics.mining import Sentences, best_threshold, extract, mine, pair_scores
    from robustx.models.checkpoint import load_model
    from robustx.study.spec import CheckpointSpec
    from robustx.tasks import TASKS
    from robustx.tasks.base import DataSource

    data_dir = _small_bucc(tmp_path / "data", shared_data)
    study = tmp_path / "bucc.toml"
    study.write_text(STUDY.format(name="bucc", task="bucc18", languages='["zh"]', data=data_dir, split="dev",
                                  limit=1000, ckpt=e5_dir, max_length=64,
                                  perturbations='[[perturbations]]\nrecipe = "char_swap_30"\n'), encoding="utf-8")
    summary = _run(study, tmp_path / "run").summary
    row = summary["results"][0]
    assert summary["metric"] == "f1" and row["n"] == 50
    task = TASKS.get("bucc18")()
    data = task.load("zh", DataSource(path=str(data_dir), split="dev"))
    loaded = load_model(CheckpointSpec("e5", str(e5_dir)), task, "cpu")

    def embed(texts):
        return encode_sentences(loaded.model, loaded.tokenizer, texts, batch_size=8, max_length=64, device="cpu")

    source = Sentences([e.id for e in data.examples], [e.fields["sentence"] for e in data.examples],
                       embed([e.fields["sentence"] for e in data.examples]))
    candidates = mine(source, Sentences(data.target_ids, data.targets, embed(list(data.targets))))
    gold = {(e.id, e.label) for e in data.examples if e.label}
    expected = pair_scores(extract(candidates, best_threshold(candidates, gold)), gold).f1 / 100
    assert row["clean_accuracy"] == pytest.approx(expected) and expected > 0.5  # e5-small mines most pairs
    records = _records(tmp_path / "run" / "predictions", "*.jsonl")
    assert all(set(r) == {"id", "gold", "pred", "tp", "predicted", "expected"} for r in records)


@pytest.mark.parametrize("task, split, checkpoint", [("xnli", "test", "classifier"), ("udpos", "test", "tagger")])
def test_audit_runs_the_battery_and_writes_a_model_card(tmp_path, shared_data, tiny_ckpt, task, split, checkpoint):
    """`robustx audit` on a classifier (the battery and the attack) and on a tagger (no attack goal
    for tagging: the battery only; the card names token accuracy)."""
    from tiny_models import tiny_xlmr_head

    from robustx.cli.main import main
    from robustx.tasks import TASKS

    path = tiny_ckpt if checkpoint == "classifier" else tiny_xlmr_head(tmp_path / "tagger", "TokenClassification",
                                                                         TASKS.get("udpos").labels)
    out = tmp_path / "audit"
    code = main(["audit", str(path), "--task", task, "--data-dir", str(shared_data), "--languages", "de,en",
                 "--limit", "6", "--split", split, "--output", str(out)])
    assert code == 0
    study = (tmp_path / "audit.audit.toml").read_text(encoding="utf-8")
    assert ("[[attacks]]" in study) == (task == "xnli")
    from robustx.runner import layout

    card = (out / layout.REPORT / "model-card.md").read_text(encoding="utf-8")
    assert ("clean token accuracy %" if task == "udpos" else "clean accuracy %") in card
