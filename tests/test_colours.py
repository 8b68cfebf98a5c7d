"""The stance colours, read from the stylesheet itself: graphics stand out
from the page (3:1), text on them and on the cells' tints is readable
(4.5:1), and no two stances look alike to readers with protanopia,
deuteranopia or tritanopia (simulated with Machado, Oliveira and Fernandes'
2009 matrices at full severity; CIELAB distances)."""

import itertools
import math
import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "app.css"
STANCES = ["supports", "conditional", "undecided", "opposes", "hostile"]
WHITE, INK, MUTED = "#ffffff", "#1d2327", "#55616b"
SIMULATIONS = {
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
}


def variables() -> dict[str, str]:
    root = re.search(r":root\s*{(.*?)}", CSS.read_text(), re.S).group(1)
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", root))


def rgb(hex_colour: str) -> list[float]:
    return [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]


def linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: list[float]) -> float:
    r, g, b = (linear(c) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(rgb(a)), luminance(rgb(b))), reverse=True)
    return (high + 0.05) / (low + 0.05)


def simulate(colour: list[float], matrix) -> list[float]:
    lin = [linear(c) for c in colour]
    out = [sum(row[j] * lin[j] for j in range(3)) for row in matrix]
    return [12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055 for c in out]


def lab(colour: list[float]) -> tuple[float, float, float]:
    r, g, b = (linear(min(max(c, 0), 1)) for c in colour)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t):
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def test_the_contrast_formula_matches_wcag():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("stance", [*STANCES, "none"])
def test_each_colour_stands_out_from_the_page(stance):
    # Bars, swatches and cell edges are graphics: 3:1 against the page.
    assert contrast(variables()[stance], WHITE) >= 3


@pytest.mark.parametrize("stance", STANCES)
def test_text_on_the_colours_and_on_the_tints_is_readable(stance):
    colours = variables()
    # Tags and timeline labels write white on the colour; cells, ink on the
    # tint, and their dates and "via" lines in the muted grey.
    assert contrast(WHITE, colours[stance]) >= 4.5
    assert contrast(INK, colours[f"{stance}-bg"]) >= 4.5
    assert contrast(MUTED, colours[f"{stance}-bg"]) >= 4.5


@pytest.mark.parametrize("vision", [None, *SIMULATIONS])
def test_no_two_stances_look_alike(vision):
    colours = variables()
    seen = {}
    for stance in [*STANCES, "none"]:
        colour = rgb(colours[stance])
        seen[stance] = lab(simulate(colour, SIMULATIONS[vision]) if vision else colour)
    closest = min((math.dist(seen[a], seen[b]), a, b) for a, b in itertools.combinations(seen, 2))
    # About twenty times the least difference an eye can tell (ΔE 2.3).
    assert closest[0] >= 18, closest
