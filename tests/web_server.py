"""A small threaded HTTP server on 127.0.0.1 for the feed and page tests and bench/feeds.py: it serves what it is
given per path, honours ETag and If-Modified-Since, can answer slowly, redirect or send a huge body, and counts the
requests it gets."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0  # seconds before the body's first byte
    location: str | None = None  # a redirect's target
    stream_bytes: int = 0  # a body of this many bytes, sent without a Content-Length
    headers: dict[str, str] = field(default_factory=dict)


class WebServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: Counter[str] = Counter()
        self.agents: set[str] = set()
        self.not_modified: Counter[str] = Counter()  # 304s sent, by path
        routes, requests, agents, not_modified = self.routes, self.requests, self.agents, self.not_modified

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                requests[self.path] += 1
                agents.add(self.headers.get("User-Agent", ""))
                route = routes.get(self.path)
                if route is None:
                    self.reply(404, b"not found", "text/plain")
                    return
                time.sleep(route.delay)
                if route.location:
                    self.reply(route.status or 302, b"", "text/plain", {"Location": route.location})
                    return
                fresh = (route.etag and self.headers.get("If-None-Match") == route.etag) or (
                    route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified
                )
                validators = {
                    name: value
                    for name, value in (("ETag", route.etag), ("Last-Modified", route.last_modified))
                    if value
                }
                if fresh:
                    not_modified[self.path] += 1
                    self.reply(304, b"", route.content_type, validators)
                elif route.stream_bytes:
                    self.send_response(route.status)
                    self.send_header("Content-Type", route.content_type)
                    self.send_header("Connection", "close")
                    self.end_headers()
                    block = b"<p>" + b"x" * 65_530 + b"</p>"
                    try:
                        for _ in range(route.stream_bytes // len(block) + 1):
                            self.wfile.write(block)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    self.close_connection = True
                else:
                    self.reply(route.status, route.body, route.content_type, validators | route.headers)

            def reply(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True, name="web-server")

    def __enter__(self) -> WebServer:
        self.thread.start()
        return self

    def __exit__(self, *_) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str) -> str:
        return self.base + path

    def serve(self, path: str, body: str | bytes = b"", **options) -> str:
        """Serves ``body`` at ``path``; returns its URL."""
        self.routes[path] = Route(body.encode() if isinstance(body, str) else body, **options)
        return self.url(path)
