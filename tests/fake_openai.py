"""A scripted OpenAI-compatible server on loopback, for testing the openai backend and the runner.

It answers /v1/chat/completions and /v1/completions. ``answer_for(prompt_text)`` decides the reply (a list gives
one reply per sampled choice);
``faults`` injects failures by substring of the prompt: "500:K" fails the first K attempts with HTTP 500,
"429:K" rate-limits the first K attempts, "sleep:S" delays the reply S seconds. Every request is logged.

``"stream": true`` is answered as real servers do: Server-Sent Events, ``data: {chunk}`` frames (a
role chunk, one chunk per word of the reply, a final chunk with ``finish_reason``, a usage chunk when
``stream_options.include_usage`` asks) and ``data: [DONE]``; ``stream_delay`` seconds pass between
chunks. ``chunks_sent`` counts the chunks written per request and ``disconnects`` the streams the client
closed early (a cancel). Like the non-streaming replies, stop strings are not applied by the server.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeOpenAI:
    def __init__(
        self,
        answer_for: Callable[[str], str],
        faults: dict[str, str] | None = None,
        delay: float = 0.0,
        log_path: str | None = None,
        stream_delay: float = 0.0,
    ) -> None:
        self.answer_for = answer_for
        self.faults = faults or {}
        self.delay = delay
        self.log_path = log_path
        self.stream_delay = stream_delay
        self.chunks_sent: list[int] = []
        self.disconnects = 0
        self.attempts: Counter[str] = Counter()
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if "messages" in body:
                    text = "\n".join(m["content"] for m in body["messages"])
                else:
                    text = body["prompt"]
                with server.lock:
                    server.attempts[text] += 1
                    attempt = server.attempts[text]
                    if server.log_path:
                        with open(server.log_path, "a", encoding="utf-8") as fh:
                            fh.write(json.dumps({"prompt": text, "attempt": attempt}) + "\n")
                for needle, fault in server.faults.items():
                    if needle in text:
                        kind, _, arg = fault.partition(":")
                        if kind in ("500", "429") and attempt <= int(arg):
                            self._send(int(kind), {"error": {"message": f"injected {kind}"}})
                            return
                        if kind == "sleep" and attempt == 1:
                            time.sleep(float(arg))
                if server.delay:
                    time.sleep(server.delay)
                reply = server.answer_for(text)
                n = body.get("n", 1)
                replies = reply if isinstance(reply, list) else [reply]  # a list: one reply per choice
                if body.get("stream"):
                    self._stream(body, [replies[i % len(replies)] for i in range(n)])
                    return
                if "messages" in body:
                    choices = [
                        {
                            "index": i,
                            "message": {"role": "assistant", "content": replies[i % len(replies)]},
                            "finish_reason": "stop",
                        }
                        for i in range(n)
                    ]
                    obj = "chat.completion"
                else:
                    choices = [
                        {"index": i, "text": replies[i % len(replies)], "finish_reason": "stop"}
                        for i in range(n)
                    ]
                    obj = "text_completion"
                self._send(
                    200,
                    {
                        "id": "x",
                        "object": obj,
                        "created": 0,
                        "model": body.get("model", "fake"),
                        "choices": choices,
                        "usage": {"prompt_tokens": 1, "completion_tokens": 5 * n, "total_tokens": 1 + 5 * n},
                    },
                )

            def _stream(self, body, replies):
                chat = "messages" in body
                obj = "chat.completion.chunk" if chat else "text_completion"

                def chunk(i, piece=None, finish=None, role=False):
                    if chat:
                        delta = {"role": "assistant", "content": ""} if role else {}
                        if piece is not None:
                            delta["content"] = piece
                        choice = {"index": i, "delta": delta, "finish_reason": finish}
                    else:
                        choice = {"index": i, "text": piece or "", "finish_reason": finish}
                    return {"choices": [choice]}

                frames = [chunk(i, role=True) for i in range(len(replies))] if chat else []
                for i, text in enumerate(replies):
                    frames += [chunk(i, piece) for piece in re.findall(r"\S+\s*|\s+", text)]
                frames += [chunk(i, finish="stop") for i in range(len(replies))]
                if (body.get("stream_options") or {}).get("include_usage"):
                    tokens = sum(len(t.split()) for t in replies)
                    usage = {"prompt_tokens": 1, "completion_tokens": tokens, "total_tokens": 1 + tokens}
                    frames.append({"choices": [], "usage": usage})
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                with server.lock:
                    server.chunks_sent.append(0)
                    slot = len(server.chunks_sent) - 1
                try:
                    for frame in frames:
                        if server.stream_delay:
                            time.sleep(server.stream_delay)
                        meta = {"id": "x", "object": obj, "created": 0, "model": body.get("model", "fake")}
                        self.wfile.write(f"data: {json.dumps({**meta, **frame})}\n\n".encode())
                        self.wfile.flush()
                        server.chunks_sent[slot] += 1
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    with server.lock:
                        server.disconnects += 1

            def _send(self, code, payload):
                data = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if code == 429:
                    self.send_header("Retry-After", "0")
                self.end_headers()
                with contextlib.suppress(BrokenPipeError):
                    self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def serve_forever_from_cli() -> None:
    """``python tests/fake_openai.py LOG DELAY``: a server for subprocess tests; prints its URL."""
    import re
    import sys

    log, delay = sys.argv[1], float(sys.argv[2])

    def answer(text: str) -> str:
        nums = re.findall(r"\d+", text.split("Question")[-1])
        return f"The answer is {sum(int(x) for x in nums[-2:]) if nums else 0}."

    srv = FakeOpenAI(answer, delay=delay, log_path=log)
    print(srv.url, flush=True)
    srv.httpd.serve_forever()


if __name__ == "__main__":
    serve_forever_from_cli()
