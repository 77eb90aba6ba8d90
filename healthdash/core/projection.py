"""The coordinate system of a shapefile's .prj (WKT), and the one projection the product takes back to degrees:
Transverse Mercator (Gauss–Krüger), in which the standard map service and most Chinese GIS offices export
(CGCS2000, Xian 1980 or Beijing 1954, 3° or 6° zones). Other projections are refused, never guessed.

Pure Python (Snyder, Map Projections — A Working Manual, USGS 1395, §8): millimetres within a zone, far
below what a map simplified to 100 m can show. The datum is kept as the .prj names it (no datum shift).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from healthdash.core.geo import BoundaryError

Transform = Callable[[float, float], tuple[float, float]]
_TRANSVERSE_MERCATOR = ("transverse_mercator", "gauss_kruger", "gauss-kruger", "transverse mercator")
_NUMBER = r"\s*([-+0-9.eE]+)\s*"


@dataclass(frozen=True)
class TransverseMercator:
    """Inverse Transverse Mercator on an ellipsoid: projected metres (or `unit` metres) to degrees."""

    semi_major: float
    inverse_flattening: float
    central_meridian: float
    scale: float = 1.0
    false_easting: float = 0.0
    false_northing: float = 0.0
    latitude_of_origin: float = 0.0
    unit: float = 1.0

    def _meridian_arc(self, phi: float) -> float:
        e2 = self._e2
        return self.semi_major * ((1 - e2 / 4 - 3 * e2**2 / 64 - 5 * e2**3 / 256) * phi
                                  - (3 * e2 / 8 + 3 * e2**2 / 32 + 45 * e2**3 / 1024) * math.sin(2 * phi)
                                  + (15 * e2**2 / 256 + 45 * e2**3 / 1024) * math.sin(4 * phi)
                                  - (35 * e2**3 / 3072) * math.sin(6 * phi))

    @property
    def _e2(self) -> float:
        f = 1 / self.inverse_flattening if self.inverse_flattening else 0.0
        return f * (2 - f)

    def __call__(self, x: float, y: float) -> tuple[float, float]:
        a, e2, k0 = self.semi_major, self._e2, self.scale
        ep2 = e2 / (1 - e2)
        x, y = x * self.unit - self.false_easting, y * self.unit - self.false_northing
        m = self._meridian_arc(math.radians(self.latitude_of_origin)) + y / k0
        mu = m / (a * (1 - e2 / 4 - 3 * e2**2 / 64 - 5 * e2**3 / 256))
        e1 = (1 - math.sqrt(1 - e2)) / (1 + math.sqrt(1 - e2))
        phi1 = (mu + (3 * e1 / 2 - 27 * e1**3 / 32) * math.sin(2 * mu)
                + (21 * e1**2 / 16 - 55 * e1**4 / 32) * math.sin(4 * mu)
                + (151 * e1**3 / 96) * math.sin(6 * mu) + (1097 * e1**4 / 512) * math.sin(8 * mu))
        sin1, cos1, tan1 = math.sin(phi1), math.cos(phi1), math.tan(phi1)
        c1, t1 = ep2 * cos1**2, tan1**2
        n1 = a / math.sqrt(1 - e2 * sin1**2)
        r1 = a * (1 - e2) / (1 - e2 * sin1**2) ** 1.5
        d = x / (n1 * k0)
        phi = phi1 - (n1 * tan1 / r1) * (d**2 / 2 - (5 + 3 * t1 + 10 * c1 - 4 * c1**2 - 9 * ep2) * d**4 / 24
                                         + (61 + 90 * t1 + 298 * c1 + 45 * t1**2 - 252 * ep2 - 3 * c1**2) * d**6 / 720)
        lam = (d - (1 + 2 * t1 + c1) * d**3 / 6
               + (5 - 2 * c1 + 28 * t1 - 3 * c1**2 + 8 * ep2 + 24 * t1**2) * d**5 / 120) / cos1
        return self.central_meridian + math.degrees(lam), math.degrees(phi)


def _parameter(wkt: str, *names: str) -> float | None:
    for name in names:
        found = re.search(rf'PARAMETER\[\s*"{name}"\s*,{_NUMBER}\]', wkt, re.IGNORECASE)
        if found:
            return float(found.group(1))
    return None


def transform_of(prj: str | None) -> Transform | None:
    """How to take a shapefile's coordinates to degrees: None for a geographic system (kept as given),
    a function for Transverse Mercator; raises BoundaryError for any other projection or unreadable text."""
    if prj is None:
        return None
    wkt = prj.strip()
    head = wkt.split("[", 1)[0].strip().upper()
    if head in ("GEOGCS", "GEOGCRS", "GEODCRS"):
        return None
    if head not in ("PROJCS", "PROJCRS"):
        raise BoundaryError("bad_prj")
    method = re.search(r'(?:PROJECTION|METHOD)\[\s*"([^"]+)"', wkt, re.IGNORECASE)
    name = method.group(1) if method else "—"
    spheroid = re.search(rf'(?:SPHEROID|ELLIPSOID)\[\s*"[^"]*"\s*,{_NUMBER},{_NUMBER}', wkt, re.IGNORECASE)
    meridian = _parameter(wkt, "central_meridian", "longitude_of_center", "longitude of natural origin")
    if name.lower() not in _TRANSVERSE_MERCATOR or spheroid is None or meridian is None:
        raise BoundaryError("projection", projection=name)
    # The linear unit is the last UNIT of a PROJCS (the GEOGCS's angular unit comes first).
    units = re.findall(rf'UNIT\[\s*"[^"]*"\s*,{_NUMBER}\]', wkt, re.IGNORECASE)
    return TransverseMercator(
        semi_major=float(spheroid.group(1)), inverse_flattening=float(spheroid.group(2)), central_meridian=meridian,
        scale=_parameter(wkt, "scale_factor", "scale factor at natural origin") or 1.0,
        false_easting=_parameter(wkt, "false_easting", "false easting") or 0.0,
        false_northing=_parameter(wkt, "false_northing", "false northing") or 0.0,
        latitude_of_origin=_parameter(wkt, "latitude_of_origin", "latitude of natural origin") or 0.0,
        unit=float(units[-1]) if units and head == "PROJCS" else 1.0,
    )
