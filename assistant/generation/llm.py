"""Chat models behind one LangChain interface: the local GGUF model in-process, or any OpenAI-compatible server."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.chat_models import generate_from_stream
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult

from ..settings import Settings
from .model_files import local_model_path

ROLES = {"human": "user", "ai": "assistant", "system": "system"}


class ModelServerError(RuntimeError):
    """The model server could not give an answer (refused, timed out, failed or sent something unreadable); the
    message names the server and what went wrong, in one line."""


class LocalChatModel(BaseChatModel):
    """A GGUF model run by llama-cpp-python, which applies the model's chat template and reuses the KV cache
    for the longest prompt prefix it has already seen."""

    model_path: str
    context_tokens: int = 4096
    threads: int | None = None
    temperature: float = 0.0
    max_tokens: int = 320

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        llama, lock = load_llama(self.model_path, self.context_tokens, self.threads)
        with lock:  # one llama.cpp context serves one generation at a time
            parts = llama.create_chat_completion(
                messages=[{"role": ROLES.get(m.type, "user"), "content": m.text} for m in messages],
                temperature=self.temperature,
                max_tokens=kwargs.get("max_tokens", self.max_tokens),
                stop=stop,
                stream=True,
                response_format=kwargs.get("response_format"),
            )
            for part in parts:
                delta = part["choices"][0]["delta"].get("content")
                if delta:
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                    if run_manager:
                        run_manager.on_llm_new_token(delta, chunk=chunk)
                    yield chunk

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return generate_from_stream(self._stream(messages, stop, run_manager, **kwargs))


def server_error(error: Exception, settings: Settings) -> ModelServerError:
    """One line naming the server and what went wrong, for errors of an OpenAI-compatible server."""
    import openai

    server = settings.openai_base_url or "api.openai.com"
    if isinstance(error, openai.APITimeoutError):
        what = f"did not answer within {settings.llm_read_timeout:g} s"
    elif isinstance(error, openai.APIConnectionError):
        what = "refused the connection or could not be reached"
    elif isinstance(error, openai.APIStatusError):
        what = f"answered HTTP {error.status_code}: {str(error.message)[:200]}"
    else:
        what = f"sent something unreadable ({type(error).__name__}: {str(error)[:200]})"
    return ModelServerError(f"the model server at {server} {what}")


@lru_cache(maxsize=2)
def load_llama(path: str, context_tokens: int, threads: int | None):
    """Once per process and model: loading takes seconds, and the cached prompt prefix lives in this object."""
    from llama_cpp import Llama

    # llama-cpp-python generates on half the cores unless told otherwise; on a small machine that halves speed.
    threads = threads or os.cpu_count() or 1
    llama = Llama(model_path=path, n_ctx=context_tokens, n_threads=threads, n_threads_batch=threads, verbose=False)
    return llama, threading.Lock()


def chat_model(settings: Settings) -> BaseChatModel:
    if settings.llm_backend == "openai":
        import httpx
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(
            model=settings.openai_model,
            base_url=settings.openai_base_url,
            api_key=settings.openai_api_key,
            temperature=settings.temperature,
            max_completion_tokens=settings.max_tokens,
            streaming=True,
            # A server that accepts and never answers must not hang a question: connect and read each have a limit.
            timeout=httpx.Timeout(settings.llm_read_timeout, connect=settings.llm_connect_timeout),
            # Retried only before the first word: the openai client retries a request that failed as a whole
            # (refused, 5xx, timed out), never a stream already under way.
            max_retries=settings.llm_retries,
        )
    path = settings.local_model_path or local_model_path(settings.model_cache_dir)
    return LocalChatModel(
        model_path=str(path),
        context_tokens=settings.context_tokens,
        threads=settings.threads,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
    )
