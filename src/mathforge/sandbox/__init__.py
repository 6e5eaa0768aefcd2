"""Isolated Python execution for tool-integrated reasoning: separate processes with resource limits, no
network, no files outside a private directory, killable on a wall-clock timeout, warm and reusable."""

from mathforge.sandbox.core import (
    CellResult,
    Sandbox,
    SandboxConfig,
    SandboxError,
    Session,
    describe_isolation,
)

__all__ = ["CellResult", "Sandbox", "SandboxConfig", "SandboxError", "Session", "describe_isolation"]
