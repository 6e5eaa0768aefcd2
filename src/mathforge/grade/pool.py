"""Killable worker processes for the symbolic path.

Why a process pool and not ``signal.alarm``: sympy and the ANTLR parser can spend minutes inside C code
or allocate gigabytes (``5^(5^(5^(5^5)))``), where an in-process alarm never fires or fires too late,
and alarms do not work outside the main thread. Each pair runs in a worker of a ``pebble`` process pool
with a hard wall-clock timeout; a worker that overruns is killed and replaced, and the pair is marked
``timeout``. Workers also run under an address-space limit, so a memory bomb kills only its worker.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import multiprocessing
import os
import resource
import signal
import threading
from concurrent.futures import TimeoutError as FutureTimeout
from multiprocessing import context as mp_context
from multiprocessing import forkserver, popen_forkserver, reduction, spawn, util

from pebble import ProcessExpired, ProcessPool

DEFAULT_TIMEOUT = 5.0
DEFAULT_MEMORY_MB = 3072


def _die_with_parent() -> None:
    """Ask the kernel to SIGKILL this worker when its parent dies (a ``kill -9``'d evaluation must not
    leave grader processes behind). Linux only; elsewhere a no-op."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _init_worker(memory_mb: int) -> None:
    _die_with_parent()
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # One thread per worker: the pool already provides the parallelism.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import mathforge.grade.symbolic  # noqa: F401 — warm the parser before the first task


def _worker_judge(gold: str, pred: str, kind: str) -> tuple[str, str]:
    from mathforge.grade.judge import judge

    decided = judge(gold, pred, kind, symbolic=True)
    assert decided is not None
    return decided


class _NoMainPopen(popen_forkserver.Popen):
    """forkserver start without re-importing the caller's ``__main__`` in the worker.

    Why by hand: the stock forkserver/spawn start runs the caller's script again in every worker (so a
    script without an ``if __name__ == "__main__"`` guard would recurse), and plain fork from a
    multi-threaded caller lets a worker inherit the exec-status pipe of a ``subprocess.Popen`` running in
    another thread at that moment, so that ``Popen`` waits forever. This is the standard library's
    ``popen_forkserver.Popen._launch`` with the main-module entries removed from the preparation data."""

    def _launch(self, process_obj):
        prep_data = spawn.get_preparation_data(process_obj._name)
        prep_data.pop("init_main_from_path", None)
        prep_data.pop("init_main_from_name", None)
        buf = io.BytesIO()
        mp_context.set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            mp_context.set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)
        parent_w = os.dup(w)
        self.finalizer = util.Finalize(self, util.close_fds, (parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _WorkerProcess(mp_context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj):
        return _NoMainPopen(process_obj)


class _WorkerContext(mp_context.ForkServerContext):
    Process = _WorkerProcess


def _context() -> multiprocessing.context.BaseContext:
    """Workers forked from a small single-threaded server that imported the parser once: a replacement
    worker starts in milliseconds, inherits nothing of the caller's but what it is given, and the
    caller's script is never re-run (the server preloads only our modules, not ``__main__``).
    spawn where forkserver does not exist."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    forkserver.set_forkserver_preload(["mathforge.grade.symbolic", "mathforge.grade.pool"])
    return _WorkerContext()


class SymbolicPool:
    """A pool of killable workers that each decide one (gold, pred) pair at a time."""

    def __init__(self, workers: int = 1, memory_mb: int = DEFAULT_MEMORY_MB) -> None:
        self.workers = max(1, workers)
        import mathforge.grade.symbolic  # noqa: F401 — imported once here, inherited by forked workers

        self._pool = ProcessPool(
            max_workers=self.workers, initializer=_init_worker, initargs=(memory_mb,), context=_context()
        )

    def submit(self, gold: str, pred: str, kind: str, timeout: float):
        return self._pool.schedule(_worker_judge, args=(gold, pred, kind), timeout=timeout)

    @staticmethod
    def result(future, timeout: float) -> tuple[str, str]:
        """The worker's decision, or a ``timeout`` verdict when it overran or died."""
        try:
            return future.result()
        except FutureTimeout:
            return "timeout", f"no decision within {timeout:g} s (worker killed)"
        except ProcessExpired as exc:
            return "timeout", f"worker died ({exc}); likely the memory limit"
        except Exception as exc:  # a bug in a worker must not sink the batch
            return "unparseable", f"grader error: {type(exc).__name__}: {exc}"

    @property
    def healthy(self) -> bool:
        """False once pebble's pool has failed (its manager thread hit an error): start a new one."""
        try:
            return bool(self._pool.active)
        except Exception:
            return False

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._pool.stop()
            self._pool.join(timeout=5)

    def __enter__(self) -> SymbolicPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_shared: SymbolicPool | None = None
_shared_lock = threading.Lock()


def shared_pool() -> SymbolicPool:
    """A lazily started one-worker pool for single calls (``is_equiv``), closed at exit."""
    global _shared
    with _shared_lock:
        if _shared is not None and not _shared.healthy:
            _shared.close()
            _shared = None
        if _shared is None:
            _shared = SymbolicPool(workers=1)
            atexit.register(_shared.close)
        return _shared
