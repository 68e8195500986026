"""Files in the project's `.scoresite-cache/` sealed with a keyed digest, so that only what this
user's scoresite wrote is ever read back: pickles and compiled templates are code when loaded,
and a project folder copied from elsewhere may carry a cache made to run some. The key is the
user's own (`~/.cache/scoresite/cache-key`, or under $XDG_CACHE_HOME; made on first use,
readable by the user only). Where no key can be kept there is simply no cache."""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
from pathlib import Path
from typing import BinaryIO, Callable

import jinja2

CACHE_DIR = ".scoresite-cache"


SEAL = 32     # bytes of keyed BLAKE2b in front of every cache file


@functools.lru_cache(maxsize=1)
def _key() -> bytes | None:
    """The user's secret for sealing cache files; None (no cache at all) where it cannot be kept."""
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "scoresite"
    path = home / "cache-key"
    try:
        if not path.is_file():
            home.mkdir(parents=True, exist_ok=True)
            temporary = home / f"cache-key.{os.getpid()}.tmp"
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(os.urandom(32))
            if not path.is_file():                # another build may have made one meanwhile: keep that
                os.replace(temporary, path)
            temporary.unlink(missing_ok=True)
        key = path.read_bytes()
        return key if len(key) == 32 else None
    except (OSError, RuntimeError):               # RuntimeError: no home folder to be found
        return None


def read_sealed(path: Path) -> bytes | None:
    """A cache file's contents, if this user's scoresite wrote it; else None."""
    key = _key()
    if key is None:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    payload = memoryview(data)[SEAL:]             # (not a copy: a national load cache is 100 MB)
    seal = hashlib.blake2b(payload, key=key, digest_size=SEAL).digest()
    return payload if len(data) > SEAL and hmac.compare_digest(seal, data[:SEAL]) else None


def write_sealed(path: Path, payload: bytes | Callable[[BinaryIO], None]) -> None:
    """Write a cache file whole (swapped into place), sealed; nothing when no key can be kept.
    `payload` may be a function that writes it to a stream (pickle.dump), so that it is never
    held in memory whole."""
    key = _key()
    if key is None:
        return
    folder(path.parent)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "w+b") as stream:
            stream.write(bytes(SEAL))
            if callable(payload):
                payload(stream)
            else:
                stream.write(payload)
            stream.seek(SEAL)
            hasher = hashlib.blake2b(key=key, digest_size=SEAL)
            while chunk := stream.read(1 << 20):
                hasher.update(chunk)
            stream.seek(0)
            stream.write(hasher.digest())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


class TemplateCache(jinja2.BytecodeCache):
    """Compiled templates in the cache folder, sealed like the rest (Jinja checks each against
    its template's source and its own version)."""

    def __init__(self, root: Path, sandboxed: bool):
        self.folder = root / CACHE_DIR / ("templates-sandbox" if sandboxed else "templates")

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
    """A folder inside the cache (made with the cache's own .gitignore)."""
    path.mkdir(parents=True, exist_ok=True)
    top = next((p for p in (path, *path.parents) if p.name == CACHE_DIR), None)
    if top is not None and not (top / ".gitignore").is_file():
        (top / ".gitignore").write_text("*\n")
