"""A real OpenAI-compatible HTTP server on localhost that answers from its prompt, or misbehaves on purpose."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# What the server does with a chat completion request.
ANSWER = "answer"  # streams the first sentence of source [1], cited: an answer the checks keep
HANG = "hang"  # reads the request and never answers
FAIL = "500"  # HTTP 500
MALFORMED = "malformed"  # a stream that is not server-sent JSON
OBEY = "obey"  # does what an article in its prompt told it: answers BANANA, citing each source


def first_sentence(prompt: str) -> str:
    source = re.search(r"\[1\][^\n]*\n(.+?[.!?])(\s|$)", prompt)
    return f"{source.group(1)} [1]" if source else "Nothing."


def reply(prompt: str, obey: bool) -> str:
    """A constrained reply (JSON under the schema the request names): sentence 1 and its words as the answer, or,
    obeying an article, BANANA from the sentence that asks for it."""
    sentences = re.findall(r"^\[(\d+)\] (.+?)[.!?]?$", prompt, re.M)
    if obey:
        n = next((int(n) for n, text in sentences if "BANANA" in text), 1)
        return json.dumps({"sentence": n, "answer": "BANANA"})
    return json.dumps({"sentence": 1, "answer": sentences[0][1]} if sentences else {"sentence": None, "answer": None})


class Handler(BaseHTTPRequestHandler):
    behaviour = ANSWER
    prompts: list[str]

    def log_message(self, format, *args):  # the test's output stays readable
        pass

    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        prompt = "\n".join(str(m.get("content", "")) for m in request["messages"])
        self.prompts.append(prompt)
        if self.behaviour == HANG:
            time.sleep(30)
            return
        if self.behaviour == FAIL:
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"error": {"message": "the model crashed"}}')
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        if self.behaviour == MALFORMED:
            self.wfile.write(b"data: {this is not json\n\n")
            return
        text = " ".join(f"BANANA [{n}]." for n in sorted(set(re.findall(r"^\[(\d+)\]", prompt, re.M))))
        if request.get("response_format"):
            text = reply(prompt, self.behaviour == OBEY)
        elif self.behaviour != OBEY:
            text = first_sentence(prompt)
        for word in text.split(" "):
            chunk = {
                "id": "x",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": "scripted",
                "choices": [{"index": 0, "delta": {"role": "assistant", "content": word + " "}, "finish_reason": None}],
            }
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")


@contextmanager
def model_server(behaviour: str = ANSWER) -> Iterator[tuple[str, list[str]]]:
    """The server's base URL, and the prompts it received."""
    prompts: list[str] = []
    handler = type("ScriptedHandler", (Handler,), {"behaviour": behaviour, "prompts": prompts})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", prompts
    finally:
        server.shutdown()
        server.server_close()


def backend(url: str) -> dict[str, str]:
    """The settings that point newsdesk at this server, quickly given up on."""
    return {
        "NEWSDESK_LLM_BACKEND": "openai",
        "NEWSDESK_OPENAI_BASE_URL": url,
        "NEWSDESK_OPENAI_MODEL": "scripted",
        "NEWSDESK_LLM_READ_TIMEOUT": "1",
        "NEWSDESK_LLM_CONNECT_TIMEOUT": "1",
        "NEWSDESK_LLM_RETRIES": "0",
    }
