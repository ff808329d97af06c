"""Structured tasks (docs/structured.md): UD-POS, PAN-X, XQuAD, MLQA, TyDiQA-GoldP, BUCC 2018.

Real-data tests read ../shared/data (skipped with a message where it is absent); the
layout, malformed-input and Hugging Face tests (mocked: no network) use small temp files.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from robustx.errors import RobustxError
from robustx.tasks import TASKS, DataSource, TaskData
from robustx.tasks.base import Example, Span
from robustx.tasks.mlqa import mlqa_pair
from robustx.tasks.panx import PANX_TAGS
from robustx.tasks.udpos import UPOS_TAGS


def load(task: str, lang: str, path: Path | str = "", **kw) -> TaskData:
    return TASKS.get(task)().load(lang, DataSource(path=str(path), **kw))


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def error(task: str, lang: str, path: Path | str = "", **kw) -> str:
    """The message of the RobustxError that loading raises: always one line."""
    with pytest.raises(RobustxError) as err:
        load(task, lang, path, **kw)
    message = str(err.value)
    assert "\n" not in message, message
    return message


def assert_tiles(example: Example, tags: tuple[str, ...]) -> None:
    """A tagging example's spans are its tokens: in order, one space apart, covering the sentence."""
    sentence = example.fields["sentence"]
    assert example.spans and example.spans[0].start == 0 and example.spans[-1].end == len(sentence)
    for before, after in zip(example.spans, example.spans[1:]):
        assert after.start == before.end + 1 and sentence[before.end] == " "
    for span in example.spans:
        assert span.field == "sentence" and span.start < span.end and span.label in tags
        token = sentence[span.start : span.end]
        assert token == token.strip()
    assert " ".join(sentence[s.start : s.end] for s in example.spans) == sentence


# --- UD-POS on the offline copy ---------------------------------------------------------------

# language: (treebank, sentences, words) of ../shared/data/udpos, split test
UD_TEST = {
    "ar": ("UD_Arabic-PUD", 1000, 20751), "bg": ("UD_Bulgarian-BTB", 1116, 15724),
    "de": ("UD_German-GSD", 977, 16498), "el": ("UD_Greek-GDT", 456, 10672),
    "en": ("UD_English-EWT", 2077, 25096), "es": ("UD_Spanish-GSD", 426, 12000),
    "fr": ("UD_French-GSD", 416, 10019), "hi": ("UD_Hindi-PUD", 1000, 23829),
    "ko": ("UD_Korean-GSD", 989, 11677), "ru": ("UD_Russian-GSD", 601, 11385),
    "tr": ("UD_Turkish-IMST", 983, 10029), "ur": ("UD_Urdu-UDTB", 535, 14806),
    "vi": ("UD_Vietnamese-VTB", 800, 11955), "zh": ("UD_Chinese-GSD", 500, 12012),
}


def conllu_words(path: Path) -> tuple[int, list[tuple[str, str]]]:
    """Sentences and (form, UPOS) of the integer-id word lines, counted straight from the file."""
    text = path.read_text(encoding="utf-8")
    words = [(c[1], c[3]) for c in (line.split("\t") for line in text.splitlines()) if c[0].isdigit()]
    return len(re.findall(r"^# sent_id", text, flags=re.M)), words


@pytest.mark.parametrize("lang", sorted(UD_TEST))
def test_udpos_test_counts_and_spans(shared_data, lang):
    folder, sentences, words = UD_TEST[lang]
    (path,) = (shared_data / "udpos" / folder).glob("*-ud-test.conllu")
    assert conllu_words(path)[0] == sentences
    data = load("udpos", lang, shared_data)
    assert data.skipped == 0 and len(data.examples) == sentences and data.source == str(path)
    assert sum(len(e.spans) for e in data.examples) == words
    # every word line, and nothing else (no multiword token, no empty node), in file order
    got = [(e.fields["sentence"][s.start : s.end], s.label) for e in data.examples for s in e.spans]
    assert got == conllu_words(path)[1]
    for example in data.examples:
        assert_tiles(example, UPOS_TAGS)
        assert example.label is None and example.lang == lang and set(example.fields) == {"sentence"}
    assert len({e.row for e in data.examples}) == sentences


def test_udpos_rows_and_what_is_skipped(shared_data):
    de = load("udpos", "de", shared_data)
    assert de.examples[0].id == "udpos/test/de/de_gsd:test-s1" and de.examples[0].row == "de_gsd:test-s1"
    # German GSD's multiword tokens (274 lines) are not words: "zum" is read as "zu dem".
    text = (shared_data / "udpos/UD_German-GSD/de_gsd-ud-test.conllu").read_text(encoding="utf-8")
    assert len(re.findall(r"^\d+-\d+\t", text, flags=re.M)) == 274
    assert len(re.findall(r"^\d+-\d+\tzum\t", text, flags=re.M)) == 29
    assert not any(" zum " in f" {e.fields['sentence']} " for e in de.examples)
    assert any(" zu dem " in e.fields["sentence"] for e in de.examples)
    # English EWT test has one empty node (an 8.1-style id): read neither as a word nor as an error.
    assert len(re.findall(r"^\d+\.\d+\t", (shared_data / "udpos/UD_English-EWT/en_ewt-ud-test.conllu")
                          .read_text(encoding="utf-8"), flags=re.M)) == 1
    # Vietnamese words hold spaces: the spans, not white space, say where they are.
    vi = load("udpos", "vi", shared_data)
    assert any(" " in e.fields["sentence"][s.start : s.end] for e in vi.examples for s in e.spans)
    assert sum(len(e.fields["sentence"].split(" ")) for e in vi.examples) > sum(len(e.spans) for e in vi.examples)
    # GSD treebanks of different languages share sent_ids; their rows do not.
    assert {e.row for e in de.examples}.isdisjoint(e.row for e in load("udpos", "ko", shared_data).examples)


def test_udpos_pud_rows_align_across_languages(shared_data):
    ar, hi = load("udpos", "ar", shared_data), load("udpos", "hi", shared_data)
    assert [e.row for e in ar.examples] == [e.row for e in hi.examples]
    assert ar.examples[0].row == "pud:n01001011"


def test_udpos_english_dev(shared_data):
    data = load("udpos", "en", shared_data, split="dev")
    assert len(data.examples) == 2002 and sum(len(e.spans) for e in data.examples) == 25148
    assert data.source.endswith("en_ewt-ud-dev.conllu")
    assert "no UD-POS dev data for 'de' (German)" in error("udpos", "de", shared_data, split="dev")


# --- PAN-X on the offline copy (XTREME's dev set) ----------------------------------------------

PANX_DEV = {  # language: (sentences, tokens)
    "ar": (10000, 64291), "bg": (10000, 83582), "de": (10000, 97805), "el": (10000, 89878),
    "en": (10000, 80536), "es": (10000, 64329), "fr": (10000, 68220), "hi": (1000, 5808),
    "ja": (10000, 300844), "ko": (10000, 80786), "ru": (10000, 70279), "sw": (1000, 5609),
    "tr": (10000, 75930), "ur": (1000, 5027), "vi": (10000, 64222), "zh": (10000, 213682),
}


@pytest.mark.parametrize("lang", sorted(PANX_DEV))
def test_panx_dev_counts_and_spans(shared_data, lang):
    sentences, tokens = PANX_DEV[lang]
    data = load("panx", lang, shared_data, split="dev")
    assert data.skipped == 0 and len(data.examples) == sentences
    assert sum(len(e.spans) for e in data.examples) == tokens
    lines = [line.split("\t") for line in (shared_data / f"panx/{lang}.tsv").read_text(encoding="utf-8").split("\n")
             if line]
    assert [(e.fields["sentence"][s.start : s.end], s.label) for e in data.examples for s in e.spans] == \
        [(token, tag) for token, tag in lines]
    for example in data.examples:
        assert_tiles(example, PANX_TAGS)
    assert [e.row for e in data.examples[:2]] == ["1", "2"] and data.examples[0].id == f"panx/dev/{lang}/1"


def test_panx_offline_copy_is_dev_only(shared_data):
    message = error("panx", "de", shared_data)
    assert "no PAN-X test data for 'de'" in message
    assert f"{shared_data / 'panx/de.tsv'} is XTREME's PAN-X dev set, not test: use split = \"dev\"" in message
    # tokens with colons are tokens, not language prefixes
    en = load("panx", "en", shared_data, split="dev")
    tokens = Counter(e.fields["sentence"][s.start : s.end] for e in en.examples for s in e.spans)
    assert tokens[":"] > 0


# --- XQuAD and MLQA on the offline copies ------------------------------------------------------

XQUAD_LOCAL = ("ar", "de", "el", "en", "es", "hi", "ru", "tr", "vi", "zh")


def squad_answers(path: Path) -> dict[str, tuple[str, str, list[tuple[int, str]]]]:
    """question id: (question, context, [(answer_start, text)]) straight from the JSON."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {qa["id"]: (qa["question"], p["context"], [(a["answer_start"], a["text"]) for a in qa["answers"]])
            for article in data["data"] for p in article["paragraphs"] for qa in p["qas"]}


def assert_answers(data: TaskData, gold: dict[str, tuple[str, str, list[tuple[int, str]]]]) -> None:
    assert [e.row for e in data.examples] == list(gold)
    for example in data.examples:
        question, context, answers = gold[example.row]
        assert example.fields == {"question": question, "context": context} and example.label is None
        assert [(s.field, s.label) for s in example.spans] == [("context", "answer")] * len(answers)
        for span, (start, text) in zip(example.spans, answers):
            assert (span.start, span.end) == (start, start + len(text))
            assert context[span.start : span.end] == text


def test_xquad_every_answer_is_where_it_says(shared_data):
    rows = None
    for lang in XQUAD_LOCAL:
        path = shared_data / f"xquad/xquad.{lang}.json"
        data = load("xquad", lang, shared_data)
        assert len(data.examples) == 1190 and data.skipped == 0 and data.source == str(path)
        assert_answers(data, squad_answers(path))
        rows = rows or [e.row for e in data.examples]
        assert [e.row for e in data.examples] == rows  # question ids are shared: aligned rows
    assert "no XQuAD data for 'th'" in error("xquad", "th", shared_data)


MLQA_DEV_SAME = {"ar": 517, "de": 512, "en": 1148, "es": 500, "hi": 507, "vi": 511, "zh": 504}


def test_mlqa_every_setting_and_answer(shared_data):
    mlqa = TASKS.get("mlqa")()
    assert len(mlqa.languages) == 49
    total = 0
    for lang in mlqa.languages:
        context, question = mlqa_pair(lang)
        path = shared_data / f"mlqa/dev/dev-context-{context}-question-{question}.json"
        data = mlqa.load(lang, DataSource(path=str(shared_data), split="dev"))
        assert data.source == str(path) and data.skipped == 0 and all(e.lang == lang for e in data.examples)
        assert_answers(data, squad_answers(path))
        total += len(data.examples)
        if lang in MLQA_DEV_SAME:
            assert len(data.examples) == MLQA_DEV_SAME[lang]
    assert total == 15747
    # ids are shared across languages: German questions are English ones, with the same ids
    de, en = (load("mlqa", lang, shared_data, split="dev") for lang in ("de", "en"))
    assert {e.row for e in de.examples} <= {e.row for e in en.examples}
    assert "no MLQA test data for 'de-en' (context de, question en)" in error("mlqa", "de-en", shared_data)


def test_mlqa_language_codes():
    assert mlqa_pair("de") == ("de", "de") and mlqa_pair("de-en") == ("de", "en")
    assert "task 'mlqa' has no language 'de-de' (did you mean 'de'?)" in error("mlqa", "de-de", "/nowhere")
    message = error("mlqa", "xx-en", "/nowhere")
    assert "task 'mlqa' has no language 'xx-en'" in message and "ar-de" in message and "zh-vi" in message


# --- BUCC 2018 on the offline copy ---------------------------------------------------------------


def test_bucc_zh_dev_gold_resolves(shared_data):
    data = load("bucc18", "zh", shared_data, split="dev")
    assert (len(data.examples), len(data.targets), len(data.target_ids)) == (8624, 13589, 13589)
    gold = [line.split("\t") for line in (shared_data / "bucc2018/zh-en.dev.gold").read_text(encoding="utf-8")
            .splitlines()]
    assert len(gold) == 257 and sum(e.label is not None for e in data.examples) == 257
    by_row = {e.row: e for e in data.examples}
    english = dict(line.split("\t", 1) for line in (shared_data / "bucc2018/zh-en.dev.en").read_text(
        encoding="utf-8").splitlines())
    position = {target_id: i for i, target_id in enumerate(data.target_ids)}
    for zh_id, en_id in gold:
        assert by_row[zh_id].label == en_id and data.targets[position[en_id]] == english[en_id]
    first = data.examples[0]
    assert first.id == "bucc18/dev/zh/zh-000000001" and first.label is None and set(first.fields) == {"sentence"}
    # a limit keeps the first sentences and the whole English pool
    small = load("bucc18", "zh", shared_data, split="dev", limit=60)
    assert len(small.examples) == 60 and len(small.targets) == 13589
    assert [e.label for e in small.examples if e.label] == ["en-000008530"]


# --- layouts, in temp folders ---------------------------------------------------------------------

def conllu(*sentences: tuple[str | None, list[str]]) -> str:
    """A CoNLL-U text: each sentence is (sent_id, lines ``id form upos``), other columns filled."""
    out = []
    for sent_id, words in sentences:
        if sent_id is not None:
            out.append(f"# sent_id = {sent_id}")
        for word in words:
            word_id, form, upos = word.split(" ")
            out.append("\t".join([word_id, form, "_", upos, "_", "_", "0", "root", "_", "_"]))
        out.append("")
    return "\n".join(out) + "\n"


GSD = conllu(
    ("test-s1", ["1 Er PRON", "2-3 zum _", "2 zu ADP", "3 dem DET", "4 Haus NOUN", "4.1 ist AUX", "5 . PUNCT"]),
    ("test-s2", ["1 Gut ADJ", "2 ! PUNCT"]),
)
PUD = conllu(("n01001011", ["1 Hallo INTJ"]), (None, ["1 _ X", "2 _ X", "3 . PUNCT"]), (None, ["1 Tschüss INTJ"]))


def test_udpos_release_layout_concatenates_treebanks(tmp_path):
    release = tmp_path / "ud-treebanks-v2.5"
    write(release / "UD_German-PUD/de_pud-ud-test.conllu", PUD)
    write(release / "UD_German-GSD/de_gsd-ud-test.conllu", GSD)
    write(release / "UD_German-GSD/de_gsd-ud-dev.conllu", conllu(("dev-s1", ["1 Ja INTJ"])))
    write(release / "UD_Swiss_German-UZH/gsw_uzh-ud-test.conllu", conllu(("s1", ["1 Grüezi INTJ"])))
    for root in (tmp_path, release):
        data = load("udpos", "de", root)
        assert [(e.row, e.fields["sentence"]) for e in data.examples] == [
            ("de_gsd:test-s1", "Er zu dem Haus ."), ("de_gsd:test-s2", "Gut !"),
            ("pud:n01001011", "Hallo"), ("pud:3", "Tschüss")]  # the all-"_" sentence 2 has no text
        assert [s.label for s in data.examples[0].spans] == ["PRON", "ADP", "DET", "NOUN", "PUNCT"]
        treebanks = ("GSD", "PUD")
        assert data.source == ", ".join(f"{release}/UD_German-{t}/de_{t.lower()}-ud-test.conllu" for t in treebanks)
    assert [e.row for e in load("udpos", "de", tmp_path, split="dev").examples] == ["de_gsd:dev-s1"]
    # a single treebank's folder, and the limit, which stops before the next treebank
    assert len(load("udpos", "de", release / "UD_German-PUD").examples) == 2
    assert [e.row for e in load("udpos", "de", tmp_path, limit=2).examples] == ["de_gsd:test-s1", "de_gsd:test-s2"]


def test_udpos_local_layout_wins_and_lists_where_it_looked(tmp_path):
    write(tmp_path / "udpos/UD_German-GSD/de_gsd-ud-test.conllu", GSD)
    write(tmp_path / "ud-treebanks-v2.5/UD_German-PUD/de_pud-ud-test.conllu", PUD)
    assert len(load("udpos", "de", tmp_path).examples) == 2
    message = error("udpos", "fr", tmp_path)
    assert message.startswith(f"no UD-POS test data for 'fr' (French) found under {tmp_path}; looked for: ")
    assert f"{tmp_path}/udpos/UD_*/fr_*-ud-test.conllu" in message


@pytest.mark.parametrize(
    "line, message",
    [
        ("2\tHaus\t_\tNOUN\t_\t_", "expected 10 tab-separated columns, got 6"),
        ("3\tHaus\t_\tNOUN\t_\t_\t0\troot\t_\t_", "word id '3' where 2 was expected"),
        ("x\tHaus\t_\tNOUN\t_\t_\t0\troot\t_\t_", "word id 'x' where 2 was expected"),
        ("2\tHaus\t_\tNOMEN\t_\t_\t0\troot\t_\t_", "unknown tag 'NOMEN' of token 2 ('Haus'); expected one of ADJ, ADP"),
        ("2\tHaus\t_\t_\t_\t_\t0\troot\t_\t_", "unknown tag '_' of token 2 ('Haus')"),
        ("2\t \t_\tNOUN\t_\t_\t0\troot\t_\t_", "token 2 is empty"),
    ],
)
def test_udpos_malformed_sentence(tmp_path, line, message):
    text = conllu(("s1", ["1 Gut ADJ"]), ("s2", ["1 Das DET", "2 Haus NOUN"]), ("s3", ["1 Ja INTJ"]))
    bad = text.replace("2\tHaus\t_\tNOUN\t_\t_\t0\troot\t_\t_", line)
    path = write(tmp_path / "udpos/UD_German-GSD/de_gsd-ud-test.conllu", bad)
    number = 6 if "columns" in message or "word id" in message else 4  # the line, or the sentence's first line
    assert f"{path}:{number}: {message}" in error("udpos", "de", tmp_path)
    data = load("udpos", "de", tmp_path, allow_skip=True)
    assert data.skipped == 1 and [e.row for e in data.examples] == ["de_gsd:s1", "de_gsd:s3"]


def test_udpos_bad_files(tmp_path):
    path = tmp_path / "udpos/UD_German-GSD/de_gsd-ud-test.conllu"
    write(path, "")
    assert error("udpos", "de", tmp_path) == f"{path}: no examples (empty file)"
    write(path, "\n\n")
    assert error("udpos", "de", tmp_path) == f"{path}: no examples (empty file)"
    write(path, "# sent_id = a\n# text = nothing\n")
    assert f"{path}:1: a sentence without word lines" in error("udpos", "de", tmp_path)
    write(path, GSD.encode().replace(b"Haus", b"H\xe4us"))
    assert error("udpos", "de", tmp_path) == f"{path}:6: not valid UTF-8"
    write(path, GSD + conllu(("test-s1", ["1 Nochmal ADV"])))
    assert "duplicate row id 'de_gsd:test-s1' (first at" in error("udpos", "de", tmp_path)
    data = load("udpos", "de", tmp_path, allow_skip=True)
    assert data.skipped == 1 and len(data.examples) == 2
    write(path, conllu(("s1", ["1 Gut ADJ", "2 Haus NOMEN"])))
    assert "no examples (all 1 rows malformed and skipped under allow_skip)" in error(
        "udpos", "de", tmp_path, allow_skip=True)
    write(path, GSD.replace("\n", "\r\n"))  # Windows line ends
    assert len(load("udpos", "de", tmp_path).examples) == 2


def test_udpos_languages_and_splits():
    udpos = TASKS.get("udpos")
    assert len(udpos.languages) == 33 and udpos.kind == "tagging" and udpos.metric == "accuracy"
    assert len(UPOS_TAGS) == 17 and udpos.labels == UPOS_TAGS
    assert "task 'udpos' has no language 'sw'; supported: af, ar" in error("udpos", "sw", "/nowhere")
    assert "no split 'train'" in error("udpos", "de", "/nowhere", split="train")


def test_panx_wikiann_release_layout_strips_the_language_prefix(tmp_path):
    text = "de:Anton\tB-PER\nde:1:0\tO\nde::\tO\n\nde:Köln\tB-LOC\n\n\n"
    for name in ("panx_dataset/de-test", "de/test"):
        folder = tmp_path / name.split("/")[0]
        write(tmp_path / name, text)
        data = load("panx", "de", tmp_path)
        assert [(e.row, e.fields["sentence"]) for e in data.examples] == [("1", "Anton 1:0 :"), ("2", "Köln")]
        assert [s.label for s in data.examples[0].spans] == ["B-PER", "O", "O"]
        assert data.source == str(tmp_path / name)
        (tmp_path / name).unlink()
        folder.rmdir()
    # XTREME's processed files, unprefixed: a leading "de:" would be part of a token there
    write(tmp_path / "panx/dev-de.tsv", "Anton\tB-PER\nen:passant\tO\n")
    assert load("panx", "de", tmp_path, split="dev").examples[0].fields["sentence"] == "Anton en:passant"


@pytest.mark.parametrize(
    "text, number, message",
    [
        ("de:Anton\tB-PER\nKöln\tB-LOC\n", 2, "token 'Köln' lacks the 'de:' prefix that the file's other tokens have"),
        ("de:Anton\tB-PER\nde:Köln\n", 2, "expected token<TAB>tag, got 1 tab-separated column"),
        ("de:Anton\tB-PER\tX\n", 1, "expected token<TAB>tag, got 3 tab-separated columns"),
        ("de:Anton\tB-PERSON\n", 1, "unknown tag 'B-PERSON' of token 1 ('Anton'); expected one of O, B-PER, I-PER"),
        ("de:Anton\tB-MISC\n", 1, "unknown tag 'B-MISC'"),
    ],
)
def test_panx_malformed_sentence(tmp_path, text, number, message):
    good = "de:Gut\tO\n\n"
    path = write(tmp_path / "de/test", good + text + "\n" + good)
    assert f"{path}:{number + 2}: {message}" in error("panx", "de", tmp_path)
    data = load("panx", "de", tmp_path, allow_skip=True)
    assert data.skipped == 1 and [e.row for e in data.examples] == ["1", "3"]


def test_panx_xtreme_test_files_without_tags(tmp_path):
    path = write(tmp_path / "panx/test-de.tsv", "Anton\nKöln\n")
    assert f"{path}:1: expected token<TAB>tag, got 1 tab-separated column" in error("panx", "de", tmp_path)
    write(tmp_path / "panx/test-de.tsv", "\n \n")
    assert error("panx", "de", tmp_path) == f"{path}: no examples (empty file)"


def squad(*paragraphs: tuple[str, list[tuple[str, str, list[tuple[object, object]]]]], **extra) -> str:
    """A SQuAD v1.1 JSON text: paragraphs of (context, [(id, question, [(start, text)])])."""
    return json.dumps({"version": "1.1", "data": [{"title": "T", "paragraphs": [
        {"context": context, "qas": [{"id": qid, "question": question,
                                      "answers": [{"answer_start": s, "text": t} for s, t in answers]}
                                     for qid, question, answers in qas]}
        for context, qas in paragraphs]}], **extra}, ensure_ascii=False, indent=1)


CONTEXT = "Der Rhein fließt durch Basel und Köln."
GOOD = (CONTEXT, [("q1", "Wodurch fließt der Rhein?", [(23, "Basel"), (23, "Basel und Köln")]),
                  ("q2", "Welcher Fluss?", [(4, "Rhein")])])


def test_squad_layouts(tmp_path):
    write(tmp_path / "xquad.de.json", squad(GOOD))
    data = load("xquad", "de", tmp_path)
    assert [(e.id, e.row) for e in data.examples] == [("xquad/test/de/q1", "q1"), ("xquad/test/de/q2", "q2")]
    assert data.examples[0].spans == (Span("context", 23, 28, "answer"), Span("context", 23, 37, "answer"))
    write(tmp_path / "MLQA_V1/test/test-context-de-question-en.json", squad(GOOD))
    write(tmp_path / "mlqa/MLQA_V1/dev/dev-context-de-question-de.json", squad(GOOD))
    for root in (tmp_path, tmp_path / "MLQA_V1", tmp_path / "MLQA_V1/test"):
        assert [e.id for e in load("mlqa", "de-en", root).examples] == ["mlqa/test/de-en/q1", "mlqa/test/de-en/q2"]
    assert load("mlqa", "de", tmp_path, split="dev").examples[1].lang == "de"


def test_tydiqa_layouts(tmp_path):
    sw = (CONTEXT, [("swahili-1-0", "Swali?", [(4, "Rhein")]), ("swahili-2-0", "Swali?", [(23, "Basel")])])
    fi = (CONTEXT, [("finnish-1-0", "Kysymys?", [(4, "Rhein")])])
    write(tmp_path / "tydiqa/tydiqa-goldp-v1.1-dev.json", squad(sw, fi))
    assert [e.row for e in load("tydiqa", "fi", tmp_path).examples] == ["finnish-1-0"]
    assert [e.row for e in load("tydiqa", "sw", tmp_path).examples] == ["swahili-1-0", "swahili-2-0"]
    assert "no examples (no row for 'ko')" in error("tydiqa", "ko", tmp_path)
    per_language = write(tmp_path / "tydiqa/tydiqa-goldp-v1.1-dev/tydiqa-goldp-dev-swahili.json", squad(sw))
    data = load("tydiqa", "sw", tmp_path)
    assert data.source == str(per_language) and data.examples[0].id == "tydiqa/test/sw/swahili-1-0"
    assert load("tydiqa", "sw", tmp_path / "tydiqa/tydiqa-goldp-v1.1-dev").source == str(per_language)
    # XTREME's renamed copies have blank answers
    blanked = (CONTEXT, [("swahili-1-0", "Swali?", [(0, "")])])
    path = write(tmp_path / "xtreme/tydiqa-goldp-v1.1-dev/tydiqa.goldp.sw.dev.json", squad(blanked))
    message = error("tydiqa", "sw", tmp_path / "xtreme")
    assert message.startswith(f"{path}, question swahili-1-0: answer 1 has an empty text (XTREME's download script")
    assert TASKS.get("tydiqa").splits == ("test",) and "no split 'dev'" in error("tydiqa", "sw", tmp_path, split="dev")


@pytest.mark.parametrize(
    "answers, message",
    [
        ([(24, "Basel")], "answer 1 'Basel' does not match the context at answer_start 24 (there: 'asel ')"),
        ([(23, "Basel"), (200, "Köln")], "answer 2 'Köln' does not match the context at answer_start 200 (there: '')"),
        ([(-1, "Basel")], "answer 1 'Basel' does not match the context at answer_start -1"),
        ([("23", "Basel")], "answer 1: answer_start is '23', not an integer"),
        ([(23, None)], "answer 1: text is None, not a string"),
        ([(5, " ")], "answer 1 has an empty text"),
        ([], "no gold answer"),
    ],
)
def test_qa_answer_must_be_where_it_says(tmp_path, answers, message):
    bad = (CONTEXT, [("q3", "Welche Stadt?", answers)])
    path = write(tmp_path / "xquad/xquad.de.json", squad(GOOD, bad))
    assert f"{path}, question q3: {message}" in error("xquad", "de", tmp_path)
    data = load("xquad", "de", tmp_path, allow_skip=True)
    assert data.skipped == 1 and [e.row for e in data.examples] == ["q1", "q2"]


def test_squad_bad_files(tmp_path):
    path = tmp_path / "xquad/xquad.de.json"
    write(path, "")
    assert error("xquad", "de", tmp_path) == f"{path}: no examples (empty file)"
    write(path, '{"data": [], "version": "1.1"}')
    assert error("xquad", "de", tmp_path) == f"{path}: no examples (no questions)"
    write(path, '{"data": [{"paragraphs": []}]}')
    assert error("xquad", "de", tmp_path) == f"{path}: no examples (no questions)"
    write(path, squad(GOOD)[:-3])
    assert re.fullmatch(rf"{re.escape(str(path))}:\d+: not valid JSON \(.*\)", error("xquad", "de", tmp_path))
    write(path, "[1, 2]")
    assert error("xquad", "de", tmp_path).startswith(f"{path}: not SQuAD v1.1 JSON")
    write(path, squad(GOOD).encode().replace("fließt".encode(), b"flie\xdft", 1))
    assert re.fullmatch(rf"{re.escape(str(path))}:\d+: not valid UTF-8", error("xquad", "de", tmp_path))
    write(path, squad(GOOD, (CONTEXT, [("q1", "Nochmal?", [(4, "Rhein")])])))
    duplicate = f"{path}, question q1: duplicate row id 'q1' (first at {path}, question q1)"
    assert duplicate in error("xquad", "de", tmp_path)
    broken = json.loads(squad(GOOD))
    broken["data"][0]["paragraphs"][0]["qas"][1].pop("id")
    broken["data"].append({"title": "no paragraphs"})
    broken["data"][0]["paragraphs"].append({"context": 3, "qas": []})
    write(path, json.dumps(broken))
    assert f"{path}, article 1 paragraph 1 question 2: a question without an id" in error("xquad", "de", tmp_path)
    data = load("xquad", "de", tmp_path, allow_skip=True)
    assert data.skipped == 3 and [e.row for e in data.examples] == ["q1"]
    write(path, squad((CONTEXT, [("q1", " ", [(4, "Rhein")])])))
    assert f"{path}, question q1: empty question" in error("xquad", "de", tmp_path)


def bucc(root: Path, stem: str, lang: str, sentences: list[str], english: list[str], gold: list[str]) -> Path:
    write(root / f"{stem}.en", "".join(line + "\n" for line in english))
    write(root / f"{stem}.gold", "".join(line + "\n" for line in gold))
    return write(root / f"{stem}.{lang}", "".join(line + "\n" for line in sentences))


DE = ["de-000000001\tEins.", "de-000000002\tZwei.", "de-000000003\tDrei."]
EN = ["en-000000001\tTwo.", "en-000000002\tFour.", "en-000000003\tThree."]
GOLD = ["de-000000002\ten-000000001", "de-000000003\ten-000000003"]


def test_bucc_release_layout(tmp_path):
    bucc(tmp_path / "bucc2018/de-en", "de-en.training", "de", DE, EN, GOLD)
    bucc(tmp_path / "bucc2018/de-en", "de-en.sample", "de", DE[:2], EN, GOLD[:1])
    for root in (tmp_path, tmp_path / "bucc2018"):
        data = load("bucc18", "de", root)
        assert [(e.id, e.label) for e in data.examples] == [
            ("bucc18/test/de/de-000000001", None), ("bucc18/test/de/de-000000002", "en-000000001"),
            ("bucc18/test/de/de-000000003", "en-000000003")]
        assert data.target_ids == ("en-000000001", "en-000000002", "en-000000003")
        assert data.targets == ("Two.", "Four.", "Three.")
    assert len(load("bucc18", "de", tmp_path, split="dev").examples) == 2


@pytest.mark.parametrize(
    "file, lines, number, message",
    [
        ("gold", [*GOLD, "de-000000009\ten-000000002"], 3,
         "gold pair of 'de-000000009', which is not a sentence of de-en.test.de"),
        ("gold", [*GOLD, "de-000000001\ten-000000009"], 3,
         "gold pair to 'en-000000009', which is not a sentence of de-en.test.en"),
        ("gold", [*GOLD, "de-000000002\ten-000000002"], 3, "second gold pair of 'de-000000002' (first at"),
        ("gold", [*GOLD, "de-000000001 en-000000002"], 3, "expected 2 tab-separated columns, got 1"),
        ("en", [*EN, "en-000000001\tOne."], 4, "duplicate id 'en-000000001' (first at"),
        ("en", [*EN, "en-000000004\t "], 4, "empty sentence"),
        ("de", [*DE, "de-000000004"], 4, "expected 2 tab-separated columns, got 1"),
        ("de", [*DE, "de-000000004\t"], 4, "empty sentence"),
        ("de", [*DE, "de-000000001\tNochmal."], 4, "duplicate row id 'de-000000001'"),
    ],
)
def test_bucc_malformed_lines(tmp_path, file, lines, number, message):
    files = {"de": DE, "en": EN, "gold": GOLD, file: lines}
    bucc(tmp_path / "bucc2018", "de-en.test", "de", files["de"], files["en"], files["gold"])
    assert f"de-en.test.{file}:{number}: {message}" in error("bucc18", "de", tmp_path)
    if file != "de":  # malformed English and gold lines come first: a limit does not hide them
        assert f"de-en.test.{file}:{number}: {message}" in error("bucc18", "de", tmp_path, limit=1)
    data = load("bucc18", "de", tmp_path, allow_skip=True)
    assert data.skipped == 1 and len(data.examples) == 3 and len(data.targets) == 3


def test_bucc_missing_and_empty_files(tmp_path):
    root = tmp_path / "bucc2018"
    bucc(root, "de-en.test", "de", DE, EN, GOLD)
    (root / "de-en.test.gold").unlink()
    assert error("bucc18", "de", tmp_path) == (
        f"no BUCC 2018 gold file {root}/de-en.test.gold (XTREME's download script deletes the test gold: "
        "read the release's training files)")
    write(root / "de-en.test.gold", "\n")
    assert error("bucc18", "de", tmp_path) == f"{root}/de-en.test.gold: no gold pairs (empty file)"
    write(root / "de-en.test.en", "")
    assert error("bucc18", "de", tmp_path) == f"{root}/de-en.test.en: no examples (empty file)"
    (root / "de-en.test.en").unlink()
    assert error("bucc18", "de", tmp_path) == f"file not found: {root}/de-en.test.en"
    assert f"no BUCC 2018 test data for 'fr' found under {tmp_path}; looked for: " in error("bucc18", "fr", tmp_path)
    assert "task 'bucc18' has no language 'ja'; supported: de, fr, ru, zh" in error("bucc18", "ja", tmp_path)


# --- Hugging Face (mocked: no network in tests) ----------------------------------------------------


@pytest.fixture
def hub(monkeypatch):
    """Replace ``datasets.load_dataset`` by a table of in-memory datasets; records the calls."""
    import datasets

    tables: dict[tuple[str, str, str], datasets.Dataset] = {}
    calls: list[tuple[str, str, str]] = []

    def load_dataset(name, config, split):
        calls.append((name, config, split))
        if (name, config, split) not in tables:
            raise ConnectionError("Couldn't reach the Hugging Face Hub\n(offline)")
        return tables[(name, config, split)]

    def add(key, columns, features=None):
        tables[key] = datasets.Dataset.from_dict(columns, features=features)

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    return add, calls


def tag_features(tags_column: str, names: list[str]):
    import datasets

    return datasets.Features({"tokens": datasets.Sequence(datasets.Value("string")),
                              tags_column: datasets.Sequence(datasets.ClassLabel(names=names))})


def test_hf_udpos_names_tags_by_classlabel(hub):
    add, calls = hub
    add(("google/xtreme", "udpos.German", "test"),
        {"tokens": [["Er", "läuft", "."], ["Ja"]], "pos_tags": [[10, 15, 12], [6]]},
        tag_features("pos_tags", list(UPOS_TAGS)))
    data = load("udpos", "de", kind="hf")
    assert calls == [("google/xtreme", "udpos.German", "test")]
    assert [(e.id, e.fields["sentence"]) for e in data.examples] == [
        ("udpos/test/de/1", "Er läuft ."), ("udpos/test/de/2", "Ja")]
    assert [s.label for s in data.examples[0].spans] == ["PRON", "VERB", "PUNCT"]
    assert data.source == "hf:google/xtreme/udpos.German/test"
    assert "cannot load Hugging Face dataset google/xtreme (udpos.German, validation): Couldn't reach" in error(
        "udpos", "de", kind="hf", split="dev")


def test_hf_panx(hub):
    add, calls = hub
    names = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
    add(("google/xtreme", "PAN-X.de", "validation"),
        {"tokens": [["Anton", "lebt", "in", "Köln"], []], "ner_tags": [[1, 0, 0, 5], []]},
        tag_features("ner_tags", names))
    assert "hf:google/xtreme/PAN-X.de/validation row 1: no tokens" in error("panx", "de", kind="hf", split="dev")
    data = load("panx", "de", kind="hf", split="dev", allow_skip=True)
    assert data.skipped == 1 and data.examples[0].id == "panx/dev/de/1"
    assert [s.label for s in data.examples[0].spans] == ["B-PER", "O", "O", "B-LOC"]


def qa_columns(ids, answers):
    n = len(ids)
    return {"id": ids, "title": ["T"] * n, "context": [CONTEXT] * n, "question": ["Wo?"] * n,
            "answers": [{"answer_start": [s for s, _ in a], "text": [t for _, t in a]} for a in answers]}


def test_hf_qa_tasks(hub):
    add, calls = hub
    add(("google/xtreme", "XQuAD.de", "validation"), qa_columns(["a", "b"], [[(4, "Rhein")], [(23, "Basel")]]))
    add(("google/xtreme", "MLQA.de.en", "test"), qa_columns(["c"], [[(4, "Rhein"), (23, "Basel")]]))
    add(("google/xtreme", "tydiqa", "validation"),
        qa_columns(["arabic-1-0", "swahili-7-0", "swahili-8-0"], [[(4, "Rhein")], [(23, "Basel")], [(22, "Basel")]]))
    xquad = load("xquad", "de", kind="hf")
    assert [(e.id, e.spans) for e in xquad.examples] == [
        ("xquad/test/de/a", (Span("context", 4, 9, "answer"),)),
        ("xquad/test/de/b", (Span("context", 23, 28, "answer"),))]
    assert len(load("mlqa", "de-en", kind="hf").examples[0].spans) == 2
    assert "hf:google/xtreme/tydiqa/validation row 2 (question swahili-8-0): answer 1 'Basel' does not match" in \
        error("tydiqa", "sw", kind="hf")
    sw = load("tydiqa", "sw", kind="hf", allow_skip=True)
    assert [e.row for e in sw.examples] == ["swahili-7-0"] and sw.skipped == 1
    assert calls[:3] == [("google/xtreme", "XQuAD.de", "validation"), ("google/xtreme", "MLQA.de.en", "test"),
                         ("google/xtreme", "tydiqa", "validation")]


def test_hf_bucc_is_refused():
    assert "task 'bucc18' has no Hugging Face source" in error("bucc18", "zh", kind="hf")


def test_registry_lists_the_structured_tasks():
    kinds = {name: (TASKS.get(name).kind, TASKS.get(name).metric) for name in
             ("udpos", "panx", "xquad", "mlqa", "tydiqa", "bucc18")}
    assert kinds == {"udpos": ("tagging", "accuracy"), "panx": ("tagging", "f1"), "xquad": ("qa", "f1"),
                     "mlqa": ("qa", "f1"), "tydiqa": ("qa", "f1"), "bucc18": ("mining", "f1")}
    assert len(TASKS.get("panx").languages) == 40 and TASKS.get("panx").labels == PANX_TAGS
