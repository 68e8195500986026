"""Files in the project's `.scoresite-cache/` sealed with a keyed digest, so that only what this
user's scoresite wrote is ever read back: pickles and compiled templates are code when loaded,
and a project folder copied from elsewhere may carry a cache made to run some. The key is the
user's own (`~/.cache/scoresite/cache-key`, or under $XDG_CACHE_HOME; made on first use,
readable by the user only). Where no key can be kept there is simply no cache."""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable

import jinja2

CACHE_DIR = ".scoresite-cache"


SEAL = 32                 # bytes of keyed BLAKE2b in front of every cache file
LARGEST = 4 << 30         # a cache file larger than this is not read
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


@functools.lru_cache(maxsize=1)
def _key() -> bytes | None:
    """The user's secret for sealing cache files; None (no cache at all) where it cannot be kept
    safe: a key file another user owns or could read is not used."""
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "scoresite"
    path = home / "cache-key"
    try:
        if not os.path.lexists(path):
            home.mkdir(mode=0o700, parents=True, exist_ok=True)
            temporary = home / f"cache-key.{os.getpid()}.{os.urandom(4).hex()}.tmp"
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o600)
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(os.urandom(32))
            try:
                os.link(temporary, path)          # never replaces a key another build made meanwhile
            except FileExistsError:
                pass
            finally:
                temporary.unlink(missing_ok=True)
        descriptor = os.open(path, os.O_RDONLY | NOFOLLOW)
        with os.fdopen(descriptor, "rb") as stream:
            info = os.fstat(stream.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o077 or (
                    hasattr(os, "getuid") and info.st_uid != os.getuid()):
                return None
            key = stream.read(33)
        return key if len(key) == 32 else None
    except (OSError, RuntimeError):               # RuntimeError: no home folder to be found
        return None


def _hasher(key: bytes, path: Path):
    """The seal covers where the file is too (its folder and name), so that no sealed file
    stands in for another (say, a template compiled outside the sandbox for one inside)."""
    hasher = hashlib.blake2b(key=key, digest_size=SEAL)
    hasher.update(f"{path.parent.name}/{path.name}\0".encode("utf-8", "surrogateescape"))
    return hasher


def read_sealed(path: Path) -> memoryview | None:
    """A cache file's contents, if this user's scoresite wrote it there; else None. Only a
    regular file is read (never through a link, never a pipe or a device)."""
    key = _key()
    if key is None:
        return None
    try:
        descriptor = os.open(path, os.O_RDONLY | NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as stream:
            info = os.fstat(stream.fileno())
            if not stat.S_ISREG(info.st_mode) or not SEAL < info.st_size <= LARGEST:
                return None
            data = stream.read(LARGEST + 1)
    except OSError:
        return None
    payload = memoryview(data)[SEAL:]             # (not a copy: a national load cache is 100 MB)
    hasher = _hasher(key, path)
    hasher.update(payload)
    return payload if len(data) > SEAL and hmac.compare_digest(hasher.digest(), data[:SEAL]) else None


class _Sealing:
    """A stream that hashes what is written through it."""

    def __init__(self, stream, hasher):
        self.stream, self.hasher = stream, hasher

    def write(self, data) -> int:
        self.hasher.update(data)
        return self.stream.write(data)


def write_sealed(path: Path, payload: bytes | Callable[[BinaryIO], None]) -> None:
    """Write a cache file whole (a new file, swapped into place), sealed as it is written;
    nothing when no key can be kept. `payload` may be a function that writes it to a stream
    (pickle.dump), so that it is never held in memory whole."""
    key = _key()
    if key is None:
        return
    folder(path.parent)
    descriptor, name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(bytes(SEAL))
            sealing = _Sealing(stream, _hasher(key, path))
            if callable(payload):
                payload(sealing)
            else:
                sealing.write(payload)
            stream.seek(0)
            stream.write(sealing.hasher.digest())
        os.replace(name, path)
    finally:
        if os.path.lexists(name):
            os.unlink(name)


PACKAGE = Path(__file__).resolve().parent.parent


@functools.lru_cache(maxsize=1)
def package_fingerprint() -> str:
    """A digest of scoresite's own code, templates and strings: what anything cached was made by."""
    hasher = hashlib.blake2b(digest_size=16)
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".html", ".css", ".yaml", ".svg"):
            hasher.update(path.relative_to(PACKAGE).as_posix().encode())
            hasher.update(path.read_bytes())
    return hasher.hexdigest()


class TemplateCache(jinja2.BytecodeCache):
    """Compiled templates in the cache folder, sealed like the rest (Jinja checks each against
    its template's source and its own version)."""

    def __init__(self, root: Path, sandboxed: bool, strings: dict[str, str] | None = None):
        self.folder = root / CACHE_DIR / ("templates-sandbox" if sandboxed else "templates")
        # compiled templates hold the UI strings (templates.FoldStrings) and calls into scoresite's
        # own code ({% cached %}): other strings or another scoresite, other compiled code
        self.salt = hashlib.blake2b(json.dumps([package_fingerprint(), strings or {}], sort_keys=True).encode(),
                                    digest_size=16).hexdigest()

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return hashlib.sha1(f"{super().get_cache_key(name, filename)}|{self.salt}".encode()).hexdigest()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        payload = read_sealed(self.folder / bucket.key)
        if payload is not None:
            bucket.bytecode_from_string(bytes(payload))

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            write_sealed(self.folder / bucket.key, bucket.write_bytecode)
        except OSError:
            pass                                  # a cache is a convenience: never a failed build


def folder(path: Path) -> None:
    """A folder inside the cache (made with the cache's own .gitignore, never written through
    a link someone put there)."""
    path.mkdir(parents=True, exist_ok=True)
    top = next((p for p in (path, *path.parents) if p.name == CACHE_DIR), None)
    if top is not None and not os.path.lexists(top / ".gitignore"):
        try:
            descriptor = os.open(top / ".gitignore", os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o666)
        except FileExistsError:
            return
        with os.fdopen(descriptor, "w") as stream:
            stream.write("*\n")
