"""The sandbox worker: a separate Python process that runs untrusted cells for one session.

Above 700 lines because it must stand alone: it runs with the standard library only and imports nothing
of ours before it has locked itself down, so every layer below lives in this one file, in the order it
is applied.

Started by ``mathforge.sandbox.core`` as ``python -I -c "...worker import main; main()" RFD WFD CONFIG``
(``python -I -m mathforge.sandbox.worker RFD WFD CONFIG`` works too). The parent creates the working
directory and passes it in CONFIG, with a "lifeline" pipe. Before it accepts code the worker locks itself
down, in this order (each step needs the privileges the next removes):

1. a reaper: a tiny child process forked first, holding no pipe of the protocol. When the worker exits it
   removes the working directory; when the parent dies (the lifeline reads EOF) it kills the worker first.
   The worker cannot remove the directory itself once Landlock is on (that needs rights on /tmp);
2. a pids cgroup of its own (made by the parent; the worker moves itself in while it may): at most
   ``max_tasks`` processes and threads, whatever the uid;
3. a new network namespace (no interface but a down loopback), when the kernel allows it; and a new
   mount namespace with a size-limited tmpfs on the working directory (a byte and an inode budget for
   the session; the parent checks the directory itself where this cannot be mounted);
4. the working directory as cwd; numpy / sympy / math imported into a fresh ``__main__`` module (so
   cells pay no import cost, and ``sys.modules['__main__']`` holds the cell's names, nothing of ours);
5. privileges dropped to ``nobody`` when started as root (other users' files become unreadable) -- unless
   the interpreter itself would become unreadable (a pyenv under /root): then the worker stays uid 0;
6. stdin/stdout/stderr pointed at /dev/null (cells print into bounded buffers; the protocol has its
   own file descriptors);
7. resource limits (set right after step 10): address space, file size, open files, no core dumps, and
   -- only where the seccomp filter is missing -- no new processes (RLIMIT_NPROC=0, which stops threads
   too); where no pids cgroup could be joined, RLIMIT_NPROC caps this uid's tasks at what it runs now
   plus ``max_tasks`` (root is exempt from it). The CPU limit of each cell is set and counted by the
   parent: the worker cannot change limits;
8. Landlock (kernel-enforced, Linux >= 5.13): reads only beneath the Python installation, the system
   library directories, /usr/share/zoneinfo and a few device files; full access only beneath the working
   directory; with ABI >= 4 no TCP bind/connect; with ABI >= 6 no signals to, and no abstract unix
   sockets of, processes outside the sandbox. ``PR_SET_NO_NEW_PRIVS`` first;
9. all capabilities dropped (uid 0 without capabilities cannot override file permissions, kill other
   users' processes, change limits or mount anything);
10. a seccomp-BPF filter (x86_64): no fork/exec/clone of processes, no signals at all, no pidfds,
   ptrace, other processes' priority/affinity, namespaces, mounts, device/FIFO nodes, xattrs,
   chmod/chown, sockets, keyrings, bpf, perf, io_uring, modules, clock or reboot; no ``flock``, file
   leases, lock probes (``F_GETLK``) or inotify, which would let two sessions signal each other through
   a shared read-only file (or stall the host's writers of it); clone3 answers ENOSYS so that glibc
   starts threads with clone(CLONE_THREAD), which stays allowed;
11. a Python audit hook (PEP 578), which cannot be removed once added: the fast, friendly first layer
    that turns most attempts into a clear ``PermissionError``. Its state lives in closures (nothing a
    cell can reach by module globals), it accepts only exact ``str``/``bytes``/``int`` paths (and
    exact pathlib objects, read without running their methods), never runs a cell's code, refuses
    ``dir_fd``, directory file descriptors, ``gc`` walks and re-imports of modules loaded at startup.

Layers 8-10 are kernel-enforced: they hold even against native code (an extension module, a CPython
memory bug). Where one cannot be installed the others still apply, and the report says which.

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
import select
import shutil
import signal
import stat
import struct
import sys
import sysconfig
import tempfile
import time
import traceback
import types

MSG_HEADER = 4


def send(fd: int, obj: dict) -> None:
    data = json.dumps(obj).encode()  # ASCII escapes: lone surrogates in a cell's output are fine
    view = memoryview(len(data).to_bytes(MSG_HEADER, "big") + data)
    while view:
        view = view[os.write(fd, view) :]


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


# ---------------------------------------------------------------------------------------------------------
# lock-down steps


def remove_tree(path: str) -> bool:
    """Remove ``path`` and everything beneath it; True when nothing is left. Never raises.

    Written by hand because ``shutil.rmtree`` recurses: a tree a thousand levels deep (which a cell can
    make in a second) raises RecursionError even with ``ignore_errors``, and paths past PATH_MAX fail.
    This walks with directory file descriptors (no path grows), never follows a symlink, and keeps at
    most ``_REMOVE_DEPTH`` descriptors open: a deeper directory is first moved up to the top."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    try:
        if not stat.S_ISDIR(st.st_mode):
            os.unlink(path)
            return True
        top = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return not os.path.lexists(path)
    stack = [top]  # open directories, each inside the one before
    names: list[str] = []  # names[i] is stack[i + 1]'s name inside stack[i]
    moved = 0
    try:
        while stack:
            fd = stack[-1]
            descend = None
            with os.scandir(fd) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        descend = entry.name
                        break
                    os.unlink(entry.name, dir_fd=fd)
            if descend is None:  # empty now: close it and remove it from its parent
                os.close(stack.pop())
                if stack:
                    os.rmdir(names.pop(), dir_fd=stack[-1])
                continue
            if len(stack) >= _REMOVE_DEPTH:  # too deep: move this subtree up beside the others
                for _ in range(100):  # a name the cell may have taken already: the next one
                    moved += 1
                    with contextlib.suppress(FileExistsError, OSError):
                        os.rename(descend, f".mf-rm-{moved}", src_dir_fd=fd, dst_dir_fd=top)
                        break
                else:
                    return False
                continue
            flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
            stack.append(os.open(descend, flags, dir_fd=fd))
            names.append(descend)
        os.rmdir(path)
    except BaseException:  # something could not be removed (or went away meanwhile): stop, report
        pass
    finally:
        for fd in stack:
            with contextlib.suppress(OSError):
                os.close(fd)
    return not os.path.lexists(path)


_REMOVE_DEPTH = 64


def remove_cgroup(path: str | None) -> bool:
    """Remove an (emptied) cgroup directory, retrying briefly while the kernel finishes the exit."""
    if not path:
        return True
    for _ in range(50):
        try:
            os.rmdir(path)
            return True
        except FileNotFoundError:
            return True
        except OSError:
            time.sleep(0.002)
    return False


def _start_reaper(workdir: str, lifeline: int | None, cgroup: str | None) -> bool:
    """Fork the reaper (see the module docstring). It keeps only a pidfd of the worker and the lifeline:
    holding a protocol pipe would hide the worker's death from the parent."""
    worker = os.getpid()
    try:
        watch: int | None = os.pidfd_open(worker)
    except (AttributeError, OSError):
        watch = None  # kernel < 5.3: poll getppid() instead
    try:
        pid = os.fork()
    except OSError:
        pid = -1
    if pid != 0:  # the worker (or no reaper)
        for fd in (watch, lifeline):
            if fd is not None:
                os.close(fd)
        return pid > 0
    try:  # the reaper
        keep = sorted(fd for fd in (watch, lifeline) if fd is not None)
        low = 3
        for fd in keep:
            os.closerange(low, fd)
            low = fd + 1
        os.closerange(low, max(os.sysconf("SC_OPEN_MAX"), 1024))
        fds = list(keep)
        while True:
            ready, _, _ = select.select(fds, [], [], None if watch is not None else 0.5)
            if (watch is not None and watch in ready) or (watch is None and os.getppid() != worker):
                break  # the worker is gone
            if lifeline is not None and lifeline in ready and not os.read(lifeline, 4096):
                with contextlib.suppress(OSError):  # the parent is gone: so goes the worker
                    os.kill(worker, signal.SIGKILL)
                fds.remove(lifeline)
        remove_tree(workdir)
        remove_cgroup(cgroup)
    finally:
        os._exit(0)


def _unshare_network() -> bool:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.unshare(0x40000000) == 0  # CLONE_NEWNET
    except Exception:
        return False


def _join_cgroup(path: str | None) -> str:
    """Move this process into the pids cgroup the parent made for it. "" when done, else why not."""
    if not path:
        return "no pids cgroup could be made (a writable cgroup file system is needed)"
    try:
        with open(os.path.join(path, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))
        return ""
    except OSError as exc:
        return f"the pids cgroup could not be joined ({exc.strerror})"


CLONE_NEWNS = 0x00020000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x8, 0x4000, 0x40000


def _private_tmpfs(workdir: str, megabytes: int, files: int) -> tuple[bool, str]:
    """A mount namespace of our own, and a tmpfs of ``megabytes`` and ``files`` inodes on the working
    directory: the session's disk budget, enforced by the kernel (ENOSPC), gone with the process.
    (True, "") or (False, why not)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(CLONE_NEWNS) != 0:
            return False, f"no mount namespace ({os.strerror(ctypes.get_errno())})"
        if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:  # nothing leaks to the host
            return False, f"mounts could not be made private ({os.strerror(ctypes.get_errno())})"
        options = f"size={megabytes}m,nr_inodes={files + 1},mode=0700".encode()
        flags = MS_NOSUID | MS_NODEV | MS_NOEXEC
        if libc.mount(b"mathforge-sandbox", workdir.encode(), b"tmpfs", flags, options) != 0:
            return False, f"tmpfs could not be mounted ({os.strerror(ctypes.get_errno())})"
        return True, ""
    except Exception as exc:
        return False, f"tmpfs not mounted ({exc})"


def _tasks_of_uid(uid: int) -> int | None:
    """Processes and threads of ``uid`` now (what RLIMIT_NPROC counts), from /proc."""
    count = 0
    try:
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    if entry.stat().st_uid == uid:
                        count += len(os.listdir(f"/proc/{entry.name}/task"))
    except OSError:
        return None
    return count


def _world_readable(path: str) -> bool:
    """Whether a user with no rights of its own can read ``path`` (every parent directory searchable)."""
    parts = os.path.realpath(path).split(os.sep)
    for i in range(2, len(parts) + 1):
        mode = os.stat(os.sep.join(parts[:i]) or os.sep).st_mode
        if not mode & stat.S_IXOTH or (i == len(parts) and not mode & stat.S_IROTH):
            return False
    return True


def _read_roots() -> tuple[str, ...]:
    """The Python installation's library directories (what imports read)."""
    paths = sysconfig.get_paths()
    return tuple(
        sorted(
            {
                os.path.realpath(paths[k])
                for k in ("stdlib", "platstdlib", "purelib", "platlib")
                if paths.get(k)
            }
        )
    )


SYSTEM_READ_DIRS = ("/usr/lib", "/lib", "/lib64", "/usr/lib64", "/usr/local/lib", "/usr/share/zoneinfo")
SYSTEM_READ_FILES = ("/etc/ld.so.cache", "/dev/urandom", "/dev/random")
DEVICES = ("/dev/null", "/dev/urandom", "/dev/random")


def _readable_paths() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(directories, files) a cell may read: the Python installation, system libraries, time zones."""
    dirs = set(_read_roots())
    for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix):
        dirs.add(os.path.realpath(p))
    dirs.add(os.path.dirname(os.path.realpath(sys.executable)))
    dirs.update(os.path.realpath(p) for p in SYSTEM_READ_DIRS if os.path.isdir(p))
    dirs = {d for d in dirs if d and d != os.sep and os.path.isdir(d)}
    # a directory beneath another one adds nothing
    dirs = {d for d in dirs if not any(d.startswith(o + os.sep) for o in dirs)}
    files = {os.path.realpath(p) for p in SYSTEM_READ_FILES if os.path.exists(p)}
    return tuple(sorted(dirs)), tuple(sorted(files))


def _drop_privileges(workdir: str, roots: tuple[str, ...]) -> int | None:
    """Become ``nobody`` — unless not root, or the Python installation would become unreadable (an
    interpreter under a private home directory); the other layers still guard files then."""
    if os.getuid() != 0 or not all(_world_readable(r) for r in roots):
        return None
    nobody = 65534
    os.chown(workdir, nobody, nobody)
    os.setgroups([])
    os.setgid(nobody)
    os.setuid(nobody)
    return nobody


def _set_limits(cfg: dict, processes: bool = True, tasks: int | None = None) -> dict:
    """``processes``: also RLIMIT_NPROC=0 -- no fork, but no threads either (counted per user: nobody
    runs nothing else; root is exempt). Not needed where the seccomp filter refuses new processes.
    Otherwise ``tasks``, when given, is the RLIMIT_NPROC that caps threads (where no pids cgroup does)."""
    limits = {
        resource.RLIMIT_AS: cfg["memory_mb"] * 1024 * 1024,
        resource.RLIMIT_FSIZE: cfg["file_mb"] * 1024 * 1024,
        resource.RLIMIT_NOFILE: 64,
        resource.RLIMIT_CORE: 0,
    }
    if processes:
        limits[resource.RLIMIT_NPROC] = 0
    elif tasks is not None:
        limits[resource.RLIMIT_NPROC] = tasks
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


def _syscaller():
    """``call(nr, *args) -> (result, errno)`` through libc's syscall(2); arguments as C longs/pointers."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    fn = libc.syscall
    fn.restype = ctypes.c_long

    def call(nr: int, *args) -> tuple[int, int]:
        conv = [ctypes.c_long(a) if isinstance(a, int) else a for a in args]
        ctypes.set_errno(0)
        result = fn(ctypes.c_long(nr), *conv)
        return result, ctypes.get_errno()

    return call


PR_SET_NO_NEW_PRIVS = 38


def _no_new_privs() -> bool:
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    ul = ctypes.c_ulong
    return libc.prctl(ctypes.c_int(PR_SET_NO_NEW_PRIVS), ul(1), ul(0), ul(0), ul(0)) == 0


# Landlock (include/uapi/linux/landlock.h). The syscall numbers are the same on x86_64 and aarch64.
LANDLOCK_NR = {"x86_64": (444, 445, 446), "aarch64": (444, 445, 446)}
LL_EXECUTE, LL_WRITE_FILE, LL_READ_FILE, LL_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
LL_REMOVE_DIR, LL_REMOVE_FILE, LL_MAKE_CHAR, LL_MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
LL_MAKE_REG, LL_MAKE_SOCK, LL_MAKE_FIFO, LL_MAKE_BLOCK = 1 << 8, 1 << 9, 1 << 10, 1 << 11
LL_MAKE_SYM, LL_REFER, LL_TRUNCATE, LL_IOCTL_DEV = 1 << 12, 1 << 13, 1 << 14, 1 << 15
LL_FILE_RIGHTS = LL_EXECUTE | LL_WRITE_FILE | LL_READ_FILE | LL_TRUNCATE | LL_IOCTL_DEV
LL_NET_BIND_TCP, LL_NET_CONNECT_TCP = 1 << 0, 1 << 1
LL_SCOPE_ABSTRACT_UNIX_SOCKET, LL_SCOPE_SIGNAL = 1 << 0, 1 << 1


def _landlock_fs_rights(abi: int) -> int:
    """Every filesystem right the ABI knows (all of them are handled: what is not granted is denied)."""
    last = {1: LL_MAKE_SYM, 2: LL_REFER, 3: LL_TRUNCATE, 4: LL_TRUNCATE}.get(abi, LL_IOCTL_DEV)
    return (last << 1) - 1


def _landlock(workdir: str, read_dirs: tuple[str, ...], read_files: tuple[str, ...]) -> tuple[int, str]:
    """Restrict this process with Landlock. Returns (ABI, "") or (0, why not)."""
    if sys.platform != "linux":
        return 0, "Landlock is Linux only"
    nrs = LANDLOCK_NR.get(os.uname().machine)
    if nrs is None:
        return 0, f"no Landlock syscall numbers for {os.uname().machine}"
    try:
        import ctypes

        call = _syscaller()
    except Exception as exc:
        return 0, f"ctypes unavailable ({exc})"
    create, add_rule, restrict = nrs
    abi, err = call(create, None, 0, 1)  # LANDLOCK_CREATE_RULESET_VERSION
    if abi < 1:
        return 0, f"Landlock unavailable ({os.strerror(err)})"
    fs = _landlock_fs_rights(abi)
    net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP if abi >= 4 else 0
    scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL if abi >= 6 else 0
    size = 8 if abi < 4 else 16 if abi < 6 else 24
    attr = ctypes.create_string_buffer(struct.pack("<QQQ", fs, net, scoped)[:size], size)
    ruleset, err = call(create, attr, size, 0)
    if ruleset < 0:
        return 0, f"landlock_create_ruleset failed ({os.strerror(err)})"
    read = LL_READ_FILE | LL_READ_DIR
    work = (
        LL_READ_FILE
        | LL_READ_DIR
        | LL_WRITE_FILE
        | LL_TRUNCATE
        | LL_REMOVE_DIR
        | LL_REMOVE_FILE
        | LL_MAKE_DIR
        | LL_MAKE_REG
        | LL_MAKE_SYM
        | LL_REFER
    )  # no EXECUTE, no device/FIFO/socket nodes
    rules = [(d, read, False) for d in read_dirs]
    rules += [(f, LL_READ_FILE, False) for f in read_files]
    rules += [("/dev/null", LL_READ_FILE | LL_WRITE_FILE | LL_TRUNCATE, False), (workdir, work, True)]
    try:
        for path, access, required in rules:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError as exc:
                if required:
                    return 0, f"cannot open {path} ({exc.strerror})"
                continue
            try:
                if not stat.S_ISDIR(os.fstat(fd).st_mode):
                    access &= LL_FILE_RIGHTS
                rule = ctypes.create_string_buffer(struct.pack("<Qi", access & fs, fd), 12)
                done, err = call(add_rule, ruleset, 1, rule, 0)  # LANDLOCK_RULE_PATH_BENEATH
            finally:
                os.close(fd)
            if done != 0 and required:
                return 0, f"landlock_add_rule({path}) failed ({os.strerror(err)})"
        if not _no_new_privs():
            return 0, "prctl(PR_SET_NO_NEW_PRIVS) failed"
        done, err = call(restrict, ruleset, 0)
        if done != 0:
            return 0, f"landlock_restrict_self failed ({os.strerror(err)})"
    finally:
        os.close(ruleset)
    try:  # verify: the root directory is outside every rule now
        os.close(os.open("/", os.O_RDONLY | os.O_DIRECTORY))
    except PermissionError:
        return abi, ""
    return 0, "Landlock did not take effect"


CAPGET_CAPSET = {"x86_64": (125, 126), "aarch64": (90, 91)}
LINUX_CAPABILITY_VERSION_3 = 0x20080522


def _drop_capabilities() -> tuple[str, str]:
    """Clear the effective, permitted and inheritable sets (ambient follows). ("dropped" | "none held", "")
    or ("", why not)."""
    if sys.platform != "linux":
        return "", "capabilities are dropped on Linux only"
    nrs = CAPGET_CAPSET.get(os.uname().machine)
    if nrs is None:
        return "", f"no capset syscall number for {os.uname().machine}"
    try:
        import ctypes

        call = _syscaller()
        header = ctypes.create_string_buffer(struct.pack("<Ii", LINUX_CAPABILITY_VERSION_3, 0), 8)
        data = ctypes.create_string_buffer(24)
        done, err = call(nrs[0], header, data)
        if done != 0:
            return "", f"capget failed ({os.strerror(err)})"
        if not any(data.raw):
            return "none held", ""
        done, err = call(nrs[1], header, ctypes.create_string_buffer(24))
        if done != 0:
            return "", f"capset failed ({os.strerror(err)})"
        call(nrs[0], header, data)
        return ("dropped", "") if not any(data.raw) else ("", "capabilities remain after capset")
    except Exception as exc:
        return "", f"capabilities not dropped ({exc})"


# seccomp-BPF (x86_64). Every listed syscall fails with EPERM; everything else is allowed.
AUDIT_ARCH_X86_64 = 0xC000003E
X32_SYSCALL_BIT = 0x40000000
CLONE_THREAD = 0x00010000
NR_CLONE, NR_CLONE3, NR_PRLIMIT64, NR_KILL, NR_FCNTL = 56, 435, 302, 62, 72
# fcntl commands refused: a lease (stalls the host's writers of a shared file), lock probes (read another
# session's locks on a shared file), directory notification. Locks on a cell's own files stay allowed
# (sqlite uses them); without a probe no other session can see them.
F_GETLK, F_OFD_GETLK, F_SETLEASE, F_NOTIFY = 5, 36, 1024, 1026
FCNTL_DENY = (F_GETLK, F_OFD_GETLK, F_SETLEASE, F_NOTIFY)
SECCOMP_DENY_X86_64 = {
    # processes
    "fork": 57, "vfork": 58, "execve": 59, "execveat": 322,
    "setsid": 112, "setpgid": 109,
    # signals and other processes
    "kill": 62, "tkill": 200, "tgkill": 234, "rt_sigqueueinfo": 129, "rt_tgsigqueueinfo": 297,
    "pidfd_open": 434, "pidfd_send_signal": 424, "pidfd_getfd": 438,
    "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311, "kcmp": 312,
    "process_madvise": 440, "process_mrelease": 448, "get_robust_list": 274,
    "setpriority": 141, "ioprio_set": 251, "sched_setaffinity": 203, "sched_setscheduler": 144,
    "sched_setparam": 142, "sched_setattr": 314, "migrate_pages": 256, "move_pages": 279,
    # namespaces, mounts
    "setns": 308, "unshare": 272, "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161,
    "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432,
    "fspick": 433, "mount_setattr": 442, "open_tree_attr": 467,
    # files: nodes, extended attributes, modes and owners, handles
    "mknod": 133, "mknodat": 259,
    "setxattr": 188, "lsetxattr": 189, "fsetxattr": 190, "setxattrat": 463,
    "removexattr": 197, "lremovexattr": 198, "fremovexattr": 199, "removexattrat": 466,
    "chmod": 90, "fchmod": 91, "fchmodat": 268, "fchmodat2": 452,
    "chown": 92, "fchown": 93, "lchown": 94, "fchownat": 260,
    "name_to_handle_at": 303, "open_by_handle_at": 304, "fanotify_init": 300,
    # network and IPC shared with the host
    "socket": 41, "socketpair": 53, "connect": 42, "bind": 49, "listen": 50, "accept": 43,
    "accept4": 288, "mq_open": 240, "mq_unlink": 241,
    "shmget": 29, "shmat": 30, "shmctl": 31, "semget": 64, "semop": 65, "semctl": 66,
    "semtimedop": 220, "msgget": 68, "msgsnd": 69, "msgrcv": 70, "msgctl": 71,
    # kernel facilities
    "flock": 73, "inotify_init": 253, "inotify_init1": 294,
    "keyctl": 250, "add_key": 248, "request_key": 249, "bpf": 321, "perf_event_open": 298,
    "userfaultfd": 323, "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
    "personality": 135, "modify_ldt": 154, "iopl": 172, "ioperm": 173, "syslog": 103,
    "vhangup": 153, "uselib": 134, "_sysctl": 156, "lsm_set_self_attr": 460,
    # the machine
    "reboot": 169, "kexec_load": 246, "kexec_file_load": 320, "init_module": 175,
    "finit_module": 313, "delete_module": 176, "swapon": 167, "swapoff": 168, "acct": 163,
    "quotactl": 179, "quotactl_fd": 443, "settimeofday": 164, "clock_settime": 227,
    "clock_adjtime": 305, "adjtimex": 159, "sethostname": 170, "setdomainname": 171,
}  # fmt: skip


def _seccomp_program() -> bytes:
    ld_abs, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    allow, kill = 0x7FFF0000, 0x80000000
    eperm, enosys = 0x00050000 | 1, 0x00050000 | 38
    prog: list[bytes] = []

    def op(code: int, k: int, jt: int = 0, jf: int = 0) -> None:
        prog.append(struct.pack("<HBBI", code, jt, jf, k))

    op(ld_abs, 4)  # seccomp_data.arch
    op(jeq, AUDIT_ARCH_X86_64, 1, 0)
    op(ret, kill)  # another ABI (int 0x80): the whole process dies
    op(ld_abs, 0)  # seccomp_data.nr
    op(jge, X32_SYSCALL_BIT, 0, 1)
    op(ret, eperm)
    for nr in sorted(set(SECCOMP_DENY_X86_64.values())):
        op(jeq, nr, 0, 1)
        op(ret, eperm)
    op(jeq, NR_CLONE3, 0, 1)
    op(ret, enosys)  # glibc falls back to clone(), whose flags can be inspected
    op(jeq, NR_CLONE, 0, 4)
    op(ld_abs, 16)  # args[0] (flags), low half
    op(jset, CLONE_THREAD, 1, 0)
    op(ret, eperm)  # a new process
    op(ret, allow)  # a thread
    op(jeq, NR_PRLIMIT64, 0, 4)
    op(ld_abs, 16)  # args[0] (pid): only this process's own limits
    op(jeq, 0, 1, 0)
    op(ret, eperm)
    op(ret, allow)
    op(jeq, NR_FCNTL, 0, 2 * len(FCNTL_DENY) + 2)
    op(ld_abs, 24)  # args[1] (cmd), low half
    for cmd in FCNTL_DENY:
        op(jeq, cmd, 0, 1)
        op(ret, eperm)
    op(ret, allow)
    op(ret, allow)
    return b"".join(prog)


def _seccomp() -> tuple[bool, str]:
    if sys.platform != "linux" or os.uname().machine != "x86_64":
        return False, f"the seccomp filter is written for x86_64, not {os.uname().machine}"
    try:
        import ctypes

        class SockFprog(ctypes.Structure):
            _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

        call = _syscaller()
        code = _seccomp_program()
        buf = ctypes.create_string_buffer(code, len(code))
        prog = SockFprog(len(code) // 8, ctypes.cast(buf, ctypes.c_void_p))
        if not _no_new_privs():
            return False, "prctl(PR_SET_NO_NEW_PRIVS) failed"
        done, err = call(317, 1, 1, ctypes.byref(prog))  # seccomp(SET_MODE_FILTER, FLAG_TSYNC, prog)
        if done != 0:
            return False, f"seccomp() failed ({os.strerror(err)})"
        done, err = call(NR_KILL, os.getpid(), 0)  # verify: signal 0 to itself is refused now
        if done == 0:
            return False, "the seccomp filter did not take effect"
        return True, ""
    except Exception as exc:
        return False, f"seccomp not installed ({exc})"


# ---------------------------------------------------------------------------------------------------------
# the audit hook (copied into its closure when installed: rebinding these names later changes nothing)

BLOCKED_EVENTS = frozenset(
    {
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
        "os.chroot",
        "os.startfile",
        "webbrowser.open",
        "sys._current_frames",
        "sys.setprofile",
        "sys.settrace",
        "sys.remote_exec",
        "gc.get_objects",
        "gc.get_referrers",
        "gc.get_referents",
        "fcntl.ioctl",
        "fcntl.flock",
    }
)
BLOCKED_PREFIXES = ("ctypes.", "socket.", "cpython.remote_debugger")
# event: (positions of paths, positions of dir_fd, writes (else reads), an int (a file descriptor) is fine)
PATH_EVENTS = types.MappingProxyType(
    {
        "os.remove": ((0,), (1,), True, False),  # os.unlink too
        "os.rename": ((0, 1), (2, 3), True, False),  # os.replace too
        "os.rmdir": ((0,), (1,), True, False),
        "os.mkdir": ((0,), (2,), True, False),
        "os.chmod": ((0,), (2,), True, False),
        "os.chown": ((0,), (3,), True, False),
        "os.link": ((0, 1), (2, 3), True, False),
        "os.symlink": ((0, 1), (2,), True, False),
        "os.truncate": ((0,), (), True, True),
        "os.utime": ((0,), (3,), True, False),
        "os.chdir": ((0,), (), True, False),  # an int: os.fchdir
        "os.setxattr": ((0,), (), True, False),
        "os.removexattr": ((0,), (), True, False),
        "shutil.rmtree": ((0,), (1,), True, False),
        "shutil.copyfile": ((0, 1), (), True, False),
        "shutil.copymode": ((0, 1), (), True, False),
        "shutil.copystat": ((0, 1), (), True, False),
        "shutil.copytree": ((0, 1), (), True, False),
        "shutil.move": ((0, 1), (), True, False),
        "shutil.chown": ((0,), (), True, False),
        "shutil.unpack_archive": ((0, 1), (), True, False),
        "sqlite3.connect": ((0,), (), True, False),  # sqlite opens files in C, past the "open" event
        "os.listdir": ((0,), (), False, True),
        "os.scandir": ((0,), (), False, True),
        "os.listxattr": ((0,), (), False, True),
        "os.walk": ((0,), (), False, False),
        "os.fwalk": ((0,), (4,), False, False),
        "glob.glob": ((0,), (), False, False),
        "glob.glob/2": ((0, 2), (3,), False, False),
    }
)
BLOCKED_IMPORTS = frozenset({"ctypes", "_ctypes", "cffi", "_posixsubprocess", "multiprocessing"})


def _install_audit_hook(workdir: str, read_dirs: tuple[str, ...], read_files: tuple[str, ...]) -> None:
    """Add the hook. Everything it uses is bound here, in its closure: builtins and module attributes
    that a cell could rebind are looked up now, and the hook calls no Python function a cell could
    replace (nor any method of a cell's object)."""
    import pathlib
    import posix

    _type, _len, _str, _bytes, _int, _list = type, len, str, bytes, int, list
    _PermissionError, _OSError, _ValueError, _AttributeError = (
        PermissionError,
        OSError,
        ValueError,
        AttributeError,
    )
    _lstat, _stat, _readlink, _getcwd = posix.lstat, posix.stat, posix.readlink, posix.getcwd
    fs_encoding, fs_errors = sys.getfilesystemencoding(), sys.getfilesystemencodeerrors()
    s_ifmt, s_iflnk, s_ifdir = 0o170000, 0o120000, 0o040000
    o_tmpfile = getattr(os, "O_TMPFILE", -1)
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    blocked = frozenset(BLOCKED_EVENTS)
    fcntl_deny = frozenset(FCNTL_DENY)
    prefixes = tuple(BLOCKED_PREFIXES)
    path_events = dict(PATH_EVENTS)
    blocked_imports = frozenset(BLOCKED_IMPORTS)
    preloaded = frozenset(name for name, mod in sys.modules.items() if mod is not None)
    work = os.path.realpath(workdir)
    work_roots = ((work, work + "/"),)
    read_roots = tuple((d, d + "/") for d in read_dirs)
    readable_files = frozenset(read_files)
    devices = frozenset(os.path.realpath(d) for d in DEVICES)

    path_types = tuple(c for c in (pathlib.PurePath, pathlib.PurePosixPath, pathlib.Path, pathlib.PosixPath))
    slots = pathlib.PurePath.__dict__
    slot_get = None
    if all(_type(slots.get(n)) is types.MemberDescriptorType for n in ("_drv", "_root", "_parts")):
        drv_slot, root_slot, parts_slot = slots["_drv"], slots["_root"], slots["_parts"]

        def slot_get(p):
            try:
                drv, root, parts = drv_slot.__get__(p), root_slot.__get__(p), parts_slot.__get__(p)
            except _AttributeError:
                return None
            if _type(drv) is not _str or _type(root) is not _str or _type(parts) is not _list:
                return None
            for part in parts:
                if _type(part) is not _str:
                    return None
            text = drv + root + "/".join(parts[1:]) if drv or root else "/".join(parts)
            return text or "."

    def deny(message: str):
        raise _PermissionError(f"sandbox: {message}")

    def as_text(p) -> str | None:
        """The path as an exact str, without running any of the object's code; None if refused."""
        t = _type(p)
        if t is _str:
            return p
        if t is _bytes:
            return p.decode(fs_encoding, fs_errors)
        for c in path_types:
            if t is c:
                return slot_get(p) if slot_get is not None else None
        return None

    def join_real(path: str, rest: str, seen: dict) -> tuple[str, bool]:
        """posixpath._joinrealpath (non-strict) on posix functions bound above."""
        while rest:
            name, _, rest = rest.partition("/")
            if not name or name == ".":
                continue
            if name == "..":
                path = path.rpartition("/")[0] or "/"
                continue
            new = path + name if path == "/" else path + "/" + name
            try:
                is_link = (_lstat(new).st_mode & s_ifmt) == s_iflnk
            except (_OSError, _ValueError):
                is_link = False
            if not is_link:
                path = new
                continue
            if new in seen:
                target = seen[new]
                if target is not None:
                    path = target
                    continue
                return (new + "/" + rest if rest else new), False  # a symlink loop
            seen[new] = None
            try:
                link = _readlink(new)
            except (_OSError, _ValueError):
                path = new
                continue
            if link.startswith("/"):
                path, ok = join_real("/", link[1:], seen)
            else:
                path, ok = join_real(path, link, seen)
            if not ok:
                return (path + "/" + rest if rest else path), False
            seen[new] = path
        return path, True

    def real(text: str) -> str:
        if not text.startswith("/"):
            text = _getcwd() + "/" + text
        return join_real("/", text[1:], {})[0]

    def inside(path: str, roots: tuple) -> bool:
        for root, prefix in roots:  # noqa: SIM110 (no any(): a builtin a cell could rebind)
            if path == root or path.startswith(prefix):
                return True
        return False

    def is_dir(path: str) -> bool:
        try:
            return (_stat(path).st_mode & s_ifmt) == s_ifdir
        except (_OSError, _ValueError):
            return False

    def check_open(args: tuple) -> None:
        n = _len(args)
        if not n or _type(args[0]) is _int:
            return  # an existing file descriptor
        text = as_text(args[0])
        if text is None:
            deny("open() takes a path as str, bytes or pathlib path")
        path = real(text)
        if path in devices:
            return
        mode = args[1] if n > 1 else None
        flags = args[2] if n > 2 else 0
        writing = True
        if (mode is None or _type(mode) is _str) and _type(flags) is _int:
            writing = (flags & write_flags) != 0
            if mode is not None:
                for c in "wax+":
                    if c in mode:
                        writing = True
        if mode is None and is_dir(path):  # os.open (io.open of a directory fails by itself)
            tmpfile = _type(flags) is _int and (flags & o_tmpfile) == o_tmpfile
            if not (tmpfile and inside(path, work_roots)):  # O_TMPFILE: an unnamed file, not a dir fd
                deny(f"opening the directory {path} is not allowed (dir_fd is not supported)")
        if inside(path, work_roots):
            return
        if not writing and (path in readable_files or inside(path, read_roots)):
            return
        deny(f"access to {path} is not allowed")

    def check_import(args: tuple) -> None:
        n = _len(args)
        name = args[0] if n else None
        if _type(name) is not _str:
            deny("import of a non-str name")
        filename = args[1] if n > 1 else None
        if filename is not None:  # an extension module is being loaded (dlopen)
            text = as_text(filename)
            if text is None:
                deny("loading native code is not allowed")
            path = real(text)
            if not inside(path, read_roots):
                deny(f"loading native code from {path} is not allowed")
        if name.partition(".")[0] in blocked_imports:
            deny(f"importing {name} is not allowed")
        if name in preloaded:
            deny(f"re-importing {name} (loaded before the sandbox started) is not allowed")

    def check_paths(event: str, args: tuple, rule: tuple) -> None:
        positions, dir_fds, writes, fd_ok = rule
        n = _len(args)
        for i in dir_fds:
            if i < n:
                v = args[i]
                if not (v is None or (_type(v) is _int and v == -1)):
                    deny(f"{event} with dir_fd is not allowed")
        for i in positions:
            if i >= n:
                continue
            arg = args[i]
            if arg is None:
                continue  # the current directory
            if _type(arg) is _int:
                if fd_ok:
                    continue
                deny(f"{event} on a file descriptor is not allowed")
            text = as_text(arg)
            if text is None:
                deny(f"{event} takes paths as str, bytes or pathlib paths")
            path = real(text)
            if inside(path, work_roots):
                continue
            if not writes and inside(path, read_roots):
                continue
            deny(f"{event} on {path} is not allowed")

    def hook(event: str, args: tuple) -> None:
        if event in blocked or event.startswith(prefixes):
            deny(f"{event} is not allowed")
        if event == "open":
            check_open(args)
        elif event == "import":
            check_import(args)
        elif event == "fcntl.fcntl":
            if _len(args) > 1 and args[1] in fcntl_deny:
                deny("this fcntl command (a lease, a lock probe or a notification) is not allowed")
        else:
            rule = path_events.get(event)
            if rule is not None:
                check_paths(event, args, rule)

    sys.addaudithook(hook)


# ---------------------------------------------------------------------------------------------------------
# cells


def _preload() -> tuple[dict, list[str]]:
    """A fresh ``__main__`` module for the cells (pickle and dataclasses find their classes there), with
    the usual libraries imported."""
    module = types.ModuleType("__main__")
    sys.modules["__main__"] = module
    namespace = module.__dict__
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
    return namespace, loaded


def _describe_error(exc: BaseException, keep: int) -> str:
    """The last traceback line, at most ``keep`` characters (a cell's ``__str__`` may be huge or raise)."""
    name = type(exc).__name__
    try:
        if isinstance(exc, SyntaxError):
            text = traceback.format_exception_only(type(exc), exc)[-1].strip()
        else:
            text = f"{name}: {exc}".strip()
    except BaseException:
        text = f"{name}: (the exception could not be printed)"
    if not isinstance(text, str):
        text = name
    return text[:keep]


def run_cell(code: str, namespace: dict, keep: int, cap: int) -> dict:
    out = BoundedWriter(keep, cap)
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
        clean_exit = False
        if isinstance(exc, SystemExit):
            try:
                clean_exit = exc.code is None or (type(exc.code) in (int, bool) and exc.code == 0)
            except BaseException:
                clean_exit = False
        error = None if clean_exit else _describe_error(exc, keep)
    finally:
        sys.stdout, sys.stderr = old_out, old_err
    try:
        stdout = out.value()
        truncated = bool(out.truncated) or len(stdout) > keep
    except BaseException:  # the cell replaced the writer's insides
        stdout, truncated = "", True
    return {
        "stdout": stdout[:keep] if type(stdout) is str else "",
        "error": error,
        "truncated": truncated,
        "seconds": time.perf_counter() - t0,
    }


def _serve(rfd: int, wfd: int, namespace: dict, keep: int, cap: int) -> None:
    """Answer requests until EOF. Every name is bound locally: rebinding this module's globals from a
    cell does not change the loop. Each answer echoes its request's id (the parent checks it)."""
    receive, answer, run = recv, send, run_cell
    while True:
        try:
            request = receive(rfd)
            code, ident = request["code"], request["id"]
        except Exception:  # EOF (the parent closed the session, or died), or a malformed request
            return
        result = run(code, namespace, keep, cap)
        result["id"] = ident
        try:
            answer(wfd, result)
        except Exception:
            return


def main() -> None:
    rfd, wfd = int(sys.argv[1]), int(sys.argv[2])
    cfg = json.loads(sys.argv[3])
    keep, cap = int(cfg["keep_chars"]), int(cfg["cap_chars"])
    workdir = cfg.get("workdir") or tempfile.mkdtemp(prefix="mf-sandbox-")
    cgroup = cfg.get("cgroup")
    reaper = _start_reaper(workdir, cfg.get("lifeline"), cgroup)
    unavailable = {}
    no_cgroup = _join_cgroup(cgroup)
    netns = _unshare_network() if cfg.get("network_namespace", True) else False
    disk_mb, disk_files = int(cfg.get("disk_mb", 64)), int(cfg.get("disk_files", 2048))
    tmpfs, why = (
        _private_tmpfs(workdir, disk_mb, disk_files)
        if cfg.get("private_tmpfs", True)
        else (False, "turned off in the configuration")
    )
    if why:
        unavailable["disk"] = why
    os.chdir(workdir)
    tempfile.tempdir = workdir
    shutil._use_fd_functions = False  # rmtree by path names: the audit hook refuses dir_fd
    namespace, loaded = _preload()
    read_dirs, read_files = _readable_paths()
    uid = _drop_privileges(workdir, _read_roots())
    max_tasks, nproc = int(cfg.get("max_tasks", 32)), None
    if no_cgroup:
        if os.getuid() == 0:
            unavailable["tasks"] = f"{no_cgroup}; RLIMIT_NPROC does not apply to root"
        else:  # counted per uid, so: what this uid runs now, plus the budget
            now = _tasks_of_uid(os.getuid())
            nproc = None if now is None else now + max_tasks
            if nproc is None:
                unavailable["tasks"] = f"{no_cgroup}; /proc could not be read"
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    landlock, why = _landlock(workdir, read_dirs, read_files)
    if why:
        unavailable["landlock"] = why
    caps, why = _drop_capabilities()
    if why:
        unavailable["capabilities"] = why
    seccomp, why = _seccomp()
    if why:
        unavailable["seccomp"] = why
    limits = _set_limits(cfg, processes=not seccomp, tasks=nproc)
    _install_audit_hook(workdir, read_dirs, read_files)
    isolation = {
        "network_namespace": netns,
        "user": "nobody" if uid is not None else f"uid {os.getuid()} (no privilege drop)",
        "landlock": landlock or False,
        "seccomp": seccomp,
        "capabilities": caps or False,
        "rlimits": limits,
        "tasks": (
            f"pids cgroup (at most {max_tasks})"
            if not no_cgroup
            else f"RLIMIT_NPROC ({max_tasks} above this uid's {nproc - max_tasks})"
            if nproc is not None and "processes" in limits
            else "not capped"
        ),
        "disk": (
            f"tmpfs ({disk_mb} MiB, {disk_files} files)"
            if tmpfs
            else f"quota ({disk_mb} MiB, {disk_files} files, checked by the parent)"
        ),
        "disk_tmpfs": tmpfs,
        "audit_hook": True,
        "workdir_reaper": reaper,
        "preloaded": loaded,
    }
    if unavailable:
        isolation["unavailable"] = unavailable
    try:
        send(wfd, {"ready": True, "workdir": workdir, "isolation": isolation})
        _serve(rfd, wfd, namespace, keep, cap)
    finally:
        # EOF, or the parent is gone. Under Landlock the directory itself is the reaper's to remove.
        with contextlib.suppress(BaseException):
            shutil.rmtree(workdir, ignore_errors=True)
        os._exit(0)


if __name__ == "__main__":
    main()
