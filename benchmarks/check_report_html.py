#!/usr/bin/env python3
"""Open a robustx ``report.html`` in headless Chromium: check that its plots render, take a screenshot.

    python benchmarks/check_report_html.py RUN_DIR/report/report.html [--screenshot report.png]

Two headless runs of Chromium (Debian package ``chromium``; ``--chromium`` or $CHROMIUM to
point elsewhere), each with a fresh profile:

1. ``--dump-dom`` after the page's scripts ran: the page's own inline script writes
   into ``<body>`` how many plots (``svg.plot``/``img.plot``) the browser laid out with a
   non-empty box and drawn content (``data-plots-rendered``) out of how many it has
   (``data-plots-expected``), and into ``<html data-errors>`` any script or resource
   error. Chromium's ``--enable-logging=stderr`` log is scanned for console messages
   (the report logs none, so any is reported as an error).
2. ``--screenshot`` of the whole page (height from the first run), a PNG whose size and
   signature are checked.

Exit 0 when every plot rendered, the expected elements (``<svg class="plot">``,
``<mark>``/``<del>``/``<ins>`` when ``--expect-examples``) are present and nothing failed;
1 otherwise; 2 when Chromium is not installed. Prints one JSON line with the findings.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--enable-logging=stderr", "--v=0"]
CONSOLE = re.compile(r":CONSOLE[:(]\d+\)?\]\s*(.*)")


def find_chromium(explicit: str | None = None) -> str | None:
    for name in filter(None, (explicit, os.environ.get("CHROMIUM"), "chromium", "chromium-browser",
                              "google-chrome", "google-chrome-stable")):
        path = shutil.which(name) or (name if Path(name).is_file() else None)
        if path:
            return path
    return None


def _chromium(binary: str, args: list[str], timeout: float) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="robustx-chromium-") as profile:
        return subprocess.run([binary, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                              text=True, timeout=timeout, errors="replace")


def _attr(dom: str, tag: str, name: str) -> str | None:
    m = re.search(rf"<{tag}\b[^>]*\b{name}=\"([^\"]*)\"", dom)
    return m.group(1) if m else None


def png_size(path: Path) -> tuple[int, int] | None:
    data = path.read_bytes()[:24] if path.is_file() else b""
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", data[16:24])


def check(html: Path, screenshot: Path, *, chromium: str | None = None, width: int = 1280,
          max_height: int = 16000, expect_examples: bool = False, timeout: float = 90) -> dict:
    binary = find_chromium(chromium)
    if binary is None:
        return {"ok": False, "error": "chromium not found (apt-get install chromium)", "missing_chromium": True}
    url = html.resolve().as_uri()
    dump = _chromium(binary, [f"--window-size={width},900", "--virtual-time-budget=5000", "--dump-dom", url], timeout)
    dom = dump.stdout
    problems = []
    if dump.returncode != 0 or "<body" not in dom:
        problems.append(f"--dump-dom failed (exit {dump.returncode}): {dump.stderr[-500:]}")
    console = [m.group(1) for m in map(CONSOLE.search, dump.stderr.splitlines()) if m]
    if console:
        problems.append(f"console messages: {console[:5]}")
    expected = _attr(dom, "body", "data-plots-expected")
    rendered = _attr(dom, "body", "data-plots-rendered")
    errors = int(_attr(dom, "html", "data-errors") or 0)
    n_svg = len(re.findall(r"<svg\b[^>]*\bclass=\"plot\"", dom))
    n_img = len(re.findall(r"<img\b[^>]*\bclass=\"plot\"", dom))
    if expected is None or rendered is None:
        problems.append("the page's render check did not run (no data-plots-rendered on <body>)")
    elif int(rendered) != int(expected) or int(expected) == 0:
        problems.append(f"{rendered} of {expected} plots rendered")
    if n_svg + n_img != int(expected or -1):
        problems.append(f"{n_svg} svg + {n_img} img plots in the DOM, page expects {expected}")
    if errors:
        problems.append(f"{errors} script/resource errors on the page")
    tags = {t: len(re.findall(rf"<{t}\b", dom)) for t in ("mark", "del", "ins")}
    if expect_examples:
        missing = [t for t, n in tags.items() if n == 0]
        if missing:
            problems.append(f"no <{'>, <'.join(missing)}> elements: examples not highlighted")
    height = min(max_height, max(800, int(_attr(dom, "body", "data-page-height") or 3000)))
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    screenshot.unlink(missing_ok=True)
    shot = _chromium(binary, [f"--window-size={width},{height}", f"--screenshot={screenshot.resolve()}", url], timeout)
    size = png_size(screenshot)
    if size is None:
        problems.append(f"no PNG screenshot written (exit {shot.returncode}): {shot.stderr[-300:]}")
    elif size[0] < 200 or size[1] < 200:
        problems.append(f"screenshot is only {size[0]}×{size[1]}")
    return {"ok": not problems, "problems": problems, "plots_expected": int(expected or 0),
            "plots_rendered": int(rendered or 0), "svg": n_svg, "img": n_img, "highlight_tags": tags,
            "page_errors": errors, "console_messages": console, "screenshot": str(screenshot),
            "screenshot_size": size, "chromium": binary, "examples_checked": expect_examples}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path)
    parser.add_argument("--screenshot", type=Path, help="PNG path (default: report.png beside the HTML)")
    parser.add_argument("--chromium", help="Chromium binary (default: $CHROMIUM, chromium, chromium-browser)")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--expect-examples", action="store_true", help="require <mark>/<del>/<ins> highlights")
    args = parser.parse_args(argv)
    if not args.html.is_file():
        print(json.dumps({"ok": False, "error": f"{args.html}: no such file"}))
        return 1
    result = check(args.html, args.screenshot or args.html.with_name("report.png"), chromium=args.chromium,
                   width=args.width, expect_examples=args.expect_examples)
    print(json.dumps(result, ensure_ascii=False))
    if result.get("missing_chromium"):
        return 2
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
