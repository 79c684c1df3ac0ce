"""HTTP Range requests (RFC 9110 §14) for one byte range of a stored file."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# At most 19 digits a bound: larger than any file (and than the int() limit a 5,000-digit header would hit).
_SINGLE_RANGE = re.compile(r"^bytes=(\d{0,19})-(\d{0,19})$")
CHUNK_SIZE = 64 * 1024


class RangeNotSatisfiable(ValueError):
    """A Range header that names no byte of the file, or that cannot be read: answer 416."""


@dataclass(frozen=True, slots=True)
class ByteRange:
    """Inclusive first and last byte of a file of `size` bytes."""

    first: int
    last: int
    size: int

    @property
    def length(self) -> int:
        return self.last - self.first + 1

    @property
    def content_range(self) -> str:
        return f"bytes {self.first}-{self.last}/{self.size}"


def _from_bounds(first_text: str, last_text: str, size: int) -> ByteRange:
    if not first_text:  # suffix range: the last N bytes
        suffix = int(last_text)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable(f"bytes=-{suffix}")
        return ByteRange(first=max(size - suffix, 0), last=size - 1, size=size)
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if first >= size or last < first:
        raise RangeNotSatisfiable(f"bytes={first_text}-{last_text}")
    return ByteRange(first=first, last=min(last, size - 1), size=size)


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The one range HEADER asks for; None for the whole file (no header, or several ranges)."""
    if header is None:
        return None
    value = header.strip().replace(" ", "")
    if "," in value and value.startswith("bytes="):
        return None  # several ranges: a server may send the whole file instead (RFC 9110 §14.2)
    match = _SINGLE_RANGE.match(value)
    if match is None or not (match.group(1) or match.group(2)):
        raise RangeNotSatisfiable(header)
    return _from_bounds(match.group(1), match.group(2), size)


def read_chunks(path: Path, first: int, length: int) -> Iterator[bytes]:
    """LENGTH bytes of PATH from offset FIRST, in chunks."""
    with path.open("rb") as stream:
        stream.seek(first)
        remaining = length
        while remaining > 0:
            chunk = stream.read(min(CHUNK_SIZE, remaining))
            if not chunk:
                return
            remaining -= len(chunk)
            yield chunk
