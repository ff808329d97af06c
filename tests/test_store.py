import pytest

from robustx.runner import store


def test_jsonl_roundtrip_is_byte_stable(tmp_path):
    records = [{"b": "देवनागरी", "a": 1}, {"a": 2, "b": "中文"}]
    path = tmp_path / "x" / "r.jsonl"
    store.write_jsonl(path, records)
    first = path.read_bytes()
    store.write_jsonl(path, list(reversed(list(reversed(records)))))
    assert path.read_bytes() == first
    assert list(store.read_jsonl(path)) == records
    assert "देवनागरी".encode() in first  # readable, not \u-escaped


def test_failed_write_leaves_no_file(tmp_path):
    path = tmp_path / "r.jsonl"

    def records():
        yield {"a": 1}
        raise RuntimeError("killed mid-shard")

    with pytest.raises(RuntimeError):
        store.write_jsonl(path, records())
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []
