"""The plan runs the same on every executor: Ray (a local cluster of 2 workers) writes the
same shard files, byte for byte, and the same summary as the local executor, also when a
worker is killed mid-study (docs/execution.md)."""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path

import pytest
from tiny_models import tiny_xlmr_classifier

from robustx.runner.execute import run_study
from robustx.study.load import load_study

ray = pytest.importorskip("ray", reason="the ray extra is not installed (pip install 'robustx[ray]')")
pytestmark = pytest.mark.ray

STUDY = """
[study]
name = "executors"
task = "xnli"
languages = ["de", "fr"]
perturbation_seeds = [0, 1]

[data]
path = "{data}"
limit = {limit}

[run]
progress = false

[[checkpoints]]
path = "{ckpts}/*"

[[perturbations]]
recipe = "char_noise_30"

[[perturbations]]
recipe = "word_drop_10"

[[attacks]]
recipe = "attack_char_wir"
fields = ["hypothesis"]
"""


@pytest.fixture(scope="module")
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def ckpts(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("ckpts")
    for seed in (0, 1):
        tiny_xlmr_classifier(root / f"tiny{seed}", seed=seed)
    return root


def _study(tmp_path: Path, shared_data: Path, ckpts: Path, limit: int, out: str):
    path = tmp_path / f"{out}.toml"
    path.write_text(STUDY.format(data=shared_data, ckpts=ckpts, limit=limit), encoding="utf-8")
    return load_study(path, output=str(tmp_path / out))


def _results(root: Path) -> tuple[dict[str, bytes], dict]:
    shards = {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.jsonl"))}
    return shards, json.loads((root / "summary.json").read_text())


def _quiet(_: str) -> None:
    pass


def test_ray_writes_what_local_writes(cluster, tmp_path, shared_data, ckpts):
    local = run_study(_study(tmp_path, shared_data, ckpts, 30, "local"), log=_quiet)
    remote = run_study(_study(tmp_path, shared_data, ckpts, 30, "ray"), log=_quiet, executor="ray")
    assert _results(tmp_path / "ray") == _results(tmp_path / "local")
    # perturbed sets (2 langs x 2 recipes x 2 seeds), predictions (2 ckpts x 2 langs x 5 conditions),
    # attack shards (2 ckpts x 2 langs x 2 seeds)
    assert remote.computed == local.computed == 2 * 2 * 2 + 2 * 2 * 5 + 2 * 2 * 2
    assert remote.inputs_scored == local.inputs_scored < local.inputs  # unchanged inputs reuse a prediction


def test_a_killed_worker_loses_nothing(cluster, tmp_path, shared_data, ckpts):
    import psutil

    killed: list[int] = []

    def kill_a_scorer() -> None:
        deadline = time.monotonic() + 120
        while not killed and time.monotonic() < deadline:
            for proc in psutil.process_iter(["cmdline"]):
                if any("_Scorer" in part for part in proc.info["cmdline"] or ()):
                    proc.send_signal(signal.SIGKILL)
                    killed.append(proc.pid)
                    return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_a_scorer)
    killer.start()
    run_study(_study(tmp_path, shared_data, ckpts, 120, "ray"), log=_quiet, executor="ray")
    killer.join()
    assert killed, "no Ray scoring worker was seen to kill"
    run_study(_study(tmp_path, shared_data, ckpts, 120, "local"), log=_quiet)
    assert _results(tmp_path / "ray") == _results(tmp_path / "local")
