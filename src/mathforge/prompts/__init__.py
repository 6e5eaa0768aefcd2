"""Prompt templates: zero-shot chain-of-thought (chat), few-shot chain-of-thought (base models),
multiple choice and cloze, in English and Chinese.

A ``Prompt`` carries both a chat form (``messages``, turned into text by the backend's own chat
template) and a plain completion form (``text``), so every backend can serve every style.
"""

from mathforge.prompts.templates import (
    OUTPUT_FENCE,
    PROMPT_STYLES,
    TOOL_STYLES,
    Prompt,
    build_prompt,
    default_style,
    describe_templates,
)

__all__ = [
    "OUTPUT_FENCE",
    "PROMPT_STYLES",
    "TOOL_STYLES",
    "Prompt",
    "build_prompt",
    "default_style",
    "describe_templates",
]
