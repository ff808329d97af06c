"""The command line: fast start, one-line errors with exit code 2."""

import subprocess
import sys

import pytest


def robustx(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "robustx", *args], capture_output=True, text=True, cwd=cwd)


def test_list_names_tasks_perturbations_and_recipes():
    out = robustx("list")
    assert out.returncode == 0, out.stderr
    for name in ("xnli", "pawsx", "tatoeba", "char.keyboard_typo", "char.random_edit", "char_swap_30"):
        assert name in out.stdout


def test_cli_does_not_import_torch_for_validate_or_list():
    code = "import sys; from robustx.cli.main import main; main(['list']); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip().endswith("False")


def test_parsing_report_options_does_not_import_the_statistics():
    # --test lists the registered group tests only when it is checked or help is shown
    code = ("import sys; from robustx.cli.main import build_parser; build_parser().parse_args(['compare', 'run']); "
            "print('robustx.stats.groups' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "nothing.toml: file not found"),
        ("[study]\ntask = 'xnli'\nlanguages = ['de']\n[data]\npath = '.'\n", "checkpoints: missing"),
        ("[study\n", "invalid TOML"),
    ],
)
def test_bad_study_is_one_line_and_exit_2(tmp_path, content, message):
    path = tmp_path / "nothing.toml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    for command in ("run", "validate"):
        out = robustx(command, str(path), cwd=tmp_path)
        assert out.returncode == 2
        assert out.stderr.count("\n") == 1 and message in out.stderr, out.stderr


def test_corrupt_checkpoint_is_refused(tmp_path, shared_data):
    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    (ckpt / "config.json").write_text("{ not json", encoding="utf-8")
    study = tmp_path / "s.toml"
    study.write_text(
        f"[study]\ntask = 'xnli'\nlanguages = ['de']\n[data]\npath = '{shared_data}'\nlimit = 5\n"
        f"[[checkpoints]]\nname = 'broken'\npath = '{ckpt}'\n",
        encoding="utf-8",
    )
    out = robustx("run", str(study), "--output", str(tmp_path / "run"))
    assert out.returncode == 2
    assert out.stderr.startswith("robustx: error: checkpoint broken") and out.stderr.count("\n") == 1, out.stderr
