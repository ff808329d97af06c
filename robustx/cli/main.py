"""robustx: per-language adversarial robustness of multilingual checkpoints, with significance over seeds.

Imports of torch and transformers happen inside the commands that need them, so
``robustx --help``, ``validate`` and ``list`` start fast.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from typing import Sequence

from robustx import __version__
from robustx.cli import audit as audit_cli
from robustx.cli import finetune as finetune_cli
from robustx.cli import report as report_cli
from robustx.errors import RobustxError, first_line


def _console():
    from rich.console import Console

    # Logs and pipes get a width that fits the tables instead of rich's 80 columns.
    return Console(highlight=False, width=None if sys.stdout.isatty() else 120)


def cmd_run(args: argparse.Namespace) -> int:
    from robustx.study.load import load_study

    study = load_study(args.study, data_dir=args.data_dir, output=args.output)
    return _execute(study, args.fresh, args.executor, args.address)


def _execute(study, fresh: bool = False, executor: str = "local", address: str | None = None) -> int:
    import time
    from pathlib import Path

    from robustx.report.tables import render_summary
    from robustx.runner.execute import run_study

    console = _console()
    started = time.perf_counter()
    console.print(f"[bold]robustx[/] {study.name}: {study.task} × {' × '.join(_sizes(study))} → {study.output}")
    state = run_study(study, log=console.print, fresh=fresh, executor=executor, address=address)
    render_summary(state.summary, console)
    reused_inputs = f", {state.inputs - state.inputs_scored} of {state.inputs} model inputs reused" if state.inputs else ""
    console.print(f"{state.computed} shards computed, {state.reused} reused{reused_inputs}, "
                  f"{time.perf_counter() - started:.0f}s · {Path(study.output) / 'summary.json'}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from robustx.runner.execute import load_data
    from robustx.study.load import load_study
    from robustx.study.preflight import preflight
    from robustx.tasks import TASKS

    study = load_study(args.study, data_dir=args.data_dir, output=args.output)
    task = TASKS.get(study.task)()
    preflight(study, task, args.fresh)
    checked = "data not checked (Hugging Face source)"
    if study.data.source == "local":
        data = load_data(study, task, lambda message: print(_plain(message)))
        checked = f"{sum(len(d.examples) for d in data.values())} examples"
    print(f"{args.study}: ok — {study.task}, {', '.join(_sizes(study))}, {checked}")
    return 0


def _plain(message: str) -> str:
    """A log line without its rich markup, for plain print."""
    from rich.text import Text

    return Text.from_markup(message).plain


def _sizes(study) -> list[str]:
    """``3 languages``, ``1 checkpoint``, ...: the dimensions of a study's grid."""
    counts = (("language", study.languages), ("checkpoint", study.checkpoints),
              ("perturbation", study.perturbations), ("attack", study.attacks), ("seed", study.perturbation_seeds))
    return [f"{len(items)} {noun}{'' if len(items) == 1 else 's'}" for noun, items in counts
            if items or noun != "attack"]


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
        kind = " [attack]" if recipe.kind == "attack" else ""
        print(f"  {name:32} {recipe.perturbation:20} {recipe.description}{kind}")
    return 0


def _positive(value: str) -> int:
    if not value.strip().isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value!r}")
    return int(value)


class _Parser(argparse.ArgumentParser):
    """argparse, with its usage errors in robustx's one-line form (exit 2)."""

    def error(self, message: str):
        self.exit(2, f"robustx: error: {self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="robustx", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"robustx {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the traceback of any error")
    sub = parser.add_subparsers(dest="command", required=True)

    for name, func, text in (("run", cmd_run, "run a study file"),
                             ("validate", cmd_validate, "check a study, its checkpoints, data and output without running it")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("study", help="study TOML file")
        cmd.add_argument("--data-dir", help="override [data].path")
        cmd.add_argument("--output", help="override [study].output")
        cmd.add_argument("--fresh", action="store_true",
                         help="if the output holds another study, move its contents aside to OUTPUT.old-<time>")
        cmd.set_defaults(func=func)
    run = sub.choices["run"]
    run.add_argument("--executor", choices=("local", "ray"), default="local",
                     help="where the shards run: this process (default) or a Ray cluster (docs/execution.md)")
    run.add_argument("--address", help="with --executor ray: the cluster to join (default: RAY_ADDRESS, else a local one)")

    demo = sub.add_parser("demo", help="offline demo: e5-small retrieval on the shipped parallel sample")
    demo.add_argument("--data-dir", help="run the same study on real Tatoeba files in this folder instead")
    demo.add_argument("--output", default="runs/demo")
    demo.add_argument("--threads", type=_positive, default=1, help="torch threads (1 is fastest on a shared 2-core box)")
    demo.set_defaults(func=cmd_demo)

    ls = sub.add_parser("list", help="list tasks, perturbations and shipped recipes")
    ls.set_defaults(func=cmd_list)
    finetune_cli.add_parser(sub)
    report_cli.add_parser(sub)
    audit_cli.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # --debug is honoured anywhere on the line, not only before the command.
    debug = "--debug" in argv
    args = build_parser().parse_args([a for a in argv if a != "--debug"])
    try:
        return args.func(args)
    except BrokenPipeError:
        # The reader went away (robustx list | head): stop quietly, and keep Python's
        # exit-time flush of stdout from failing on the closed pipe too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        print("robustx: interrupted; finished shards are kept and reused by the next run", file=sys.stderr)
        return 130
    except Exception as exc:
        if debug:
            traceback.print_exc()
        if isinstance(exc, RobustxError):
            print(f"robustx: error: {' '.join(str(exc).split())}", file=sys.stderr)
            return 2
        # Not a user error: a bug. One line still, and the way to the traceback.
        print(f"robustx: internal error: {type(exc).__name__}: {first_line(exc)} "
              "(rerun with --debug for the traceback, and please report it)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
