"""Shared fixtures: small projects written into a temporary folder."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from generator.errors import ProjectError
from generator.pipeline import load_project

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

MINIMAL = {
    "content/site.yaml": "title: 测试站点\n",
    "content/units.yaml": """\
        - id: hrss
          name: 朔州市人力资源和社会保障局
          short: 市人社局
          aliases: [人社局]
        - id: finance
          name: 朔州市财政局
          short: 市财政局
        - id: shuozhou
          name: 朔州市
          kind: city
        """,
    "rubrics/mini.yaml": """\
        id: mini
        title: 小型评分标准
        points: 10
        grades:
          - {min: 8, label: 优秀}
          - {min: 0, label: 一般}
        sections:
          - id: "1"
            title: 第一部分
            points: 10
            indicators:
              - id: "1"
                text: 是否成立
                points: 2
                units: [市人社局]
                rule: check
              - id: "2"
                text: 贷款比例
                points: 5
                units: [市财政局, 人社局]
                rule:
                  thresholds:
                    - {at_least: 80%, points: 1}
                    - {above: 95%, points: 5}
              - id: "3"
                text: 分档
                points: 3
                rule:
                  levels:
                    - {key: full, points: 3, label: 符合}
                    - {key: partial, points: 1, label: 部分符合}
                    - {key: none, points: 0, label: 不符合}
        """,
    "content/assessments/2026/assessment.yaml": """\
        title: 2026年度测试
        rubric: mini
        period: "2026"
        status: published
        """,
    "content/assessments/2026/shuozhou.yaml": """\
        entity: shuozhou
        scores:
          1.1: {result: yes}
          1.2: {result: 92.5%}
          1.3: {result: partial}
        """,
}


def write_project(root: Path, files: dict[str, str | bytes | None], base: dict | None = None) -> Path:
    """Write `base` (MINIMAL by default) overlaid with `files` under root; None deletes a file."""
    merged = dict(MINIMAL if base is None else base)
    merged.update(files)
    for name, body in merged.items():
        path = root / name
        if body is None:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(textwrap.dedent(body), encoding="utf-8")
    return root


def errors_of(root: Path) -> list[str]:
    """Every error message load_project reports, as printed."""
    try:
        load_project(root)
    except ProjectError as error:
        return [str(e) for e in error.errors]
    return []


@pytest.fixture
def project_dir(tmp_path):
    """A factory: project_dir({...overrides}) → a written project folder."""
    def make(files: dict | None = None, base: dict | None = None) -> Path:
        root = tmp_path / "project"
        if root.exists():
            shutil.rmtree(root)
        return write_project(root, files or {}, base)
    return make


@pytest.fixture
def example_copy(tmp_path) -> Path:
    """A copy of the repository's own example project, to change freely."""
    root = tmp_path / "example"
    for part in ("content", "rubrics", "themes"):
        if (REPO / part).exists():
            shutil.copytree(REPO / part, root / part)
    return root


# the browser fixtures (Chromium through Playwright), registered once for every test module
from browser_support import browser, built_site, context_factory, site_server, watched  # noqa: E402,F401
