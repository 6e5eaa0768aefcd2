"""The solver web app behind ``mathforge app``: one small page, a JSON API and Server-Sent Events.

**Why FastAPI + uvicorn.** The page needs three things a chat widget does not give: math rendered with
KaTeX (inline and display, inside streamed text), tool-integrated transcripts shown as executed code
cells with their outputs in order, and a vote table. Gradio, the alternative considered, renders Markdown
and LaTeX through its own front end; its KaTeX and code-cell rendering are tied to its component set
and version, it pulls a large dependency tree, and running it fully offline (fonts, front-end assets,
telemetry off) needs extra care. Here the page is ~300 lines of plain HTML/JS/CSS that we control, KaTeX
is bundled in ``static/katex`` (no CDN, works offline), the server is a few endpoints on Starlette's
well-tested async stack, and the tests drive the real page in headless Chromium.

**How a request runs.** ``POST /api/jobs`` queues a job and returns its id; generation runs in a worker
thread (a ``ThreadPoolExecutor`` with ``AppSettings.jobs`` threads), never on the event loop, so one
long request does not block the server for others. ``GET /api/jobs/{id}/events`` streams the job as
Server-Sent Events: each sample's text as it grows (token by token through the backend's ``stream``:
hf, llamacpp and openai stream; vllm's offline engine gives a whole sample, or a whole tool-integrated
round, at a time), the executed code cells (they are ``output`` blocks in the text), then a ``result``
event with the answers, the vote table and the grader's verdict. ``POST /api/jobs/{id}/cancel`` stops a
job: the flag is checked before every sample and tool round and after every streamed piece, the
backend's ``stream`` stops its engine at the next token (or closes the server connection), and a
queued job never starts. A code cell that is already running finishes or hits the sandbox's
wall-clock limit (``tool_timeout``).

Samples go through :func:`mathforge.solve.solve` (and :class:`mathforge.tir.ToolBackend` for
tool-integrated reasoning, with the same sandbox limits as ``mathforge eval``), one sample per engine
call, so samples stream in and a cancel takes effect between them. Votes group answers as ``solve`` does
(normalised form), then merge groups the grader judges equivalent (``0.5`` and ``\\frac{1}{2}``).

The model is loaded in a background thread at startup; until then jobs wait, and a model that cannot be
loaded is reported as one line by ``GET /api/status`` and as a JSON error to every job request, and the
page shows it. Local engines (hf, llamacpp, vllm) hold one model in memory, so their samples are
generated one at a time (jobs interleave sample by sample); the openai backend and test backends run
concurrently.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles

from mathforge import __version__
from mathforge.infer.base import (
    Backend,
    BackendError,
    BackendSpec,
    Generation,
    SamplingParams,
    collect_stream,
)
from mathforge.prompts import TOOL_STYLES, Prompt
from mathforge.safe_text import displayable_tree

log = logging.getLogger("mathforge.app")

STATIC = Path(__file__).with_name("static")
MODES = ("cot", "tir")
SELECT = ("maj", "sctir", "genselect", "verify")  # rm needs a reward model: CLI only
SERIAL_BACKENDS = ("hf", "llamacpp", "vllm")  # one model in memory: one generation at a time
STREAM_INTERVAL = 0.1  # seconds between streamed updates of one sample


@dataclass
class AppSettings:
    """What the server allows and how it samples; ``mathforge app`` flags map onto these."""

    max_samples: int = 16
    max_tokens: int = 1024
    temperature: float | None = None  # None: 0 for one sample, 0.7 for several (as ``solve``)
    tool_rounds: int = 4
    tool_timeout: float = 10.0  # wall-clock seconds per executed cell
    jobs: int = 2  # jobs generating at the same time; more wait in a queue
    max_question_chars: int = 8000
    keep_jobs: int = 100  # finished jobs kept for late readers


class JobCancelled(Exception):
    """Raised inside the worker thread when the job's cancel flag is seen."""


class ModelUnavailable(Exception):
    """The backend could not be loaded (the message is the load error, one line)."""


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


# --------------------------------------------------------------------------------------------- engine


class Engine:
    """The backend, loaded once in a background thread; its state and load error."""

    def __init__(self, loader: Callable[[], Backend], label: str, backend_name: str) -> None:
        self._loader = loader
        self.label = label
        self.backend_name = backend_name
        self.state = "loading"
        self.error: str | None = None
        self.backend: Backend | None = None
        self.lock: threading.Lock | None = None
        self._ready = threading.Event()
        self._started = False
        self._start_lock = threading.Lock()

    def start(self) -> None:
        with self._start_lock:
            if not self._started:
                self._started = True
                threading.Thread(target=self._load, name="mathforge-app-load", daemon=True).start()

    def _load(self) -> None:
        t0 = time.perf_counter()
        try:
            backend = self._loader()
        except BackendError as exc:
            self.error = _one_line(exc)
        except Exception as exc:  # a model that will not load must not take the server down
            log.exception("model load failed")
            self.error = f"cannot load the model: {type(exc).__name__}: {_one_line(exc)}"
        else:
            self.backend = backend
            name = getattr(backend, "name", self.backend_name)
            self.lock = threading.Lock() if name in SERIAL_BACKENDS else None
            self.state = "ready"
            log.info("model ready in %.1f s", time.perf_counter() - t0)
        if self.error is not None:
            self.state = "error"
        self._ready.set()

    def wait(self, job: Job) -> Backend:
        """The backend, once loaded; ModelUnavailable if it failed; JobCancelled if the job was."""
        self.start()
        while not self._ready.wait(0.2):
            job.check()
        if self.backend is None:
            raise ModelUnavailable(self.error or "the model is not loaded")
        return self.backend


# ------------------------------------------------------------------------------------------------ job


class Job:
    """One solve request: its events (replayed to late readers) and its cancel flag. Events are
    appended from the worker thread and announced to the event loop thread-safely."""

    def __init__(self, request: dict[str, Any], loop: asyncio.AbstractEventLoop) -> None:
        self.id = uuid.uuid4().hex[:12]
        self.request = request
        self.state = "queued"
        self.events: list[dict[str, Any]] = []
        self.cancel_flag = threading.Event()
        self.created = time.time()
        self._lock = threading.Lock()
        self._loop = loop
        self._changed = asyncio.Event()
        self._last_sample: dict[int, float] = {}

    @property
    def finished(self) -> bool:
        return self.state in ("done", "cancelled", "error")

    def emit(self, type_: str, **data: Any) -> None:
        """Record an event; its text is made displayable (no terminal control, no lone surrogates)."""
        event = {"type": type_, **displayable_tree(data)}
        with self._lock:
            self.events.append(event)
        with contextlib.suppress(RuntimeError):  # the loop is gone: the server is shutting down
            self._loop.call_soon_threadsafe(self._changed.set)

    def sample(self, index: int, text: str, phase: str, *, force: bool = True) -> None:
        """A sample's text so far; unforced updates are throttled to one per STREAM_INTERVAL."""
        now = time.monotonic()
        if not force and now - self._last_sample.get(index, 0.0) < STREAM_INTERVAL:
            return
        self._last_sample[index] = now
        self.emit("sample", index=index, text=text, phase=phase)

    def status(self, state: str, message: str) -> None:
        self.state = state
        self.emit("status", state=state, message=message)

    def finish(self, state: str, message: str = "") -> None:
        self.state = state
        self.emit("end", state=state, message=message)

    def check(self) -> None:
        if self.cancel_flag.is_set():
            raise JobCancelled

    def cancel(self) -> None:
        self.cancel_flag.set()

    def begin(self) -> bool:
        """Claim the job for a worker; False when it was cancelled (and ended) while queued."""
        with self._lock:
            if self.finished or self.cancel_flag.is_set():
                return False
            self.state = "starting"
            return True

    def cancel_queued(self) -> bool:
        """End a job that no worker has claimed yet (a full queue must not delay a cancel)."""
        with self._lock:
            if self.state != "queued":
                return False
            self.state = "cancelled"
        self.emit("end", state="cancelled", message="cancelled before it started")
        return True

    async def stream(self) -> AsyncIterator[str]:
        """SSE frames: every event so far, then new ones as they come. A reader that goes away before
        the end (the page was closed) cancels the job."""
        sent, ended = 0, False
        try:
            while True:
                self._changed.clear()
                with self._lock:
                    new = self.events[sent:]
                for ev in new:
                    yield f"data: {json.dumps(ev, ensure_ascii=False)}\n\n"
                sent += len(new)
                if new and new[-1]["type"] == "end":
                    ended = True
                    return
                if not new:
                    try:
                        await asyncio.wait_for(self._changed.wait(), timeout=15)
                    except TimeoutError:
                        yield ": keep-alive\n\n"
        finally:
            if not ended and not self.finished:
                self.cancel()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            result = next((e for e in reversed(self.events) if e["type"] == "result"), None)
            errors = [e["message"] for e in self.events if e["type"] == "error"]
        return {"id": self.id, "state": self.state, "result": result, "errors": errors}


# ------------------------------------------------------------------------------ streaming per sample


class StreamingBackend:
    """Wraps the loaded backend for one job (and sits under ``ToolBackend`` for tool-integrated
    reasoning): one sample per engine call, so samples stream in as they finish; token streaming where
    the engine allows it; the cancel flag checked before and after every call and inside token loops.

    Sample ``j`` of a job with seed ``s`` is generated with seed ``s + 1000 j`` — the seed
    ``ToolBackend`` gives trajectory ``j`` — so a tool round is attributed to its sample by its seed."""

    def __init__(self, inner: Backend, job: Job, base_seed: int, lock: threading.Lock | None) -> None:
        self.inner = inner
        self.job = job
        self.base_seed = base_seed
        self.lock = lock
        self.name = inner.name
        self.model_id = inner.model_id
        self.calls = 0

    def info(self) -> dict[str, Any]:
        return self.inner.info()

    def generate(
        self, prompts: Sequence[Prompt], params: SamplingParams, progress: Callable[[int], None] | None = None
    ) -> list[list[Generation]]:
        out: list[list[Generation]] = []
        for prompt in prompts:
            gens = []
            for j in range(params.n):
                seed = params.seed + 1000 * j
                index = max(0, (seed - self.base_seed) // 1000)
                gens.append(self._sample(prompt, replace(params, n=1, seed=seed), index))
            out.append(gens)
            if progress:
                progress(1)
        return out

    def _sample(self, prompt: Prompt, params: SamplingParams, index: int) -> Generation:
        from mathforge.tir import pending_code

        self.job.check()
        head = prompt.continuation  # earlier rounds, with their executed outputs
        self.job.sample(index, head, "generating")

        def on_text(text: str) -> None:
            self.job.sample(index, head + text, "generating", force=False)

        with self.lock or contextlib.nullcontext():
            self.job.check()
            self.calls += 1
            gen = self._generate_one(prompt, params, on_text)
        self.job.check()
        text = head + gen.text
        code_next = prompt.style in TOOL_STYLES and not gen.error and pending_code(text) is not None
        self.job.sample(index, text, "code" if code_next else "generated")
        return gen

    def _generate_one(
        self, prompt: Prompt, params: SamplingParams, on_text: Callable[[str], None]
    ) -> Generation:
        """The engine's ``stream``: token by token where it can, else the whole sample at once. The
        cancel flag reaches the engine (it stops at its next token) and is checked after every piece."""

        def step(text: str) -> None:
            self.job.check()
            on_text(text)

        return collect_stream(self.inner.stream(prompt, params, self.job.cancel_flag), step)


# ------------------------------------------------------------------------------------------ answers


def group_votes(answers: Sequence[str | None]) -> list[dict[str, Any]]:
    """Vote groups, most votes first: answers grouped by normalised form as ``mathforge.solve.vote``
    does, then groups the grader judges equivalent merged (the first spelling is kept). Each group:
    ``answer``, ``count``, ``share`` (of all samples, those without an answer included), ``members``
    (sample indices)."""
    from mathforge.grade import is_equiv
    from mathforge.grade.normalize import normalise
    from mathforge.solve import vote

    def same(a: str, b: str) -> bool:
        try:
            return is_equiv(a, b, timeout=3.0)
        except Exception:
            return False

    groups: list[dict[str, Any]] = []
    for answer, count in vote(list(answers)):
        key = normalise(answer).text
        target = next((g for g in groups if same(g["answer"], answer)), None)
        if target is None:
            groups.append({"answer": answer, "count": count, "keys": {key}})
        else:
            target["count"] += count
            target["keys"].add(key)
    groups.sort(key=lambda g: -g["count"])  # stable: ties keep the order of first appearance
    total = max(1, len(answers))
    out = []
    for g in groups:
        members = [i for i, a in enumerate(answers) if a and normalise(a).text in g["keys"]]
        out.append(
            {"answer": g["answer"], "count": g["count"], "share": g["count"] / total, "members": members}
        )
    return out


def build_result(solution: Any, reference: str | None, seconds: float) -> dict[str, Any]:
    """The ``result`` event: samples (text, answer, cells, verdict), vote table, final answer, verdict."""
    from mathforge.grade import grade

    samples = []
    for s in solution.samples:
        verdict = None
        if reference:
            g = grade(reference, s.text)
            verdict = {"verdict": g.verdict, "reason": g.reason}
        samples.append(
            {
                "text": s.text,
                "answer": s.answer,
                "finish": s.finish,
                "error": s.error,
                "verdict": verdict,
                "cells": [
                    {
                        "code": code,
                        "status": r.status,
                        "output": r.for_model(),
                        "seconds": round(r.seconds, 3),
                    }
                    for code, r in s.cells
                ],
            }
        )
    votes = group_votes([s.answer for s in solution.samples])
    for v in votes:
        v["verdict"] = samples[v["members"][0]]["verdict"] if reference and v["members"] else None
    top = votes[0] if votes else None
    verdict = None
    if reference:
        verdict = (
            top["verdict"] if top else {"verdict": "unparseable", "reason": "no answer found in any sample"}
        )
    chosen_by = getattr(solution, "chosen_by", "maj")
    answer = top["answer"] if top else None
    if chosen_by != "maj":  # another strategy chose: its answer, and the vote class holding it
        answer = solution.answer
        j = next((i for i, smp in enumerate(solution.samples) if answer and smp.answer == answer), None)
        top = next((v for v in votes if j is not None and j in v["members"]), None)
        if reference:
            verdict = (
                {"verdict": "unparseable", "reason": "the strategy chose no answer"}
                if top is None
                else top["verdict"]
            )
    return {
        "samples": samples,
        "votes": votes,
        "answer": answer,
        "share": top["share"] if top else 0.0,
        "chosen_by": chosen_by,
        "why": getattr(solution, "why", ""),
        "reference": reference or None,
        "verdict": verdict,
        "seconds": round(seconds, 2),
    }


# ------------------------------------------------------------------------------------------- server


class SolverService:
    """Jobs, the executor that runs them, the engine and (lazily) the sandbox."""

    def __init__(self, engine: Engine, settings: AppSettings) -> None:
        self.engine = engine
        self.settings = settings
        self.jobs: OrderedDict[str, Job] = OrderedDict()
        self.executor = ThreadPoolExecutor(
            max_workers=max(1, settings.jobs), thread_name_prefix="mathforge-job"
        )
        self._sandbox = None
        self._sandbox_lock = threading.Lock()

    def sandbox(self):
        with self._sandbox_lock:
            if self._sandbox is None:
                from mathforge.sandbox import Sandbox, SandboxConfig

                t = self.settings.tool_timeout
                self._sandbox = Sandbox(SandboxConfig(timeout=t, cpu_seconds=int(t) + 1))
            return self._sandbox

    def submit(self, request: dict[str, Any], loop: asyncio.AbstractEventLoop) -> Job:
        job = Job(request, loop)
        self.jobs[job.id] = job
        while len(self.jobs) > self.settings.keep_jobs:
            old = next((k for k, j in self.jobs.items() if j.finished), None)
            if old is None:
                break
            del self.jobs[old]
        job.status("queued", "waiting for a free worker")
        self.executor.submit(self._run, job)
        return job

    def _run(self, job: Job) -> None:
        from mathforge.solve import solve

        req = job.request
        if not job.begin():
            return
        try:
            if self.engine.state == "loading":
                job.status("loading", f"loading {self.engine.label}")
            backend = self.engine.wait(job)
            k = req["k"]
            job.status("running", f"solving with {k} sample{'s' if k > 1 else ''}")
            engine: Any = StreamingBackend(backend, job, req["seed"], self.engine.lock)
            if req["mode"] == "tir":
                from mathforge.tir import ToolBackend

                engine = ToolBackend(engine, self.sandbox(), max_rounds=self.settings.tool_rounds)
            t0 = time.perf_counter()
            solution = solve(
                req["question"],
                engine,
                samples=k,
                style=req["mode"],
                temperature=self.settings.temperature,
                max_tokens=self.settings.max_tokens,
                seed=req["seed"],
                select=req.get("select", "maj"),
                sandbox=self.sandbox() if req.get("select") == "verify" else None,
            )
            job.check()
            job.emit("result", **build_result(solution, req.get("reference"), time.perf_counter() - t0))
            job.finish("done")
        except JobCancelled:
            job.finish("cancelled", "cancelled")
        except ModelUnavailable as exc:
            job.emit("error", message=str(exc))
            job.finish("error", str(exc))
        except BackendError as exc:
            job.emit("error", message=_one_line(exc))
            job.finish("error", _one_line(exc))
        except Exception as exc:
            log.exception("job %s failed", job.id)
            msg = f"{type(exc).__name__}: {_one_line(exc)}"
            job.emit("error", message=msg)
            job.finish("error", msg)

    def close(self) -> None:
        for job in list(self.jobs.values()):
            job.cancel()
        self.executor.shutdown(wait=False, cancel_futures=True)
        with self._sandbox_lock:
            if self._sandbox is not None:
                self._sandbox.close()
                self._sandbox = None


def _validate(body: Any, settings: AppSettings) -> dict[str, Any]:
    """The job request, checked; ValueError with a message for the page otherwise."""
    if not isinstance(body, dict):
        raise ValueError("send a JSON object")
    question = body.get("question")
    if not isinstance(question, str) or not question.strip():
        raise ValueError("the problem is empty")
    if len(question) > settings.max_question_chars:
        raise ValueError(f"the problem is longer than {settings.max_question_chars} characters")
    mode = body.get("mode", "cot")
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
    try:
        k = int(body.get("k", 1))
        seed = int(body.get("seed", 0))
    except (TypeError, ValueError):
        raise ValueError("k and seed must be whole numbers") from None
    if not 1 <= k <= settings.max_samples:
        raise ValueError(f"k must be between 1 and {settings.max_samples}")
    reference = body.get("reference")
    if reference is not None and not isinstance(reference, str):
        raise ValueError("the reference answer must be text")
    reference = reference.strip() if reference else None
    select = body.get("select", "maj")
    if select not in SELECT:
        raise ValueError(f"unknown selection {select!r}; use one of {', '.join(SELECT)}")
    return {
        "question": question,
        "mode": mode,
        "k": k,
        "seed": seed,
        "reference": reference or None,
        "select": select,
    }


def create_app(
    spec: BackendSpec | None = None,
    *,
    backend: Backend | None = None,
    loader: Callable[[], Backend] | None = None,
    settings: AppSettings | None = None,
    label: str | None = None,
):
    """The ASGI app. The backend comes from ``spec`` (started with ``get_backend`` in a background
    thread at startup), or ready-made (``backend``), or from a ``loader`` callable (tests)."""
    settings = settings or AppSettings()
    if backend is not None:

        def load() -> Backend:
            return backend

        name = getattr(backend, "name", "custom")
        label = label or getattr(backend, "model_id", name)
    elif loader is not None:
        load, name = loader, "custom"  # type: ignore[assignment]
        label = label or "model"
    elif spec is not None:
        from mathforge.infer import get_backend

        def load() -> Backend:
            return get_backend(spec)

        name = spec.backend
        label = label or f"{spec.model} ({spec.backend})"
    else:
        raise ValueError("create_app needs a spec, a backend or a loader")
    engine = Engine(load, label, name)
    service = SolverService(engine, settings)

    @asynccontextmanager
    async def lifespan(app):
        engine.start()
        yield
        service.close()

    app = FastAPI(
        title="mathforge solver", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None
    )
    app.state.service = service
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    def error(message: str, status: int) -> JSONResponse:
        return JSONResponse({"error": message}, status_code=status)

    @app.get("/", include_in_schema=False)
    async def index():
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.get("/api/status")
    async def status():
        engine.start()  # in case the server did not run the lifespan
        return {
            "state": engine.state,
            "model": engine.label,
            "backend": engine.backend_name,
            "error": engine.error,
            "version": __version__,
            "settings": asdict(settings),
            "modes": list(MODES),
            "jobs": {s: sum(j.state == s for j in service.jobs.values()) for s in ("queued", "running")},
        }

    @app.post("/api/jobs")
    async def create_job(request: Request):
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return error("the request body is not valid JSON", 400)
        try:
            req = _validate(body, settings)
        except ValueError as exc:
            return error(str(exc), 400)
        if engine.state == "error":
            return error(engine.error or "the model could not be loaded", 503)
        job = service.submit(req, asyncio.get_running_loop())
        return JSONResponse({"id": job.id, "state": job.state}, status_code=201)

    def find(job_id: str) -> Job | None:
        return service.jobs.get(job_id)

    @app.get("/api/jobs/{job_id}")
    async def get_job(job_id: str):
        job = find(job_id)
        return job.snapshot() if job else error(f"no job {job_id}", 404)

    @app.get("/api/jobs/{job_id}/events")
    async def job_events(job_id: str):
        job = find(job_id)
        if job is None:
            return error(f"no job {job_id}", 404)
        return StreamingResponse(
            job.stream(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @app.post("/api/jobs/{job_id}/cancel")
    async def cancel_job(job_id: str):
        job = find(job_id)
        if job is None:
            return error(f"no job {job_id}", 404)
        if not job.finished:
            job.cancel()
            job.cancel_queued()
        return {"id": job.id, "state": job.state, "cancel_requested": True}

    return app


def serve(app, host: str = "127.0.0.1", port: int = 8000, log_level: str = "warning") -> None:
    """Run the app with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level=log_level, timeout_graceful_shutdown=2)
