"""Pinned report outputs: synthetic runs must render to these exact tables, Markdown, HTML and terminal text.

The reports in ``reports/`` were made by real runs whose directories are not in the
repository, so their byte-identity cannot be checked directly; these cases stand in for
them. The golden files in ``tests/golden/report/`` were recorded on the code before the
report read its shards from ``summary.json`` and its group tests from a registry (issue
14). A deliberate change of output regenerates them (``python tests/test_report_golden.py``)
and says so in its commit. Only what does not depend on the machine is pinned: the date
and the reproducibility block (paths, versions, hashes) are cut.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
from pathlib import Path

import pytest

from test_report import build_run

GOLDEN = Path(__file__).resolve().parent / "golden" / "report"
TABLES = ("results.csv", "groups.csv", "comparisons.csv")

# case -> (build_run arguments, report options)
CASES = {
    "two-groups": (dict(k=3), []),
    "three-groups": (dict(k=4, groups=("mnli", "none", "xnli"), stale=False, untouched={("sw", "word_drop_10")}),
                     ["--family", "all", "--correction", "bh", "--test", "mannwhitney"]),
    "one-seed": (dict(k=1, stale=False), ["--by", "intermediate", "--alpha", "0.1"]),
}


def _undated(text: str) -> str:
    return re.sub(r" · generated \d{4}-\d\d-\d\d \d\d:\d\d UTC", "", text)


def render(case: str, base: Path) -> dict[str, str]:
    """Every pinned output of ``case``, run in ``base``: file name -> text."""
    from robustx.cli.main import main

    kwargs, options = CASES[case]
    printed = io.StringIO()
    # Relative paths: the terminal text names the output folder, and rich wraps long lines.
    with contextlib.chdir(base):
        build_run(Path("run"), **kwargs)
        with contextlib.redirect_stdout(printed):
            assert main(["report", "run", "--output", "report", "--n-boot", "300", "--no-fingerprints", *options]) == 0
    out = base / "report"
    md = (out / "report.md").read_text(encoding="utf-8")
    html = (out / "report.html").read_text(encoding="utf-8")
    got = {name: (out / name).read_text(encoding="utf-8") for name in TABLES if (out / name).exists()}
    got["report.md"] = _undated(md[: md.index("## Reproducibility")])
    page = _undated(html[: html.index('<section id="repro">')])
    got["report.html.sha256"] = hashlib.sha256(page.encode()).hexdigest() + "\n"
    got["report.stdout"] = printed.getvalue()
    return got


@pytest.mark.parametrize("case", sorted(CASES))
def test_report_outputs_are_unchanged(case, tmp_path):
    got = render(case, tmp_path)
    expected = {p.name: p.read_text(encoding="utf-8") for p in sorted((GOLDEN / case).iterdir())}
    assert sorted(got) == sorted(expected)
    for name, text in expected.items():
        assert got[name] == text, f"{case}/{name} differs from tests/golden/report/{case}/{name}"


if __name__ == "__main__":      # regenerate after a deliberate change of output
    import tempfile

    for name in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            folder = GOLDEN / name
            folder.mkdir(parents=True, exist_ok=True)
            for file, text in render(name, Path(tmp)).items():
                (folder / file).write_text(text, encoding="utf-8")
