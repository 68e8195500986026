"""Generate a large synthetic project for benchmarks: every city in a country, several
years, and every city's departments. Scores are random (seeded) and illustrative only.

    python benchmarks/generate.py OUT [--cities 333] [--years 3] [--departments 10] [--department-years 1]
    python benchmarks/generate.py OUT --scale tiny|1x|10x

It reuses the repository's rubrics. Each year, every city gets a scorecard under 附件2
(58 indicators). Each city's departments get their own assessment under 附件3
(10 indicators) in each of the last --department-years years (by default the last one).
Up to 15 departments have named ids (city-001-hrss, …); more are city-001-dept-01 … .

The scales of issue 12 (see SCALES): "1x" is 333 cities × 3 years and no departments
(about 1,450 pages); "10x" adds 30 departments per city per year (999 department
assessments, 29,970 department scorecards); "tiny" is for smoke tests."""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NAMED_DEPARTMENTS = ["hrss", "finance", "fgw", "aic", "science", "education", "statistics", "sme", "civil-affairs",
               "planning", "land-resources", "state-tax", "local-tax", "supervision", "publicity"]

# name → (cities, years, departments per city, years with department assessments)
SCALES = {
    "tiny": (4, 2, 3, 2),
    "1x": (333, 3, 0, 0),
    "10x": (333, 3, 30, 3),
}


def department_ids(count: int) -> list[str]:
    """The department ids used in every city: named ones up to 15, numbered ones beyond."""
    if count <= len(NAMED_DEPARTMENTS):
        return NAMED_DEPARTMENTS[:count]
    return [f"dept-{n:02d}" for n in range(1, count + 1)]


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


def generate(out: Path, cities: int, years: int, departments: int, seed: int = 2026,
             department_years: int = 1) -> None:
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
        for d in department_ids(departments):
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
    if not departments:
        return
    for year in range(2026 - min(department_years, years) + 1, 2027):
        for c in range(1, cities + 1):
            folder = base / f"{year}-city-{c:03d}-departments"
            folder.mkdir(parents=True)
            (folder / "assessment.yaml").write_text(
                f"title: {year}年度第{c}号城市部门考核（随机数据）\nrubric: shuozhou-department\nperiod: \"{year}\"\n"
                "status: published\n", encoding="utf-8")
            for d in department_ids(departments):
                entity = f"city-{c:03d}-{d}"
                (folder / f"{entity}.yaml").write_text(department_sheet(rng, entity), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--scale", choices=SCALES, help="a preset; the other options then default to its values")
    parser.add_argument("--cities", type=int)
    parser.add_argument("--years", type=int)
    parser.add_argument("--departments", type=int, help="departments per city (default 10)")
    parser.add_argument("--department-years", type=int,
                        help="how many of the latest years have department assessments (default 1)")
    args = parser.parse_args()
    cities, years, departments, department_years = SCALES[args.scale] if args.scale else (333, 3, 10, 1)
    generate(args.out, args.cities if args.cities is not None else cities,
             args.years if args.years is not None else years,
             args.departments if args.departments is not None else departments,
             department_years=args.department_years if args.department_years is not None else department_years)
    print(f"generated {args.out}")


if __name__ == "__main__":
    main()
