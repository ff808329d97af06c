"""robustx.report: tidy tables, group comparison, Markdown/HTML reports and the CLI, on a synthetic run.

The run directory is built in tmp_path with the real shard layout and the real
``summarize`` (no model): 2 groups × k fine-tuning seeds × 2 languages × 2 perturbations
× 2 perturbation seeds, 60 examples per language. Group "mnli" is robust (drop ≈ 5
points), group "none" fragile (≈ 25 points), so the comparison is significant.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import shutil
from pathlib import Path

import pytest

from robustx.hashing import stable_seed
from robustx.report.summary import summarize
from robustx.runner.execute import RunState
from robustx.runner.plan import Condition
from robustx.runner.shards import CLEAN, EvalShard, PerturbShard
from robustx.runner.store import dumps, read_jsonl, write_atomic, write_jsonl
from robustx.study.spec import CheckpointSpec, DataSpec, PerturbationSpec, StudySpec
from robustx.tasks.base import TaskData

LANGS = ("de", "sw")
PERTS = (PerturbationSpec("char_swap_30", "char.random_edit", {"ops": ["swap"], "rate": 0.3}, ("premise",),
                          "char_swap_30"),
         PerturbationSpec("word_drop_10", "word.drop", {"rate": 0.1}, ("premise",), "word_drop_10"))
PSEEDS = (0, 1)
N = 60
WORDS = {"de": "Meine Schwester wohnt mit ihrem Mann in einer kleinen Wohnung <am> & Rand".split(),
         "sw": "Dada yangu anaishi na mumewe katika nyumba ndogo karibu na mji".split()}
DROP = {"mnli": 0.05, "none": 0.25}


class _Task:
    kind = "classification"
    metric = "accuracy"


def _perturb(text: str, pert: str, rng: random.Random) -> tuple[str, list[dict], int, int]:
    """A perturbed text, its edits (offsets in the original) and changed/units counts."""
    words, edits, out, pos = text.split(" "), [], [], 0
    for j, w in enumerate(words):
        if len(w) >= 4 and j < len(words) - 1 and rng.random() < 0.4:
            if pert == "char_swap_30":
                edits.append({"field": "premise", "start": pos + 1, "end": pos + 3, "before": w[1:3],
                              "after": w[2] + w[1], "op": "swap"})
                out.append(w[0] + w[2] + w[1] + w[3:])
            else:
                edits.append({"field": "premise", "start": pos, "end": pos + len(w) + 1, "before": w + " ",
                              "after": "", "op": "drop"})
        else:
            out.append(w)
        pos += len(w) + 1
    return " ".join(out), edits, len(edits), len(words)


def build_run(root: Path, k: int = 3, groups=("mnli", "none"), stale: bool = True, untouched=()) -> Path:
    """A finished run directory: study.json, perturbed/, predictions/, summary.json. In the
    (language, perturbation) pairs of ``untouched`` the recipe found no word it could change."""
    checkpoints = tuple(CheckpointSpec(f"{g}-s{s}", f"/nonexistent/{g}/seed{s}", group=g, seed=s,
                                       intermediate=() if g == "none" else (g,))
                        for g in groups for s in range(k))
    data_file = root / "data" / "test.tsv"
    data_file.parent.mkdir(parents=True)
    data_file.write_text("synthetic\n")
    study = StudySpec("synthetic", "xnli", LANGS, str(root), DataSpec(path=str(data_file.parent)), checkpoints,
                      PERTS, PSEEDS, source_file="")
    write_atomic(root / "study.json", dumps(dataclasses.asdict(study)) + "\n")
    state = RunState(root=root, data={}, conditions={})
    predictions = []
    for lang in LANGS:
        state.data[lang] = TaskData(examples=[], source=str(data_file))
        rng = random.Random(stable_seed("texts", lang))
        texts = {f"xnli/test/{lang}/{i}": " ".join(rng.sample(WORDS[lang], 8)) for i in range(N)}
        conds = {CLEAN: Condition(CLEAN, "clean-key")}
        for spec in PERTS:
            for seed in PSEEDS:
                prng = random.Random(stable_seed(lang, spec.name, seed))
                records = []
                for id_, text in texts.items():
                    new, edits, changed, units = _perturb(text, spec.name, prng)
                    if (lang, spec.name) in untouched:
                        new, edits, changed, units = text, [], 0, 0
                    records.append({"id": id_, "fields": {"premise": new, "hypothesis": "Sie wohnt allein."},
                                    "edits": edits, "changed": changed, "units": units})
                shard = PerturbShard("xnli", lang, spec, seed, "data-key")
                write_jsonl(shard.path(root), records)
                conds[shard.condition] = Condition(shard.condition, shard.key, shard.path(Path()).as_posix())
                state.records[shard.key] = records
        state.conditions[lang] = conds
        for ckpt in checkpoints:
            crng = random.Random(stable_seed("ckpt", ckpt.name, lang))
            clean_ok = {i: crng.random() < 0.8 for i in texts}
            drop = DROP.get(ckpt.group, 0.1) + crng.uniform(-0.03, 0.03)
            for cond in conds:
                ok = clean_ok if cond == CLEAN else {i: c and crng.random() > drop / 0.8 for i, c in clean_ok.items()}
                recs = [{"id": i, "gold": "entailment", "pred": "entailment" if v else "neutral", "correct": v}
                        for i, v in ok.items()]
                shard = EvalShard(ckpt, f"fp-{ckpt.name}", "xnli", lang, cond, conds[cond].input_key, "settings")
                write_jsonl(shard.path(root), recs)
                predictions.append((shard, recs))
    summary = summarize(study, _Task(), state, predictions)
    write_atomic(root / "summary.json", dumps(summary) + "\n")
    if stale:   # an older run's shards with other examples stay beside the current ones
        folder = root / "predictions" / checkpoints[0].name / "xnli" / LANGS[0]
        write_jsonl(folder / "clean.0000000000000000.jsonl", [{"id": "old", "gold": "x", "pred": "x", "correct": True}])
        write_jsonl(root / "perturbed" / "xnli" / LANGS[0] / "char_swap_30.s0.0000000000000000.jsonl",
                    [{"id": "old", "fields": {"premise": "a"}, "edits": [], "changed": 0, "units": 1}])
    return root


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    return build_run(tmp_path_factory.mktemp("run"))


@pytest.fixture(scope="module")
def report_dir(run_dir, tmp_path_factory) -> Path:
    from robustx.cli.main import main

    out = tmp_path_factory.mktemp("report")
    assert main(["report", str(run_dir), "--output", str(out), "--n-boot", "500"]) == 0
    return out


# -- tidy tables ------------------------------------------------------------------------------

def test_load_run_reads_the_shards_summary_json_lists(run_dir):
    from robustx.report.tidy import load_run

    run = load_run(run_dir)
    assert len(run.predictions) == 6 * 2 * (1 + 2 * 2)       # ckpts × langs × (clean + perts × seeds)
    assert len(run.perturbed) == 2 * 2 * 2
    assert all(o.n == N for o in run.predictions.values())
    files = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))["files"]
    assert sorted(p.relative_to(run_dir).as_posix() for p in run.prediction_files.values()) == files["predictions"]
    assert sorted(f.path.relative_to(run_dir).as_posix() for f in run.perturbed.values()) == files["perturbed"]
    assert "0000000000000000" not in str(run.prediction_files["mnli-s0", "de", "clean"])   # the stale shards


def _newer_copy(path: Path, change) -> Path:
    """A shard of the same condition and examples as ``path``, ``change``d, with another key, written after it."""
    stale = path.with_name(path.name.replace(path.name.split(".")[-2], "ffffffffffffffff"))
    write_jsonl(stale, change(list(read_jsonl(path))))
    later = path.stat().st_mtime + 60
    os.utime(stale, (later, later))
    return stale


def _rotated(records: list[dict]) -> list[dict]:
    """The same ids and accuracy, other examples right: indistinguishable by the summary's numbers."""
    correct = [r["correct"] for r in records]
    return [{**r, "correct": c} for r, c in zip(records, correct[1:] + correct[:1])]


def test_a_newer_stale_shard_of_the_same_condition_is_not_read(tmp_path):
    """After e.g. a checkpoint changed, its directory holds two shards per condition with the same
    examples; the report reads the one summary.json lists, not the newest."""
    from robustx.report.compare import CompareOptions, compare_run
    from robustx.report.tidy import load_run, pick_examples, tidy_rows

    run_dir = build_run(tmp_path / "run", k=2, stale=False)
    options = CompareOptions(n_boot=200, aso_boot=100)
    before = load_run(run_dir)
    rows_before, comp_before, examples_before = tidy_rows(before), compare_run(before, options), pick_examples(before)
    listed = before.prediction_files["mnli-s0", "de", "char_swap_30@0"]
    stale = _newer_copy(listed, _rotated)
    _newer_copy(before.prediction_files["mnli-s0", "de", "clean"], _rotated)
    perturbed = before.perturbed["de", "char_swap_30", 0].path
    _newer_copy(perturbed, lambda records: records[::-1])

    after = load_run(run_dir)
    assert after.prediction_files == before.prediction_files and stale not in after.prediction_files.values()
    assert after.perturbed["de", "char_swap_30", 0].path == perturbed
    assert tidy_rows(after) == rows_before                        # McNemar counts see per-example outcomes
    assert compare_run(after, options).rows == comp_before.rows
    assert pick_examples(after) == examples_before


def _summary(run_dir: Path) -> dict:
    return json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))


def test_summary_without_its_files_is_an_error(tmp_path):
    from robustx.errors import RobustxError
    from robustx.report.tidy import load_run

    run_dir = build_run(tmp_path / "run", k=1, stale=False)
    summary = _summary(run_dir)
    del summary["files"]
    write_atomic(run_dir / "summary.json", dumps(summary) + "\n")
    with pytest.raises(RobustxError, match=r"summary.json: no 'files' .* re-run `robustx run`") as err:
        load_run(run_dir)
    assert str(run_dir) in str(err.value) and "\n" not in str(err.value)
    assert load_run(run_dir, per_example=False).summary == summary      # summary-level numbers need no shards


@pytest.mark.parametrize("damage, message", [
    ("delete", "listed in summary.json but missing"),
    ("garble", "not valid JSON Lines"),
    ("flip", "does not reproduce summary.json"),
    ("unlist", "files lists no shard for mnli-s0 de char_swap_30@1"),
])
def test_a_listed_shard_that_is_missing_or_wrong_is_an_error(tmp_path, damage, message):
    from robustx.errors import RobustxError
    from robustx.report.tidy import load_run

    run_dir = build_run(tmp_path / "run", k=1, stale=False)
    summary = _summary(run_dir)
    rel = next(p for p in summary["files"]["predictions"] if "mnli-s0/xnli/de/char_swap_30.s1." in p)
    path = run_dir / rel
    if damage == "delete":
        path.unlink()
    elif damage == "garble":
        path.write_text('{"id": "xnli/test/de/0", "correct": tru\n', encoding="utf-8")
    elif damage == "flip":
        write_jsonl(path, [{**r, "correct": not r["correct"]} for r in read_jsonl(path)])
    else:
        summary["files"]["predictions"].remove(rel)
        write_atomic(run_dir / "summary.json", dumps(summary) + "\n")
    with pytest.raises(RobustxError, match=message) as err:
        load_run(run_dir)
    assert "\n" not in str(err.value)
    assert (str(path) in str(err.value)) != (damage == "unlist")         # names the file (or summary.json)


def test_tidy_rows_columns_and_pandas_roundtrip(run_dir, tmp_path):
    pd = pytest.importorskip("pandas")
    from robustx.report.tidy import COLUMNS, load_run, tidy_rows, write_table

    run = load_run(run_dir)
    rows = tidy_rows(run)
    assert len(rows) == 6 * 2 * 2 * 2                         # ckpt × lang × perturbation × perturbation seed
    assert all(tuple(r) == COLUMNS for r in rows)
    for r in rows:
        assert r["lost"] - r["gained"] == pytest.approx(r["drop"] * r["n"])
        assert 0 < r["achieved_rate"] < 1 and r["mcnemar_p"] is not None
    by_row = {}
    for r in rows:
        by_row.setdefault((r["checkpoint"], r["lang"], r["perturbation"]), []).append(r)
    for members in by_row.values():
        assert sorted(m["perturbation_seed"] for m in members) == list(PSEEDS)
        mean = sum(m["perturbed_accuracy"] for m in members) / len(members)
        assert mean == pytest.approx(members[0]["perturbed_accuracy_mean"])
    assert write_table(rows, tmp_path / "results", COLUMNS) == []
    for df in (pd.read_csv(tmp_path / "results.csv"), pd.read_parquet(tmp_path / "results.parquet")):
        assert df.shape == (len(rows), len(COLUMNS)) and list(df.columns) == list(COLUMNS)
        assert df["abs_drop"].dtype.kind == "f" and df["perturbation_seed"].dtype.kind == "i"
        assert df.groupby("group")["drop"].mean()["none"] > df.groupby("group")["drop"].mean()["mnli"]
        assert df["clean_accuracy"].tolist() == pytest.approx([r["clean_accuracy"] for r in rows])


def test_parquet_is_skipped_with_a_note_without_pyarrow(tmp_path, monkeypatch):
    import sys

    from robustx.report.tidy import write_table

    monkeypatch.setitem(sys.modules, "pyarrow", None)
    notes = write_table([{"a": 1, "b": None}], tmp_path / "t")
    assert (tmp_path / "t.csv").read_text() == "a,b\n1,\n"
    assert not (tmp_path / "t.parquet").exists() and "pyarrow" in notes[0]


def test_edit_segments_reconstruct_the_original():
    from robustx.report.tidy import edit_segments

    original = "abc def ghi"
    edits = [{"start": 1, "end": 3, "before": "bc", "after": "cb", "op": "swap"},
             {"start": 4, "end": 8, "before": "def ", "after": "", "op": "drop"},
             {"start": 11, "end": 11, "before": "", "after": "\u200b", "op": "insert"}]
    perturbed = "acb ghi\u200b"
    segs = edit_segments(perturbed, edits)
    assert "".join(s.before for s in segs) == original and "".join(s.after for s in segs) == perturbed
    assert [s.op for s in segs if s.changed] == ["swap", "drop", "insert"]
    assert edit_segments("xyz ghi", edits) is None           # edits that do not fit: no highlighting


# -- comparison -------------------------------------------------------------------------------

def test_compare_adjusts_p_values_within_families(run_dir):
    from robustx.report.compare import CompareOptions, compare_run
    from robustx.report.tidy import load_run
    from robustx.stats.multiple import adjust

    run = load_run(run_dir)
    comp = compare_run(run, CompareOptions(n_boot=300, aso_boot=200))
    assert list(comp.groups) == ["mnli", "none"] and comp.pairs == [("mnli", "none")]
    assert len(comp.rows) == 2 * 2 and len(comp.group_rows) == 2 * 2 * 2
    for pert in ("char_swap_30", "word_drop_10"):               # family "lang": the languages of one perturbation
        fam = [r for r in comp.rows if r["perturbation"] == pert]
        assert [r["welch_p_adj"] for r in fam] == pytest.approx(adjust([r["welch_p"] for r in fam], "holm"))
        assert all(r["welch_p_adj_family_size"] == 2 for r in fam)
    for r in comp.rows:
        assert r["diff"] < 0 and r["diff_ci_high"] < 0          # mnli drops less: more robust
        assert r["welch_p"] <= r["welch_p_adj"] and r["significant"] == (r["welch_p_adj"] <= 0.05)
        assert r["mannwhitney_p"] is None and "cannot reach" in r["refusals"]["mannwhitney"]   # 3 vs 3
        assert r["ci_excludes_zero"] is True
    assert any("Mann–Whitney" in x for x in comp.refusals)
    wide = compare_run(run, CompareOptions(family="lang-x-perturbation", correction="bh", n_boot=300, aso_boot=200))
    assert wide.family.startswith("per pair of groups: 2 languages × 2 perturbations")
    assert all(r["welch_p_adj_family_size"] == 4 and r["correction"] == "bh" for r in wide.rows)
    assert [r["welch_p_adj"] for r in wide.rows] == pytest.approx(adjust([r["welch_p"] for r in wide.rows], "bh"))
    with pytest.raises(Exception, match="family"):
        CompareOptions(family="checkpoint")
    by_intermediate = compare_run(run, CompareOptions(by="intermediate", n_boot=100, aso_boot=100))
    assert by_intermediate.groups == {"mnli": ["mnli-s0", "mnli-s1", "mnli-s2"], "none": ["none-s0", "none-s1", "none-s2"]}


def test_a_registered_group_test_reaches_every_output(run_dir, tmp_path, monkeypatch):
    """A new seed-level test is one registry entry: run on every pair, adjusted, written, rendered, selectable."""
    pd = pytest.importorskip("pandas")
    from scipy.stats import ttest_ind

    from robustx.cli.main import main
    from robustx.stats.groups import GROUP_TESTS, GroupTest

    def student(a, b, alpha):
        res = ttest_ind(a, b)
        return float(res.statistic), float(res.pvalue)

    test = GroupTest("student", "Student's t-test", "Student", ("student_t", "student_p"), run=student,
                     refusal=lambda k_a, k_b, alpha: None)
    monkeypatch.setitem(GROUP_TESTS._entries, test.name, test)      # registered for this test only
    out = tmp_path / "report"
    assert main(["report", str(run_dir), "--output", str(out), "--test", "student", "--n-boot", "200",
                 "--no-fingerprints", "--examples", "1"]) == 0
    df = pd.read_csv(out / "comparisons.csv")
    columns = list(df.columns)
    assert columns[columns.index("mannwhitney_method") + 1:][:4] == ["student_t", "student_p", "student_p_adj",
                                                                       "correction"]
    assert (df["significant"] == (df["student_p_adj"] <= 0.05)).all()
    assert df["student_p"].between(0, 1).all() and (df["student_p"] <= df["student_p_adj"]).all()
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "| MW p | adj. | Student p | adj. | Hedges g |" in md and "adjusted Student's t-test p" in md
    assert "<th>Student p</th>" in (out / "report.html").read_text(encoding="utf-8")


def test_mark_flags_a_test_that_its_hierarchical_ci_contradicts():
    from robustx.report.compare import mark

    assert mark({"significant": True, "ci_excludes_zero": True}) == "*"
    assert mark({"significant": True, "ci_excludes_zero": False}) == "*†"   # 3 drops agreeing by chance
    assert mark({"significant": True, "ci_excludes_zero": None}) == "*"     # no CI: the test stands alone
    assert mark({"significant": False, "ci_excludes_zero": False}) == mark({"significant": None}) == ""


def test_compare_warns_and_withholds_with_too_few_seeds(tmp_path):
    from robustx.report.compare import compare_run
    from robustx.report.tidy import load_run

    two = compare_run(load_run(build_run(tmp_path / "two", k=2, stale=False)))
    assert sum("fine-tuning seeds" in w and "below 3" in w for w in two.warnings) == 2
    assert all(r["welch_p"] is not None and r["mannwhitney_p"] is None for r in two.rows)
    one = compare_run(load_run(build_run(tmp_path / "one", k=1, stale=False)))
    for r in one.rows:                                         # one seed per group: no seed-level p-value at all
        assert r["welch_p"] is None and r["welch_p_adj"] is None and r["significant"] is None
        assert "≥ 2 checkpoints" in r["refusals"]["welch"]
        assert r["diff_ci_low"] is not None                    # the hierarchical CI still exists (examples)


# -- reports ----------------------------------------------------------------------------------

def test_report_files(report_dir):
    names = {p.relative_to(report_dir).as_posix() for p in report_dir.rglob("*") if p.is_file()}
    assert {"results.csv", "results.parquet", "groups.csv", "comparisons.csv", "comparisons.parquet", "report.md",
            "report.html", "plots/drop.svg", "plots/heatmap.svg", "plots/forest-mnli-vs-none.svg"} <= names


def test_html_is_self_contained_with_plots_and_highlights(run_dir, report_dir):
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    assert html.count('<svg class="plot"') == 3
    for plot in ("drop-by-language", "heatmap", "forest-mnli-vs-none"):
        assert f'data-plot="{plot}"' in html
    assert 'data-plots-expected="3"' in html
    assert "<mark" in html and "<del" in html and "<ins" in html
    assert "<am>" not in html and "&lt;am&gt;" in html         # example text is escaped
    assert "<link" not in html and 'src="http' not in html and "@import" not in html
    assert "Holm" in html and "withheld" in html and "cannot reach p ≤ 0.05" in html
    assert "Reproducibility" in html and "perturbation seeds" in html
    from robustx.hashing import file_sha256

    assert file_sha256(run_dir / "data" / "test.tsv") in html   # data files hashed for the reproducibility block


def test_markdown_has_tables_plots_and_examples(report_dir):
    md = (report_dir / "report.md").read_text(encoding="utf-8")
    for heading in ("## Design", "## Drop per language", "## Group comparison", "## Perturbed examples",
                    "## Reproducibility"):
        assert heading in md
    assert "| lang | mnli (k=3) | none (k=3) | units edited % |" in md and "| perturbation | lang | k A/B |" in md
    assert "(plots/heatmap.svg)" in md and "(plots/forest-mnli-vs-none.svg)" in md
    assert "~~" in md and "**" in md and "withheld \\[1\\]" in md


def _tree(root: Path) -> dict[str, float]:
    return {p.relative_to(root).as_posix(): p.stat().st_mtime for p in root.rglob("*")}


def test_compare_prints_the_reports_comparisons_and_writes_nothing(run_dir, tmp_path, capsys):
    pd = pytest.importorskip("pandas")
    from robustx.cli.main import main

    options = ["--family", "lang×perturbation", "--correction", "bh", "--n-boot", "300"]
    files = _tree(run_dir)
    assert main(["compare", str(run_dir), *options]) == 0
    compared = capsys.readouterr().out
    assert _tree(run_dir) == files                                    # nothing written, in the run or elsewhere
    assert "mnli vs none" in compared and "Benjamini–Hochberg" in compared and "wrote" not in compared
    out = tmp_path / "report"
    assert main(["report", str(run_dir), "--output", str(out), *options, "--no-fingerprints", "--examples", "1"]) == 0
    assert compared in capsys.readouterr().out                        # the same comparisons as the report's
    df = pd.read_csv(out / "comparisons.csv")
    assert len(df) == 4 and set(df["family"]) == {"lang×perturbation"} and set(df["correction"]) == {"bh"}
    assert df["welch_p_adj"].notna().all() and df["mannwhitney_p"].isna().all()
    assert df["refusals"].str.contains("Mann–Whitney").all()
    for command in ("compare", "report"):
        with pytest.raises(SystemExit):
            main([command, str(run_dir), "--test", "bogus"])
        assert "--test: invalid choice: 'bogus'" in capsys.readouterr().err


def test_compare_single_group_is_an_error_and_report_still_writes(tmp_path, capsys):
    from robustx.cli.main import main

    run = build_run(tmp_path / "run", k=1, groups=("only",), stale=False)
    assert main(["compare", str(run)]) == 2
    assert "nothing to compare" in capsys.readouterr().err
    assert not (run / "report").exists()
    assert main(["report", str(run), "--no-fingerprints"]) == 0
    html = (run / "report" / "report.html").read_text(encoding="utf-8")
    assert "only one group" in html and html.count('<svg class="plot"') == 2


def test_report_html_renders_in_chromium(report_dir, tmp_path):
    if not any(shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome")):
        message = "chromium not installed (apt-get install chromium)"
        if os.environ.get("ROBUSTX_REQUIRE_SHARED") == "1":
            pytest.fail(message + ": .ci/run installs it")
        pytest.skip(message)
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "check_report_html.py"
    shot = tmp_path / "report.png"
    proc = subprocess.run([sys.executable, str(script), str(report_dir / "report.html"), "--screenshot", str(shot),
                           "--expect-examples"], capture_output=True, text=True, timeout=180)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert proc.returncode == 0, result
    assert result["plots_rendered"] == result["plots_expected"] == 3 and not result["console_messages"]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_recipe_with_nothing_to_change_has_no_rate_and_a_warning(tmp_path):
    from robustx.report.compare import compare_run
    from robustx.report.tidy import load_run, tidy_rows

    run = load_run(build_run(tmp_path, k=2, untouched={("sw", "word_drop_10")}))
    rates = {(r["checkpoint"], r["lang"], r["perturbation"]): r["achieved_rate"] for r in run.summary["results"]}
    assert all(rate is None for (_, lang, pert), rate in rates.items() if (lang, pert) == ("sw", "word_drop_10"))
    assert all(0 < rate < 1 for (_, lang, pert), rate in rates.items() if (lang, pert) != ("sw", "word_drop_10"))
    groups = {(g["lang"], g["perturbation"]): g for g in run.summary["groups"]}
    assert groups["sw", "word_drop_10"]["achieved_rate_mean"] is None
    comp = compare_run(run)
    assert any("nothing to perturb" in w and "word_drop_10 in sw" in w for w in comp.warnings)
    tidy = [r for r in tidy_rows(run) if (r["lang"], r["perturbation"]) == ("sw", "word_drop_10")]
    assert tidy and all(r["achieved_rate"] is None for r in tidy)
