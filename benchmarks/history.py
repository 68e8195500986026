"""How much git history costs a build: one score file with hundreds of commits.

    python benchmarks/history.py [--commits 500]

Makes a repository from the example with N extra commits that each change one score
file (written with `git fast-import`, so it takes a second), then times `scoresite build`
in it, and in a copy of the same files outside git."""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHEET = "content/assessments/2026-departments/finance.yaml"


def make_repository(root: Path, commits: int) -> None:
    for part in ("content", "rubrics"):
        shutil.copytree(REPO / part, root / part)
    run(root, "git", "init", "-q", "-b", "main")
    run(root, "git", "add", "-A")
    run(root, "git", "-c", "user.name=基准", "-c", "user.email=b@example.gov.cn", "commit", "-qm", "初始")
    original = (root / SHEET).read_text(encoding="utf-8")
    stream = []
    for n in range(commits):
        value = f"{70 + n % 30}.5%"
        data = original.replace("{result: 85.5%}", f"{{result: {value}}}").encode("utf-8")
        message = f"满意度更正第{n + 1}次".encode("utf-8")
        stamp = 1_790_000_000 + n * 3600
        stream += [b"commit refs/heads/main", f"mark :{n + 1}".encode(),
                   f"committer 基准 <b@example.gov.cn> {stamp} +0800".encode(),
                   f"data {len(message)}".encode(), message]
        if n == 0:
            stream.append(b"from refs/heads/main^0")
        stream += [f"M 100644 inline {SHEET}".encode(), f"data {len(data)}".encode(), data, b""]
    subprocess.run(["git", "fast-import", "--quiet", "--force"], cwd=root, input=b"\n".join(stream) + b"\n",
                   check=True)
    run(root, "git", "reset", "-q", "--hard", "main")


def run(cwd: Path, *args: str) -> None:
    subprocess.run(args, cwd=cwd, check=True)


def time_build(root: Path, rounds: int) -> float:
    times = []
    for n in range(rounds):
        out = root.parent / f"out-{root.name}-{n}"
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "generator", "-C", str(root), "build", "--out", str(out)],
                       check=True, capture_output=True, cwd=REPO)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commits", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        repo, plain = Path(tmp) / "repo", Path(tmp) / "plain"
        make_repository(repo, args.commits)
        shutil.copytree(repo, plain, ignore=shutil.ignore_patterns(".git"))
        with_git, without = time_build(repo, args.rounds), time_build(plain, args.rounds)
        page = (Path(tmp) / "out-repo-0" / "assessments/2026-departments/finance/index.html").read_text(encoding="utf-8")
        shown = page.count("满意度更正第")
    print(f"{args.commits} commits to one score file: build {with_git:.2f} s in git, {without:.2f} s outside git "
          f"(+{with_git - without:.2f} s); its scorecard lists {shown} revisions")


if __name__ == "__main__":
    main()
