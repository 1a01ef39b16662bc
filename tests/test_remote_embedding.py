"""Embeddings from an OpenAI-compatible endpoint (NEWSDESK_EMBEDDING_BASE_URL), here a real local HTTP server that
serves the local model's vectors, so that results can be compared; and an index that refuses another embedder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.settings import Settings
from ingest import Embedder
from ingest.index.vectors import EmbedderMismatch

QUERIES = ["Apple search deal with Google", "antitrust suit over AI search", "browser market"]


@pytest.fixture(scope="module")
def embedding_server():
    """POST /v1/embeddings, answered with the local int8 MiniLM's vectors; the URL and the requests seen."""
    embedder = Embedder(Settings().model_cache_dir)
    seen: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
            seen.append(len(texts))
            vectors = embedder.embed(texts)
            payload = {
                "object": "list",
                "model": body["model"],
                "data": [{"object": "embedding", "index": i, "embedding": v.tolist()} for i, v in enumerate(vectors)],
                "usage": {"prompt_tokens": 0, "total_tokens": 0},
            }
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1", seen
    server.shutdown()


def test_remote_embeddings_find_what_the_local_model_finds(embedding_server, feed, tmp_path):
    url, seen = embedding_server
    remote = Assistant(tmp_path / "remote", embedding_base_url=url)
    assert remote.embedder.name == "openai-all-MiniLM-L6-v2" and remote.embedder.dimension == 384
    before = len(seen)
    assert remote.ingest(tmp_path / "feed.jsonl").ok
    assert len(seen) > before  # the chunks went to the server
    for query in QUERIES:
        assert [p.chunk_id for p in remote.search(query, 3)] == [p.chunk_id for p in feed.search(query, 3)]


def test_an_index_refuses_an_embedder_other_than_its_own(embedding_server, feed, tmp_path):
    url, _ = embedding_server
    with pytest.raises(EmbedderMismatch, match="openai-all-MiniLM-L6-v2"):
        Assistant(tmp_path / "index", embedding_base_url=url)
    env = os.environ | {"NEWSDESK_EMBEDDING_BASE_URL": url}
    newsdesk = Path(sys.executable).with_name("newsdesk")
    run = subprocess.run(
        [newsdesk, "--index", tmp_path / "index", "search", "Google"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert run.stderr.count("\n") == 1 and "vectors made by embedder" in run.stderr
