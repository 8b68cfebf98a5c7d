"""Country shapes for the stance map, from Natural Earth's boundaries as the
npm package world-atlas ships them (TopoJSON, vendored under
static/vendor/world-atlas/): decoded, projected and written as SVG path
data once per process, since borders do not change with the record.

Europe is drawn in a Lambert azimuthal equal-area projection centred on
the continent (as Eurostat's maps are); the world inset in an
equirectangular one. Countries are matched to the record's states by
their ISO 3166-1 numeric code, which world-atlas uses as each shape's id."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ATLAS = Path(__file__).resolve().parent.parent / "static" / "vendor" / "world-atlas"

# ISO 3166-1 numeric -> alpha-2, for the states a record of this debate holds.
NUMERIC = {
    "008": "AL", "020": "AD", "051": "AM", "040": "AT", "031": "AZ", "112": "BY", "056": "BE",
    "070": "BA", "100": "BG", "191": "HR", "196": "CY", "203": "CZ", "208": "DK", "233": "EE",
    "246": "FI", "250": "FR", "268": "GE", "276": "DE", "300": "GR", "348": "HU", "352": "IS",
    "372": "IE", "380": "IT", "398": "KZ", "428": "LV", "438": "LI", "440": "LT", "442": "LU",
    "470": "MT", "498": "MD", "492": "MC", "499": "ME", "528": "NL", "807": "MK", "578": "NO",
    "616": "PL", "620": "PT", "642": "RO", "643": "RU", "674": "SM", "688": "RS", "703": "SK",
    "705": "SI", "724": "ES", "752": "SE", "756": "CH", "792": "TR", "804": "UA", "826": "GB",
    "336": "VA", "840": "US", "124": "CA", "392": "JP", "036": "AU", "554": "NZ", "156": "CN",
    "356": "IN", "076": "BR", "410": "KR", "408": "KP", "376": "IL", "364": "IR", "682": "SA",
    "818": "EG", "710": "ZA", "484": "MX", "032": "AR", "360": "ID", "586": "PK", "760": "SY",
    "368": "IQ", "784": "AE", "634": "QA", "012": "DZ", "504": "MA", "788": "TN", "434": "LY",
    "400": "JO", "422": "LB", "795": "TM", "860": "UZ", "417": "KG", "762": "TJ", "004": "AF",
    "496": "MN", "704": "VN", "764": "TH", "458": "MY", "702": "SG", "608": "PH", "566": "NG",
    "231": "ET", "404": "KE", "158": "TW",
}  # fmt: skip
NAMED = {"Kosovo": "XK"}  # shapes without a numeric code

# What the Europe view shows: shapes that reach into this box (degrees).
EUROPE = (-25.0, 34.0, 45.0, 72.0)  # west, south, east, north
EUROPE_SIZE = (600, 520)
WORLD_SIZE = (600, 300)


@dataclass(frozen=True)
class Shape:
    iso: str  # alpha-2, "" when the code is unknown
    name: str  # Natural Earth's name
    path: str  # SVG path data in the view's units


@dataclass(frozen=True)
class View:
    name: str
    width: int
    height: int
    shapes: tuple[Shape, ...]


def _arcs(topology) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _ring(indices, arcs) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def _polygons(geometry, arcs):
    if geometry["type"] == "Polygon":
        return [[_ring(ring, arcs) for ring in geometry["arcs"]]]
    if geometry["type"] == "MultiPolygon":
        return [[_ring(ring, arcs) for ring in polygon] for polygon in geometry["arcs"]]
    return []


def _laea(lon: float, lat: float, lon0: float = 15.0, lat0: float = 52.0):
    """Lambert azimuthal equal-area, on a unit sphere."""
    phi, lam = math.radians(lat), math.radians(lon - lon0)
    phi0 = math.radians(lat0)
    cos_c = math.sin(phi0) * math.sin(phi) + math.cos(phi0) * math.cos(phi) * math.cos(lam)
    k = math.sqrt(2 / max(1e-9, 1 + cos_c))
    x = k * math.cos(phi) * math.sin(lam)
    y = k * (math.cos(phi0) * math.sin(phi) - math.sin(phi0) * math.cos(phi) * math.cos(lam))
    return x, -y


def _path(polygons, project, size: tuple[int, int]) -> str:
    """Path data to whole units of the view, each point once; what lies far
    outside the view is pressed onto a margin around it (it is not seen, and
    Russia's east would otherwise be most of the page's weight)."""
    width, height = size
    margin = 20
    parts = []
    for polygon in polygons:
        for ring in polygon:
            last = None
            coords = []
            for lon, lat in ring:
                x, y = project(lon, lat)
                x = min(max(x, -margin), width + margin)
                y = min(max(y, -margin), height + margin)
                point = (round(x), round(y))
                if point != last:
                    coords.append(point)
                    last = point
            if len(coords) >= 3:
                # Relative steps after the first point: a third shorter.
                steps = " ".join(
                    f"{x - px},{y - py}"
                    for (px, py), (x, y) in zip(coords, coords[1:], strict=False)
                )
                parts.append(f"M{coords[0][0]},{coords[0][1]}l{steps}z")
    return "".join(parts)


def _reaches(polygons, box) -> bool:
    west, south, east, north = box
    return any(
        west <= lon <= east and south <= lat <= north
        for polygon in polygons
        for ring in polygon
        for lon, lat in ring
    )


def _load(name: str):
    topology = json.loads((ATLAS / name).read_text(encoding="utf-8"))
    arcs = _arcs(topology)
    for geometry in topology["objects"]["countries"]["geometries"]:
        name_ = geometry.get("properties", {}).get("name", "")
        iso = NUMERIC.get(geometry.get("id", ""), NAMED.get(name_, ""))
        yield iso, name_, _polygons(geometry, arcs)


@cache
def europe() -> View:
    width, height = EUROPE_SIZE
    west, south, east, north = EUROPE
    corners = [_laea(lon, lat) for lon in (west, east, 15) for lat in (south, north)]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    x0, y0 = min(xs), min(ys)
    scale = min(width / (max(xs) - x0), height / (max(ys) - y0))

    def project(lon, lat):
        x, y = _laea(lon, lat)
        return (x - x0) * scale, (y - y0) * scale

    shapes = tuple(
        Shape(iso, name, _path(polygons, project, EUROPE_SIZE))
        for iso, name, polygons in _load("countries-50m.json")
        if _reaches(polygons, EUROPE)
    )
    return View("europe", width, height, shapes)


@cache
def world() -> View:
    width, height = WORLD_SIZE

    def project(lon, lat):
        return (lon + 180) * width / 360, (90 - lat) * height / 180

    shapes = tuple(
        Shape(iso, name, _path(polygons, project, WORLD_SIZE))
        for iso, name, polygons in _load("countries-110m.json")
        if name != "Antarctica"
    )
    return View("world", width, height, shapes)
