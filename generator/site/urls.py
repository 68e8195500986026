"""Where every page lives. These paths are promises to people who bookmarked or cited
them (FORMAT.md "Permalinks"); links point at index.html so they also work from file://."""

from __future__ import annotations

from urllib.parse import quote

HOME = "index.html"
ASSESSMENTS = "assessments/index.html"
RUBRICS = "rubrics/index.html"
UNITS = "units/index.html"
CHANGES = "changes/index.html"
NOT_FOUND = "404.html"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
STYLESHEET = "assets/style.css"
NOT_FOUND_STYLESHEET = "assets/not-found.css"
FAVICON = "assets/favicon.svg"


def assessment(assessment_id: str) -> str:
    return f"assessments/{assessment_id}/index.html"


def scorecard(assessment_id: str, entity: str) -> str:
    return f"assessments/{assessment_id}/{entity}/index.html"


def print_stylesheet(assessment_id: str, entity: str) -> str:
    """The stylesheet that names the entity on every printed page of its scorecard."""
    return f"assessments/{assessment_id}/{entity}/print.css"


def indicator_anchor(assessment_id: str, entity: str, key: str) -> str:
    return f"{scorecard(assessment_id, entity)}#i-{key}"


def rubric(rubric_id: str) -> str:
    return f"rubrics/{rubric_id}/index.html"


def indicator(rubric_id: str, key: str) -> str:
    return f"rubrics/{rubric_id}/{key}/index.html"


def unit(unit_id: str) -> str:
    return f"units/{unit_id}/index.html"


def page(slug: str) -> str:
    return f"{slug}/index.html"


def data(assessment_id: str, extension: str) -> str:
    return f"data/{assessment_id}.{extension}"


def evidence(path: str) -> str:
    """Where an evidence file is written (its name as it is)."""
    return f"evidence/{path}"


def evidence_link(path: str) -> str:
    """A link to an evidence file: the same path, percent-encoded (a '#' or space in a name stays in it)."""
    return "evidence/" + quote(path, safe="/")


def pretty(url: str) -> str:
    """The public permalink of a page: assessments/x/index.html → assessments/x/."""
    return url[: -len("index.html")] if url.endswith("index.html") else url
