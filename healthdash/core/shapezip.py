"""A zipped shapefile (.shp, .shx, .dbf, .prj, optionally .cpg) read into the GeoJSON FeatureCollection that
core.geo checks: attributes from the .dbf, outlines in degrees (Transverse Mercator taken back by
core.projection, geographic coordinates kept as given). Read with pyshp (pure Python, no GDAL).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath

import shapefile

from healthdash.core.geo import CODE_KEYS, BoundaryError
from healthdash.core.projection import Transform, transform_of

# Polygon shapes with or without Z and M values; anything else (points, lines) is no area.
_POLYGONS = (shapefile.POLYGON, shapefile.POLYGONZ, shapefile.POLYGONM)
# Code pages as .cpg files write them, mapped to Python's names; GB files without a .cpg are tried as GBK.
_CODE_PAGES = {"936": "gbk", "cp936": "gbk", "gb2312": "gbk", "65001": "utf-8", "utf8": "utf-8"}
# A zip whose members unpack to many times the upload limit is refused before it is unpacked (zip bomb).
_UNPACKED_FACTOR = 20


def is_zip(raw: bytes) -> bool:
    return raw[:4] == b"PK\x03\x04"


def _members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The archive's one shapefile: extension -> member. Refuses none or several .shp files."""
    shps = [info for info in archive.infolist() if info.filename.lower().endswith(".shp")
            and not PurePosixPath(info.filename).name.startswith(".")]
    if not shps:
        raise BoundaryError("zip_no_shp")
    if len(shps) > 1:
        raise BoundaryError("zip_many_shp", files="、".join(PurePosixPath(i.filename).name for i in shps[:5]))
    stem = shps[0].filename[:-4].lower()
    return {info.filename[len(stem):].lower(): info for info in archive.infolist()
            if info.filename.lower().startswith(stem) and len(info.filename) > len(stem)}


def _encoding(cpg: bytes | None) -> list[str]:
    if cpg:
        name = cpg.decode("ascii", "ignore").strip().lower()
        return [_CODE_PAGES.get(name, name)]
    return ["utf-8", "gbk"]


def _records(reader: shapefile.Reader) -> list[dict]:
    return [record.as_dict() for record in reader.iterRecords()]


def _rings(geometry: dict, transform: Transform | None) -> dict:
    """pyshp's geometry (tuples) as GeoJSON lists, each point taken to degrees by `transform`."""
    def point(xy: tuple) -> list[float]:
        return list(transform(xy[0], xy[1])) if transform is not None else [xy[0], xy[1]]

    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return {"type": "MultiPolygon", "coordinates": [[[point(xy) for xy in ring] for ring in polygon]
                                                     for polygon in polygons]}


def read_zip(raw: bytes, limit_bytes: int) -> dict:
    """The zipped shapefile as a GeoJSON FeatureCollection in degrees; raises BoundaryError for a file that
    is no zip, lacks its .shp or .dbf, has a projection other than Transverse Mercator, or does not read."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise BoundaryError("not_zip") from None
    with archive:
        if sum(info.file_size for info in archive.infolist()) > _UNPACKED_FACTOR * limit_bytes:
            raise BoundaryError("too_large", limit=f"{limit_bytes / 1024 / 1024:g}")
        members = _members(archive)
        if ".dbf" not in members:
            raise BoundaryError("zip_no_dbf")
        try:
            parts = {ext: archive.read(info) for ext, info in members.items() if ext in (".shp", ".shx", ".dbf", ".prj", ".cpg")}
        except (zipfile.BadZipFile, OSError, RuntimeError):  # a damaged member, or one that is encrypted
            raise BoundaryError("not_zip") from None
    prj = parts[".prj"].decode("utf-8", "replace") if ".prj" in parts else None
    transform = transform_of(prj)
    return _collection(parts, transform, prj is None)


def _collection(parts: dict[str, bytes], transform: Transform | None, no_prj: bool) -> dict:
    for encoding in _encoding(parts.get(".cpg")):
        shx = io.BytesIO(parts[".shx"]) if ".shx" in parts else None
        try:
            reader = shapefile.Reader(shp=io.BytesIO(parts[".shp"]), shx=shx, dbf=io.BytesIO(parts[".dbf"]),
                                      encoding=encoding)
            records = _records(reader)
            shapes = reader.shapes()
            break
        except UnicodeDecodeError:
            continue
        except Exception as error:  # noqa: BLE001 (pyshp raises struct.error, IndexError… on a damaged file)
            if "decode" in str(error):  # pyshp's dbfFileException for text of another encoding
                continue
            raise BoundaryError("bad_shapefile", reason=type(error).__name__) from None
    else:
        raise BoundaryError("bad_encoding")
    if reader.shapeType not in _POLYGONS:
        raise BoundaryError("zip_not_polygons", kind=shapefile.SHAPETYPE_LOOKUP.get(reader.shapeType, "?"))
    fields = [field[0] for field in reader.fields[1:]]  # the first is pyshp's deletion flag
    if not any(key in fields for key in CODE_KEYS):
        raise BoundaryError("no_code_field", fields="、".join(fields[:12]) or "—", keys="、".join(CODE_KEYS[:4]))
    if len(shapes) != len(records):
        raise BoundaryError("bad_shapefile", reason=f"{len(shapes)} ≠ {len(records)}")
    if no_prj and reader.bbox and not (-180 <= reader.bbox[0] <= 180 and -90 <= reader.bbox[1] <= 90):
        raise BoundaryError("zip_no_prj")  # projected metres with nothing to say which projection
    features = []
    for shape, record in zip(shapes, records, strict=True):
        geometry = None
        if shape.shapeType in _POLYGONS and shape.points:
            try:
                geometry = _rings(shape.__geo_interface__, transform)
            except (ValueError, IndexError, ZeroDivisionError, OverflowError):
                geometry = None
        features.append({"type": "Feature", "properties": record, "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}
