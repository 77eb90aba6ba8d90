"""Run a file reader in a child process under a time limit and a memory limit.

A hostile or broken file (a workbook that unpacks to gigabytes, a cell a million rows down) must cost the
dashboard seconds, not its memory: the reading happens in a child forked from a small server process
(multiprocessing's 'forkserver', which already imported the reader, so a child starts in milliseconds and
never inherits the dashboard's threads). The child caps its own address space (RLIMIT_AS) and CPU time;
the parent waits at most `seconds` and kills it after that. What the child returns is pickled back.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

# Imported once into the fork server: every child then starts with the reader ready.
_PRELOAD = ["healthdash.ingest.loadfile", "healthdash.ingest.workbook", "healthdash.ingest.read_file"]
_context_lock = threading.Lock()
_context: Any = None


@dataclass
class Outcome:
    """What became of a child: its value (when it finished), why it did not, and its peak memory."""

    value: Any = None
    failure: str | None = None     # None, "memory", "timeout" or "crashed"
    detail: str = ""               # for "crashed": the exit signal or the error's type
    peak_rss_mb: float | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


def _get_context() -> Any:
    global _context
    with _context_lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(_PRELOAD)
            _context = context
        return _context


def _address_space() -> int:
    """Bytes of address space this process holds now (a forked child holds its parent's libraries)."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _child(connection: Any, function: Callable[..., Any], args: tuple, memory: int, seconds: int) -> None:
    # The budget is on growth: the libraries mapped at fork already take hundreds of MB of address space.
    ceiling = _address_space() + memory
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))
    try:
        reply: tuple = ("ok", function(*args), "")
    except MemoryError:
        reply = ("memory", None, "")
    except Exception as error:  # any failure of a third-party parser on a damaged file: reported, not raised
        traceback.print_exc()  # to the server's log, for whoever looks into the file
        reply = ("crashed", None, type(error).__name__)
    try:
        connection.send((*reply, _peak_rss_mb()))
    except MemoryError:
        connection.send(("memory", None, "", _peak_rss_mb()))
    finally:
        connection.close()


@contextmanager
def _no_main_script() -> Iterator[None]:
    """A child started here would first run the script that is __main__ now (multiprocessing's main-module
    fix-up): a Streamlit page script, which fails outside a run. The reader needs none of it."""
    main = sys.modules["__main__"]
    saved = {key: main.__dict__[key] for key in ("__file__", "__spec__") if key in main.__dict__}
    main.__dict__.pop("__file__", None)
    main.__spec__ = None
    try:
        yield
    finally:
        main.__dict__.update(saved)


def run(function: Callable[..., Any], *args: Any, seconds: float, memory_mb: float) -> Outcome:
    """Call `function(*args)` in a child; never raises for what happens in the child."""
    context = _get_context()
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(send, function, args, int(memory_mb * 1048576), int(seconds) + 1),
                              daemon=True)
    with _no_main_script():
        process.start()
    send.close()
    try:
        if not receive.poll(seconds):
            return Outcome(failure="timeout")
        try:
            status, value, detail, peak = receive.recv()
        except (EOFError, OSError):  # the child died without a word
            process.join(5)
            return _died(process.exitcode)
        return Outcome(value, None if status == "ok" else status, detail, peak)
    finally:
        receive.close()
        if process.is_alive():
            process.kill()
        process.join(5)
        process.close()


def _died(exitcode: int | None) -> Outcome:
    """A child that died without replying: out of CPU time is a timeout; aborted (a native parser's failed
    allocation under RLIMIT_AS) or killed (the kernel's OOM killer) is out of memory."""
    if exitcode is not None and exitcode < 0:
        killed_by = signal.Signals(-exitcode)
        if killed_by == signal.SIGXCPU:
            return Outcome(failure="timeout")
        if killed_by in (signal.SIGABRT, signal.SIGKILL):
            return Outcome(failure="memory")
        return Outcome(failure="crashed", detail=killed_by.name)
    return Outcome(failure="crashed", detail=f"exit {exitcode}")
