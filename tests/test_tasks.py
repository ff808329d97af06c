"""Tasks: real XTREME copies, official release layouts, malformed rows, the Hugging Face path."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from robustx.errors import RobustxError
from robustx.languages import TATOEBA_CODES, XTREME_LANGUAGES, check_language
from robustx.tasks import TASKS, DataSource, TaskData


def load(task: str, lang: str, path: Path | str = "", **kw) -> TaskData:
    return TASKS.get(task)().load(lang, DataSource(path=str(path), **kw))


def write(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


# --- real data -------------------------------------------------------------------------


def test_xnli_test_counts_labels_and_parallel_ids(shared_data):
    xnli = TASKS.get("xnli")()
    first = None
    for lang in xnli.languages:
        data = xnli.load(lang, DataSource(path=str(shared_data)))
        assert data.skipped == 0 and len(data.examples) == 5010
        assert Counter(e.label for e in data.examples) == {label: 1670 for label in xnli.labels}
        assert [e.id for e in data.examples[:2]] == [f"xnli/test/{lang}/0", f"xnli/test/{lang}/1"]
        assert all(e.lang == lang and set(e.fields) == {"premise", "hypothesis"} for e in data.examples)
        aligned = [(e.row, e.label) for e in data.examples]
        first = first or aligned
        assert aligned == first  # row i is the same example, with the same gold label, in every language


def test_xnli_dev_copy_has_no_header(shared_data):
    data = load("xnli", "sw", shared_data, split="dev")
    assert len(data.examples) == 2490 and Counter(e.label for e in data.examples)["neutral"] == 830
    assert data.examples[-1].id == "xnli/dev/sw/2489"
    assert [e.row for e in data.examples] == [e.row for e in load("xnli", "zh", shared_data, split="dev").examples]


def test_pawsx_test_labels_and_ids(shared_data):
    names = {"0": "not_paraphrase", "1": "paraphrase"}  # 1 = paraphrase
    ids, counts = None, {}
    for lang in ("de", "en", "es", "fr", "zh"):
        raw = (shared_data / f"pawsx/test/{lang}.tsv").read_text(encoding="utf-8").splitlines()[1:]
        gold = {cells[0]: names[cells[3]] for cells in (line.split("\t") for line in raw)}
        data = load("pawsx", lang, shared_data)
        assert len(data.examples) == 2000 and data.examples[0].id == f"pawsx/test/{lang}/10"
        assert {e.row: e.label for e in data.examples} == gold
        counts[lang] = Counter(gold.values())
        ids = ids or [e.row for e in data.examples]
        assert [e.row for e in data.examples] == ids
    # Untranslated ("NS") placeholder rows carry label 0, so the counts differ a little by language.
    assert counts["en"] == {"not_paraphrase": 1093, "paraphrase": 907}
    assert counts["de"] == {"not_paraphrase": 1105, "paraphrase": 895}


def test_pawsx_dev_copies(shared_data):
    for lang in ("ja", "ko"):
        data = load("pawsx", lang, shared_data, split="dev")
        assert len(data.examples) == 2000 and data.examples[-1].row == "2000"


def test_tatoeba_gold_is_the_aligned_english_line(shared_data):
    data = load("tatoeba", "de", shared_data)
    deu = (shared_data / "tatoeba/tatoeba.deu-eng.deu").read_text(encoding="utf-8").splitlines()
    eng = (shared_data / "tatoeba/tatoeba.deu-eng.eng").read_text(encoding="utf-8").splitlines()
    assert len(data.examples) == len(data.targets) == 1000 and list(data.targets) == eng
    for i in (0, 499, 999):
        example = data.examples[i]
        assert example.fields["text"] == deu[i] and example.label == str(i)
        assert example.id == f"tatoeba/test/de/{i + 1}" and data.targets[int(example.label)] == eng[i]
    assert len(load("tatoeba", "jv", shared_data).examples) == 205


def test_every_local_tatoeba_file_has_a_code(shared_data):
    codes = {path.name.split(".")[1].split("-")[0] for path in (shared_data / "tatoeba").iterdir()}
    assert codes <= set(TATOEBA_CODES.values()) and len(codes) == 33
    assert len(TASKS.get("tatoeba").languages) == 36 and set(TASKS.get("tatoeba").languages) <= XTREME_LANGUAGES


def test_limit_keeps_the_first_examples(shared_data):
    full = load("xnli", "de", shared_data)
    assert load("xnli", "de", shared_data, limit=7).examples == full.examples[:7]
    small = load("tatoeba", "fr", shared_data, limit=3)
    assert len(small.targets) == 3 and [e.label for e in small.examples] == ["0", "1", "2"]


def test_task_folder_is_accepted_and_missing_file_lists_paths(shared_data):
    assert len(load("xnli", "de", shared_data / "xnli", limit=1).examples) == 1
    with pytest.raises(RobustxError, match=r"tatoeba\.jpn-eng\.jpn"):
        load("tatoeba", "ja", shared_data)


# --- official release layouts -------------------------------------------------------------

XNLI_HEADER = (
    "language\tgold_label\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1_parse\tsentence2_parse\t"
    "sentence1\tsentence2\tpromptID\tpairID\tgenre\tlabel1\tlabel2\tlabel3\tlabel4\tlabel5\t"
    "sentence1_tokenized\tsentence2_tokenized\tmatch"
)


def xnli_row(lang: str, label: str, premise: str, hypothesis: str, pair: int) -> str:
    return "\t".join([lang, label, "", "", "", "", premise, hypothesis, str(pair), str(pair), "fiction",
                      label, label, label, label, label, premise, hypothesis, "True"])


def test_xnli_release_file_selects_the_language(tmp_path):
    rows = [xnli_row("en", "neutral", 'He said "hi', "A quote never closes.", 1),
            xnli_row("en", "contradictory", "Two", "Three", 2)]
    rows += [xnli_row("de", "entailment", 'Er sagte "hallo', "Ein Anführungszeichen.", 1),
             xnli_row("de", "contradiction", "Zwei", "Drei", 2)]
    write(tmp_path / "XNLI-1.0/xnli.test.tsv", [XNLI_HEADER, *rows])
    for root in (tmp_path, tmp_path / "XNLI-1.0"):
        de = load("xnli", "de", root)
        assert [(e.id, e.label) for e in de.examples] == [
            ("xnli/test/de/0", "entailment"), ("xnli/test/de/1", "contradiction")]
        assert de.examples[0].fields["premise"] == 'Er sagte "hallo'
    assert [e.label for e in load("xnli", "en", tmp_path).examples] == ["neutral", "contradiction"]


def test_pawsx_release_layout(tmp_path):
    header = "id\tsentence1\tsentence2\tlabel"
    write(tmp_path / "x-final/ko/dev_2k.tsv", [header, '7\t"따옴표\t문장\t1', "9\tNS\t문장 둘\t0"])
    for root in (tmp_path, tmp_path / "x-final"):
        data = load("pawsx", "ko", root, split="dev")
        assert [(e.id, e.label) for e in data.examples] == [
            ("pawsx/dev/ko/7", "paraphrase"), ("pawsx/dev/ko/9", "not_paraphrase")]


def test_tatoeba_laser_layout(tmp_path):
    write(tmp_path / "tatoeba/v1/tatoeba.pes-eng.pes", ["سلام", "خداحافظ"])
    write(tmp_path / "tatoeba/v1/tatoeba.pes-eng.eng", ["Hello", "Goodbye"])
    for root in (tmp_path, tmp_path / "tatoeba", tmp_path / "tatoeba/v1"):
        data = load("tatoeba", "fa", root)
        assert list(data.targets) == ["Hello", "Goodbye"] and data.examples[1].label == "1"


# --- malformed rows -----------------------------------------------------------------------

XNLI_LOCAL_HEADER = "index\tlanguage\tgenre\tgold_label\tsentence1\tsentence2"


def local_xnli(tmp_path: Path, bad: dict[int, str]) -> Path:
    """A local-layout de test file of 20 rows, where ``bad`` replaces data rows by line number."""
    lines = [XNLI_LOCAL_HEADER] + [f"{i}\tde\tfiction\tneutral\tPrämisse {i}\tHypothese {i}" for i in range(20)]
    for number, line in bad.items():
        lines[number - 1] = line
    return write(tmp_path / "xnli/test/de.tsv", lines)


@pytest.mark.parametrize(
    "line, message",
    [
        ("15\tde\tfiction\tneutral\tnur fünf Spalten", "expected 6 tab-separated columns, got 5"),
        ("15\tde\tfiction\tneutral\t \tHypothese", "empty premise"),
        ("15\tde\tfiction\tmaybe\tPrämisse\tHypothese", "unknown label 'maybe'"),
        ("15\ten\tfiction\tneutral\tPremise\tHypothesis", "row of language 'en'"),
        ("3\tde\tfiction\tneutral\tPrämisse\tHypothese", "duplicate row id '3'"),
    ],
)
def test_malformed_row_names_file_and_line(tmp_path, line, message):
    local_xnli(tmp_path, {17: line})
    with pytest.raises(RobustxError) as err:
        load("xnli", "de", tmp_path)
    assert f"xnli/test/de.tsv:17: {message}" in str(err.value)


def test_allow_skip_counts_and_keeps_ids(tmp_path):
    local_xnli(tmp_path, {3: "1\tde\tkaputt", 10: "8\tde\tfiction\t?\ta\tb", 21: ""})
    data = load("xnli", "de", tmp_path, allow_skip=True)
    assert data.skipped == 3 and len(data.examples) == 17
    assert [e.row for e in data.examples][:3] == ["0", "2", "3"]


def test_tatoeba_line_count_mismatch(tmp_path):
    write(tmp_path / "tatoeba.deu-eng.deu", ["Eins", "Zwei", "Drei"])
    write(tmp_path / "tatoeba.deu-eng.eng", ["One", "Two"])
    with pytest.raises(RobustxError, match=r"tatoeba\.deu-eng\.deu:3: no matching line in .*eng, which has 2 lines"):
        load("tatoeba", "de", tmp_path, limit=1)
    data = load("tatoeba", "de", tmp_path, allow_skip=True)
    assert data.skipped == 1 and list(data.targets) == ["One", "Two"]


def test_tatoeba_empty_translation_is_located_in_the_english_file(tmp_path):
    write(tmp_path / "tatoeba.deu-eng.deu", ["Eins", "Zwei"])
    write(tmp_path / "tatoeba.deu-eng.eng", ["One", "  "])
    with pytest.raises(RobustxError, match=r"tatoeba\.deu-eng\.eng:2: empty English translation"):
        load("tatoeba", "de", tmp_path)
    data = load("tatoeba", "de", tmp_path, allow_skip=True)
    assert data.skipped == 1 and [e.row for e in data.examples] == ["1"]


def test_bad_encoding_and_header(tmp_path):
    path = write(tmp_path / "pawsx/test/fr.tsv", ["id\tsentence1\tsentence2\tlabel", "1\ta\tb\t0"])
    path.write_bytes(path.read_bytes() + b"2\t\xff\tb\t0\n")
    with pytest.raises(RobustxError, match=r"fr\.tsv:3: not valid UTF-8"):
        load("pawsx", "fr", tmp_path)
    write(path, ["id\tsentence1\tsentence2\tgold", "1\ta\tb\t0"])
    with pytest.raises(RobustxError, match=r"fr\.tsv:1: header lacks column\(s\) label"):
        load("pawsx", "fr", tmp_path)


# --- requests and language codes ----------------------------------------------------------


def test_unknown_language_split_and_source():
    with pytest.raises(RobustxError, match=r"task 'xnli' has no language 'jp'; supported: ar, bg"):
        load("xnli", "jp", "/nowhere")
    with pytest.raises(RobustxError, match=r"task 'tatoeba' has no language 'deu' \(did you mean 'de'\?\)"):
        load("tatoeba", "deu", "/nowhere")
    with pytest.raises(RobustxError, match=r"no split 'validation' \(did you mean 'dev'\?\); splits: test, dev"):
        load("pawsx", "de", "/nowhere", split="validation")
    with pytest.raises(RobustxError, match="needs a path"):
        load("pawsx", "de")
    with pytest.raises(RobustxError, match="no PAWS-X test data for 'de' found under /nowhere; looked for: "):
        load("pawsx", "de", "/nowhere")


@pytest.mark.parametrize(
    "typed, meant", [("deu", "de"), ("DE", "de"), ("zh-CN", "zh"), ("jp", "ja"), ("iw", "he"), ("zsm", "ms")]
)
def test_language_suggestions(typed, meant):
    with pytest.raises(RobustxError, match=rf"XTREME has no language '{typed}' \(did you mean '{meant}'\?\)"):
        check_language(typed, XTREME_LANGUAGES)
    assert check_language(meant, XTREME_LANGUAGES) == meant


# --- Hugging Face (mocked: no network in tests) ---------------------------------------------


@pytest.fixture
def fake_hub(monkeypatch):
    """Replace ``datasets.load_dataset`` by a table of in-memory datasets; records the calls."""
    import datasets

    tables: dict[tuple[str, str, str], datasets.Dataset] = {}
    calls: list[tuple[str, str, str]] = []

    def load_dataset(name, config, split):
        calls.append((name, config, split))
        if (name, config, split) not in tables:
            raise ConnectionError("Couldn't reach the Hugging Face Hub\n(offline)")
        return tables[(name, config, split)]

    def add(key, columns, labels=None):
        features = {c: datasets.Value("int32" if c == "id" else "string") for c in columns if c != "label"}
        if labels is not None:
            features["label"] = datasets.ClassLabel(names=labels)
        tables[key] = datasets.Dataset.from_dict(columns, features=datasets.Features(features))

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    return add, calls


def test_hf_xnli_maps_labels_by_classlabel_names(fake_hub):
    add, calls = fake_hub
    # A deliberately different order from facebook/xnli's: names, not ids, must decide.
    add(("facebook/xnli", "de", "validation"),
        {"premise": ["P0", "P1"], "hypothesis": ["H0", "H1"], "label": [0, 2]},
        labels=["contradiction", "neutral", "entailment"])
    data = load("xnli", "de", kind="hf", split="dev")
    assert calls == [("facebook/xnli", "de", "validation")]
    assert [(e.id, e.label, e.fields["premise"]) for e in data.examples] == [
        ("xnli/dev/de/0", "contradiction", "P0"), ("xnli/dev/de/1", "entailment", "P1")]
    assert data.source == "hf:facebook/xnli/de/validation"


def test_hf_pawsx_ids_and_missing_labels(fake_hub):
    add, _ = fake_hub
    add(("google-research-datasets/paws-x", "ja", "test"),
        {"id": [4, 5, 6], "sentence1": ["a", "b", "c"], "sentence2": ["x", "y", "z"], "label": [1, -1, 0]},
        labels=["0", "1"])
    with pytest.raises(RobustxError, match=r"paws-x/ja/test row 1: unknown label '-1'"):
        load("pawsx", "ja", kind="hf")
    data = load("pawsx", "ja", kind="hf", allow_skip=True)
    assert data.skipped == 1
    assert [(e.row, e.label) for e in data.examples] == [("4", "paraphrase"), ("6", "not_paraphrase")]


def test_hf_tatoeba(fake_hub):
    add, calls = fake_hub
    add(("google/xtreme", "tatoeba.cmn", "validation"),
        {"source_sentence": ["你好\n", "再见\n"], "target_sentence": ["Hello\n", "Bye\n"],
         "source_lang": ["cmn", "cmn"], "target_lang": ["eng", "eng"]})
    data = load("tatoeba", "zh", kind="hf")
    assert calls == [("google/xtreme", "tatoeba.cmn", "validation")]
    assert list(data.targets) == ["Hello", "Bye"]
    assert [(e.id, e.fields["text"], e.label) for e in data.examples] == [
        ("tatoeba/test/zh/1", "你好", "0"), ("tatoeba/test/zh/2", "再见", "1")]


def test_hf_failure_is_one_line(fake_hub):
    expected = r"^cannot load Hugging Face dataset facebook/xnli \(sw, test\): Couldn't reach the Hugging Face Hub$"
    with pytest.raises(RobustxError, match=expected):
        load("xnli", "sw", kind="hf")
