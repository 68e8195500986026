"""Generate a large synthetic project for benchmarks: every city in a country, several
years, and every city's departments. Scores are random (seeded) and illustrative only.

    python benchmarks/generate.py OUT [--cities 333] [--years 3] [--departments 10]

It reuses the repository's two rubrics; each city's departments get their own
assessment under 附件3 each year."""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEPARTMENTS = ["hrss", "finance", "fgw", "aic", "science", "education", "statistics", "sme", "civil-affairs",
               "planning", "land-resources", "state-tax", "local-tax", "supervision", "publicity"]


def city_sheet(rng: random.Random, entity: str, rubric) -> str:
    lines = [f"entity: {entity}", "assessed_on: 2026-10-15", "assessors: [省考核组]", "scores:"]
    for key, indicator in rubric.indicators.items():
        if rng.random() < 0.02:
            continue                                    # not assessed
        kind = indicator.rule.name
        if kind == "check":
            result = "yes" if rng.random() < 0.85 else "no"
        elif kind == "levels":
            result = rng.choice(["full", "full", "full", "partial", "none"])
        elif getattr(indicator.rule, "relative_to", None):
            result = f"{{value: {rng.randint(880, 960) / 10}%, baseline: 90%}}"
        else:
            result = f"{rng.randint(700, 1000) / 10}%" if rng.random() < 0.7 else \
                f"{{count: {rng.randint(2, 6)}, of: 6}}"
        lines.append(f"  {key}: {{result: {result}}}")
    return "\n".join(lines) + "\n"


def department_sheet(rng: random.Random, entity: str) -> str:
    of = rng.randint(6, 12)
    return "\n".join([
        f"entity: {entity}", "assessed_on: 2026-11-05", "scores:",
        *(f"  {k}: {{result: {'yes' if rng.random() < 0.9 else 'no'}}}" for k in ("1.1", "1.2", "2.1", "2.2")),
        f"  3.1: {{result: {{count: {rng.randint(of // 2, of)}, of: {of}}}}}",
        f"  3.2: {{result: {rng.choice(['full', 'partial', 'none'])}}}",
        f"  4.1: {{result: {{missed: {rng.randint(0, 3)}}}}}",
        f"  4.2: {{result: {{missed: {rng.randint(0, 2)}}}}}",
        f"  4.3: {{result: {{missed: {rng.randint(0, 2)}, extra: {rng.randint(0, 7)}}}}}",
        f"  5.1: {{result: {rng.randint(700, 990) / 10}%}}",
    ]) + "\n"


def generate(out: Path, cities: int, years: int, departments: int, seed: int = 2026) -> None:
    import sys
    sys.path.insert(0, str(REPO))
    from generator.pipeline import load_project

    rubric = load_project(REPO).rubrics["entrepreneurial-city"]
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(REPO / "rubrics", out / "rubrics")
    (out / "content").mkdir(parents=True)
    (out / "content/site.yaml").write_text("title: 全国创业型城市考核（基准测试用的随机数据）\nsample_data: true\n",
                                           encoding="utf-8")
    units = (REPO / "content/units.yaml").read_text(encoding="utf-8")
    units += "\n# generated\n"
    for c in range(1, cities + 1):
        units += f"- {{id: city-{c:03d}, name: 第{c}号城市, kind: city}}\n"
        for d in DEPARTMENTS[:departments]:
            units += f"- {{id: city-{c:03d}-{d}, name: 第{c}号城市{d}部门, kind: department}}\n"
    (out / "content/units.yaml").write_text(units, encoding="utf-8")
    base = out / "content/assessments"
    for year in range(2026 - years + 1, 2027):
        folder = base / f"{year}-cities"
        folder.mkdir(parents=True)
        (folder / "assessment.yaml").write_text(
            f"title: {year}年度全国创业型城市考核（随机数据）\nrubric: entrepreneurial-city\nperiod: \"{year}\"\n"
            f"status: published\npublished_on: {year}-11-20\n", encoding="utf-8")
        for c in range(1, cities + 1):
            (folder / f"city-{c:03d}.yaml").write_text(city_sheet(rng, f"city-{c:03d}", rubric), encoding="utf-8")
    for c in range(1, cities + 1):
        folder = base / f"2026-city-{c:03d}-departments"
        folder.mkdir(parents=True)
        (folder / "assessment.yaml").write_text(
            f"title: 2026年度第{c}号城市部门考核（随机数据）\nrubric: shuozhou-department\nperiod: \"2026\"\n"
            "status: published\n", encoding="utf-8")
        for d in DEPARTMENTS[:departments]:
            entity = f"city-{c:03d}-{d}"
            (folder / f"{entity}.yaml").write_text(department_sheet(rng, entity), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--cities", type=int, default=333)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--departments", type=int, default=10)
    args = parser.parse_args()
    generate(args.out, args.cities, args.years, args.departments)
    print(f"generated {args.out}")


if __name__ == "__main__":
    main()
