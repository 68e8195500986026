"""The pipeline, one way through for every command: load → score → plan → render → write.

`load_project` is the first two stages (what `check`, `export`, `diff` and the history of
past revisions need). The site stages are in `site/`: `build.Pipeline` runs these two, then
plans (`pages.py`), renders (`render.py`) and writes (`writer.py`, `files.py`); `build.build`
does it once, `preview.Incremental` once per save. Each stage only calls the ones below it: loading never scores, scoring never
reads a file, planning and rendering never write."""

from __future__ import annotations

from pathlib import Path

from .load.project import Project, Sources, read_project
from .score.scoring import ScoreMemo, score_project


def load_project(root: Path | None = None, sources: Sources | None = None, tree=None,
                 memo: ScoreMemo | None = None) -> Project:
    """Load and check the project (every problem at once, or ProjectError), then score it."""
    project = read_project(root, sources, tree)
    project.results = score_project(project, memo)
    return project
