"""The local model's own process: llama.cpp loaded once, answering the parent's chat requests over pipes.

A native crash in llama.cpp (a segfault in a CPU-specific kernel, the OOM killer) ends this process, never the app:
``supervisor.py`` starts it, sees it die and starts it again. It is run as a script, not imported from the package,
so that it loads llama.cpp alone. The protocol is one JSON object a line:

    parent -> worker   {"op": "chat", "id": 7, "messages": [...], "options": {...}}   |   {"op": "cancel", "id": 7}
    worker -> parent   {"ready": true, "pid": ..., "system_info": ...}   (once, after loading)
                       {"id": 7, "delta": "..."} ...  then  {"id": 7, "done": true, "prompt_evaluated": 42}
                       or  {"id": 7, "error": "..."}
"""

from __future__ import annotations

import json
import os
import queue
import sys
import threading
from typing import Any, TextIO


def load(config: dict[str, Any]):
    import llama_cpp
    import llama_cpp.llama_cpp as native

    defaults = native.llama_model_default_params

    def model_params():
        # Llama() takes no argument for it: repacking (which selects the AMX path) is set on the params it starts from.
        params = defaults()
        params.use_extra_bufts = config["repack"]
        return params

    native.llama_model_default_params = model_params
    llama = llama_cpp.Llama(
        model_path=config["model_path"],
        n_ctx=config["context_tokens"],
        n_threads=config["threads"],
        n_threads_batch=config["threads"],
        verbose=False,
    )
    return llama, native.llama_print_system_info().decode(errors="replace")


def prompt_tokens_evaluated(llama) -> int:
    import llama_cpp.llama_cpp as native

    return native.llama_perf_context(llama.ctx).n_p_eval


def serve(llama, requests: queue.Queue, cancelled: set[int], send) -> None:
    while True:
        request = requests.get()
        rid = request["id"]
        evaluated = prompt_tokens_evaluated(llama)
        try:
            if rid not in cancelled:
                parts = llama.create_chat_completion(messages=request["messages"], stream=True, **request["options"])
                for part in parts:
                    if rid in cancelled:
                        break
                    delta = part["choices"][0]["delta"].get("content")
                    if delta:
                        send({"id": rid, "delta": delta})
            # The prompt tokens this request cost: those past the prefix cached from the request before.
            send({"id": rid, "done": True, "prompt_evaluated": prompt_tokens_evaluated(llama) - evaluated})
        except Exception as error:  # a bad request is that request's error; the model stays loaded
            send({"id": rid, "error": f"{type(error).__name__}: {error}"})
        cancelled.discard(rid)


def read_requests(stdin: TextIO, requests: queue.Queue, cancelled: set[int]) -> None:
    """Requests in order, and cancellations at once, even while an answer is being written."""
    for line in stdin:
        message = json.loads(line)
        if message["op"] == "cancel":
            cancelled.add(message["id"])
        else:
            requests.put(message)
    # The parent is gone (killed, or done): nobody reads what this process would write.
    os._exit(0)


def main() -> None:
    config = json.loads(sys.argv[1])
    # The protocol gets its own copy of stdout; whatever llama.cpp prints to stdout goes to stderr instead.
    protocol = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    lock = threading.Lock()

    def send(message: dict) -> None:
        with lock:
            protocol.write(json.dumps(message) + "\n")

    llama, system_info = load(config)
    send({"ready": True, "pid": os.getpid(), "system_info": system_info})
    requests: queue.Queue = queue.Queue()
    cancelled: set[int] = set()
    threading.Thread(target=read_requests, args=(sys.stdin, requests, cancelled), daemon=True).start()
    serve(llama, requests, cancelled, send)


if __name__ == "__main__":
    main()
