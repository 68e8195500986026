"""Time from saving a score file to the reloaded page in a real browser, with `scoresite serve`.

    python benchmarks/serve_latency.py example          # the repository's example
    python benchmarks/serve_latency.py large [--cities 333]   # a generated national-scale project

It copies the project to a temporary folder, starts `scoresite serve`, opens the scorecard
in Debian's Chromium (Playwright), then flips one result back and forth and measures, for
each save, the time until the page shows the new total without being reloaded by hand."""

from __future__ import annotations

import argparse
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

PRESETS = {
    "example": ("content/assessments/2026-departments/finance.yaml", "assessments/2026-departments/finance/index.html",
                "{result: 85.5%}", "{result: 78%}"),
    "large": ("content/assessments/2026-cities/city-001.yaml", "assessments/2026-cities/city-001/index.html",
              "1.1.1: {result: yes}", "1.1.1: {result: no}"),
}


def prepare(preset: str, cities: int) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="scoresite-latency-"))
    if preset == "example":
        for part in ("content", "rubrics"):
            shutil.copytree(REPO / part, folder / part)
        return folder
    from generate import generate
    generate(folder / "project", cities, 3, 10)
    sheet = folder / "project" / PRESETS["large"][0]
    text = sheet.read_text(encoding="utf-8")
    if PRESETS["large"][2] not in text:                  # make sure the flip has something to flip
        text = re.sub(r"1\.1\.1: \{result: \w+\}", PRESETS["large"][2], text)
        sheet.write_text(text, encoding="utf-8")
    return folder / "project"


def measure(root: Path, preset: str, rounds: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    sheet_path, page_path, first, second = PRESETS[preset]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "generator", "-C", str(root), "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
    sheet = root / sheet_path
    timings = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                        args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
            page = browser.new_page()
            deadline = time.monotonic() + 600
            while True:
                try:
                    page.goto(f"http://127.0.0.1:{port}/{page_path}")
                    break
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)
            page.wait_for_function("() => window.LiveReload !== undefined", timeout=60_000)
            for n in range(rounds):
                before = page.inner_text(".big")
                text = sheet.read_text(encoding="utf-8")
                old, new = (first, second) if first in text else (second, first)
                started = time.perf_counter()
                sheet.write_text(text.replace(old, new), encoding="utf-8")
                page.wait_for_function(
                    "(b) => { const e = document.querySelector('.big'); return e && e.textContent !== b; }",
                    arg=before, timeout=120_000)
                timings.append(time.perf_counter() - started)
                time.sleep(0.5)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("preset", choices=PRESETS)
    parser.add_argument("--cities", type=int, default=333)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    root = prepare(args.preset, args.cities)
    try:
        timings = measure(root, args.preset, args.rounds)
    finally:
        shutil.rmtree(root.parent if args.preset == "large" else root, ignore_errors=True)
    print(f"{args.preset}: save → reloaded page, {len(timings)} saves: median {statistics.median(timings):.2f} s, "
          f"min {min(timings):.2f} s, max {max(timings):.2f} s")


if __name__ == "__main__":
    main()
