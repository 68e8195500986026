"""The Jinja environment: theme lookup order, filters, the UI string catalogue and Markdown.

Templates display numbers; they never compute them. Every string from YAML is
escaped (autoescape everywhere); Markdown is rendered with raw HTML disabled and
only http, https, mailto and relative links kept."""

from __future__ import annotations

import contextvars
import itertools
import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import jinja2
import jinja2.ext
from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from ..numbers import plain
from ..load.theme import Theme, catalogue
from .sealed import TemplateCache

PACKAGE = Path(__file__).resolve().parent.parent
DEFAULT_THEME = PACKAGE / "themes" / "default"
DEFAULT_STATIC = DEFAULT_THEME / "static"
SAFE_LINK = re.compile(r"(https?:|mailto:)", re.IGNORECASE)
SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
# a Chinese phone number in running text: (0349)1234567, 0349-0000000, 12345678, 0349-1234567-801,
# a mobile 13812345678, 400-123-4567, or the 12345 hotline; not part of a longer run of digits
PHONE = re.compile(r"(?<![\d-])(?:(?:\(0\d{2,3}\)|0\d{2,3}-?)?\d{7,8}(?:-\d{1,6})?|1[3-9]\d{9}|400-?\d{3}-?\d{4}|12345)(?![\d-])")


# --- Markdown ------------------------------------------------------------------------

def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.disable("image")              # an image would load a resource from anywhere
    md.validateLink = is_safe_link
    return md


def is_safe_link(url: str) -> bool:
    """http, https, mailto, or a relative link (no scheme, not protocol-relative)."""
    url = url.strip()
    if SAFE_LINK.match(url):
        return True
    return not SCHEME.match(url) and not url.startswith(("//", "\\\\"))


_MD = _markdown()


def markdown(text: str) -> Markup:
    """Markdown → HTML that cannot carry markup of its own: raw HTML is shown as text."""
    return Markup(_MD.render(text or ""))


def markdown_inline(text: str) -> Markup:
    return Markup(_MD.renderInline(text or ""))


class _Context(jinja2.runtime.Context):
    """Calls `t(…)`, `href(…)` and macros straight away: none of them takes the context, and a
    scorecard makes hundreds of such calls, each of which Jinja would otherwise inspect for one."""

    def call(__self, __obj, *args, **kwargs):  # noqa: N805 (Jinja's own signature)
        if type(__obj) is Strings or type(__obj) is _Href or type(__obj) is jinja2.runtime.Macro:
            kwargs.pop("_loop_vars", None)
            kwargs.pop("_block_vars", None)
            if type(__obj) is jinja2.runtime.Macro:        # (pass_eval_context: escaping as where it is called)
                return __obj(__self.eval_ctx, *args, **kwargs)
            return __obj(*args, **kwargs)
        return super().call(__obj, *args, **kwargs)


# --- strings -------------------------------------------------------------------------

class Strings:
    """`t("key", n=3)` in templates: a UI string, formatted; a missing key is an error."""

    def __init__(self, strings: dict[str, str], language: str):
        self.strings = strings
        self.language = language

    def __call__(self, name: str, /, **values) -> str:
        try:
            text = self.strings[name]
        except KeyError:
            raise jinja2.UndefinedError(f"no UI string {name!r} in the {self.language} catalogue") from None
        if any(isinstance(v, Markup) for v in values.values()):   # e.g. a date wrapped in <time>
            return escape(text).format(**values)
        return text.format(**values) if values else text


class FoldStrings(jinja2.ext.Extension):
    """Compiles `t("key")` — a UI string without values — to the string itself, so a scorecard's
    five hundred such calls cost nothing when it renders (the output is the same, escaped as
    before; an unknown key is left to fail at render time as it always did). For that to hold
    in every template, `t` is reserved: a template that uses the name for anything but calling
    it (binding it with set, for, a macro parameter, an import…) is a syntax error."""

    def filter_stream(self, stream):
        strings = self.environment.globals["t"].strings
        name, filename = stream.name, stream.filename
        tokens = list(stream)
        calls = []
        for i, token in enumerate(tokens):
            if token.type != "name" or token.value != "t":
                continue
            before = tokens[i - 1] if i else None
            if before is not None and (before.type in ("dot", "pipe") or before.test("name:is")):
                continue                             # an attribute, a filter or a test of that name
            if i + 1 == len(tokens) or tokens[i + 1].type != "lparen" or (
                    before is not None and (before.test("name:macro") or before.test("name:call"))):
                raise jinja2.TemplateSyntaxError(
                    "t is the interface strings function and can only be called, as t(\"key\") or "
                    "t(\"key\", n=…); give the value another name", token.lineno, name, filename)
            calls.append(i)
        for i in reversed(calls):
            key, close = tokens[i + 2: i + 4] if i + 3 < len(tokens) else (None, None)
            if key is not None and key.type == "string" and close.type == "rparen" and key.value in strings:
                # ( "text" ): in parentheses, so that no string next to it can be joined to it
                tokens[i: i + 4] = [jinja2.lexer.Token(key.lineno, "lparen", "("),
                                    jinja2.lexer.Token(key.lineno, "string", strings[key.value]),
                                    jinja2.lexer.Token(key.lineno, "rparen", ")")]
        return tokens


FRAGMENTS: contextvars.ContextVar = contextvars.ContextVar("fragments", default=None)   # set while a build renders
_UNNAMED = itertools.count(1)
_KEY_TYPES = (str, int, float, bool, Decimal, type(None))


class CachedFragments(jinja2.ext.Extension):
    """`{% cached key, … %}…{% endcached %}`: the block is rendered once per build pass for each
    set of keys, and every later page with the same keys shows the same HTML; what it read is
    added to each of those pages' reads. The block may show only what the keys determine, the
    UI strings, site-wide values (unit names, the site's settings) and links made with `href()`:
    a page whose links from the block would differ (it is in another folder) renders the block
    itself. Keys are strings, numbers, None or tuples of them, compared with their types (1,
    1.0, True and Decimal("1.00") are four keys). Outside a build (no FRAGMENTS set) the block is
    simply rendered."""

    tags = {"cached"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        keys = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            keys.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcached",), drop_needle=True)
        for node in body:
            for used in node.find_all(nodes.Name):
                if used.name in ("caller", "varargs", "kwargs"):
                    parser.fail(f"a cached block cannot use {used.name}: what it shows would differ from call to "
                                "call; keep it outside the block", used.lineno)
        # which block: its template and its place there (blocks on one line differ; so do
        # templates made from strings, which have no name)
        count = parser.__dict__.setdefault("_cached_blocks", itertools.count(1))
        where = nodes.Const(f"{parser.name if parser.name is not None else f'<string {next(_UNNAMED)}>'}"
                            f":{lineno}#{next(count)}")
        call = self.call_method("_fragment", [nodes.ContextReference(), where, nodes.Tuple(keys, "load")])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    @staticmethod
    def _fragment(context, where: str, keys: tuple, caller) -> str:
        fragments, href = FRAGMENTS.get(), context.get("href")
        if fragments is None or type(href) is not _Href:
            return caller()
        try:
            key = (where, *map(_typed, keys))
        except TypeError:
            raise jinja2.TemplateRuntimeError(f"a cached block's keys must be strings, numbers or "
                                              f"tuples of them, got {', '.join(type(k).__name__ for k in keys)}") from None
        return fragments.get(key, caller, href)


def _typed(key):
    """A key of a cached block, with its type: Decimal("1.00") and 1 show differently."""
    if type(key) is str:
        return key
    if isinstance(key, tuple):
        return ("tuple", *map(_typed, key))
    if isinstance(key, _KEY_TYPES):         # (a Markup or a value read from YAML is a string too)
        return (type(key), repr(key))
    raise TypeError(type(key).__name__)


# --- the environment -----------------------------------------------------------------

class ThemeLoader(jinja2.BaseLoader):
    """A project theme's templates, as loaded (and checked) with the project: nothing is read here."""

    def __init__(self, root: Path, templates: dict[str, tuple[str, str]]):
        self.root = root
        self.templates = templates

    def get_source(self, environment, template):
        if template not in self.templates:
            raise jinja2.TemplateNotFound(template)
        path, source = self.templates[template]
        return source, str(self.root / path), lambda: True

    def list_templates(self):
        return sorted(self.templates)


def make_environment(project_root: Path, theme: Theme | None, language: str, cache: bool = False) -> jinja2.Environment:
    """Templates from the project's theme first, then the built-in default; `default:` names the latter.
    With `cache`, compiled templates are kept in the project's cache folder (sealed.TemplateCache)."""
    default_loader = jinja2.FileSystemLoader(DEFAULT_THEME / "templates")
    loaders = [ThemeLoader(project_root, theme.templates)] if theme and theme.templates else []
    # a project's own templates are code from the project folder: they run sandboxed, so that
    # {{ x.__init__.__globals__ }} cannot read files or run commands (not even during `check`)
    kind = SandboxedEnvironment if loaders else jinja2.Environment
    env = kind(
        loader=jinja2.ChoiceLoader([jinja2.PrefixLoader({"default": default_loader}, delimiter=":"), *loaders,
                                    default_loader]),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        auto_reload=False, keep_trailing_newline=True, extensions=[FoldStrings, CachedFragments],
    )
    if not loaders:
        env.context_class = _Context              # (a sandbox calls through its own checks, always)
    strings = {**catalogue(language), **(theme.strings if theme else {})}
    env.globals["t"] = Strings(strings, language)
    if cache:             # compiled templates hold the UI strings (FoldStrings): they are part of the key
        env.bytecode_cache = TemplateCache(project_root, sandboxed=bool(loaders), strings=strings)
    env.globals["language"] = language
    env.filters.update(num=number, md=markdown, md_inline=markdown_inline, signed=signed, tel=phone_links,
                       css_string=css_string, css_counters=css_counters)
    return env


def number(value) -> str:
    """A Decimal as people write it: 27.22, 100, 0.5."""
    if type(value) is Decimal:
        try:
            return _plain(value)
        except TypeError:                      # a signalling NaN has no hash
            return plain(value)
    if value is None:
        return "—"
    return plain(value) if isinstance(value, Decimal) else str(value)


@lru_cache(maxsize=8192)
def _plain(value: Decimal) -> str:
    """plain(), remembered: it is a function of the value alone (2.0 and 2.00 both print 2), so
    equal Decimals, which are one key, print alike. A scorecard prints about 400 numbers."""
    return plain(value)


def signed(value: Decimal) -> str:
    """+1.5, −2, ±0 — a change, with a real minus sign."""
    if value > 0:
        return "+" + plain(value)
    if value < 0:
        return "−" + plain(-value)
    return "±0"


def phone_links(text: str) -> Markup:
    """Text with each phone number in it a tel: link, so that a phone dials it with one tap."""
    parts, last = [], 0
    for match in PHONE.finditer(text or ""):
        number = match.group(0)
        dial = re.sub(r"[^\d-]", "", number)
        parts += [escape(text[last:match.start()]), Markup('<a href="tel:{}">{}</a>').format(dial, number)]
        last = match.end()
    return Markup("").join([*parts, escape((text or "")[last:])])


def css_string(text: str) -> Markup:
    """Text as a CSS string, for a generated stylesheet: quotes, backslashes, angle brackets
    and control characters become CSS escapes, so no value can end the string or the rule."""
    escaped = "".join(f"\\{ord(c):x} " if c in '"\\<>' or ord(c) < 0x20 or ord(c) == 0x7f else c for c in str(text))
    return Markup(f'"{escaped}"')


def css_counters(text: str) -> Markup:
    """'第{page}页／共{pages}页' as the content of a page margin box: "第" counter(page) "页／共" …"""
    parts = re.split(r"\{(page|pages)\}", text)
    return Markup(" ".join(f"counter({part})" if n % 2 else css_string(part) for n, part in enumerate(parts) if part))


def linker(page_url: str) -> "_Href":
    """`href(target)` for one page: the relative link from it to a site path (with any #anchor)."""
    return _Href(page_url)


class _Href:
    __slots__ = ("page_url", "made")

    def __init__(self, page_url: str):
        self.page_url = page_url
        self.made: list | None = None            # (target, link) for each call, while a fragment records

    def __call__(self, target: str) -> str:
        path, _, anchor = target.partition("#")
        link = relative(path, self.page_url) + (f"#{anchor}" if anchor else "")
        if self.made is not None:
            self.made.append((target, link))
        return link


@lru_cache(maxsize=65536)
def relative(target: str, here: str) -> str:
    """The relative link from site path `here` to site path `target`, by string alone
    (posixpath.relpath asks the operating system for the working directory each time)."""
    if not target:
        return here.rsplit("/", 1)[-1]
    base, parts = here.split("/")[:-1], target.split("/")
    common = 0
    while common < len(base) and common < len(parts) - 1 and base[common] == parts[common]:
        common += 1
    return "/".join([".."] * (len(base) - common) + parts[common:])


def static_files(theme: Theme | None) -> dict[str, str | Path]:
    """Static assets by site path: the default theme's files (Paths in the package), overridden
    file by file by the project theme's (project-relative names, read through the project's tree)."""
    files: dict[str, str | Path] = {"assets/" + path.relative_to(DEFAULT_STATIC).as_posix(): path
                                    for path in sorted(DEFAULT_STATIC.rglob("*")) if path.is_file()}
    files.update(theme.static if theme else {})
    return files
