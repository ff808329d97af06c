"""``robustx finetune CONFIG.toml``: train the config's checkpoints (resuming interrupted ones)."""

from __future__ import annotations

import argparse
import sys
import time

from robustx.errors import RobustxError


def cmd_finetune(args: argparse.Namespace) -> int:
    from robustx.finetune.config import load_config
    from robustx.finetune.data import prepare_run
    from robustx.finetune.trainer import plan, run_dir

    config = load_config(args.config, out=args.output, data_dir=args.data_dir)
    runs = list(config.runs)
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - {r.name for r in runs}
        if unknown:
            raise RobustxError(f"--only: no [[model]] named {sorted(unknown)[0]!r} in {args.config}")
        runs = [r for r in runs if r.name in wanted]
    if args.seeds:
        try:
            seeds = {int(s) for s in args.seeds.split(",")}
        except ValueError:
            raise RobustxError(f"--seeds: expected comma-separated integers, got {args.seeds!r}") from None
        runs = [r for r in runs if r.seed in seeds]
    if not runs:
        raise RobustxError("no runs selected")
    # Check every run's data before training anything: a bad file fails in seconds, not hours.
    prepared = {r.label: prepare_run(r) for r in runs}
    print(f"robustx finetune {args.config}: {len(runs)} runs -> {config.out}")
    for r in runs:
        phases = " -> ".join(f"{row['phase']}[{'+'.join(row['data'])}: {row['examples']} ex, {row['steps']} steps]"
                             for row in plan(r, prepared[r.label]))
        done = (run_dir(config.out, r) / "robustx.json").is_file()
        print(f"  {r.label:28} {phases} dev={prepared[r.label].dev.name}{'  (done)' if done else ''}")
    if args.plan:
        return 0
    from robustx.finetune.heads import describe_dev
    from robustx.finetune.metadata import read_metadata
    from robustx.finetune.trainer import finetune

    started = time.perf_counter()
    for r in runs:
        try:
            path = finetune(r, config.out, log=lambda line: print(line, flush=True), data=prepared[r.label])
        except KeyboardInterrupt:
            print(f"robustx: interrupted during {r.label}; rerun the same command to resume from its last saved "
                  "step (finished checkpoints are reused)", file=sys.stderr)
            return 130
        meta = read_metadata(path) or {}
        print(f"{r.label}: dev {describe_dev(meta.get('dev', {}))} -> {path}", flush=True)
    print(f"{len(runs)} runs in {time.perf_counter() - started:.0f}s; checkpoints under {config.out}")
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("finetune", help="fine-tune checkpoints (intermediate + target task) from a config")
    p.add_argument("config", help="fine-tuning TOML file (see benchmarks/zoo.toml)")
    p.add_argument("--output", help="output folder (overrides [finetune].out)")
    p.add_argument("--data-dir", help="data folder (overrides [finetune].data_dir)")
    p.add_argument("--only", help="comma-separated [[model]] names to train")
    p.add_argument("--seeds", help="comma-separated seeds to train")
    p.add_argument("--plan", action="store_true", help="check the config and data, print the runs, train nothing")
    p.set_defaults(func=cmd_finetune)
