"""The preview server: `scoresite serve`. The only module that imports livereload.

It builds into a temporary folder (never the project's site/), serves it, and watches
content/, rubrics/ and themes/. A burst of saves is debounced into one rebuild, and
each rebuild re-renders only the pages the change affects (build.Incremental).
livereload serves the pages and tells the browser to reload; scoresite does its own
watching, because livereload's watcher drops reloads that come too soon after the
last one (a preview that goes stale is the complaint users of other tools make most).

A bad edit never stops the server: the terminal lists the errors and every page
shows an error page naming file:line:column until the file is fixed."""

from __future__ import annotations

import gc
import ipaddress
import mimetypes
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from jinja2 import Environment, FileSystemLoader, select_autoescape
from livereload import Server
from livereload.handlers import ForceReloadHandler, LiveReloadHandler, LiveReloadJSHandler
from livereload.server import LiveScriptInjector
from livereload.watcher import Watcher
from tornado import escape, ioloop, web

from ..errors import ProjectError, SettingError
from .build import BuildOptions
from .pages import PlanError
from .preview import Incremental
from .render import TemplateProblem
from .templates import DEFAULT_THEME
from .writer import WriteError, process_running

POLL_SECONDS = 0.05      # how often the project folders are looked at: at most this often, and at
                         # most a fifth of the time (a project of 30,000 files takes longer to look at)
OPEN_PAGES = 8           # the pages served lately that a pass renders before the browser reloads
STEP_SECONDS = 0.03      # what a pass left is done in steps this long, with requests served between,
RELOAD_SECONDS = 0.1     # starting this long after the reload, so the reloading browser is answered first;
QUIET_SECONDS = 1.0      # the data downloads (the longest steps) once no save has come for this long
DEBOUNCE_SECONDS = 0.05  # a burst of saves closer together than this is one rebuild

Log = Callable[[str], None]


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


TEMP_PREFIX = "scoresite-serve-"


class Preview:
    """The state the server shows: the temporary site, and the errors of the last pass."""

    def __init__(self, root: Path, drafts: bool, log: Log, hosts: set[str] | None = None):
        remove_stale_previews()
        self.out = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-")) / "site"
        self.builder = Incremental(root, BuildOptions(self.out, drafts=drafts))
        self.log = log
        self.hosts = hosts          # the Host headers answered; None answers any (when shared on purpose)
        self.errors: list[str] = []
        self.open: dict[str, None] = {}       # the pages served lately, the newest last: rendered first
        self.builder.changes()
        self.rebuild(None)
        gc.collect()
        gc.freeze()     # the first pass's objects, most of them kept: later collections skip them (no pauses)

    def rebuild(self, changed: set[str] | None, defer: bool = False) -> bool:
        """One pass; on failure keep the last good pages and show the errors instead."""
        try:
            report = self.builder.rebuild(changed, defer=defer, first=list(self.open))
        except ProjectError as error:
            self.errors = [str(e) for e in error.errors]
            self.log("✗ " + "\n".join(self.errors))
            return False
        except (TemplateProblem, WriteError, PlanError, SettingError) as error:
            self.errors = [str(error)]
            self.log(f"✗ {error}")
            return False
        except Exception as error:      # never stale pages with status 200: the error page until a good pass
            self.errors = [f"the preview could not rebuild: {type(error).__name__}: {error}"]
            self.log(f"✗ {self.errors[0]}")
            return False
        self.errors = []
        what = "built" if changed is None else f"rebuilt {len(report.rendered)} pages for {', '.join(sorted(changed))}"
        self.log(f"{what} in {report.seconds * 1000:.0f} ms")
        return True

    def finish(self, budget: float | None = None, files: bool = True) -> bool:
        """Render and write what a deferred pass left (all, or for about `budget` seconds; the
        data downloads only with `files`); True when nothing is left."""
        try:
            return self.builder.finish(budget, files)
        except Exception as error:      # never a traceback from the preview: show it as a failed pass
            self._failed_later(error)
            return True

    def _failed_later(self, error: Exception) -> None:
        self.errors = [str(error) if isinstance(error, (TemplateProblem, WriteError)) else
                       f"the preview could not finish the pass: {type(error).__name__}: {error}"]
        self.log(f"✗ {self.errors[0]}")

    def close(self) -> None:
        shutil.rmtree(self.out.parent, ignore_errors=True)

    # --- a WSGI app serving the temporary site ---------------------------------------

    def app(self, environ, start_response):
        if self.hosts is not None and environ.get("HTTP_HOST", "").lower() not in self.hosts:
            # DNS rebinding: a web page elsewhere may point a name of its own at 127.0.0.1 and read the preview
            return _respond(start_response, "421 Misdirected Request", "text/plain; charset=utf-8",
                            b"this preview answers only at its own address")
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD"):
            return _respond(start_response, "405 Method Not Allowed", "text/plain; charset=utf-8", b"read only")
        raw = environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", "replace")
        try:
            body = self._serve(raw, start_response)
        except OSError:                                    # a name the operating system refuses
            body = _respond(start_response, "404 Not Found", "text/plain; charset=utf-8", b"not found")
        return [] if method == "HEAD" else body

    def _serve(self, raw: str, start_response):
        parts = [part for part in raw.split("/") if part not in ("", ".")]
        if any(part == ".." or "\\" in part or "\0" in part for part in parts):
            return _respond(start_response, "400 Bad Request", "text/plain", b"bad path")
        path = self.out.joinpath(*parts)
        if not path.resolve().is_relative_to(self.out.resolve()):
            return _respond(start_response, "400 Bad Request", "text/plain", b"bad path")
        if path.is_dir():
            if not raw.endswith("/"):
                start_response("301 Moved Permanently", [("Location", raw + "/")])
                return [b""]
            path = path / "index.html"
        url = path.relative_to(self.out).as_posix()
        try:
            self.builder.render_now(url)                   # a page the last pass left for later
        except Exception as error:
            self._failed_later(error)
        if self.errors and parts[:1] != ["assets"]:      # data downloads and evidence are stale too
            return _respond(start_response, "500 Build Failed", "text/html; charset=utf-8", self.error_page())
        if not path.is_file():
            missing = self.out / "404.html"
            body = missing.read_bytes() if missing.is_file() else b"<!doctype html><title>404</title><head></head>"
            return _respond(start_response, "404 Not Found", "text/html; charset=utf-8", body)
        if url.endswith(".html"):
            self.open.pop(url, None)
            self.open[url] = None
            while len(self.open) > OPEN_PAGES:
                del self.open[next(iter(self.open))]
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/json", "image/svg+xml"):
            kind += "; charset=utf-8"
        return _respond(start_response, "200 OK", kind, path.read_bytes())

    def error_page(self) -> bytes:
        template = _ERROR_ENV.get_template("serve-error.html")
        return template.render(errors=self.errors).encode("utf-8")


_ERROR_ENV = Environment(loader=FileSystemLoader(DEFAULT_THEME / "templates"), autoescape=select_autoescape(["html"]))


def _respond(start_response, status: str, kind: str, body: bytes):
    start_response(status, [("Content-Type", kind), ("Content-Length", str(len(body))),
                            ("Cache-Control", "no-store")])
    return [body]


class _ProjectWatcher(Watcher):
    """Polls the project's folders itself, debounces bursts, rebuilds, then reloads the browser."""

    def __init__(self, preview: Preview):
        super().__init__()
        self.preview = preview
        self.pending: set[str] = set()
        self.timer = None
        self.stepping = None         # the next step of what the last pass left
        self.saved = 0.0             # when the last pass started (monotonic)

    def start(self, callback) -> bool:   # livereload asks; True means "I watch by myself"
        ioloop.IOLoop.current().add_callback(self.keep_polling)
        return True

    def keep_polling(self) -> None:
        started = time.perf_counter()
        try:
            self.poll()
        finally:
            took = time.perf_counter() - started
            ioloop.IOLoop.current().call_later(max(POLL_SECONDS, 4 * took), self.keep_polling)

    def examine(self):
        return None, None

    def poll(self) -> bool:
        """Look at the folders; a change (re)starts the quiet period. True if anything changed."""
        changed = self.preview.builder.changes()
        if not changed:
            return False
        self.pending |= changed
        loop = ioloop.IOLoop.current()
        if self.timer is not None:
            loop.remove_timeout(self.timer)
        self.timer = loop.call_later(DEBOUNCE_SECONDS, self.flush)
        return True

    def flush(self) -> None:
        self.timer = None
        if self.poll():           # the burst went on after the last look (a poll can fall inside it)
            return
        self.saved = time.monotonic()
        if self.stepping is not None:                   # the last pass's leftovers: this pass finds them again
            ioloop.IOLoop.current().remove_timeout(self.stepping)
            self.stepping = None
        changed, self.pending = self.pending, set()
        if self.preview.rebuild(changed, defer=True):
            LiveReloadHandler.reload_waiters(path="*")
            self.stepping = ioloop.IOLoop.current().call_later(RELOAD_SECONDS, self.step)
        else:
            LiveReloadHandler.reload_waiters(path="*")

    def step(self) -> None:
        """One step of what the pass left, the next queued behind the requests waiting: the
        pages first, then — once saving has paused — the data downloads, which take longest."""
        self.stepping = None
        quiet = time.monotonic() - self.saved >= QUIET_SECONDS
        if self.preview.finish(STEP_SECONDS, files=quiet):
            return
        wait = 0.001 if quiet or self.preview.builder.later else QUIET_SECONDS - (time.monotonic() - self.saved)
        self.stepping = ioloop.IOLoop.current().call_later(max(wait, 0.001), self.step)


def local_hosts(host: str, port: int) -> set[str] | None:
    """The Host headers a loopback preview answers; None (any) when it is shared on purpose."""
    if not is_loopback(host):
        return None
    names = {f"[{host}]" if ":" in host else host, "localhost", "127.0.0.1", "[::1]"}
    return {f"{name}:{port}".lower() for name in names} | ({name.lower() for name in names} if port == 80 else set())


def serve(root: Path, host: str, port: int, drafts: bool, open_browser: bool, log: Log) -> None:
    """Build, serve and watch until interrupted (Ctrl+C, SIGTERM or SIGHUP), then clean up."""
    started = time.perf_counter()
    stop_on_signals()
    preview = Preview(root, drafts, log, local_hosts(host, port))
    try:
        if not is_loopback(host):
            log(f"warning: serving on {host}: anyone who can reach this machine can read the preview"
                + (", drafts included" if drafts else ""))
        shown = f"[{host}]" if ":" in host else host
        ready = lambda: log(f"serving http://{shown}:{port}/ (ready in {time.perf_counter() - started:.1f} s; "
                            "Ctrl+C to stop)")
        server = _PreviewServer(app=preview.app, watcher=_ProjectWatcher(preview), hosts=preview.hosts, ready=ready)
        server.serve(host=host, port=port, debug=False, open_url_delay=0.5 if open_browser else None,
                     restart_delay=0)
    finally:
        preview.close()


class _Misdirected(web.RequestHandler):
    """Any request addressed to another host than the loopback preview's own (DNS rebinding)."""

    def prepare(self):
        self.set_status(421)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(b"this preview answers only at its own address")


class _PreviewServer(Server):
    """livereload's server, with every handler — the pages, livereload.js and its websocket —
    answering only the preview's own host names while it listens on loopback."""

    def __init__(self, app, watcher, hosts: set[str] | None, ready: Callable[[], None]):
        super().__init__(app=app, watcher=watcher)
        self.hosts = hosts
        self.ready = ready

    def application(self, port, host, liveport=None, debug=None, live_css=True):
        LiveReloadHandler.watcher = self.watcher
        LiveReloadHandler.live_css = live_css
        script = escape.utf8('<script>(function(){var s=document.createElement("script");'
                             's.src="//"+window.location.hostname+":"+(window.location.port||80)'
                             '+"/livereload.js?port="+(window.location.port||80);document.head.appendChild(s);})();'
                             '</script>')

        class Transform(LiveScriptInjector):
            pass
        Transform.script = script
        rules = [(r"/livereload", LiveReloadHandler), (r"/forcereload", ForceReloadHandler),
                 (r"/livereload.js", LiveReloadJSHandler), *self.get_web_handlers(script)]
        if self.hosts is None:
            app = web.Application(handlers=rules, transforms=[Transform])
        else:
            names = sorted({name.rsplit(":", 1)[0] if not name.endswith("]") else name for name in self.hosts})
            app = web.Application(handlers=[(r".*", _Misdirected)], transforms=[Transform])
            app.add_handlers("(" + "|".join(re.escape(n) for n in names) + ")$", rules)
        app.listen(port, address=host)
        self.ready()


def stop_on_signals() -> None:
    """SIGTERM and SIGHUP stop the preview as Ctrl+C does, so its temporary site is removed."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), interrupt)


def remove_stale_previews() -> None:
    """Temporary sites of previews that were killed outright (SIGKILL, a power cut)."""
    base = Path(tempfile.gettempdir())
    for path in base.glob(TEMP_PREFIX + "*"):
        pid = path.name[len(TEMP_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and path.is_dir() and not path.is_symlink() and not process_running(int(pid)):
            shutil.rmtree(path, ignore_errors=True)



def stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
