"""Read one loaded file, workbook or CSV, in a child process under a time and memory limit (bounded.py):
the entry point of loadfile.py (CSV, sheets, headers) and workbook.py (workbooks)."""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from healthdash.ingest import bounded, problems
from healthdash.ingest.loadfile import (
    CSV_SUFFIXES,
    READ_MEMORY_MB,
    READ_SECONDS,
    WORKBOOK_SUFFIXES,
    Source,
    read_csv,
    too_large,
)
from healthdash.ingest.workbook import read_workbook


def read_source(name: str, data: bytes, *, limit: int) -> Source:
    """Read one file (its name as uploaded and its bytes) in a bounded child process. Never raises on bad
    content: reports it, and a file the child cannot read within its limits is reported as unreadable."""
    if len(data) > limit:
        source = Source(name, len(data), hashlib.sha256(data).hexdigest())
        source.problems.append(too_large(name, len(data), limit))
        return source
    outcome = bounded.run(read_unbounded, name, data, seconds=READ_SECONDS, memory_mb=READ_MEMORY_MB)
    if outcome.ok:
        source = outcome.value
    else:
        source = Source(name, len(data), hashlib.sha256(data).hexdigest())
        if outcome.failure == "timeout":
            source.problems.append(problems.one(name, "read_timeout", seconds=READ_SECONDS))
        elif outcome.failure == "memory":
            source.problems.append(problems.one(name, "read_memory", limit=READ_MEMORY_MB))
        else:
            source.problems.append(problems.one(name, "read_crashed", detail=outcome.detail))
    source.peak_rss_mb = outcome.peak_rss_mb
    return source


def read_unbounded(name: str, data: bytes) -> Source:
    """The reading itself, with no limits of its own: call it through read_source."""
    source = Source(name, len(data), hashlib.sha256(data).hexdigest())
    suffix = PurePath(name).suffix.lower()
    if not data.strip():
        source.problems.append(problems.one(name, "empty_file"))
    elif suffix in WORKBOOK_SUFFIXES:
        read_workbook(source, data)
    elif suffix in CSV_SUFFIXES:
        read_csv(source, data)
    else:
        source.problems.append(problems.one(name, "unsupported_type", ext=suffix or "(无)"))
    if not source.problems and not any(len(sheet.frame) for sheet in source.sheets):
        if source.ignored_sheets:
            source.problems.append(problems.one(name, "no_data_ignored", sheets="、".join(source.ignored_sheets)))
        else:
            source.problems.append(problems.one(name, "no_data"))
    return source


# Tables --------------------------------------------------------------------------------------------------
