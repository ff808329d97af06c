"""Real-client checkpoint formats, hub revisions and the format matrix of docs/checkpoints.md.

Every format of ``tiny_models.FORMATS`` (tiny random weights in a standard layout, built
offline) passes the preflight check, loads through ``load_model`` and predicts what the same
weights in the reference layout predict (logits or embeddings within 1e-5). The hub path is
exercised offline: a fake hub cache stands in for the network, and the resolver is patched
where the test is about asking the hub.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from tiny_models import FORMATS, corpus, tiny_xlmr_classifier

from robustx.hashing import stable_digest
from robustx.models import sources
from robustx.models.checkpoint import fingerprint, load_model
from robustx.models.inspect import check_checkpoint
from robustx.study.spec import CheckpointSpec
from robustx.tasks import TASKS

ROOT = Path(__file__).resolve().parents[1]
TASK_OF_KIND = {"classification": "xnli", "retrieval": "tatoeba"}
# peft's builders call transformers APIs that v5 deprecates; robustx silences them when it loads.
pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")


@pytest.fixture(scope="module")
def texts(shared_data) -> list[tuple[str, str]]:
    lines = corpus(3)
    return list(zip(lines, lines[1:] + lines[:1]))


def outputs(path: str, kind: str, texts, revision: str = "") -> np.ndarray:
    """Preflight, load and predict as the runner does: logits, or mean-pooled embeddings."""
    from robustx.engine.predict import encode_sentences, predict_logits

    task = TASKS.get(TASK_OF_KIND[kind])()
    spec = CheckpointSpec(name="c", path=str(path), revision=revision)
    check_checkpoint(spec, task)
    loaded = load_model(spec, task, "cpu")
    common = dict(batch_size=4, max_length=128, device="cpu")
    if kind == "classification":
        return predict_logits(loaded.model, loaded.tokenizer, texts, **common)
    return encode_sentences(loaded.model, loaded.tokenizer, [t[0] for t in texts], **common)


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_format_loads_and_predicts_like_its_reference(fmt, tmp_path, texts):
    path, reference = fmt.make(tmp_path)
    got = outputs(path, fmt.kind, texts)
    assert got.std(axis=0).max() > 1e-3, "outputs do not vary with the input: the comparison would be empty"
    if reference is not None:
        np.testing.assert_allclose(got, outputs(reference, fmt.kind, texts), rtol=0, atol=1e-5)


@pytest.mark.parametrize("name, model", [("xlmr-sentencepiece", "sentencepiece.bpe.model"), ("mdeberta", "spm.model")])
def test_sentencepiece_only_tokenizer_splits_as_sentencepiece(name, model, tmp_path, texts):
    """Independent of transformers' conversion: the pieces are the SentencePiece model's own."""
    import sentencepiece

    fmt = next(f for f in FORMATS if f.name == name)
    path, _ = fmt.make(tmp_path)
    loaded = load_model(CheckpointSpec(name="c", path=str(path)), TASKS.get("xnli")(), "cpu")
    processor = sentencepiece.SentencePieceProcessor(model_file=str(path / model))
    for text, _ in texts:
        assert loaded.tokenizer.tokenize(text) == processor.encode(text, out_type=str)


def test_format_matrix_doc_is_current():
    spec = importlib.util.spec_from_file_location("checkpoint_matrix", ROOT / "tools" / "checkpoint_matrix.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    doc = (ROOT / "docs" / "checkpoints.md").read_text(encoding="utf-8")
    assert tool.update(doc) == doc, "docs/checkpoints.md is stale: run python tools/checkpoint_matrix.py"


# ----------------------------------------------------------------------------- hub ids and revisions
COMMIT_A, COMMIT_B = "a" * 40, "b" * 40


@pytest.fixture()
def fake_hub(tmp_path, monkeypatch):
    """An offline hub cache holding org/tiny at two commits (different weights): main -> A, tag v2 -> B."""
    from huggingface_hub import constants

    cache = tmp_path / "hub"
    repo = cache / "models--org--tiny"
    local = {}
    for commit, seed in ((COMMIT_A, 0), (COMMIT_B, 1)):
        local[commit] = tiny_xlmr_classifier(tmp_path / f"local-{seed}", seed=seed)
        shutil.copytree(local[commit], repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(COMMIT_A)
    (repo / "refs" / "v2").write_text(COMMIT_B)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    sources.hub_commit.cache_clear()
    yield local
    sources.hub_commit.cache_clear()


def test_hub_fingerprint_without_revision_is_unchanged():
    assert fingerprint(CheckpointSpec(name="h", path="org/tiny")) == stable_digest("hub", "org/tiny")


def test_hub_revision_enters_the_fingerprint(monkeypatch):
    monkeypatch.setattr(sources, "hub_commit", lambda repo, revision: COMMIT_A)
    pinned = CheckpointSpec(name="h", path="org/tiny", revision="main")
    assert fingerprint(pinned) == stable_digest("hub", "org/tiny", COMMIT_A)
    monkeypatch.setattr(sources, "hub_commit", lambda repo, revision: COMMIT_B)  # main moved on
    assert fingerprint(pinned) == stable_digest("hub", "org/tiny", COMMIT_B)


def test_hub_commit_asks_the_hub_when_online(monkeypatch):
    import huggingface_hub
    from huggingface_hub import constants

    asked = []
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(huggingface_hub, "model_info",
                        lambda repo, revision: asked.append((repo, revision)) or SimpleNamespace(sha=COMMIT_B))
    sources.hub_commit.cache_clear()
    try:
        assert sources.hub_commit("org/tiny", "v2") == COMMIT_B and asked == [("org/tiny", "v2")]
        assert sources.hub_commit("org/tiny", COMMIT_A) == COMMIT_A and len(asked) == 1  # a commit is its own answer
    finally:
        sources.hub_commit.cache_clear()


def test_hub_commit_offline_reads_the_cache(fake_hub):
    assert sources.hub_commit("org/tiny", "main") == COMMIT_A
    assert sources.hub_commit("org/tiny", "v2") == COMMIT_B


def test_hub_revision_loads_that_commit(fake_hub, texts):
    for revision, commit in (("", COMMIT_A), ("v2", COMMIT_B)):
        got = outputs("org/tiny", "classification", texts, revision=revision)
        np.testing.assert_allclose(got, outputs(fake_hub[commit], "classification", texts), rtol=0, atol=1e-5)


def test_report_shows_the_resolved_commit(fake_hub):
    from robustx.report.tidy import checkpoint_fingerprint

    assert checkpoint_fingerprint({"path": "org/tiny", "revision": "v2"}) == (
        stable_digest("hub", "org/tiny", COMMIT_B), f"hub id at revision v2 (commit {COMMIT_B})")
    assert checkpoint_fingerprint({"path": "org/tiny"}) == (
        stable_digest("hub", "org/tiny"), "hub id (no local files; revision not pinned)")


def test_local_fingerprint_is_unchanged(tmp_path):
    """The cache key of a local directory is still the digest of its files' names and contents."""
    from robustx.hashing import file_sha256

    path = tiny_xlmr_classifier(tmp_path / "x")
    files = sorted(p for p in path.iterdir() if p.suffix in (".safetensors", ".bin", ".pt", ".json", ".model"))
    assert fingerprint(CheckpointSpec(name="x", path=str(path))) == stable_digest(
        [(p.name, file_sha256(p)) for p in files])
