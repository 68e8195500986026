"""The persistent cache in the project's `.scoresite-cache/` (git-ignored, safe to delete).

Each file is written whole and swapped into place, and sealed with a keyed digest: the key is
the user's own (`~/.cache/scoresite/cache-key`, made on first use, readable by the user only),
so a cache that came with a project folder from elsewhere — pickles and compiled templates are
code when read — is ignored, never loaded. A file is also ignored when it was written by other
code (a fingerprint of scoresite's own files) or for another output folder:

- `load-v1.pickle`: every source file's parsed value, keyed by a hash of its bytes, and each
  entity's own scores, keyed by its file and rubric — so a build after one edit parses and scores
  only what changed;
- `site-v1.pickle`: for each page of the last build, its plan, the fingerprint of every
  dependency it read, and the digest of its bytes — so only pages whose fingerprints moved are
  rendered again, the others linked from the last build;
- `templates/`, `templates-sandbox/`: the theme's templates compiled (Jinja's bytecode, checked
  against each template's source), so a build that renders a few pages compiles none."""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path

from ..load.project import Project, Sources
from ..pipeline import collector_paused
from ..score.scoring import ScoreMemo
from .pages import PagePlan
from .sealed import CACHE_DIR, package_fingerprint, read_sealed, write_sealed
from .view import View, digest

CACHE_FILE = "site-v1.pickle"
LOAD_CACHE = "load-v1.pickle"
UNREADABLE = (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, KeyError, TypeError,
              ValueError, RecursionError)


def _unpickle(path: Path):
    payload = read_sealed(path)
    if payload is None:
        return None
    with collector_paused():
        return pickle.loads(payload)


# --- the load cache and the site cache ----------------------------------------------------------

def restore_load(root: Path, sources: Sources) -> ScoreMemo | None:
    """Put the last build's parsed files into `sources`; its scores, or None (a cold start)."""
    try:
        saved = _unpickle(root / CACHE_DIR / LOAD_CACHE)
        if saved is not None and saved.get("code") == package_fingerprint():
            sources.memo.update(saved["memo"])
            return saved["scores"]
    except UNREADABLE:
        pass
    return None


def needs_keeping(root: Path, sources: Sources, memo: ScoreMemo) -> bool:
    """Was anything read or scored anew (or is there no load cache yet)?"""
    return not (root / CACHE_DIR / LOAD_CACHE).is_file() or sources.changed or memo.changed


def keep_load(root: Path, sources: Sources, memo: ScoreMemo) -> None:
    """Save what `restore_load` takes (when anything was read or scored anew)."""
    folder = root / CACHE_DIR
    if not needs_keeping(root, sources, memo):
        return
    try:
        saved = {"code": package_fingerprint(), "memo": sources.persistent(), "scores": memo}
        write_sealed(folder / LOAD_CACHE, lambda stream: pickle.dump(saved, stream, protocol=pickle.HIGHEST_PROTOCOL))
    except (OSError, pickle.PicklingError, RecursionError):
        pass                                     # a cache is a convenience: never a failed build


@dataclass
class CachedPage:
    plan: PagePlan
    fingerprints: dict          # dependency → fingerprint, when it was rendered
    sha256: str


class SiteCache:
    """What the last build into one folder rendered, kept in the project's .scoresite-cache/."""

    def __init__(self, root: Path, out: Path):
        self.path = root / CACHE_DIR / CACHE_FILE
        self.out = out
        self.pages: dict[str, CachedPage] = {}
        self.files: dict[str, tuple] = {}
        self.theme = None
        try:
            saved = _unpickle(self.path)
            if saved is not None and saved.get("out") == str(out) and (out / ".scoresite").is_file():
                self.theme, self.pages, self.files = saved["theme"], saved["pages"], saved["files"]
        except UNREADABLE:
            pass                                     # no cache, or one from another version: a cold build

    def split(self, view: View, plans: list[PagePlan], theme: str) -> tuple[dict, list[PagePlan]]:
        """(pages to link from the previous build, plans to render)."""
        reuse, todo = {}, []
        for plan in plans:
            entry = self.pages.get(plan.url)
            if (entry is not None and theme == self.theme and entry.plan == plan
                    and all(view.fingerprint(dep) == fp for dep, fp in entry.fingerprints.items())
                    and self.has(plan.url)):
                reuse[plan.url] = entry
            else:
                todo.append(plan)
        return reuse, todo

    def has(self, url: str) -> bool:
        """Is the last build's file there to be linked (a file, not a link someone put there)?"""
        path = self.out / url
        return path.is_file() and not path.is_symlink()

    def save(self, theme: str, pages: dict, files: dict) -> None:
        try:
            saved = {"out": str(self.out), "theme": theme, "pages": pages, "files": files}
            write_sealed(self.path, lambda stream: pickle.dump(saved, stream, protocol=pickle.HIGHEST_PROTOCOL))
        except (OSError, pickle.PicklingError, RecursionError):
            pass                                     # a cache is a convenience: never a failed build


def theme_fingerprint(project: Project) -> str:
    """What every page's bytes depend on besides its data: scoresite's own code and theme,
    the project's theme, the language."""
    theme = project.theme
    return digest(package_fingerprint(), project.site.language,
                  sorted(theme.templates.items()) if theme else None, sorted(theme.strings.items()) if theme else None)
