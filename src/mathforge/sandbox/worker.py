"""The sandbox worker: a separate Python process that runs untrusted cells for one session.

Started by ``mathforge.sandbox.core`` as ``python -I -m mathforge.sandbox.worker RFD WFD CONFIG``. Before
it accepts code it locks itself down, in this order (each step needs the privileges the next removes):

1. a new network namespace (no interface but a down loopback), when the kernel allows it;
2. a private working directory; numpy / sympy / math imported (so cells pay no import cost);
3. privileges dropped to ``nobody`` when started as root (other users' files become unreadable);
4. resource limits: address space, file size, open files, no new processes or threads, no core dumps;
5. stdin/stdout/stderr pointed at /dev/null (cells print into bounded buffers; the protocol has its
   own file descriptors);
6. a Python audit hook (PEP 578), which cannot be removed once added: no processes, sockets, ctypes,
   signals to other processes, rlimit changes, or file access outside the working directory (reads of
   the Python installation excepted, for imports).

Why not Docker: it is not available everywhere (NeMo-Skills needs it); these layers need only Linux and
CPython. What is active is reported to the parent and shown to the user.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import resource
import sys
import sysconfig
import tempfile
import time
import traceback

MSG_HEADER = 4


def send(fd: int, obj: dict) -> None:
    data = json.dumps(obj, ensure_ascii=False).encode()
    os.write(fd, len(data).to_bytes(MSG_HEADER, "big") + data)


def _read_exact(fd: int, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = os.read(fd, n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def recv(fd: int) -> dict:
    size = int.from_bytes(_read_exact(fd, MSG_HEADER), "big")
    return json.loads(_read_exact(fd, size))


class OutputLimitExceeded(BaseException):
    """Raised inside a cell that prints past the hard cap (a BaseException: ``except Exception`` in the
    cell cannot swallow it)."""


class BoundedWriter(io.TextIOBase):
    """Keeps the first ``keep`` characters; stops the cell once ``cap`` characters were written."""

    def __init__(self, keep: int, cap: int) -> None:
        self.keep, self.cap = keep, cap
        self.parts: list[str] = []
        self.kept = 0
        self.total = 0

    def write(self, s: str) -> int:
        self.total += len(s)
        if self.kept < self.keep:
            piece = s[: self.keep - self.kept]
            self.parts.append(piece)
            self.kept += len(piece)
        if self.total > self.cap:
            raise OutputLimitExceeded(f"more than {self.cap} characters of output")
        return len(s)

    def value(self) -> str:
        return "".join(self.parts)

    @property
    def truncated(self) -> bool:
        return self.total > self.kept


def _unshare_network() -> bool:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.unshare(0x40000000) == 0  # CLONE_NEWNET
    except Exception:
        return False


def _world_readable(path: str) -> bool:
    """Whether a user with no rights of its own can read ``path`` (every parent directory searchable)."""
    import stat

    parts = os.path.realpath(path).split(os.sep)
    for i in range(2, len(parts) + 1):
        mode = os.stat(os.sep.join(parts[:i]) or os.sep).st_mode
        if not mode & stat.S_IXOTH or (i == len(parts) and not mode & stat.S_IROTH):
            return False
    return True


def _read_roots() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    return tuple(
        {os.path.realpath(paths[k]) for k in ("stdlib", "platstdlib", "purelib", "platlib") if paths.get(k)}
    )


def _drop_privileges(workdir: str, roots: tuple[str, ...]) -> int | None:
    """Become ``nobody`` — unless not root, or the Python installation would become unreadable (an
    interpreter under a private home directory); the audit hook still guards files then."""
    if os.getuid() != 0 or not all(_world_readable(r) for r in roots):
        return None
    nobody = 65534
    os.chown(workdir, nobody, nobody)
    os.setgroups([])
    os.setgid(nobody)
    os.setuid(nobody)
    return nobody


def _set_limits(cfg: dict) -> dict:
    limits = {
        resource.RLIMIT_AS: cfg["memory_mb"] * 1024 * 1024,
        resource.RLIMIT_FSIZE: cfg["file_mb"] * 1024 * 1024,
        resource.RLIMIT_NOFILE: 64,
        resource.RLIMIT_CORE: 0,
        resource.RLIMIT_NPROC: 0,  # no fork, no threads (counted per user: nobody runs nothing else)
    }
    applied = {}
    for res, value in limits.items():
        try:
            resource.setrlimit(res, (value, value))
            applied[res] = value
        except (ValueError, OSError):
            continue
    names = {
        resource.RLIMIT_AS: "address_space",
        resource.RLIMIT_FSIZE: "file_size",
        resource.RLIMIT_NOFILE: "open_files",
        resource.RLIMIT_CORE: "core",
        resource.RLIMIT_NPROC: "processes",
    }
    return {names[k]: v for k, v in applied.items()}


BLOCKED_EVENTS = {
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "os.forkpty",
    "subprocess.Popen",
    "pty.spawn",
    "os.kill",
    "os.killpg",
    "os.setsid",
    "signal.pthread_kill",
    "resource.setrlimit",
    "resource.prlimit",
    "socket.__new__",
    "socket.connect",
    "socket.bind",
    "socket.getaddrinfo",
    "socket.gethostbyname",
    "socket.sendto",
    "os.chroot",
    "os.startfile",
    "webbrowser.open",
    "sys._current_frames",
    "sys.setprofile",
    "sys.settrace",
}
PATH_EVENTS = {
    "os.remove": 0,
    "os.unlink": 0,
    "os.rename": 0,
    "os.replace": 0,
    "os.rmdir": 0,
    "os.mkdir": 0,
    "os.chmod": 0,
    "os.chown": 0,
    "os.link": 0,
    "os.symlink": 0,
    "os.truncate": 0,
    "os.utime": 0,
    "os.chdir": 0,
    "shutil.rmtree": 0,
    "shutil.copyfile": 0,
    "shutil.move": 0,
    "sqlite3.connect": 0,  # sqlite opens files in C, past the "open" event
}
LIST_EVENTS = {"os.listdir", "os.scandir", "glob.glob", "os.walk"}
BLOCKED_IMPORTS = {"ctypes", "_ctypes", "cffi", "_posixsubprocess", "multiprocessing"}


def _install_audit_hook(workdir: str, read_roots: tuple[str, ...]) -> None:
    real = os.path.realpath
    work = real(workdir)
    allowed_devices = {"/dev/null", "/dev/urandom", "/dev/random"}

    def inside(path: str, roots: tuple[str, ...]) -> bool:
        return any(path == r or path.startswith(r + os.sep) for r in roots)

    def resolve(path) -> str | None:
        if isinstance(path, int):
            return None
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, str):
            path = os.fspath(path)
        return real(os.path.join(os.getcwd(), path))

    def hook(event: str, args: tuple) -> None:
        if event in BLOCKED_EVENTS or event.startswith("ctypes."):
            raise PermissionError(f"sandbox: {event} is not allowed")
        if event == "import" and args and str(args[0]).split(".")[0] in BLOCKED_IMPORTS:
            raise PermissionError(f"sandbox: importing {args[0]} is not allowed")
        if event == "open":
            path = resolve(args[0])
            if path is None or path in allowed_devices:
                return
            mode = args[1] if len(args) > 1 and isinstance(args[1], str) else "r"
            flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
            writing = any(c in mode for c in "wax+") or flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
            if inside(path, (work,)):
                return
            if not writing and inside(path, read_roots):
                return
            raise PermissionError(f"sandbox: access to {path} is not allowed")
        if event in PATH_EVENTS or event in LIST_EVENTS:
            for arg in args[:2]:
                if isinstance(arg, (str, bytes, os.PathLike)):
                    path = resolve(arg)
                    ok = inside(path, (work,)) or (event in LIST_EVENTS and inside(path, read_roots))
                    if path is not None and not ok:
                        raise PermissionError(f"sandbox: {event} on {path} is not allowed")

    sys.addaudithook(hook)


def _preload() -> dict:
    namespace: dict = {"__name__": "__main__"}
    exec("import math\nimport fractions\nimport itertools\nimport collections", namespace)
    loaded = ["math", "fractions", "itertools", "collections"]
    for name, alias in (("sympy", "sympy"), ("numpy", "np")):
        try:
            namespace[alias] = __import__(name)
            loaded.append(name)
        except ImportError:
            continue
    if "sympy" in namespace:
        namespace["sp"] = namespace["sympy"]
    return {"namespace": namespace, "loaded": loaded}


def run_cell(code: str, namespace: dict, cfg: dict) -> dict:
    out = BoundedWriter(cfg["keep_chars"], cfg["cap_chars"])
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu_now = int(used.ru_utime + used.ru_stime) + 1
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(
            resource.RLIMIT_CPU, (cpu_now + cfg["cpu_seconds"], cpu_now + cfg["cpu_seconds"] + 1)
        )
    t0 = time.perf_counter()
    old_out, old_err = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = out
    error = None
    try:
        tree = ast.parse(code, "<cell>", "exec")
        last_expr = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last_expr = ast.Expression(tree.body.pop().value)
        exec(compile(tree, "<cell>", "exec"), namespace)
        if last_expr is not None:
            value = eval(compile(last_expr, "<cell>", "eval"), namespace)
            if value is not None:
                print(repr(value))
    except BaseException as exc:
        if isinstance(exc, SystemExit) and exc.code in (None, 0):
            error = None
        else:
            error = f"{type(exc).__name__}: {exc}".strip()
            if isinstance(exc, SyntaxError):
                error = traceback.format_exception_only(type(exc), exc)[-1].strip()
    finally:
        sys.stdout, sys.stderr = old_out, old_err
    return {
        "stdout": out.value(),
        "error": error,
        "truncated": out.truncated,
        "seconds": time.perf_counter() - t0,
    }


def main() -> None:
    rfd, wfd = int(sys.argv[1]), int(sys.argv[2])
    cfg = json.loads(sys.argv[3])
    netns = _unshare_network() if cfg.get("network_namespace", True) else False
    workdir = tempfile.mkdtemp(prefix="mf-sandbox-")
    os.chdir(workdir)
    pre = _preload()
    roots = _read_roots()
    uid = _drop_privileges(workdir, roots)
    limits = _set_limits(cfg)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    _install_audit_hook(workdir, roots)
    send(
        wfd,
        {
            "ready": True,
            "workdir": workdir,
            "isolation": {
                "network_namespace": netns,
                "user": "nobody" if uid is not None else f"uid {os.getuid()} (no privilege drop)",
                "rlimits": limits,
                "audit_hook": True,
                "preloaded": pre["loaded"],
            },
        },
    )
    namespace = pre["namespace"]
    while True:
        try:
            msg = recv(rfd)
        except EOFError:
            return
        send(wfd, run_cell(msg["code"], namespace, cfg))


if __name__ == "__main__":
    main()
