"""kill -9 in the middle of an evaluation, then rerun: nothing lost, nothing done twice."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from evaldata import write_gsm8k

HERE = Path(__file__).parent
ITEMS = [(f"What is {a} plus {a + 1}?", 2 * a + 1) for a in range(1, 25)]


def _requests(log: Path) -> list[dict]:
    if not log.exists():
        return []
    return [json.loads(x) for x in log.read_text().splitlines() if x.strip()]


def test_kill_minus_nine_then_rerun(tmp_path):
    log = tmp_path / "requests.jsonl"
    server = subprocess.Popen(
        [sys.executable, str(HERE / "fake_openai.py"), str(log), "0.15"], stdout=subprocess.PIPE, text=True
    )
    try:
        url = server.stdout.readline().strip()
        data = write_gsm8k(tmp_path / "data", ITEMS)
        out = tmp_path / "run"
        cmd = [
            sys.executable,
            "-m",
            "mathforge.cli.main",
            "eval",
            "--model",
            "fake",
            "--backend",
            "openai",
            "--api-base",
            url,
            "--bench",
            "gsm8k",
            "--data-dir",
            str(data),
            "--out",
            str(out),
            "--concurrency",
            "1",
            "--chunk-size",
            "4",
        ]
        env = {**os.environ, "OPENAI_API_KEY": "x"}
        run = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while len(_requests(log)) < 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(run.pid, signal.SIGKILL)
        run.wait()
        assert len(_requests(log)) >= 10, "the eval did not get far enough before the kill"
        db = sqlite3.connect(out / "cache.sqlite")
        completed = {row[0] for row in db.execute("SELECT item FROM gen")}
        db.close()
        assert 0 < len(completed) < len(ITEMS)
        before = len(_requests(log))

        # output to a file, not a pipe: a pipe held open by a stray grandchild would block forever
        errlog = tmp_path / "rerun.log"
        with errlog.open("w") as fh:
            done = subprocess.run(cmd, env=env, stdout=fh, stderr=subprocess.STDOUT, timeout=300)
        assert done.returncode == 0, errlog.read_text()[-2000:]
    finally:
        server.kill()
    samples = [json.loads(x) for x in (out / "gsm8k" / "samples.jsonl").read_text().splitlines()]
    ids = Counter(s["id"] for s in samples)
    assert len(ids) == len(ITEMS) and set(ids.values()) == {1}  # every item exactly once
    assert all(s["correct"] == [True] for s in samples)
    # completed items were not generated again: one request in total for each of their questions
    per_question = Counter(r["prompt"] for r in _requests(log))
    done_questions = {s["question"] for s in samples if f"gsm8k/{s['id']}" in completed}
    assert len(done_questions) == len(completed)
    for q in done_questions:
        assert sum(n for p, n in per_question.items() if q in p) == 1, q
    # the rerun asked only for the items that had not been completed, once each
    assert len(_requests(log)) - before == len(ITEMS) - len(completed)
