"""One input for every reader: a path, bytes or text in; the text and a display name out.

Like pandas' ``get_handle``, this lets each reader accept what the caller has (a file on disk,
bytes posted to a server, a string in a test) without writing temporary files, and lets every
message name the input the way the caller does (``upload:3: ...`` rather than a temporary path).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Union

from kingmaker.errors import InputError

#: What a reader accepts: a path (``str`` without a line break, or ``os.PathLike``), the file's
#: bytes, the file's text (a ``str`` with a line break), or an open binary or text file.
SourceLike = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, IO[bytes], IO[str], "Source"]


@dataclass(frozen=True)
class Source:
    """The decoded text of an input, its display name for messages, and its path when it has one."""

    text: str
    name: str
    path: Path | None = None

    @property
    def suffix(self) -> str:
        """The lower-case extension of the path or display name (``".blt"``), or ``""``."""
        return Path(str(self.path) if self.path is not None else self.name).suffix.lower()


def is_path_like(source: object) -> bool:
    """True when ``source`` names a file rather than holding its content."""
    if isinstance(source, os.PathLike):
        return True
    return isinstance(source, str) and "\n" not in source and "\r" not in source


def check_path(source: SourceLike, name: str | None = None) -> None:
    """Refuse a path the system cannot even look up (too long, a NUL in it, a loop of links) with
    :class:`InputError`; a missing file is left to the reader, which says so in its own words."""
    if not is_path_like(source):
        return
    try:
        Path(source).stat()  # type: ignore[arg-type]
    except FileNotFoundError:
        return
    except (OSError, ValueError) as exc:
        shown = name if name is not None else str(source)
        shown = shown if len(shown) <= 80 else shown[:80] + "..."
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputError(f"not a usable path ({reason})", source=shown) from None


def open_source(source: SourceLike, *, name: str | None = None) -> Source:
    """Read ``source`` into a :class:`Source`: UTF-8 (a byte-order mark is dropped).

    A ``str`` with a line break is the file's text; any other ``str`` is a path. ``name`` is what
    messages call the input (default: the path as given, else ``"<bytes>"`` or ``"<text>"``).
    A missing file, a directory or bytes that are not UTF-8 raise :class:`InputError`.
    """
    if isinstance(source, Source):
        return source if name is None else Source(source.text, name, source.path)
    path: Path | None = None
    if is_path_like(source):
        path = Path(source)  # type: ignore[arg-type]
        label = name if name is not None else str(source)
        try:
            data: bytes | str = path.read_bytes()
        except FileNotFoundError:
            raise InputError("file not found", source=label) from None
        except IsADirectoryError:
            raise InputError("is a directory, not a file", source=label) from None
        except OSError as exc:
            raise InputError(f"cannot read ({exc.strerror or exc})", source=label) from None
        except ValueError as exc:  # e.g. a NUL character in the path
            raise InputError(f"not a usable path ({exc})", source=repr(label)) from None
    elif isinstance(source, str):
        label, data = name if name is not None else "<text>", source
    elif isinstance(source, (bytes, bytearray, memoryview)):
        label, data = name if name is not None else "<bytes>", bytes(source)
    elif hasattr(source, "read"):
        label = name if name is not None else str(getattr(source, "name", "<stream>"))
        data = source.read()
    else:
        raise InputError(f"cannot read ballots from a {type(source).__name__}; give a path, bytes or text")
    text = decode(bytes(data), label) if isinstance(data, (bytes, bytearray)) else data.removeprefix("\ufeff")
    return Source(text, label, path)


def decode(data: bytes, name: str) -> str:
    """``data`` as UTF-8 text (byte-order mark dropped); bad bytes raise :class:`InputError` with their line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"not UTF-8 text ({exc.reason} at byte {exc.start})", source=name, line=line
        ) from None
