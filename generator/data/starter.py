"""A project of one's own: `scoresite init DIR` (a small valid project whose comments teach the
format) and `scoresite new ASSESSMENT ENTITY` (a score file with every indicator key, its text,
its maximum and what its rule expects). Neither ever overwrites a file."""

from __future__ import annotations

from pathlib import Path

from ..model import Assessment, Rubric, Unit
from ..numbers import plain
from ..rules import describe_rule
from .results import expects
from .schemas import KINDS as SCHEMA_KINDS, schema_text
from .yamltext import key as yaml_key

SCHEMA_FOLDER = "schemas"


def schema_line(kind: str, depth: int) -> str:
    """The editor's hint (yaml-language-server, used by VS Code's YAML extension and others)."""
    return f"# yaml-language-server: $schema={'../' * depth}{SCHEMA_FOLDER}/{kind}.json"


def schema_files() -> dict[str, str]:
    """schemas/<kind>.json for every file kind, as shipped with the package."""
    return {f"{SCHEMA_FOLDER}/{kind}.json": schema_text(kind) for kind in SCHEMA_KINDS}


# --- new ----------------------------------------------------------------------------------

def score_file_text(assessment: Assessment, rubric: Rubric, unit: Unit, results: dict[str, str] | None = None,
                    assessed_on: str = "", assessors: str = "") -> str:
    """A score file for `unit`: every indicator key, with a comment giving its text, its maximum
    and what its rule expects; results blank (not assessed) unless given as YAML text."""
    results = results or {}
    lines = [schema_line("scores", 3),
             f"# {assessment.title}（{assessment.id}）· {unit.name} 的评分",
             "# 每个指标一项：在 result: 后填写结果；留空表示未评估（计0分，页面显示“未评估”）。",
             "# 还可以写 note:（说明，支持 Markdown）、evidence:（佐证材料，- {title: …, url: …} 或 file: …）、",
             "# override: {points: …, reason: …}（调整得分并说明原因）；不适用写 result: n/a 并写 reason: 原因。",
             f"entity: {unit.id}",
             f"assessed_on: {assessed_on}".rstrip() + ("" if assessed_on else "          # 评分日期，如 2026-11-05"),
             f"assessors: {assessors or '[]'}" + ("" if assessors else "           # 评分人，如 [市考核组]"),
             "scores:"]
    sections = {section.key: section for section in rubric.walk_sections()}
    shown_sections = set()
    for key, indicator in rubric.indicators.items():
        for section_key in indicator.section_keys:
            if section_key not in shown_sections:
                shown_sections.add(section_key)
                section = sections[section_key]
                if section.depth == 1:
                    lines.append("")
                lines.append(f"  # {'  ' * (section.depth - 1)}{section_key} {section.title}")
        rule = describe_rule(indicator.rule, indicator.points)
        lines.append(f"  # {key} {indicator.text}（{plain(indicator.points)}分）")
        lines.append(f"  # {rule} {expects(indicator.rule)}")
        lines.append(f"  {yaml_key(key)}:")
        lines.append(f"    result: {results.get(key, '')}".rstrip())
    return "\n".join(lines) + "\n"


def score_file_path(assessment_id: str, entity: str) -> str:
    return f"content/assessments/{assessment_id}/{entity}.yaml"


# --- init ---------------------------------------------------------------------------------

SITE = f"""{schema_line("site", 1)}
# 站点设置。每个键的含义见 README“The data format”；未知的键会报错。
title: 考核结果公示（示例）
language: zh-CN              # zh-CN（中文界面，默认）或 en
sample_data: true            # true：每页标注“示例数据”。换成真实数据后删除此行
description: 本站公示年度考核评分结果。
# base_url: https://www.example.gov.cn/kaohe/   # 公开网址（可选），用于 sitemap.xml 和 404 页
# sponsor: 主办单位名称                          # 以下为政府网站页脚（可选）
# icp: 晋ICP备00000000号
"""

UNITS = f"""{schema_line("units", 1)}
# 单位名录：被考核单位和责任单位都在这里登记一次。
# id 用小写字母、数字和 -，会成为网址；评分标准里可以用 id、name、short 或 aliases 中任一写法称呼单位。
# kind：department（部门）| city | county（区县）| association | bank | office | group（代表若干单位）
- id: kaoheban
  name: 示例市考核工作领导小组办公室
  short: 市考核办
  aliases: [考核办]
  kind: office

- id: finance
  name: 示例市财政局
  short: 市财政局
  aliases: [财政局]
  kind: department

- id: county-a
  name: 示例县甲
  short: 甲县
  kind: county

- id: county-b
  name: 示例县乙
  short: 乙县
  kind: county
"""

RUBRIC = f"""{schema_line("rubric", 1)}
# 评分标准：一个文件一套标准，文件名与 id 相同。
# 结构：sections（一级指标）→ 可再分 sections（二级指标）→ indicators（评分指标）。
# 指标的编号由各级 id 用点连接：下面第一个指标是 1.1。
# 每个指标写 text（内容）、points（分值）、rule（计分规则），可写 method（考评方法）和 units（责任单位）。
# 规则种类见 README“Rule kinds”：check、levels、thresholds、deduct、share、linear、judged 等。
id: example
title: 示例县工作考核评分标准
source: 示例：可写评分标准的来源文件名
points: 10                   # 总分：必须等于各指标分值之和
grades:                      # 等次（可选）：从高到低，最后一档 min: 0
  - {{min: 9, label: 优秀}}
  - {{min: 6, label: 合格}}
  - {{min: 0, label: 不合格}}
sections:
  - id: "1"
    title: 组织领导
    indicators:
      - id: "1"
        text: 成立工作领导小组。
        points: 2
        method: 查阅相关文件。成立得分，未成立不得分。
        units: [市考核办]
        rule: check            # 结果写 yes（得满分）或 no（不得分）
      - id: "2"
        text: 制定工作方案。
        points: 3
        method: 方案完整得满分，有方案但不完整得1分，无方案不得分。
        units: [市考核办]
        rule:                  # 分档：结果写档次的 key
          levels:
            - {{key: full, points: 3, label: 方案完整}}
            - {{key: partial, points: 1, label: 有方案但不完整}}
            - {{key: none, points: 0, label: 无方案}}

  - id: "2"
    title: 工作成效
    indicators:
      - id: "1"
        text: 资金拨付率达到80%得1分，达到90%得2分，超过95%得3分。
        points: 3
        units: [市财政局]
        rule:                  # 分段：“达到”含本数（at_least），“超过”不含（above）；结果写百分比
          thresholds:
            - {{at_least: 80%, points: 1}}
            - {{at_least: 90%, points: 2}}
            - {{above: 95%, points: 3}}
      - id: "2"
        text: 按时报送资料。
        points: 2
        method: 缺一次扣0.5分，扣完为止。
        rule:                  # 扣分：结果写 {{missed: 缺的次数}}
          deduct: {{per: 0.5}}
"""

ASSESSMENT = f"""{schema_line("assessment", 3)}
# 一轮考核：用哪套评分标准、哪个考核期、是否公开。同一文件夹里每个被考核单位一个评分文件（<单位id>.yaml），
# 用 scoresite new 2026-example <单位id> 生成。
title: 2026年度示例县工作考核
rubric: example
period: "2026"
status: published            # draft（草稿，只在 build --drafts 中出现）或 published
published_on: 2026-12-01
# notice:                    # 公示期（可选）：期间在页面顶部显示公示横幅
#   from: 2026-12-01
#   to: 2026-12-07
#   contact: 市考核办 0000-0000000
"""

PAGE = """---
title: 关于本站
nav: true
order: 1
---
本站公示年度考核评分结果。**本站为示例，所有分数均为虚构的示例数据。**

页面由 scoresite 根据 `content/` 和 `rubrics/` 中的 YAML 文件生成。
"""

GITIGNORE = """# scoresite build output and caches
site/
.site.building-*/
.site.old-*/
.site.spare/
.scoresite-cache/
"""

SAMPLE_RESULTS = {"1.1": "yes", "1.2": "partial", "2.1": "92.5%", "2.2": "{missed: 1}"}


def starter_files() -> dict[str, str]:
    """Every file of a new project but the score file, which is written the way `new` writes one."""
    return {"content/site.yaml": SITE, "content/units.yaml": UNITS, "rubrics/example.yaml": RUBRIC,
            "content/assessments/2026-example/assessment.yaml": ASSESSMENT, "content/pages/about.md": PAGE,
            ".gitignore": GITIGNORE, **schema_files()}


def init_files() -> dict[str, str]:
    """A whole new project, checked: it loads without a problem before anything is written
    (it is put together in a temporary folder first)."""
    import tempfile

    from ..load.project import read_project

    files = starter_files()
    with tempfile.TemporaryDirectory(prefix="scoresite-init-") as folder:
        write_files(Path(folder), files)
        project = read_project(Path(folder))
    assessment = project.assessments["2026-example"]
    files[score_file_path("2026-example", "county-a")] = score_file_text(
        assessment, project.rubrics["example"], project.units["county-a"], SAMPLE_RESULTS,
        "2026-11-20", "[市考核办考核组]").replace("的评分\n", "的评分（示例数据）\n", 1)
    return files


def existing(root: Path, names) -> list[str]:
    """The names among `names` that exist under root already (scoresite never overwrites them)."""
    return [name for name in names if (root / name).exists() or (root / name).is_symlink()]


def write_files(root: Path, files: dict[str, str]) -> None:
    """Create each file; one that exists is never replaced ('x' mode)."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="\n") as file:
            file.write(text)
