"""Behaviour of ``mathforge.sandbox``: sessions, notebook-like output, errors, limits, privacy, warm pool.

Hostile programs are in test_sandbox_hostile.py; this file checks what a model's code normally meets.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time

import pytest

from mathforge.sandbox import CellResult, Sandbox, SandboxConfig, describe_isolation

KEEP = 300
CONFIG = SandboxConfig(timeout=2, cpu_seconds=2, memory_mb=1024, keep_chars=KEEP, cap_chars=50_000, warm=2)


def close_and_settle(sandbox: Sandbox) -> None:
    """Close (which also stops a worker being started by the refill thread, and waits for that thread)."""
    sandbox.close()
    filling = getattr(sandbox, "_filling", None)
    deadline = time.monotonic() + 30
    while filling is not None and filling.is_set() and time.monotonic() < deadline:
        time.sleep(0.02)


@pytest.fixture(scope="module")
def sb():
    sandbox = Sandbox(CONFIG)
    try:
        yield sandbox
    finally:
        close_and_settle(sandbox)


def test_session_keeps_variables(sb):
    with sb.session() as s:
        assert s.run("x = 21").status == "ok"
        assert s.run("def double(v):\n    return 2 * v").status == "ok"
        r = s.run("double(x)")
    assert r.status == "ok" and r.stdout == "42\n" and r.error is None


def test_sessions_do_not_share_variables(sb):
    with sb.session() as a, sb.session() as b:
        a.run("shared_secret = 123")
        r = b.run("shared_secret")
        assert a.run("shared_secret").stdout == "123\n"
    assert r.status == "error"
    assert r.error == "NameError: name 'shared_secret' is not defined"


def test_libraries_are_preloaded(sb):
    r = sb.run(
        "print(type(sympy).__name__, sp is sympy, np.__name__, math.isqrt(17))\n"
        "print(sp.factor(sp.Symbol('x')**2 - 1), int(np.arange(5).sum()))"
    )
    assert r.status == "ok", r
    assert r.stdout == "module True numpy 4\n(x - 1)*(x + 1) 10\n"


def test_last_expression_is_printed(sb):
    assert sb.run("1 + 1").stdout == "2\n"
    assert sb.run("print('a')\n'b'").stdout == "a\n'b'\n"  # repr, like a notebook
    assert sb.run("y = 5").stdout == ""  # an assignment prints nothing
    assert sb.run("None").stdout == ""
    assert sb.run("[i * i for i in range(4)]").stdout == "[0, 1, 4, 9]\n"
    assert sb.run("x = 2\nif x:\n    x + 1").stdout == ""  # only a top-level last expression


def test_error_is_last_traceback_line(sb):
    r = sb.run("print('before')\n1 / 0")
    assert r.status == "error"
    assert r.error == "ZeroDivisionError: division by zero"
    assert r.stdout == "before\n"  # output up to the error is kept
    r = sb.run("raise ValueError('bad value')")
    assert (r.status, r.error) == ("error", "ValueError: bad value")
    r = sb.run("import sys\nsys.exit(0)")
    assert (r.status, r.error) == ("ok", None)
    r = sb.run("import sys\nsys.exit(3)")
    assert (r.status, r.error) == ("error", "SystemExit: 3")


def test_syntax_error_reported(sb):
    r = sb.run("def f(:\n    pass")
    assert r.status == "error"
    assert r.error.startswith("SyntaxError")
    assert r.stdout == ""
    r = sb.run("print('unclosed")
    assert r.status == "error" and r.error.startswith("SyntaxError")


def test_stdout_truncated_at_keep_chars(sb):
    r = sb.run("print('x' * 1000)")
    assert r.status == "ok"
    assert r.truncated is True
    assert r.stdout == "x" * KEEP
    assert r.for_model() == "x" * KEEP + "\n... (output truncated)"
    r = sb.run(f"print('y' * {KEEP - 1})")  # exactly KEEP characters with the newline
    assert r.truncated is False and len(r.stdout) == KEEP


def test_output_cap_stops_the_cell(sb):
    r = sb.run("while True:\n    print('z' * 100)")
    assert r.status == "error" and r.error.startswith("OutputLimitExceeded")
    assert r.truncated and len(r.stdout) == KEEP
    assert r.seconds < CONFIG.timeout


def test_timeout_then_fresh_worker_with_note(sb):
    with sb.session() as s:
        assert s.run("kept = 1").status == "ok"
        first = s.worker.proc.pid
        t0 = time.perf_counter()
        r = s.run("while True:\n    pass")
        elapsed = time.perf_counter() - t0
        assert r.status == "timeout" and r.error is None
        assert CONFIG.timeout <= elapsed < CONFIG.timeout + 2
        assert r.for_model() == "TimeoutError: the code ran too long and was stopped"
        nxt = s.run("print('back')")
        assert nxt.status == "ok" and nxt.stdout == "back\n"
        assert nxt.note and "lost" in nxt.note
        assert s.worker.proc.pid != first
        gone = s.run("kept")
        assert gone.error == "NameError: name 'kept' is not defined"
        assert gone.note is None  # the note comes once, with the first cell after the restart


def test_crash_reported_as_killed(sb):
    with sb.session() as s:
        r = s.run("import os\nos._exit(7)")
        assert r.status == "killed"
        assert r.for_model().startswith("Killed:")
        assert s.run("1 + 1").stdout == "2\n"


def test_for_model_text():
    assert CellResult("4\n", None, "ok").for_model() == "4"
    assert CellResult("", None, "ok").for_model() == ""
    err = CellResult("partial\n", "ZeroDivisionError: division by zero", "error")
    assert err.for_model() == "partial\nZeroDivisionError: division by zero"
    assert CellResult("ab", None, "ok", truncated=True).for_model() == "ab\n... (output truncated)"
    assert (
        CellResult("", None, "timeout").for_model() == "TimeoutError: the code ran too long and was stopped"
    )
    assert (
        CellResult("", "CPU time limit exceeded", "killed").for_model() == "Killed: CPU time limit exceeded"
    )
    assert CellResult("", None, "killed").for_model() == "Killed: the process died"
    d = CellResult("1\n", None, "ok", seconds=0.5).to_dict()
    assert d == {
        "stdout": "1\n",
        "error": None,
        "status": "ok",
        "truncated": False,
        "seconds": 0.5,
        "note": None,
    }


def test_for_model_from_real_cells(sb):
    assert sb.run("print(2 + 2)").for_model() == "4"
    assert sb.run("1/0").for_model() == "ZeroDivisionError: division by zero"


def test_workdir_private_and_removed(sb):
    with sb.session() as a:
        assert a.run("open('notes.txt', 'w').write('from a')").status == "ok"
        assert a.run("open('notes.txt').read()").stdout == "'from a'\n"
        workdir_a = a.worker.workdir
        # on a private tmpfs the file lives in the worker's mount namespace only; else in the workdir
        seen_by_parent = os.path.isfile(os.path.join(workdir_a, "notes.txt"))
        assert workdir_a and seen_by_parent is not a.worker.info["disk_tmpfs"]
        with sb.session() as b:
            r = b.run("open('notes.txt').read()")
            assert r.status == "error" and r.error.startswith("FileNotFoundError")
            r = b.run(f"open({os.path.join(workdir_a, 'notes.txt')!r}).read()")
            assert r.status == "error" and "PermissionError" in r.error
            assert b.worker.workdir != workdir_a
    assert not os.path.exists(workdir_a)


def test_warm_pool_makes_runs_fast(sb):
    sb.run("pass")  # the pool is filled
    time.sleep(0.5)
    t0 = time.perf_counter()
    r = sb.run("print(3 * 3)")
    elapsed = time.perf_counter() - t0
    assert r.stdout == "9\n"
    assert elapsed < 1.0, f"a run on a warm sandbox took {elapsed:.2f} s"


def test_cell_seconds_reported(sb):
    r = sb.run("import time\ntime.sleep(0.2)")
    assert r.status == "ok" and 0.15 < r.seconds < CONFIG.timeout


def test_isolation_described(sb):
    info = sb.isolation
    assert info["audit_hook"] is True
    assert {"landlock", "seccomp", "capabilities"} <= info.keys()
    line = describe_isolation(info)
    assert line.startswith("sandbox: ")
    assert f"address_space={CONFIG.memory_mb * 2**20}" in line
    if info["landlock"]:
        assert f"Landlock ABI {info['landlock']}" in line
    else:
        assert "no Landlock (" in line and info["unavailable"]["landlock"]
    assert ("seccomp filter" in line) is bool(info["seccomp"])
    assert f"disk budget: {info['disk']}" in line and f"tasks: {info['tasks']}" in line


def test_describe_isolation_names_missing_layers():
    line = describe_isolation(
        {
            "network_namespace": False,
            "user": "uid 1000 (no privilege drop)",
            "landlock": False,
            "seccomp": False,
            "capabilities": "none held",
            "rlimits": {"core": 0},
            "audit_hook": True,
            "disk": "quota (64 MiB, 2048 files, checked by the parent)",
            "tasks": "not capped",
            "unavailable": {
                "landlock": "Landlock unavailable (ENOSYS)",
                "seccomp": "not x86_64",
                "tasks": "no pids cgroup could be made",
            },
        }
    )
    assert "disk budget: quota (64 MiB, 2048 files, checked by the parent)" in line
    assert "tasks: not capped (no pids cgroup could be made)" in line
    assert "sockets refused (no namespace)" in line
    assert "no Landlock (Landlock unavailable (ENOSYS))" in line
    assert "no seccomp (not x86_64)" in line
    assert "capabilities none held" in line and "audit hook" in line and "core=0" in line
    full = describe_isolation(
        {"network_namespace": True, "landlock": 7, "seccomp": True, "capabilities": "dropped"}
    )
    assert (
        "Landlock ABI 7" in full
        and "no TCP" in full
        and "no signals out" in full
        and "seccomp filter" in full
    )


def test_closed_sandbox_refuses(sb):
    with Sandbox(SandboxConfig(warm=0)) as other:
        assert other.run("7").stdout == "7\n"
    with pytest.raises(RuntimeError):
        other.run("1")


NORMAL_CELLS = [
    # (cell, expected stdout): what models write, all under Landlock + seccomp + the audit hook
    (
        "import decimal, statistics, fractions, itertools, json, re, collections.abc\n"
        "print(decimal.Decimal(1) / 8, statistics.mean([1, 2, 6]), json.dumps([1]), re.sub('a', 'b', 'aa'))",
        "0.125 3 [1] bb\n",
    ),
    ("print(open('/dev/null').read() == '', open('/dev/null', 'w').write('x'))", "True 1\n"),
    (
        "import os\nopen('f.txt', 'w').write('hi')\nos.mkdir('d')\nos.rename('f.txt', 'd/g.txt')\n"
        "print(open('d/g.txt').read(), sorted(os.listdir('.')), os.listdir('d'))",
        "hi ['d'] ['g.txt']\n",
    ),
    (
        "import os, pathlib, shutil\np = pathlib.Path('sub/p.txt')\np.parent.mkdir()\np.write_text('pp')\n"
        "print(p.read_text())\nshutil.rmtree(pathlib.Path('sub'))\nos.makedirs('t/u')\nshutil.rmtree('t')\nprint(p.exists(), os.listdir('.'))",
        "pp\nFalse []\n",
    ),
    (
        "import tempfile\nwith tempfile.TemporaryFile() as f:\n    f.write(b'x')\n    f.seek(0)\n    print(f.read())\n"
        "with tempfile.TemporaryDirectory() as d, open(d + '/t', 'w') as g:\n    print(g.write('ab'))",
        "b'x'\n2\n",
    ),
    (
        "import threading\nout = []\nt = threading.Thread(target=lambda: out.append(sum(range(10))))\nt.start()\n"
        "t.join()\nprint(out)",
        "[45]\n",
    ),
    (
        "x = sympy.Symbol('x')\nprint(sympy.integrate(2 * x, (x, 0, 3)), sympy.solve(x**2 - 4, x))",
        "9 [-2, 2]\n",
    ),
    ("print(np.linalg.det(np.eye(3)), np.fft.fft([1, 0]).real.tolist())", "1.0 [1.0, 1.0]\n"),
    (
        "import zoneinfo, datetime\n"
        "print(datetime.datetime(2020, 1, 1, tzinfo=zoneinfo.ZoneInfo('Europe/Paris')).utcoffset())",
        "1:00:00\n",
    ),
    (
        "import pickle\nfrom dataclasses import dataclass\n@dataclass\nclass P:\n    x: int\n"
        "print(pickle.loads(pickle.dumps(P(3))))",
        "P(x=3)\n",
    ),
    (
        "import sqlite3\nc = sqlite3.connect('db.sqlite')\nc.execute('create table t(a)')\n"
        "c.execute('insert into t values (5)')\nprint(c.execute('select a from t').fetchall())",
        "[(5,)]\n",
    ),
    ("import mpmath\nmpmath.mp.dps = 20\nprint(mpmath.sqrt(2))", "1.4142135623730950488\n"),
    ("print('\\ud800' == chr(0xD800))", "True\n"),
]


@pytest.mark.parametrize(("code", "expected"), NORMAL_CELLS, ids=range(len(NORMAL_CELLS)))
def test_normal_cells_work_under_every_layer(sb, code, expected):
    with sb.session() as s:
        r = s.run(code)
    assert (r.status, r.error) == ("ok", None), r
    assert r.stdout == expected


def test_kernel_layers_active_where_the_kernel_has_them(sb):
    """On Linux x86_64 with Landlock (this machine, CI): every layer is on, or the report says why not."""
    info = sb.isolation
    probe = (
        "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\nlibc.syscall.restype = ctypes.c_long\n"
        "print(libc.syscall(ctypes.c_long(444), None, ctypes.c_long(0), ctypes.c_long(1)))"
    )
    abi = int(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout)
    if abi > 0 and os.uname().machine in ("x86_64", "aarch64"):
        assert info["landlock"] == abi
    else:
        assert info["landlock"] is False and info["unavailable"]["landlock"]
    if os.uname().machine == "x86_64":
        assert info["seccomp"] is True
    if info["user"] == "nobody":
        assert info["capabilities"] == "none held"  # setuid() cleared them
    elif os.geteuid() == 0:
        assert info["capabilities"] == "dropped"


def test_protocol_messages_validated():
    from mathforge.sandbox.core import _valid_result

    good = {"id": "ab", "stdout": "x", "error": None, "truncated": False, "seconds": 0.5}
    assert _valid_result(good, "ab")
    assert not _valid_result(good, "other")  # an answer to another request
    assert not _valid_result([good], "ab")
    for key, bad in [
        ("stdout", None),
        ("stdout", ["x"]),
        ("error", 3),
        ("truncated", 0),
        ("seconds", True),
        ("seconds", float("nan")),
        ("seconds", -1),
        ("seconds", "1"),
    ]:
        assert not _valid_result({**good, key: bad}, "ab"), (key, bad)
    assert not _valid_result({**good, "extra": 1}, "ab")
    assert not _valid_result({k: v for k, v in good.items() if k != "error"}, "ab")


def test_output_and_error_cut_in_the_parent():
    """A worker's own caps are not trusted: the parent cuts stdout and error to keep_chars."""
    with Sandbox(SandboxConfig(warm=0, keep_chars=50)) as other, other.session() as s:
        r = s.run("class E(Exception):\n    def __str__(self):\n        return 'E' * 10**6\nraise E()")
        assert r.status == "error" and len(r.error) == 50 and r.error.startswith("E: EEE")
        worker = s.worker
        worker.config = SandboxConfig(keep_chars=10)  # as if the worker had been told to keep more
        r = s.run("print('y' * 40)")
        assert r.stdout == "y" * 10 and r.truncated


def test_worker_cleans_up_on_eof():
    """A worker whose request pipe closes exits by itself, and its workdir goes (the reaper removes the
    directory itself: Landlock keeps the worker from touching /tmp)."""
    from mathforge.sandbox.core import _Worker

    w = _Worker(SandboxConfig(warm=0))
    try:
        w.wait_ready(60)
        assert w.run("open('left.txt', 'w').write('x')").status == "ok"
        os.close(w.w)  # EOF, while the lifeline stays open: the worker itself notices
        w.w = -1
        assert w.proc.wait(timeout=10) == 0
        deadline = time.monotonic() + 10
        while os.path.exists(w.workdir) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not os.path.exists(w.workdir)
    finally:
        w.kill()


PARENT_GOES_DURING_REFILL = r"""
import os, sys, time
from mathforge.sandbox import Sandbox, SandboxConfig
sb = Sandbox(SandboxConfig(warm=2))
me = os.getpid()

def starting():
    idle = {w.proc.pid for w in list(sb._idle)}
    found = []
    for pid in [int(p) for p in os.listdir("/proc") if p.isdigit()]:
        try:
            stat = open(f"/proc/{pid}/stat").read()
            cmd = open(f"/proc/{pid}/cmdline", "rb").read()
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        if ppid == me and b"mathforge.sandbox.worker" in cmd and "mf-sandbox-" in cwd and pid not in idle:
            found.append((pid, cwd))
    return found

deadline = time.monotonic() + 20
found = []
while not found and time.monotonic() < deadline:  # a worker inside its workdir, still starting
    found = starting()
    time.sleep(0.002)
for pid, cwd in found:
    print(pid, cwd, flush=True)
if sys.argv[1] == "close":
    sb.close()  # must stop the worker being started, and remove its workdir, before returning
    print("closed", flush=True)
else:
    os._exit(0)  # the parent dies: no close(), no atexit; the worker's reaper must clean up
"""


def _group_alive(pgid: int) -> list[int]:
    alive = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            alive.append(int(entry))
    return alive


@pytest.mark.parametrize("how", ["close", "parent_dies"])
def test_no_worker_or_workdir_left_when_refill_is_interrupted(how):
    done = subprocess.run(
        [sys.executable, "-c", PARENT_GOES_DURING_REFILL, how], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    found = [line.split() for line in lines if line != "closed"]
    assert found, "no worker was seen starting (timing): nothing to check"
    if how == "close":
        assert lines[-1] == "closed"
        deadline = time.monotonic() + 2  # close() returned: only the kernel's own bookkeeping is left
    else:
        deadline = time.monotonic() + 15  # the reaper reads EOF on the lifeline, kills, removes
    pids = [int(pid) for pid, _ in found]
    while time.monotonic() < deadline and (
        any(_group_alive(pid) for pid in pids) or any(os.path.exists(w) for _, w in found)
    ):
        time.sleep(0.05)
    alive = [p for pid in pids for p in _group_alive(pid)]
    for p in alive:  # our own worker's group: ours to end
        with contextlib.suppress(ProcessLookupError):
            os.kill(p, 9)
    left = [w for _, w in found if os.path.exists(w)]
    for w in left:
        shutil.rmtree(w, ignore_errors=True)
    assert not alive, f"processes of the worker left running: {alive}"
    assert not left, f"workdirs left behind: {left}"
