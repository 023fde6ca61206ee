"""Reading a big XML export in constant memory, with errors that say where the file is broken."""

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

from .report import PortingError

CHUNK = 1 << 16
_RSS_START = re.compile(rb"<rss\b")

Progress = Callable[[int], None]


def local_name(tag: str) -> tuple[str, str]:
    """``{namespace}name`` split into (namespace, name); no namespace gives an empty one."""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def events(path: Path, *, progress: Progress | None = None) -> Iterator[tuple[str, ET.Element]]:
    """Yield ``start`` and ``end`` events of the file, reading it in chunks.

    The caller clears elements it has handled, so memory stays flat however long the file is.
    """
    parser = ET.XMLPullParser(events=("start", "end"))
    with path.open("rb") as f:
        first = True
        while chunk := f.read(CHUNK):
            if first:
                chunk, first = _declare_atom(chunk), False
            yield from _parsed(parser, path, chunk)
            if progress is not None:
                progress(len(chunk))
        yield from _parsed(parser, path, None)


def _parsed(parser: ET.XMLPullParser, path: Path, chunk: bytes | None) -> Iterator[tuple[str, ET.Element]]:
    """Feed ``chunk`` (or the end of the file, for None) and yield the events it completes.

    The parser reports an error either when fed or when its events are read; both are turned into
    the one message that names the position.
    """
    try:
        if chunk is None:
            parser.close()
        else:
            parser.feed(chunk)
        events = list(parser.read_events())
    except ET.ParseError as error:
        raise _located(error, path) from None
    yield from events


def _located(error: ET.ParseError, path: Path) -> PortingError:
    line, column = error.position
    reason = str(error).split(":", 1)[0]
    return PortingError(f"{path.name} is not well-formed XML: {reason} at line {line}, column {column + 1}.")


def _declare_atom(head: bytes) -> bytes:
    """WordPress.com exports use ``atom:link`` without declaring the prefix; declare it for them.

    Only this one known quirk is repaired. Any other broken XML is refused with its position, rather
    than guessed at: a guessing parser would quietly import half of a truncated file.
    """
    match = _RSS_START.search(head)
    if match is None or b"xmlns:atom" in head or b"<atom:" not in head:
        return head
    return head[: match.end()] + b' xmlns:atom="http://www.w3.org/2005/Atom"' + head[match.end() :]
