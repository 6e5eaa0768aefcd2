"""A run you can watch: one live line per stage on the terminal, everything else in the stage's log.

While a stage runs, Python-level output — ``print``, warnings, ``logging`` (transformers included) and
tqdm progress bars — goes to ``RUN/<stage>/log.txt``; the terminal shows a rich status line with the
stage's name, its latest key number (``step 40/400 · loss 1.23``) and the time so far. Output written
by native code straight to file descriptor 1/2 is not captured (the stages here produce none).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

from mathforge.recipe.context import Context


@contextlib.contextmanager
def _redirect_logging(stream: Any) -> Iterator[None]:
    """Point every stream handler of the root and library loggers at ``stream`` for a while."""
    handlers: list[tuple[logging.StreamHandler, Any]] = []
    loggers = [logging.getLogger(), *(logging.getLogger(n) for n in ("transformers", "trl", "accelerate"))]
    for lg in loggers:
        for h in lg.handlers:
            seen = any(h is other for other, _ in handlers)
            if isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler) and not seen:
                handlers.append((h, h.stream))
                h.stream = stream  # not setStream: it flushes the old stream, which may be closed
    try:
        yield
    finally:
        for h, old in handlers:
            h.stream = old


@contextlib.contextmanager
def stage_output(ctx: Context, stage: str, console: Any = None) -> Iterator[Callable[[str], None]]:
    """Capture the stage's output into its ``log.txt`` and yield the function that updates its status
    line. Without a console (library use, tests) output is still captured and status is a no-op."""
    log_path = ctx.dir(stage) / "log.txt"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("a", encoding="utf-8", buffering=1) as log_file:
        log_file.write(f"=== {stage} started {time.strftime('%Y-%m-%dT%H:%M:%S')}\n")
        t0 = time.perf_counter()
        latest = {"text": ""}

        def line() -> str:
            extra = f" · {latest['text']}" if latest["text"] else ""
            return f"[bold]▶ {stage}[/bold]{extra} · {time.perf_counter() - t0:.0f} s"

        def status(text: str) -> None:
            latest["text"] = text
            log_file.write(f"[status] {text}\n")
            if live is not None:
                live.update(line())

        live = console.status(line(), spinner="dots") if console is not None else None
        with contextlib.ExitStack() as stack:
            if live is not None:
                stack.enter_context(live)
                # refresh the elapsed time even when the stage reports nothing for a while
                stack.enter_context(_ticker(lambda: live.update(line())))
            stack.enter_context(contextlib.redirect_stdout(log_file))
            stack.enter_context(contextlib.redirect_stderr(log_file))
            stack.enter_context(_redirect_logging(log_file))
            yield status
        log_file.write(f"=== {stage} ended after {time.perf_counter() - t0:.1f} s\n")


@contextlib.contextmanager
def _ticker(tick: Callable[[], None], every: float = 1.0) -> Iterator[None]:
    import threading

    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            tick()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
