"""The pipeline, one way through for every command: load → score → plan → render → write.

`load_project` is the first two stages (what `check`, `export`, `diff` and the history of
past revisions need). The site stages are in `site/`: `build.Pipeline` runs these two, then
plans (`pages.py`), renders (`render.py`) and writes (`writer.py`, `files.py`); `build.build`
does it once, `preview.Incremental` once per save. Each stage only calls the ones below it: loading never scores, scoring never
reads a file, planning and rendering never write."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from pathlib import Path

from .load.project import Project, Sources, read_project
from .score.scoring import ScoreMemo, score_project


def load_project(root: Path | None = None, sources: Sources | None = None, tree=None,
                 memo: ScoreMemo | None = None) -> Project:
    """Load and check the project (every problem at once, or ProjectError), then score it."""
    with collector_paused():
        project = read_project(root, sources, tree)
        project.results = score_project(project, memo)
    return project


@contextmanager
def collector_paused():
    """Python's cycle collector off for a while. Loading and scoring (and reading the cache)
    make hundreds of thousands of objects that live on and form no garbage cycles to speak of;
    the collector would walk them again every few thousand allocations (reading a 1× cache
    took 0.25 s without it, 0.55 s with it)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
