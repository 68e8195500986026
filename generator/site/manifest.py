"""The integrity manifest: every file of a build with its SHA-256, and the source commit.

`manifest.json` is written last into every build, beside a `SHA256SUMS` file that
`sha256sum -c SHA256SUMS` checks without scoresite. `scoresite verify DIR` checks a
deployed or downloaded copy against it and names every file missing, added or altered.
A manifest proves a copy matches a build; it cannot prove the manifest itself was not
replaced — compare its source commit, or a manifest obtained separately (--manifest)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
OWN = {MANIFEST, CHECKSUMS}


def file_hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every regular file under `folder` but the manifest's own two, by site path.
    Symbolic links are not files of a build (verify reports them)."""
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*"))
            if path.is_file() and not path.is_symlink() and path.relative_to(folder).as_posix() not in OWN}


def manifest_files(folder: Path, provenance: dict) -> dict[str, str]:
    """manifest.json and SHA256SUMS for a finished build, by file name."""
    hashes = file_hashes(folder)
    data = {"generator": "scoresite", **provenance, "files": hashes}
    checksums = "".join(f"{digest}  {name}\n" for name, digest in hashes.items())
    return {MANIFEST: json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False) + "\n", CHECKSUMS: checksums}


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
    """Compare a copy of a site with its manifest."""
    source = manifest or folder / MANIFEST
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
        expected = data["files"]
        assert isinstance(expected, dict)
    except FileNotFoundError:
        raise ManifestError(f"no {source.name} in {source.parent}: is this a scoresite build?") from None
    except (ValueError, KeyError, AssertionError):
        raise ManifestError(f"{source} is not a scoresite manifest") from None
    actual = file_hashes(folder)
    links = sorted(p.relative_to(folder).as_posix() + " (a symbolic link)" for p in folder.rglob("*") if p.is_symlink())
    return Verification(
        source_commit=data.get("source_commit"), checked=len(expected),
        missing=sorted(set(expected) - set(actual)), added=sorted(set(actual) - set(expected)) + links,
        altered=sorted(name for name in set(expected) & set(actual) if expected[name] != actual[name]))
