"""Reading a built site back: every page's links, ids and table cells, for the tests."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


@dataclass
class PageInfo:
    ids: set = field(default_factory=set)
    links: list = field(default_factory=list)        # (tag, attribute, value)
    attributes: list = field(default_factory=list)   # every (tag, name, value)
    text: str = ""


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.info = PageInfo()
        self.chunks = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            self.info.attributes.append((tag, name, value or ""))
            if name == "id":
                self.info.ids.add(value)
            if name in ("href", "src", "action", "srcset", "poster", "data"):
                self.info.links.append((tag, name, value or ""))

    def handle_data(self, data):
        self.chunks.append(data)


def read_page(path: Path) -> PageInfo:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    collector.info.text = "".join(collector.chunks)
    return collector.info


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def broken_links(site: Path, served_root: str = "/") -> list[str]:
    """Every internal link or anchor in the site that leads nowhere, as 'page: link'. A link
    from the site's root on its server (/kaohe/index.html, only the 404 page has them) is
    resolved against `served_root`, the base URL's path."""
    pages = {p.relative_to(site).as_posix(): read_page(p) for p in html_files(site)}
    broken = []
    for name, info in pages.items():
        for tag, attribute, value in info.links:
            if tag == "base":
                continue
            parts = urlsplit(value)
            if parts.scheme or value.startswith("//"):
                continue
            if value.startswith("/"):
                if not value.startswith(served_root):
                    broken.append(f"{name}: {value} (outside {served_root})")
                    continue
                target = posixpath.normpath(unquote(parts.path)[len(served_root):])
            else:
                target = posixpath.normpath(posixpath.join(posixpath.dirname(name), unquote(parts.path))) \
                    if parts.path else name
            if target.startswith("../") or not (site / target).is_file():
                broken.append(f"{name}: {value}")
            elif parts.fragment and target.endswith(".html") and unquote(parts.fragment) not in pages[target].ids:
                broken.append(f"{name}: {value} (no such anchor)")
    return broken


def external_resources(site: Path) -> list[str]:
    """Anything a page would load from elsewhere (links to other sites are fine; loading is not)."""
    found = []
    for path in html_files(site):
        for tag, attribute, value in read_page(path).links:
            loads = tag != "a" and not (tag == "base")
            if loads and (urlsplit(value).scheme or value.startswith("//")):
                found.append(f"{path.relative_to(site)}: <{tag} {attribute}={value}>")
    return found
