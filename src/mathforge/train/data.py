"""Training data: pack raw text into fixed-length blocks (continued pre-training) and tokenise chats
with a loss mask (SFT: only the assistant's tokens are learned; in tool-integrated chats what the
interpreter printed is masked too, since the model must not learn to predict it). The ```output fence
that opens the block stays a target: it is the model's request to run its code (generation stops
there), and a model never taught to write it goes on after its program with an answer of its own."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from mathforge.stage_io import JsonlError, iter_jsonl

OUTPUT_BLOCK_RE = re.compile(r"(?<=```output\n).*?```\n?", re.DOTALL)  # after the fence: the printout


class DataError(ValueError):
    pass


def read_jsonl(paths: Iterable[str]) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """(file, line, record) for every line; a bad line raises DataError naming file and line."""
    for path in paths:
        try:
            for lineno, rec in iter_jsonl(path):
                yield path, lineno, rec  # type: ignore[misc]
        except JsonlError as exc:
            raise DataError(f"{exc}; fix or remove the line") from None


def pack_texts(texts: Iterable[str], tokenizer, seq_len: int) -> dict[str, Any]:
    """Concatenate tokenised texts (each followed by EOS) and cut into ``seq_len`` blocks; the tail
    shorter than a block is dropped. Returns the blocks and token counts."""
    eos = tokenizer.eos_token_id
    buf: list[int] = []
    blocks: list[list[int]] = []
    n_texts = n_tokens = 0
    for text in texts:
        ids = tokenizer(text, add_special_tokens=False)["input_ids"] + [eos]
        n_texts += 1
        n_tokens += len(ids)
        buf.extend(ids)
        while len(buf) >= seq_len:
            blocks.append(buf[:seq_len])
            buf = buf[seq_len:]
    return {"blocks": blocks, "texts": n_texts, "tokens": n_tokens, "dropped_tail": len(buf)}


def pretrain_texts(paths: Iterable[str]) -> Iterator[str]:
    for path, lineno, rec in read_jsonl(paths):
        text = rec.get("text")
        if not isinstance(text, str):
            raise DataError(f"{path}:{lineno}: pretraining records need a 'text' field")
        yield text


def _segments(text: str) -> list[tuple[str, bool]]:
    """Split assistant text into (piece, trainable) around ```output blocks."""
    out, pos = [], 0
    for m in OUTPUT_BLOCK_RE.finditer(text):
        if m.start() > pos:
            out.append((text[pos : m.start()], True))
        out.append((m.group(0), False))
        pos = m.end()
    if pos < len(text):
        out.append((text[pos:], True))
    return out


def tokenize_chat(messages: list[dict[str, str]], tokenizer, seq_len: int) -> dict[str, list[int]]:
    """input_ids and completion_mask (1 = learned) for one chat whose last turn is the assistant's."""
    if not messages or messages[-1].get("role") != "assistant":
        raise DataError("a chat must end with the assistant's turn")
    prompt = tokenizer.apply_chat_template(messages[:-1], tokenize=False, add_generation_prompt=True)
    full = tokenizer.apply_chat_template(messages, tokenize=False)
    if not full.startswith(prompt):
        raise DataError("the chat template renders the conversation inconsistently; cannot mask the prompt")
    ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    mask = [0] * len(ids)
    for piece, trainable in _segments(full[len(prompt) :]):
        p_ids = tokenizer(piece, add_special_tokens=False)["input_ids"]
        ids += p_ids
        mask += [int(trainable)] * len(p_ids)
    return {"input_ids": ids[:seq_len], "completion_mask": mask[:seq_len]}


def sft_dataset(paths: Iterable[str], tokenizer, seq_len: int):
    """A ``datasets.Dataset`` of tokenised chats from JSONL records with ``messages``."""
    from datasets import Dataset

    rows = []
    for path, lineno, rec in read_jsonl(paths):
        msgs = rec.get("messages")
        if not isinstance(msgs, list):
            raise DataError(f"{path}:{lineno}: SFT records need a 'messages' list")
        try:
            row = tokenize_chat(msgs, tokenizer, seq_len)
        except DataError as exc:
            raise DataError(f"{path}:{lineno}: {exc}") from exc
        if sum(row["completion_mask"]):
            rows.append(row)
    if not rows:
        raise DataError("no SFT examples with assistant tokens in the data")
    return Dataset.from_list(rows)
