"""``mathforge app --model M``: the local solver web app (see ``mathforge.app.server``)."""

from __future__ import annotations

import socket

import typer

from mathforge.infer import BACKENDS, BackendSpec


def app_command(
    model: str = typer.Option(
        ..., "--model", "-m", help="Model directory, .gguf file, smollm2, or served model name."
    ),
    backend: str = typer.Option("hf", "--backend", "-b", help=f"One of: {', '.join(BACKENDS)}."),
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to listen on (keep loopback unless you mean it)."
    ),
    port: int = typer.Option(8000, "--port", "-p", min=0, max=65535),
    max_samples: int = typer.Option(16, "--max-samples", min=1, help="Largest k the page may ask for."),
    max_tokens: int = typer.Option(1024, "--max-tokens", min=1),
    temperature: float | None = typer.Option(
        None, "--temperature", "-t", help="Default: 0 for one sample, 0.7 for several."
    ),
    rounds: int = typer.Option(4, "--tool-rounds", min=1, help="Code executions per tool-integrated sample."),
    tool_timeout: float = typer.Option(10.0, "--tool-timeout", min=0.1, help="Wall-clock seconds per cell."),
    jobs: int = typer.Option(2, "--jobs", min=1, help="Requests generating at the same time."),
    chat: bool | None = typer.Option(None, "--chat/--no-chat"),
    api_base: str | None = typer.Option(None, "--api-base", help="openai: server URL."),
    allow_network: bool = typer.Option(False, "--allow-network"),
    device: str = typer.Option("auto", "--device"),
    dtype: str = typer.Option("auto", "--dtype"),
) -> None:
    """Serve a page that solves problems with the model: streamed samples with rendered math, executed
    code cells, the vote table and an optional check against a reference answer."""
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        typer.echo(
            f"error: the app needs FastAPI and uvicorn ({exc.name} is missing): pip install 'mathforge[ui]'",
            err=True,
        )
        raise typer.Exit(2) from None
    if backend not in BACKENDS:
        typer.echo(f"error: unknown backend {backend!r}; use one of {', '.join(BACKENDS)}", err=True)
        raise typer.Exit(2)
    from mathforge.app.server import AppSettings, create_app, serve

    spec = BackendSpec(
        backend=backend,
        model=model,
        chat=chat,
        api_base=api_base,
        allow_network=allow_network,
        device=device,
        dtype=dtype,
        batch_size=1,
    )
    settings = AppSettings(
        max_samples=max_samples,
        max_tokens=max_tokens,
        temperature=temperature,
        tool_rounds=rounds,
        tool_timeout=tool_timeout,
        jobs=jobs,
    )
    try:  # a taken port is one line here, not a uvicorn log after the model has started loading
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        typer.echo(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from None
    web = create_app(spec, settings=settings)
    shown = "localhost" if host in ("127.0.0.1", "::1") else host
    typer.echo(f"mathforge app: http://{shown}:{port}/  (model {model}, backend {backend}; Ctrl-C stops)")
    try:
        serve(web, host=host, port=port)
    except (OSError, SystemExit) as exc:  # uvicorn exits when it cannot bind
        if isinstance(exc, SystemExit) and not exc.code:
            return
        typer.echo(f"error: the server stopped: {exc}", err=True)
        raise typer.Exit(2) from None
