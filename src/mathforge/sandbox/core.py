"""The parent side: a pool of warm sandbox workers, sessions, and the result type.

Each session (one problem) gets its own worker process, so variables persist across its cells and
nothing persists across problems. A cell that overruns its wall-clock limit has its worker's whole
process group killed; the session continues in a fresh worker (its variables are lost, and the next
result says so). Closing a session kills its worker and removes its working directory.

The worker runs untrusted code, so nothing it sends is trusted: every message is checked (size, JSON,
shape, types, and the id of the request it answers); anything else kills the worker and the cell is
reported as ``killed`` with the error "protocol violation". Output and errors are cut to ``keep_chars``
here, whatever the worker did. The CPU limit of each cell is set from here too (``prlimit``), so the
worker never needs the right to change its own limits.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import resource
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

from mathforge.sandbox.worker import MSG_HEADER

CLEAN_ENV = {
    "PATH": "/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "HOME": "/nonexistent",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
}


@dataclass(frozen=True)
class SandboxConfig:
    timeout: float = 10.0  # wall-clock seconds per cell
    cpu_seconds: int = 10
    memory_mb: int = 1024
    file_mb: int = 16
    keep_chars: int = 4000  # stdout characters returned (models see this)
    cap_chars: int = 1_000_000  # a cell that prints more is stopped
    warm: int = 2  # idle workers kept ready
    network_namespace: bool = True
    start_timeout: float = 60.0


@dataclass(frozen=True)
class CellResult:
    """What one cell did. ``status``: ``ok``, ``error`` (the cell raised; ``error`` holds the last line
    of the traceback, as models expect), ``timeout`` (wall clock; worker killed) or ``killed`` (the
    worker died: CPU limit, crash)."""

    stdout: str
    error: str | None
    status: str
    truncated: bool = False
    seconds: float = 0.0
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def for_model(self) -> str:
        """The text appended to a transcript as ``output``."""
        parts = [self.stdout.rstrip()] if self.stdout.strip() else []
        if self.truncated:
            parts.append("... (output truncated)")
        if self.status == "timeout":
            parts.append("TimeoutError: the code ran too long and was stopped")
        elif self.status == "killed":
            parts.append(f"Killed: {self.error or 'the process died'}")
        elif self.error:
            parts.append(self.error)
        return "\n".join(parts)


class SandboxError(RuntimeError):
    pass


LAUNCH = "from mathforge.sandbox.worker import main; main()"
RESULT_KEYS = frozenset({"id", "stdout", "error", "truncated", "seconds"})
CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), from /proc."""
    with open(f"/proc/{pid}/stat", "rb") as f:
        fields = f.read().rsplit(b")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def _valid_result(msg: Any, ident: str) -> bool:
    """A well-formed answer to the request ``ident``: exactly the expected keys, each of its type."""
    if type(msg) is not dict or msg.keys() != RESULT_KEYS or msg["id"] != ident:
        return False
    seconds = msg["seconds"]
    return (
        type(msg["stdout"]) is str
        and (msg["error"] is None or type(msg["error"]) is str)
        and type(msg["truncated"]) is bool
        and type(seconds) in (int, float)
        and math.isfinite(seconds)
        and seconds >= 0
    )


class _Worker:
    """One sandbox process and its pipes. The working directory is created here, so the parent always
    knows what to remove; the worker's reaper removes it if the parent dies first (the lifeline pipe,
    whose write end only this object holds, reads EOF then)."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.info: dict[str, Any] = {}
        self.max_bytes = 64 * 1024 + 32 * max(config.keep_chars, 0)
        self.workdir: str | None = tempfile.mkdtemp(prefix="mf-sandbox-")
        to_r, to_w = os.pipe()
        from_r, from_w = os.pipe()
        life_r, life_w = os.pipe()
        cfg = json.dumps({**asdict(config), "workdir": self.workdir, "lifeline": life_r})
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-I", "-c", LAUNCH, str(to_r), str(from_w), cfg],
                pass_fds=(to_r, from_w, life_r),
                env=CLEAN_ENV,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: a kill takes everything it started
                cwd="/",
            )
        except BaseException:
            for fd in (to_w, from_r, life_w):
                os.close(fd)
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise
        finally:
            for fd in (to_r, from_w, life_r):
                os.close(fd)
        self.w, self.r, self.life = to_w, from_r, life_w
        os.set_blocking(self.w, False)  # a worker that stops reading cannot block the parent

    def wait_ready(self, timeout: float) -> None:
        status, msg = self._recv(timeout)
        ok = (
            status == "ok"
            and type(msg) is dict
            and msg.get("ready") is True
            and msg.get("workdir") == self.workdir
            and type(msg.get("isolation")) is dict
        )
        if not ok:
            self.kill()
            raise SandboxError("a sandbox worker failed to start")
        self.info = msg["isolation"]

    def _recv(self, timeout: float) -> tuple[str, Any]:
        """One message: ("ok", message), ("timeout", None), ("eof", None) or ("bad", why)."""
        deadline = time.monotonic() + timeout
        buf = b""
        need = MSG_HEADER
        size = None
        poller = select.poll()
        poller.register(self.r, select.POLLIN)
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not poller.poll(left * 1000):
                return "timeout", None
            chunk = os.read(self.r, min(1 << 20, need - len(buf)))
            if not chunk:
                return "eof", None
            buf += chunk
            if len(buf) < need:
                continue
            if size is None:
                size = int.from_bytes(buf, "big")
                if size > self.max_bytes:
                    return "bad", f"a message of {size} bytes"
                buf, need = b"", size
                if size:
                    continue
            try:
                return "ok", json.loads(buf)
            except (ValueError, RecursionError):
                return "bad", "not JSON"

    def _send(self, data: bytes, timeout: float) -> str:
        """("ok" | "eof" | "timeout"): write the whole request, within the cell's time."""
        deadline = time.monotonic() + timeout
        view = memoryview(data)
        poller = select.poll()
        poller.register(self.w, select.POLLOUT)
        while view:
            try:
                view = view[os.write(self.w, view) :]
                continue
            except BlockingIOError:
                pass
            except (BrokenPipeError, OSError):
                return "eof"
            left = deadline - time.monotonic()
            if left <= 0:
                return "timeout"
            poller.poll(left * 1000)
        return "ok"

    def _limit_cpu(self) -> None:
        """RLIMIT_CPU of the worker: what it used so far plus the cell's budget, plus half a second or
        more (the limit is in whole seconds): a loop is stopped by the wall clock first when both limits
        are equal. SIGXCPU at the soft limit; SIGKILL a second later, if the cell ignores SIGXCPU."""
        pid = self.proc.pid
        try:
            soft = math.ceil(_cpu_seconds(pid) + self.config.cpu_seconds + 0.5)
        except (OSError, ValueError, IndexError):
            return
        try:  # the hard limit too, where this process may raise it again for the next cell
            resource.prlimit(pid, resource.RLIMIT_CPU, (soft, soft + 1))
            return
        except (OSError, ValueError):
            pass
        with contextlib.suppress(OSError, ValueError):
            hard = resource.prlimit(pid, resource.RLIMIT_CPU)[1]
            if hard != resource.RLIM_INFINITY:
                soft = min(soft, hard)
            resource.prlimit(pid, resource.RLIMIT_CPU, (soft, hard))

    def run(self, code: str) -> CellResult:
        ident = secrets.token_hex(8)
        data = json.dumps({"code": code, "id": ident}).encode()
        data = len(data).to_bytes(MSG_HEADER, "big") + data
        self._limit_cpu()
        t0 = time.perf_counter()
        sent = self._send(data, self.config.timeout)
        if sent == "eof":
            code_ = self.kill()
            return CellResult("", self._why(code_, "the sandbox process had exited"), "killed")
        status, msg = ("timeout", None) if sent == "timeout" else ("", None)
        if sent == "ok":
            left = self.config.timeout - (time.perf_counter() - t0)
            status, msg = self._recv(left)
        elapsed = time.perf_counter() - t0
        if status == "timeout":
            self.kill()
            return CellResult("", None, "timeout", seconds=elapsed)
        if status == "eof":
            return CellResult("", self._why(self.kill()), "killed", seconds=elapsed)
        if status == "bad" or not _valid_result(msg, ident):
            self.kill()
            return CellResult("", "protocol violation", "killed", seconds=elapsed)
        keep = self.config.keep_chars
        stdout, error = msg["stdout"], msg["error"] or None
        truncated = msg["truncated"] or len(stdout) > keep
        if error is not None:
            error = error[:keep]
        seconds = min(float(msg["seconds"]), elapsed)
        return CellResult(stdout[:keep], error, "error" if error else "ok", truncated, seconds)

    @staticmethod
    def _why(code: int | None, default: str | None = None) -> str:
        known = {
            -signal.SIGXCPU: "CPU time limit exceeded",
            -signal.SIGKILL: "killed",
            -signal.SIGSEGV: "crashed (segmentation fault)",
            -signal.SIGSYS: "killed by the seccomp filter",
        }
        if code in known:
            return known[code]
        return default or f"exited with status {code}"

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        """SIGKILL to the worker's process group, nothing else (safe while another thread waits on the
        worker: that thread sees EOF and cleans up with ``kill``)."""
        if self.proc.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(self.proc.pid, signal.SIGKILL)

    def kill(self) -> int | None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # the worker and its reaper
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()  # in case it left its process group
        try:
            code = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
        for fd in (self.w, self.r, self.life):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.w = self.r = self.life = -1
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
        return code


class Session:
    """Cells of one problem: later cells see earlier variables."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.worker: _Worker | None = None
        self.cells = 0

    def run(self, code: str) -> CellResult:
        note = None
        if self.worker is None or not self.worker.alive():
            note = (
                "earlier variables were lost: the previous cell's process was stopped" if self.cells else None
            )
            if self.worker is not None:
                self.worker.kill()
            self.worker = self.sandbox._take()
        self.cells += 1
        result = self.worker.run(code)
        if note:
            result = CellResult(
                result.stdout, result.error, result.status, result.truncated, result.seconds, note
            )
        return result

    def close(self) -> None:
        if self.worker is not None:
            self.worker.kill()
            self.worker = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Sandbox:
    """Isolated Python execution with a pool of warm workers.

    >>> with Sandbox() as sb:
    ...     sb.run("print(2 + 2)").stdout
    '4\\n'
    """

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self._idle: deque[_Worker] = deque()
        self._starting: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._filling = threading.Event()  # set while the refill thread runs
        self._filler: threading.Thread | None = None
        self._isolation: dict[str, Any] | None = None
        self._refill()

    @property
    def isolation(self) -> dict[str, Any]:
        """Which isolation layers are active (from a live worker's own report)."""
        if self._isolation is None:
            w = self._take()
            self._isolation = w.info
            with self._lock:
                self._idle.appendleft(w)
        return self._isolation

    def _start(self) -> _Worker:
        w = _Worker(self.config)
        with self._lock:
            closed = self._closed
            if not closed:
                self._starting.add(w)
        if closed:
            w.kill()
            raise SandboxError("the sandbox is closed")
        try:
            w.wait_ready(self.config.start_timeout)
        finally:
            with self._lock:
                self._starting.discard(w)
        if self._isolation is None:
            self._isolation = w.info
        return w

    def _fill(self) -> None:
        try:
            while True:
                with self._lock:
                    if self._closed or len(self._idle) >= self.config.warm:
                        return
                try:
                    w = self._start()
                except Exception:  # SandboxError, or no process could be started: try again later
                    return
                with self._lock:
                    keep = not self._closed
                    if keep:
                        self._idle.append(w)
                if not keep:
                    w.kill()
                    return
        finally:
            with self._lock:
                if self._filler is threading.current_thread():
                    self._filler = None
                    self._filling.clear()

    def _refill(self) -> None:
        with self._lock:
            if self.config.warm <= 0 or self._closed or self._filler is not None:
                return
            self._filler = threading.Thread(target=self._fill, name="sandbox-refill", daemon=True)
            self._filling.set()
            filler = self._filler
        filler.start()

    def _take(self) -> _Worker:
        if self._closed:
            raise SandboxError("the sandbox is closed")
        with self._lock:
            w = self._idle.popleft() if self._idle else None
        self._refill()
        if w is not None and w.alive():
            return w
        if w is not None:
            w.kill()
        return self._start()

    def session(self) -> Session:
        return Session(self)

    def run(self, code: str) -> CellResult:
        """One cell in a fresh session."""
        with self.session() as s:
            return s.run(code)

    def close(self) -> None:
        """Kill the idle workers and any worker being started (by the refill thread or a session), and
        wait for the refill thread: nothing of this sandbox runs, or stays in /tmp, after it returns."""
        with self._lock:
            self._closed = True
            idle, self._idle = list(self._idle), deque()
            starting = list(self._starting)
            filler = self._filler
        for w in idle:
            w.kill()
        for w in starting:
            w.stop()  # its starter sees EOF, removes the worker's directory and gives up
        if filler is not None and filler is not threading.current_thread():
            filler.join(timeout=30)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def describe_isolation(info: dict[str, Any]) -> str:
    """One line for the user: which layers protect them (and which could not be installed)."""
    net = (
        "network namespace (no network)"
        if info.get("network_namespace")
        else "sockets refused (no namespace)"
    )
    missing = info.get("unavailable") or {}
    abi = info.get("landlock")
    landlock = (
        f"Landlock ABI {abi} (files outside the workdir read-only or hidden"
        + (", no TCP" if abi >= 4 else "")
        + (", no signals out" if abi >= 6 else "")
        + ")"
        if type(abi) is int and abi > 0
        else f"no Landlock ({missing.get('landlock', 'not reported')})"
    )
    seccomp = (
        "seccomp filter (no processes, signals, sockets, mounts)"
        if info.get("seccomp")
        else f"no seccomp ({missing.get('seccomp', 'not reported')})"
    )
    caps = info.get("capabilities")
    caps_text = f"capabilities {caps}" if caps else "capabilities kept"
    limits = ", ".join(f"{k}={v}" for k, v in info.get("rlimits", {}).items())
    return (
        f"sandbox: {net}; user {info.get('user')}; {landlock}; {seccomp}; {caps_text}; audit hook; "
        f"limits {limits}"
    )
