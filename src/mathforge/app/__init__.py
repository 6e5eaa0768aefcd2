"""``mathforge app``: a local solver web app (FastAPI + uvicorn, one static page, bundled KaTeX).

``create_app`` builds the ASGI application; ``serve`` runs it. Importing this package does not import
FastAPI: the ``ui`` extra is only needed to build or run the app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from mathforge.app.server import AppSettings, create_app, serve

__all__ = ["AppSettings", "create_app", "serve"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from mathforge.app import server

        return getattr(server, name)
    raise AttributeError(name)
