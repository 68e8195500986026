"""The interface strings: one catalogue per language (zh-CN.yaml, en.yaml, beside this file),
which a theme may override string by string in themes/<name>/locale/<language>.yaml.

The site's templates and the CSV download read the same catalogue, so a zh-CN site speaks
Chinese in its pages and in its spreadsheet alike."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..errors import Invalid
from ..load.yamlio import load_file

LOCALES = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def catalogue(language: str, extra_dir: str | None = None) -> dict[str, str]:
    """UI strings for a language: the built-in catalogue, then a theme's own `locale/<lang>.yaml`."""
    strings = read_catalogue(LOCALES / f"{language}.yaml")
    if extra_dir and (Path(extra_dir) / f"{language}.yaml").is_file():
        strings.update(read_catalogue(Path(extra_dir) / f"{language}.yaml"))
    return strings


def project_catalogue(root: Path, theme: str, language: str) -> dict[str, str]:
    """The catalogue a project's site uses: the built-in one with its theme's overrides."""
    own = Path(root) / "themes" / theme / "locale"
    return catalogue(language, str(own) if own.is_dir() else None)


def read_catalogue(path: Path) -> dict[str, str]:
    value, problems = load_file(path, path.name)
    if problems or not isinstance(value, dict):
        raise Invalid(f"expected a mapping of UI strings in {path}")
    return {str(k): str(v) for k, v in value.items()}
