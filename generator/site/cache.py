"""The persistent cache in the project's `.scoresite-cache/` (git-ignored, safe to delete).

Two files, each written whole and swapped into place, and each ignored when it was written by
other code (a fingerprint of scoresite's own files) or for another output folder:

- `load-v1.pickle`: every source file's parsed value, keyed by a hash of its bytes, and each
  entity's own scores, keyed by its file and rubric — so a build after one edit parses and scores
  only what changed;
- `site-v1.pickle`: for each page of the last build, its plan, the fingerprint of every
  dependency it read, and the digest of its bytes — so only pages whose fingerprints moved are
  rendered again, the others linked from the last build."""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
from dataclasses import dataclass
from pathlib import Path

from ..load.project import Project, Sources
from ..score.scoring import ScoreMemo
from .pages import PagePlan
from .templates import PACKAGE
from .view import View, digest

CACHE_DIR = ".scoresite-cache"
CACHE_FILE = "site-v1.pickle"
LOAD_CACHE = "load-v1.pickle"
UNREADABLE = (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, KeyError, TypeError,
              ValueError, RecursionError)


def restore_load(root: Path, sources: Sources) -> ScoreMemo | None:
    """Put the last build's parsed files into `sources`; its scores, or None (a cold start)."""
    try:
        with open(root / CACHE_DIR / LOAD_CACHE, "rb") as stream:
            saved = pickle.load(stream)
        if saved.get("code") == _package_fingerprint():
            sources.memo.update(saved["memo"])
            return saved["scores"]
    except UNREADABLE:
        pass
    return None


def keep_load(root: Path, sources: Sources, memo: ScoreMemo) -> None:
    """Save what `restore_load` takes (when anything was read or scored anew)."""
    folder = root / CACHE_DIR
    if (folder / LOAD_CACHE).is_file() and not (sources.changed or memo.changed):
        return
    try:
        _folder(folder)
        temporary = folder / f"{LOAD_CACHE}.{os.getpid()}.tmp"
        try:
            with open(temporary, "wb") as stream:
                pickle.dump({"code": _package_fingerprint(), "memo": sources.persistent(), "scores": memo},
                            stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, folder / LOAD_CACHE)
        finally:
            temporary.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError, RecursionError):
        pass                                     # a cache is a convenience: never a failed build


def _folder(folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    (folder / ".gitignore").write_text("*\n")


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
            with open(self.path, "rb") as stream:
                saved = pickle.load(stream)
            if saved.get("out") == str(out) and (out / ".scoresite").is_file():
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
                    and (self.out / plan.url).is_file()):
                reuse[plan.url] = entry
            else:
                todo.append(plan)
        return reuse, todo

    def save(self, theme: str, pages: dict, files: dict) -> None:
        _folder(self.path.parent)
        temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
        with open(temporary, "wb") as stream:
            pickle.dump({"out": str(self.out), "theme": theme, "pages": pages, "files": files}, stream,
                        protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, self.path)


def theme_fingerprint(project: Project) -> str:
    """What every page's bytes depend on besides its data: scoresite's own code and theme,
    the project's theme, the language."""
    theme = project.theme
    return digest(_package_fingerprint(), project.site.language,
                  sorted(theme.templates.items()) if theme else None, sorted(theme.strings.items()) if theme else None)


@functools.lru_cache(maxsize=1)
def _package_fingerprint() -> str:
    hasher = hashlib.blake2b(digest_size=16)
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".html", ".css", ".yaml", ".svg"):
            hasher.update(path.relative_to(PACKAGE).as_posix().encode())
            hasher.update(path.read_bytes())
    return hasher.hexdigest()

