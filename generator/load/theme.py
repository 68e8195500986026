"""A project's own theme, read through the tree like every other input: its templates,
static files and interface strings. `default` ships with scoresite and is read from the
package; a project's `themes/<name>/` overrides it file by file.

Everything a build would stumble on is found here, at `check` time: a template that is
not UTF-8, a locale file that is not a mapping of known strings, a string whose
{placeholders} differ from the built-in one's. Template syntax is checked by the site
stage, which owns Jinja."""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Invalid, Mark, Problems, suggest
from .characters import decode
from .yamlio import Map, load_bytes, load_file

PACKAGE = Path(__file__).resolve().parent.parent
LOCALES = PACKAGE / "locale"
LANGUAGES = ("zh-CN", "en")


@dataclass
class Theme:
    """The project's theme files by what they become; empty for the built-in default."""

    name: str
    templates: dict[str, tuple[str, str]] = field(default_factory=dict)   # template name → (tree path, source)
    static: dict[str, str] = field(default_factory=dict)                  # site path (assets/…) → tree path
    strings: dict[str, str] = field(default_factory=dict)                 # interface strings it overrides


def load_theme(tree, theme: str, language: str, problems: Problems) -> Theme:
    """The theme `theme` of the project, checked; problems go to `problems`."""
    result = Theme(theme)
    base = f"themes/{theme}"
    for name in tree.files(f"{base}/templates"):
        source = _read(tree, name, problems)
        if source is not None:
            result.templates[name[len(base) + len("/templates/"):]] = (name, source)
    result.static = {"assets/" + name[len(base) + len("/static/"):]: name for name in tree.files(f"{base}/static")}
    _check_theme_files(tree, base, result, problems)
    for name in tree.files(f"{base}/locale"):
        strings = _read_strings(tree, name, problems)
        if name == f"{base}/locale/{language}.yaml":
            result.strings = strings
    return result


THEME_FOLDERS = ("templates", "static", "locale")
DEFAULT_TEMPLATES = PACKAGE / "themes" / "default" / "templates"


def _check_theme_files(tree, base: str, theme: Theme, problems: Problems) -> None:
    """A theme file scoresite never reads is a mistake (a misspelt folder or template name)."""
    for name in tree.files(base):
        part = name[len(base) + 1:].split("/", 1)
        if len(part) == 1 or part[0] not in THEME_FOLDERS:
            problems.add(Mark(name), f"expected a theme's files in {', '.join(f + '/' for f in THEME_FOLDERS)}, got "
                         f"{name[len(base) + 1:]}", (suggest(part[0], THEME_FOLDERS, "folders") if len(part) > 1 else "")
                         or "move it into templates/, static/ or locale/")
    defaults = {path.name for path in DEFAULT_TEMPLATES.glob("*.html")}
    sources = "".join(source for _, source in theme.templates.values())
    for template, (name, _) in sorted(theme.templates.items()):
        if template not in defaults and f'"{template}"' not in sources and f"'{template}'" not in sources:
            problems.warn(Mark(name), f"expected a template that replaces one of the default theme's or is "
                          f"included by another, got {template}, which no page uses", suggest(template, defaults, "templates"))


def _read(tree, name: str, problems: Problems) -> str | None:
    try:
        return decode(tree.read(name), name)
    except Invalid as error:
        problems.add_invalid(Mark(name), error)
    except OSError as error:
        problems.add(Mark(name), f"expected a readable file, got: {error.strerror}", "check the file's permissions")
    return None


def _read_strings(tree, name: str, problems: Problems) -> dict[str, str]:
    """A theme's locale file: known keys only, each a text with the built-in string's placeholders."""
    language = name.rsplit("/", 1)[-1].removesuffix(".yaml")
    if language not in LANGUAGES or not name.endswith(".yaml"):
        problems.add(Mark(name), f"expected a locale file named {' or '.join(l + '.yaml' for l in LANGUAGES)}, "
                     f"got {name.rsplit('/', 1)[-1]}", suggest(language, LANGUAGES, "languages"))
        return {}
    try:
        value, errors = load_bytes(tree.read(name), name)
    except Invalid as error:
        problems.add_invalid(Mark(name), error)
        return {}
    except OSError as error:
        problems.add(Mark(name), f"expected a readable file, got: {error.strerror}")
        return {}
    for error in errors:
        problems.add_invalid(Mark(name), error)
    if not isinstance(value, Map):
        problems.add(Mark(name), "expected a mapping of interface strings (key: text), got something else",
                     "each line reads key: text, e.g. home: 首页")
        return {}
    built_in = catalogue(language)
    strings = {}
    for key, text in value.items():
        mark = value.key_mark(key)
        if key not in built_in:
            problems.add(mark, f"expected a key of the interface strings, got the unknown key {key!r}",
                         suggest(key, built_in, "keys"))
        elif not isinstance(text, str) or not str(text).strip():
            problems.add(value.value_mark(key), f"expected text for {key!r}, got nothing", "write the text")
        elif not plain_placeholders(str(text)):
            problems.add(value.value_mark(key), f"expected plain placeholders such as {{n}} in {key!r}, got "
                         f"{_clip(str(text))!r}", "write {name} with nothing after the name: no :format and no !r")
        elif placeholders(str(text)) != placeholders(built_in[key]):
            wanted = ", ".join("{" + p + "}" for p in sorted(placeholders(built_in[key]))) or "none"
            problems.add(value.value_mark(key), f"expected the placeholders {wanted} in {key!r}, got "
                         f"{', '.join('{' + p + '}' for p in sorted(placeholders(str(text)))) or 'none'}",
                         f"the built-in text is {built_in[key]!r}")
        else:
            strings[str(key)] = str(text)
    return strings


def plain_placeholders(text: str) -> bool:
    """Only {name}: a format spec such as {n:>999999999} would let a string exhaust memory."""
    try:
        return all(not spec and conversion is None and (name is None or name.isidentifier())
                   for _, name, spec, conversion in string.Formatter().parse(text))
    except ValueError:
        return False


def _clip(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "…"


def placeholders(text: str) -> set[str]:
    """The {names} a string is formatted with; Invalid-proof (a stray brace counts as a name)."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return {"<a stray { or }>"}


_CATALOGUES: dict[str, dict[str, str]] = {}


def catalogue(language: str) -> dict[str, str]:
    """The built-in interface strings of a language (shipped with scoresite, so trusted)."""
    if language not in _CATALOGUES:
        value, _ = load_file(LOCALES / f"{language}.yaml", f"{language}.yaml")
        _CATALOGUES[language] = {str(k): str(v) for k, v in value.items()}
    return _CATALOGUES[language]
