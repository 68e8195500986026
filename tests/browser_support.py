"""Browser fixtures: the example site built once, served on 127.0.0.1 under a strict
Content-Security-Policy, and Debian's Chromium driven by Playwright.

Without Chromium these tests skip; CI sets SCORESITE_REQUIRE_BROWSER=1 so that a
missing browser (or HTML validator) fails the run instead of skipping it."""

from __future__ import annotations

import functools
import os
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from generator.site.build import BuildOptions, build

REPO = Path(__file__).resolve().parent.parent

CHROMIUM = Path(os.environ.get("SCORESITE_CHROMIUM", "/usr/bin/chromium"))
REQUIRED = os.environ.get("SCORESITE_REQUIRE_BROWSER") == "1"
ARTIFACTS = REPO / "test-artifacts"
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; base-uri 'self'; "
       "form-action 'none'; frame-ancestors 'none'")
# a phone as the issue read the site: 390 × 844 CSS px, touch, a mobile viewport
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

# one page of each type: (name, path in the site)
PAGE_TYPES = {
    "home": "index.html",
    "assessments": "assessments/index.html",
    "ranking": "assessments/2026-departments/index.html",
    "scorecard": "assessments/2026-city/shuozhou/index.html",
    "method": "rubrics/entrepreneurial-city/index.html",
    "indicator": "rubrics/entrepreneurial-city/2.3.2/index.html",
    "unit": "units/hrss/index.html",
    "duty": "units/chuangjianban/index.html",
    "units": "units/index.html",
    "rubrics": "rubrics/index.html",
    "page": "about/index.html",
    "changes": "changes/index.html",
    "404": "404.html",
}


def unavailable(reason: str):
    """Skip, or fail when CI requires the browser suite to run."""
    if REQUIRED:
        pytest.fail(f"required for the browser suite: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "site"
    build(REPO, BuildOptions(out))
    return out


class _Handler(SimpleHTTPRequestHandler):
    """A static server like a portal's: the site's files, a strict CSP, 404.html for what is missing."""

    def end_headers(self):
        self.send_header("Content-Security-Policy", CSP)
        super().end_headers()

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class MountedHandler(_Handler):
    """A portal's server with the site under `mount` (/ or /kaohe/): what lies outside it is
    someone else's; a missing address inside it gets the site's 404.html, as nginx's
    `error_page 404 /kaohe/404.html` does — the address stays as it was."""

    mount = "/"

    def translate_path(self, path):
        if not path.startswith(self.mount):
            return str(Path(self.directory) / ".outside-the-site")
        return super().translate_path("/" + path[len(self.mount):])


def serve(folder: Path, mount: str = "/"):
    """Serve a built site at http://127.0.0.1:<port><mount>; returns (server, address)."""
    handler = type("Handler", (MountedHandler,), {"mount": mount})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}{mount}"


@pytest.fixture(scope="session")
def site_server(built_site):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(built_site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -e '.[test]')")
    home = tempfile.mkdtemp(prefix="chromium-home-")
    os.environ.setdefault("XDG_CONFIG_HOME", home)
    os.environ.setdefault("XDG_CACHE_HOME", home)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page with everything that went wrong while it loaded: console errors, failed requests."""

    def __init__(self, page):
        self.page = page
        self.problems: list[str] = []
        page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url} {r.failure}"))
        page.on("response", lambda r: self.problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)

    def open(self, url: str):
        self.problems.clear()
        self.page.goto(url, wait_until="load")
        return self.page


@pytest.fixture
def context_factory(browser):
    contexts = []

    def make(**options):
        context = browser.new_context(**options)
        contexts.append(context)
        return context
    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def watched(context_factory) -> Watched:
    return Watched(context_factory(viewport={"width": 1280, "height": 900}).new_page())
