"""The parent side: a pool of warm sandbox workers, sessions, and the result type.

Each session (one problem) gets its own worker process, so variables persist across its cells and
nothing persists across problems. A cell that overruns its wall-clock limit has its worker's whole
process group killed; the session continues in a fresh worker (its variables are lost, and the next
result says so). Closing a session kills its worker and removes its working directory.

The worker runs untrusted code, so nothing it sends is trusted: every message is checked (size, JSON,
shape, types, and the id of the request it answers); anything else kills the worker and the cell is
reported as ``killed`` with the error "protocol violation". Output and errors are cut to ``keep_chars``
here, whatever the worker did, and made safe to show: lone surrogates become U+FFFD and control
characters other than newline and tab are dropped (no escape sequence reaches a terminal).

The CPU budget of each cell is counted from here (the worker's CPU time in /proc, checked while the cell
runs) and the cell is killed when it passes it, so it holds without raising a hard limit; a kernel
limit (``prlimit``) backs it up where this process may raise it again for the next cell. Where the
worker could not mount its size-limited tmpfs, its working directory's bytes and files are counted
from here too, during and after each cell, and a session past the budget is killed. A pids cgroup per
worker, made here where the cgroup file system is writable, caps its threads.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import resource
import secrets
import select
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from mathforge.safe_text import displayable
from mathforge.sandbox.worker import MSG_HEADER, remove_cgroup, remove_tree

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
    cpu_seconds: int = 10  # CPU seconds per cell (each cell gets its own budget)
    memory_mb: int = 1024
    file_mb: int = 16  # largest single file
    disk_mb: int = 64  # bytes a session may keep in its working directory, all files together
    disk_files: int = 2048  # files and directories a session may keep there
    private_tmpfs: bool = True  # enforce the disk budget with a tmpfs where the kernel allows it
    max_tasks: int = 32  # processes and threads per worker (pids cgroup, else RLIMIT_NPROC)
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
WATCH_EVERY = 0.05  # seconds between checks of a running cell's CPU time
DISK_EVERY = 0.5  # seconds between checks of its working directory (where no tmpfs is mounted)
RESULT_KEYS = frozenset({"id", "stdout", "error", "truncated", "seconds"})
CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), from /proc."""
    with open(f"/proc/{pid}/stat", "rb") as f:
        fields = f.read().rsplit(b")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def _valid_result(msg: Any, ident: str) -> bool:
    """A well-formed answer to the request ``ident``: exactly the expected keys, each of its type, and a
    duration that is a finite, non-negative float (an int as large as ``10**400`` is refused before any
    conversion could overflow)."""
    if type(msg) is not dict or msg.keys() != RESULT_KEYS or msg["id"] != ident:
        return False
    seconds = msg["seconds"]
    if type(seconds) is int:
        seconds_ok = 0 <= seconds <= 10**9
    else:
        seconds_ok = type(seconds) is float and math.isfinite(seconds) and seconds >= 0
    return (
        seconds_ok
        and type(msg["stdout"]) is str
        and (msg["error"] is None or type(msg["error"]) is str)
        and type(msg["truncated"]) is bool
    )


def _can_raise_limits() -> bool:
    """Whether this process holds CAP_SYS_RESOURCE (may raise a hard limit it lowered)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("CapEff:"):
                    return bool(int(line.split()[1], 16) >> 24 & 1)
    except (OSError, ValueError, IndexError):
        pass
    return False


_CAN_RAISE_LIMITS = _can_raise_limits()


def _pids_cgroup_base() -> str | None:
    """Where this process may make child pids cgroups: cgroup v1's pids hierarchy, or a v2 cgroup
    whose children get the pids controller. None when there is no such place (or it is not ours)."""
    try:
        with open("/proc/self/cgroup") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    for line in lines:
        hierarchy, controllers, path = [*line.split(":", 2), "", ""][:3]
        if "pids" in controllers.split(","):
            base = os.path.join("/sys/fs/cgroup/pids", path.lstrip("/"))
        elif hierarchy == "0" and controllers == "":
            base = os.path.join("/sys/fs/cgroup", path.lstrip("/"))
            try:
                with open(os.path.join(base, "cgroup.subtree_control")) as f:
                    if "pids" not in f.read().split():
                        continue
            except OSError:
                continue
        else:
            continue
        if os.access(base, os.W_OK):
            return os.path.join(base, "mathforge-sandbox")
    return None


_PIDS_BASE: list[str | None] = []  # found once per process


def _make_pids_cgroup(max_tasks: int) -> str | None:
    """A fresh pids cgroup allowing ``max_tasks`` tasks, for one worker to join; None if none can be made."""
    if not _PIDS_BASE:
        _PIDS_BASE.append(_pids_cgroup_base())
    base = _PIDS_BASE[0]
    if base is None:
        return None
    path = os.path.join(base, "w-" + secrets.token_hex(6))
    try:
        os.makedirs(path)
        with open(os.path.join(path, "pids.max"), "w") as f:
            f.write(str(max(1, max_tasks)))
        return path
    except OSError:
        remove_cgroup(path)
        return None


_DEEPEST_PATH = 3000  # characters: a working directory nested deeper counts as over its budget


def _disk_use(root: str, max_files: int) -> tuple[int, int, bool]:
    """(bytes allocated, files and directories, nested too deep) beneath ``root``, without following
    symlinks. The walk stops once it has seen more than ``max_files`` entries (the budget is passed)
    or a path longer than ``_DEEPEST_PATH`` (which a walk by path names could not follow far)."""
    used, count = 0, 0
    todo = [root]
    while todo and count <= max_files:
        try:
            with os.scandir(todo.pop()) as entries:
                for entry in entries:
                    count += 1
                    if len(entry.path) > _DEEPEST_PATH:
                        return used, count, True
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    used += st.st_blocks * 512
                    if stat.S_ISDIR(st.st_mode):
                        todo.append(entry.path)
        except OSError:
            continue
    return used, count, False


class _Worker:
    """One sandbox process and its pipes. The working directory is created here, so the parent always
    knows what to remove; the worker's reaper removes it if the parent dies first (the lifeline pipe,
    whose write end only this object holds, reads EOF then)."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.info: dict[str, Any] = {}
        self.max_bytes = 64 * 1024 + 32 * max(config.keep_chars, 0)
        self.workdir: str | None = tempfile.mkdtemp(prefix="mf-sandbox-")
        self.cgroup = _make_pids_cgroup(config.max_tasks)
        to_r, to_w = os.pipe()
        from_r, from_w = os.pipe()
        life_r, life_w = os.pipe()
        cfg = json.dumps(
            {**asdict(config), "workdir": self.workdir, "lifeline": life_r, "cgroup": self.cgroup}
        )
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
            remove_tree(self.workdir)
            remove_cgroup(self.cgroup)
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

    def _recv(self, timeout: float, watch: Callable[[], str | None] | None = None) -> tuple[str, Any]:
        """One message: ("ok", message), ("timeout", None), ("eof", None), ("bad", why), or
        ("stopped", why) when ``watch`` (called every ``WATCH_EVERY`` seconds of waiting) names a reason."""
        deadline = time.monotonic() + timeout
        buf = b""
        need = MSG_HEADER
        size = None
        poller = select.poll()
        poller.register(self.r, select.POLLIN)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return "timeout", None
            wait = min(left, WATCH_EVERY) if watch is not None else left
            if not poller.poll(wait * 1000):
                why = watch() if watch is not None else None
                if why:
                    return "stopped", why
                continue
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

    def _limit_cpu(self, used: float) -> None:
        """The kernel's backup of the per-cell CPU budget counted in ``run``: RLIMIT_CPU at what the worker
        used so far plus the cell's budget and a second (the limit is in whole seconds). SIGXCPU at the
        soft limit, SIGKILL a second later. The hard limit is lowered only where this process may raise it
        again for the next cell (CAP_SYS_RESOURCE); otherwise it is left alone and the soft limit moves
        beneath it, so a long session never runs out of CPU it was given per cell."""
        soft = math.ceil(used + self.config.cpu_seconds + 1)
        with contextlib.suppress(OSError, ValueError):
            if _CAN_RAISE_LIMITS:
                resource.prlimit(self.proc.pid, resource.RLIMIT_CPU, (soft, soft + 1))
                return
            hard = resource.prlimit(self.proc.pid, resource.RLIMIT_CPU)[1]
            if hard != resource.RLIM_INFINITY:
                soft = min(soft, hard)
            resource.prlimit(self.proc.pid, resource.RLIMIT_CPU, (soft, hard))

    def _over_disk(self) -> str | None:
        """Why the working directory is past the session's budget (only where no tmpfs enforces it)."""
        if self.info.get("disk_tmpfs") or not self.workdir:
            return None
        cfg = self.config
        used, files, deep = _disk_use(self.workdir, cfg.disk_files)
        if deep or used > cfg.disk_mb * 2**20 or files > cfg.disk_files:
            what = "directories nested too deep" if deep else f"{used / 2**20:.0f} MiB in {files} files"
            return f"disk budget exceeded ({what}; at most {cfg.disk_mb} MiB in {cfg.disk_files} files)"
        return None

    def run(self, code: str) -> CellResult:
        ident = secrets.token_hex(8)
        data = json.dumps({"code": code, "id": ident}).encode()
        data = len(data).to_bytes(MSG_HEADER, "big") + data
        pid = self.proc.pid
        try:
            cpu_start: float | None = _cpu_seconds(pid)
        except (OSError, ValueError, IndexError):
            cpu_start = None
        if cpu_start is not None:
            self._limit_cpu(cpu_start)
        checks = {"disk": time.monotonic()}

        def watch() -> str | None:
            """Called while the cell runs: its CPU budget, and the disk budget twice a second."""
            with contextlib.suppress(OSError, ValueError, IndexError):
                if cpu_start is not None and _cpu_seconds(pid) - cpu_start > self.config.cpu_seconds:
                    return "CPU time limit exceeded"
            if time.monotonic() - checks["disk"] >= DISK_EVERY:
                checks["disk"] = time.monotonic()
                return self._over_disk()
            return None

        t0 = time.perf_counter()
        sent = self._send(data, self.config.timeout)
        if sent == "eof":
            code_ = self.kill()
            return CellResult("", self._why(code_, "the sandbox process had exited"), "killed")
        status, msg = ("timeout", None) if sent == "timeout" else ("", None)
        if sent == "ok":
            left = self.config.timeout - (time.perf_counter() - t0)
            status, msg = self._recv(left, watch)
        elapsed = time.perf_counter() - t0
        if status == "timeout":
            self.kill()
            return CellResult("", None, "timeout", seconds=elapsed)
        if status == "stopped":
            self.kill()
            return CellResult("", msg, "killed", seconds=elapsed)
        if status == "eof":
            return CellResult("", self._why(self.kill()), "killed", seconds=elapsed)
        if status == "bad" or not _valid_result(msg, ident):
            self.kill()
            return CellResult("", "protocol violation", "killed", seconds=elapsed)
        keep = self.config.keep_chars
        stdout, error = displayable(msg["stdout"]), displayable(msg["error"] or "") or None
        truncated = msg["truncated"] or len(stdout) > keep
        if error is not None:
            error = error[:keep]
        seconds = min(float(msg["seconds"]), elapsed)
        over = self._over_disk()
        if over:  # the cell finished, but left more than the session may keep: the session ends
            self.kill()
            return CellResult(stdout[:keep], over, "killed", truncated, seconds)
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
            remove_tree(self.workdir)  # iterative, never raises (a cell may leave any tree)
        remove_cgroup(self.cgroup)
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
    disk = info.get("disk", "not reported")
    tasks = info.get("tasks", "not reported")
    if tasks == "not capped":
        tasks += f" ({missing.get('tasks', 'no reason given')})"
    return (
        f"sandbox: {net}; user {info.get('user')}; {landlock}; {seccomp}; {caps_text}; audit hook; "
        f"limits {limits}; disk budget: {disk}; tasks: {tasks}"
    )
