"""Simulated scans and photos as small grayscale PNGs (no imaging library).

Each kind comes in VARIANTS looks, each drawn once per process from its own seed; a scene picks one.
"""

import math
import random
import struct
import zlib
from functools import lru_cache

WHITE, INK, GREY = 255, 20, 150
VARIANTS = 12


class Canvas:
    """A grayscale image with just enough drawing for a signature, a form and a snapshot."""

    def __init__(self, width: int, height: int, shade: int = WHITE) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray([shade]) * (width * height)

    def dot(self, x: float, y: float, shade: int = INK, size: int = 2) -> None:
        for dy in range(size):
            row = int(y) + dy
            if 0 <= row < self.height:
                start = max(0, int(x))
                end = min(self.width, int(x) + size)
                self.pixels[row * self.width + start : row * self.width + end] = bytes([shade]) * (
                    end - start
                )

    def line(self, start: tuple[float, float], end: tuple[float, float], shade: int = INK) -> None:
        steps = max(1, int(max(abs(end[0] - start[0]), abs(end[1] - start[1]))))
        for step in range(steps + 1):
            t = step / steps
            self.dot(start[0] + (end[0] - start[0]) * t, start[1] + (end[1] - start[1]) * t, shade)

    def box(self, left: int, top: int, right: int, bottom: int, shade: int) -> None:
        """Fill the rectangle (clipped to the canvas)."""
        left, right = max(0, left), min(self.width, right)
        for row in range(max(0, top), min(self.height, bottom)):
            self.pixels[row * self.width + left : row * self.width + right] = bytes([shade]) * (right - left)

    def png(self) -> bytes:
        rows = b"".join(
            b"\x00" + bytes(self.pixels[row * self.width : (row + 1) * self.width])
            for row in range(self.height)
        )
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 0, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(rows))
            + _chunk(b"IEND", b"")
        )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _scrawl(canvas: Canvas, rng: random.Random, left: int, top: int, width: int, height: int) -> None:
    """A handwritten-looking stroke across the given area."""
    phase, frequency = rng.uniform(0, math.tau), rng.uniform(0.05, 0.12)
    previous = None
    for x in range(left, left + width, 6):
        wobble = math.sin(phase + x * frequency) * height * 0.35 + rng.uniform(-height * 0.15, height * 0.15)
        point = (float(x), top + height / 2 + wobble)
        if previous is not None:
            canvas.line(previous, point)
        previous = point


def _print_lines(canvas: Canvas, rng: random.Random, left: int, top: int, count: int) -> None:
    """Grey bars where a form has printed text."""
    for index in range(count):
        length = rng.randint(canvas.width // 3, canvas.width - left * 2)
        canvas.box(left, top + index * 22, left + length, top + index * 22 + 6, GREY)


def signature(rng: random.Random) -> bytes:
    """A simulated signature captured on the counter's signing pad."""
    return _signature(rng.randrange(VARIANTS))


@lru_cache(maxsize=VARIANTS)
def _signature(variant: int) -> bytes:
    rng = random.Random(f"signature:{variant}")
    canvas = Canvas(320, 100)
    _scrawl(canvas, rng, 20, 20, 280, 55)
    canvas.line((20, 85), (300, 85), GREY)
    return canvas.png()


def receipt_scan(rng: random.Random) -> bytes:
    """A simulated scan of a signed (or returned) EMS receipt: a form, printed lines and a signature."""
    return _receipt_scan(rng.randrange(VARIANTS))


@lru_cache(maxsize=VARIANTS)
def _receipt_scan(variant: int) -> bytes:
    rng = random.Random(f"receipt_scan:{variant}")
    canvas = Canvas(600, 380, shade=235)
    canvas.box(20, 20, 580, 360, WHITE)
    for left, top, right, bottom in (
        (20, 20, 580, 22),
        (20, 358, 580, 360),
        (20, 20, 22, 360),
        (578, 20, 580, 360),
    ):
        canvas.box(left, top, right, bottom, INK)
    _print_lines(canvas, rng, 50, 50, 8)
    _scrawl(canvas, rng, 330, 260, 220, 60)
    return canvas.png()


def snapshot(rng: random.Random) -> bytes:
    """A simulated photo at the door: shaded blocks for wall, door and the documents handed over."""
    return _snapshot(rng.randrange(VARIANTS))


@lru_cache(maxsize=VARIANTS)
def _snapshot(variant: int) -> bytes:
    rng = random.Random(f"snapshot:{variant}")
    canvas = Canvas(320, 240, shade=rng.randint(150, 200))
    canvas.box(0, 170, 320, 240, rng.randint(90, 120))
    door = rng.randint(60, 180)
    canvas.box(door, 50, door + 80, 200, rng.randint(40, 80))
    canvas.box(door + 90, 120, door + 140, 160, 245)
    return canvas.png()
