"""robustx: per-language adversarial robustness of multilingual checkpoints, with significance over seeds.

Imports of torch and transformers happen inside the commands that need them, so
``robustx --help``, ``validate`` and ``list`` start fast.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from robustx import __version__
from robustx.cli import finetune as finetune_cli
from robustx.cli import report as report_cli
from robustx.errors import RobustxError


def _console():
    from rich.console import Console

    # Logs and pipes get a width that fits the tables instead of rich's 80 columns.
    return Console(highlight=False, width=None if sys.stdout.isatty() else 120)


def cmd_run(args: argparse.Namespace) -> int:
    from robustx.study.load import load_study

    study = load_study(args.study, data_dir=args.data_dir, output=args.output)
    return _execute(study)


def _execute(study) -> int:
    import time
    from pathlib import Path

    from robustx.report.tables import render_summary
    from robustx.runner.execute import run_study

    console = _console()
    started = time.perf_counter()
    console.print(f"[bold]robustx[/] {study.name}: {study.task} × {' × '.join(_sizes(study))} → {study.output}")
    state = run_study(study, log=console.print)
    render_summary(state.summary, console)
    console.print(f"{state.computed} shards computed, {state.reused} reused, "
                  f"{time.perf_counter() - started:.0f}s · {Path(study.output) / 'summary.json'}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from robustx.study.load import load_study

    study = load_study(args.study, data_dir=args.data_dir)
    print(f"{args.study}: ok — {study.task}, {', '.join(_sizes(study))}")
    return 0


def _sizes(study) -> list[str]:
    """``3 languages``, ``1 checkpoint``, ...: the dimensions of a study's grid."""
    counts = (("language", study.languages), ("checkpoint", study.checkpoints),
              ("perturbation", study.perturbations), ("seed", study.perturbation_seeds))
    return [f"{len(items)} {noun}{'' if len(items) == 1 else 's'}" for noun, items in counts]


def cmd_demo(args: argparse.Namespace) -> int:
    from robustx.demo.study import demo_study

    return _execute(demo_study(data_dir=args.data_dir, output=args.output, threads=args.threads))


def cmd_list(args: argparse.Namespace) -> int:
    from robustx.perturb import PERTURBATIONS
    from robustx.recipes import load_recipe, shipped_recipes
    from robustx.tasks import TASKS

    print("tasks:")
    for name in TASKS:
        task = TASKS.get(name)
        print(f"  {name:12} {task.kind:15} {' '.join(task.languages)}")
    print("perturbations:")
    for name in PERTURBATIONS:
        print(f"  {name}")
    print("recipes (attacks/):")
    for name in shipped_recipes():
        recipe = load_recipe(name)
        print(f"  {name:32} {recipe.perturbation:20} {recipe.description}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="robustx", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"robustx {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run a study file")
    run.add_argument("study", help="study TOML file")
    run.add_argument("--data-dir", help="override [data].path")
    run.add_argument("--output", help="override [study].output")
    run.set_defaults(func=cmd_run)

    validate = sub.add_parser("validate", help="check a study file without running it")
    validate.add_argument("study")
    validate.add_argument("--data-dir")
    validate.set_defaults(func=cmd_validate)

    demo = sub.add_parser("demo", help="offline demo: e5-small retrieval on the shipped parallel sample")
    demo.add_argument("--data-dir", help="run the same study on real Tatoeba files in this folder instead")
    demo.add_argument("--output", default="runs/demo")
    demo.add_argument("--threads", type=int, default=1, help="torch threads (1 is fastest on a shared 2-core box)")
    demo.set_defaults(func=cmd_demo)

    ls = sub.add_parser("list", help="list tasks, perturbations and shipped recipes")
    ls.set_defaults(func=cmd_list)
    finetune_cli.add_parser(sub)
    report_cli.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except RobustxError as exc:
        print(f"robustx: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("robustx: interrupted; finished shards are kept and reused by the next run", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
