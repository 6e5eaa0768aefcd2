"""The parent side: a pool of warm sandbox workers, sessions, and the result type.

Each session (one problem) gets its own worker process, so variables persist across its cells and
nothing persists across problems. A cell that overruns its wall-clock limit has its worker's whole
process group killed; the session continues in a fresh worker (its variables are lost, and the next
result says so). Closing a session kills its worker and removes its working directory.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
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


class _Worker:
    """One sandbox process and its pipes."""

    def __init__(self, config: SandboxConfig) -> None:
        to_r, to_w = os.pipe()
        from_r, from_w = os.pipe()
        cfg = json.dumps(asdict(config))
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-m", "mathforge.sandbox.worker", str(to_r), str(from_w), cfg],
            pass_fds=(to_r, from_w),
            env=CLEAN_ENV,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: a kill takes everything it started
            cwd="/",
        )
        os.close(to_r)
        os.close(from_w)
        self.w, self.r = to_w, from_r
        self.config = config
        self.info: dict[str, Any] = {}
        self.workdir: str | None = None

    def wait_ready(self, timeout: float) -> None:
        msg = self._recv(timeout)
        if msg is None or not msg.get("ready"):
            self.kill()
            raise SandboxError("a sandbox worker failed to start")
        self.info = msg["isolation"]
        self.workdir = msg["workdir"]

    def _recv(self, timeout: float) -> dict | None:
        deadline = time.monotonic() + timeout
        buf = b""
        need = MSG_HEADER
        size = None
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.r], [], [], left)
            if not ready:
                return None
            chunk = os.read(self.r, min(1 << 20, need - len(buf)))
            if not chunk:
                return {"eof": True}
            buf += chunk
            if len(buf) == need:
                if size is None:
                    size = int.from_bytes(buf, "big")
                    if size > 64 << 20:
                        return {"eof": True}
                    buf, need = b"", size
                else:
                    return json.loads(buf)

    def run(self, code: str) -> CellResult:
        data = json.dumps({"code": code}).encode()
        try:
            os.write(self.w, len(data).to_bytes(MSG_HEADER, "big") + data)
        except BrokenPipeError:
            return CellResult("", "the sandbox process had exited", "killed")
        t0 = time.perf_counter()
        msg = self._recv(self.config.timeout)
        elapsed = time.perf_counter() - t0
        if msg is None:
            self.kill()
            return CellResult("", None, "timeout", seconds=elapsed)
        if msg.get("eof"):
            code_ = self.kill()
            why = {
                -signal.SIGXCPU: "CPU time limit exceeded",
                -signal.SIGKILL: "killed",
                -signal.SIGSEGV: "crashed (segmentation fault)",
            }.get(code_ if code_ is not None else 0, f"exited with status {code_}")
            return CellResult("", why, "killed", seconds=elapsed)
        status = "error" if msg["error"] else "ok"
        return CellResult(msg["stdout"], msg["error"], status, msg["truncated"], msg["seconds"])

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> int | None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()  # in case it left its process group (os.setpgid has no audit event)
        try:
            code = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
        for fd in (self.w, self.r):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.w = self.r = -1
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
        self._lock = threading.Lock()
        self._closed = False
        self._filling = threading.Event()
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
        w.wait_ready(self.config.start_timeout)
        if self._isolation is None:
            self._isolation = w.info
        return w

    def _refill(self) -> None:
        def fill() -> None:
            while not self._closed:
                with self._lock:
                    if len(self._idle) >= self.config.warm:
                        break
                try:
                    w = self._start()
                except SandboxError:
                    break
                with self._lock:
                    if self._closed:
                        w.kill()
                        break
                    self._idle.append(w)
            self._filling.clear()

        if self.config.warm > 0 and not self._filling.is_set():
            self._filling.set()
            threading.Thread(target=fill, daemon=True).start()

    def _take(self) -> _Worker:
        if self._closed:
            raise SandboxError("the sandbox is closed")
        with self._lock:
            w = self._idle.popleft() if self._idle else None
        self._refill()
        if w is not None and w.alive():
            return w
        return self._start()

    def session(self) -> Session:
        return Session(self)

    def run(self, code: str) -> CellResult:
        """One cell in a fresh session."""
        with self.session() as s:
            return s.run(code)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            idle, self._idle = list(self._idle), deque()
        for w in idle:
            w.kill()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def describe_isolation(info: dict[str, Any]) -> str:
    """One line for the user: which layers protect them."""
    net = (
        "network namespace (no network)"
        if info.get("network_namespace")
        else "sockets refused (no namespace)"
    )
    limits = ", ".join(f"{k}={v}" for k, v in info.get("rlimits", {}).items())
    return f"sandbox: {net}; user {info.get('user')}; audit hook; limits {limits}"
