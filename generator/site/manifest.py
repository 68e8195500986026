"""The integrity manifest: every file of a build with its SHA-256, and the source commit.

`manifest.json` is written last into every build, beside a `SHA256SUMS` file that
`sha256sum -c SHA256SUMS` checks without scoresite. `scoresite verify DIR` checks a
deployed or downloaded copy against it and names every file missing, added or altered.
A manifest proves a copy matches a build; it cannot prove the manifest itself was not
replaced — compare its source commit, or a manifest obtained separately (--manifest)."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
OWN = {MANIFEST, CHECKSUMS}
NOT_PUBLISHED = {".scoresite"}      # the build marker: a copy without hidden files is still a whole copy
SHA256 = re.compile(r"[0-9a-f]{64}\Z")


def files_under(folder: Path) -> list[str]:
    """Every regular file under `folder` by site path, in path order (part by part, as sorted
    Paths: `a/b` before `a-c`). Symbolic links are neither listed nor followed. One scandir per
    folder, names as strings: a national site has 75,000 files, and Path objects cost seconds."""
    found, folders = [], [""]
    while folders:
        prefix = folders.pop()
        try:
            listing = os.scandir(os.path.join(folder, prefix) if prefix else folder)
        except OSError:
            if not prefix:
                raise
            continue          # a folder that cannot be listed: its files are missing (as rglob had it)
        with listing as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(prefix + entry.name + "/")
                elif entry.is_file(follow_symlinks=False):
                    found.append(prefix + entry.name)
    found.sort(key=lambda name: name.split("/"))
    return found


def file_hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every regular file under `folder` but the manifest's own two and the build
    marker, by site path. Symbolic links are not files of a build (verify reports them)."""
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
            for name in files_under(folder) if name not in OWN | NOT_PUBLISHED}


def checksums_text(hashes: dict[str, str]) -> str:
    """SHA256SUMS as `sha256sum -c` reads it."""
    return "".join(f"{digest}  {name}\n" for name, digest in hashes.items())


def manifest_files(folder: Path, provenance: dict, known: dict[str, str] | None = None) -> dict[str, str]:
    """manifest.json and SHA256SUMS for a finished build, by file name. `known` gives the digests
    the writer already has, by site path; every file is listed, in path order, either way."""
    names = [name for name in files_under(folder) if name not in OWN | NOT_PUBLISHED]
    hashes = {name: (known or {}).get(name) or hashlib.sha256((folder / name).read_bytes()).hexdigest()
              for name in names}
    data = {"generator": "scoresite", **provenance, "files": hashes}
    return {MANIFEST: json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False) + "\n",
            CHECKSUMS: checksums_text(hashes)}


class ManifestError(Exception):
    """The manifest is missing or not a scoresite manifest."""


@dataclass
class Verification:
    source_commit: str | None
    checked: int
    missing: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.added or self.altered)


def verify(folder: Path, manifest: Path | None = None) -> Verification:
    """Compare a copy of a site with its manifest, and the copy's own manifest.json and
    SHA256SUMS with what that manifest says: an edited SHA256SUMS is caught too."""
    source = manifest or folder / MANIFEST
    data = read_manifest(source)
    expected = data["files"]
    actual = file_hashes(folder)
    links = sorted(p.relative_to(folder).as_posix() + " (a symbolic link)" for p in folder.rglob("*") if p.is_symlink())
    result = Verification(
        source_commit=data.get("source_commit") if isinstance(data.get("source_commit"), str) else None,
        checked=len(expected), missing=sorted(set(expected) - set(actual)),
        added=sorted(set(actual) - set(expected)) + links,
        altered=sorted(name for name in set(expected) & set(actual) if expected[name] != actual[name]))
    _check_own_files(folder, expected, manifest is not None, result)
    result.missing.sort()
    result.altered.sort()
    return result


def _check_own_files(folder: Path, expected: dict[str, str], external: bool, result: Verification) -> None:
    """The copy's SHA256SUMS (and, against a trusted manifest, its manifest.json) say the same."""
    sums = folder / CHECKSUMS
    if not sums.is_file():
        result.missing.append(CHECKSUMS)
    elif sums.read_bytes() != checksums_text(expected).encode("utf-8"):
        result.altered.append(f"{CHECKSUMS} (it does not list what {MANIFEST} lists)")
    if external:
        own = folder / MANIFEST
        if not own.is_file():
            result.missing.append(MANIFEST)
        else:
            try:
                same = read_manifest(own)["files"] == expected
            except ManifestError:
                same = False
            if not same:
                result.altered.append(f"{MANIFEST} (it differs from the trusted manifest)")


def read_manifest(source: Path) -> dict:
    """A manifest's data, or ManifestError saying what is wrong with it."""
    what = f"{source} is not a scoresite manifest"
    try:
        data = json.loads(source.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"no {source.name} in {source.parent}: is this a scoresite build?") from None
    except IsADirectoryError:
        raise ManifestError(f"{what}: it is a folder") from None
    except OSError as error:
        raise ManifestError(f"cannot read {source}: {error.strerror}") from None
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ManifestError(f"{what}: expected JSON text") from None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, str) and SHA256.match(v)
                                               for k, v in files.items()):
        raise ManifestError(f"{what}: expected an object whose \"files\" maps each file to its SHA-256")
    return data
