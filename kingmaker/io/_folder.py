"""A vendor's CVR folder held in memory: the members of an uploaded ``.zip``, never written to disk.

Dominion exports and Hart archives are folders of files; a server receives them as one ``.zip``.
:func:`unzip_folder` opens it in memory after checking what it claims: at most ``max_members``
files and ``max_bytes`` uncompressed in all (read from the zip's directory before anything is
inflated; :mod:`zipfile` then stops each member at its declared size and checks its CRC, so a
member cannot inflate past its claim). Members are named by their file name: a zip made of the
folder itself (``alaska/CvrExport.json``) reads like one made of its contents. The readers take
a :class:`MemoryFolder` wherever they take a folder path.
"""

from __future__ import annotations

import fnmatch
import io
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

from kingmaker.errors import InputError, TooLargeError


@dataclass(frozen=True)
class MemoryFolder:
    """A folder's files by name (``files``), with the name messages call it (``name``)."""

    name: str
    files: Mapping[str, bytes]

    def glob(self, pattern: str) -> list[str]:
        """The names matching a shell pattern (``CvrExport*.json``), sorted as a folder listing is."""
        return sorted(n for n in self.files if fnmatch.fnmatchcase(n, pattern))

    def get(self, name: str) -> bytes | None:
        """A file's bytes, or None when the folder has no such file."""
        return self.files.get(name)


def is_zip(data: bytes) -> bool:
    """Whether ``data`` starts like a zip archive."""
    return data[:4] == b"PK\x03\x04"


def _members(zf: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The files of a zip: directories, ``__MACOSX/`` and hidden files left out."""
    return [
        i
        for i in zf.infolist()
        if not i.is_dir()
        and not i.filename.startswith("__MACOSX/")
        and not PurePosixPath(i.filename).name.startswith(".")
    ]


def check_zip(data: bytes, name: str, *, max_members: int, max_bytes: int) -> None:
    """Refuse (:class:`TooLargeError`) a zip of more than ``max_members`` files or ``max_bytes``
    uncompressed, from its directory alone (nothing is inflated); a broken zip is an InputError."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            _check(zf.infolist(), name, max_members, max_bytes)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, ValueError) as exc:
        raise InputError(f"not a readable .zip ({exc})", source=name) from None


def _check(infos: list[zipfile.ZipInfo], name: str, max_members: int, max_bytes: int) -> None:
    if len(infos) > max_members:
        raise TooLargeError(f"{name}: the zip holds {len(infos)} files, more than the {max_members} allowed")
    total = sum(i.file_size for i in infos)
    if total > max_bytes:
        raise TooLargeError(
            f"{name}: the zip's files come to {total:,} bytes uncompressed, more than the {max_bytes:,} allowed"
        )


def unzip_folder(data: bytes, name: str, *, max_members: int, max_bytes: int) -> MemoryFolder:
    """The files of a ``.zip`` (directories, ``__MACOSX/`` and hidden files skipped) as a folder.

    Raises :class:`TooLargeError` when the zip holds more than ``max_members`` files or more than
    ``max_bytes`` uncompressed, and :class:`InputError` for a broken zip or two files of one name.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = _members(zf)
            _check(zf.infolist(), name, max_members, max_bytes)
            files: dict[str, bytes] = {}
            for info in infos:
                base = PurePosixPath(info.filename).name
                if base in files:
                    raise InputError(f"the zip holds two files named {base!r}", source=name)
                files[base] = zf.read(info)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        zlib.error,
        NotImplementedError,
        ValueError,
    ) as exc:
        raise InputError(f"not a readable .zip ({exc})", source=name) from None
    if not files:
        raise InputError("the zip holds no files", source=name)
    return MemoryFolder(name, files)
