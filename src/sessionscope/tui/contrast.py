"""Readable text in every theme: a foreground too close to its background (WCAG ratio under
4.5:1) is moved towards black or white until it reads."""

from __future__ import annotations

from functools import lru_cache

from rich.color import Color
from rich.segment import Segment
from rich.style import Style

MIN_RATIO = 4.5
BLACK = (0, 0, 0)
WHITE = (255, 255, 255)


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb: tuple[int, int, int]) -> float:
    r, g, b = rgb
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def ratio(fg: tuple[int, int, int], bg: tuple[int, int, int]) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    a, b = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


@lru_cache(maxsize=512)
def readable_rgb(fg: tuple[int, int, int], bg: tuple[int, int, int]) -> tuple[int, int, int]:
    """`fg`, or the nearest colour towards black or white that reads on `bg` (4.5:1)."""
    if ratio(fg, bg) >= MIN_RATIO:
        return fg
    target = WHITE if ratio(WHITE, bg) >= ratio(BLACK, bg) else BLACK
    for step in range(1, 21):
        mixed = _mix(fg, target, step / 20)
        if ratio(mixed, bg) >= MIN_RATIO:
            return mixed
    return target


def readable_segments(segments: list[Segment]) -> list[Segment]:
    """`segments` with every foreground made readable on its background (styles without both
    colours in true colour are left alone)."""
    out: list[Segment] = []
    for segment in segments:
        style = segment.style
        if (
            style is None
            or style.color is None
            or style.bgcolor is None
            or not segment.text.strip()
        ):
            out.append(segment)
            continue
        fg_color, bg_color = (
            (style.bgcolor, style.color) if style.reverse else (style.color, style.bgcolor)
        )
        fg = tuple(fg_color.get_truecolor())
        bg = tuple(bg_color.get_truecolor())
        better = readable_rgb(fg, bg)
        if better == fg:
            out.append(segment)
            continue
        color = Color.from_rgb(*better)
        fix = Style(bgcolor=color) if style.reverse else Style(color=color)
        out.append(Segment(segment.text, style + fix, segment.control))
    return out
