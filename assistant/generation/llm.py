"""Chat models behind one LangChain interface: the local GGUF model in a supervised process, or any
OpenAI-compatible server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import closing
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.chat_models import generate_from_stream
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult

from ..settings import Settings
from .cpu import Repack, read_cpu_flags, repack_weights
from .errors import ModelServerError
from .model_files import local_model_path
from .supervisor import LocalWorker, WorkerConfig, default_threads, local_worker

ROLES = {"human": "user", "ai": "assistant", "system": "system"}


class LocalChatModel(BaseChatModel):
    """A GGUF model run by llama-cpp-python in its own process (``supervisor.py``), which applies the model's chat
    template and reuses the KV cache for the longest prompt prefix it has already seen."""

    model_path: str
    context_tokens: int = 4096
    threads: int | None = None
    temperature: float = 0.0
    max_tokens: int = 320
    repack: Repack = "auto"  # weight repacking: "auto" chooses by the CPU (off where it has AMX)

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
        options = {
            "temperature": self.temperature,
            "max_tokens": kwargs.get("max_tokens", self.max_tokens),
            "stop": stop,
            "response_format": kwargs.get("response_format"),
        }
        messages_ = [{"role": ROLES.get(m.type, "user"), "content": m.text} for m in messages]
        with closing(self.worker.chat(messages_, options)) as deltas:
            for delta in deltas:
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                if run_manager:
                    run_manager.on_llm_new_token(delta, chunk=chunk)
                yield chunk

    @property
    def worker(self) -> LocalWorker:
        """The process that runs this model, shared by every chat model naming the same file and settings."""
        threads = self.threads or default_threads()
        repack = repack_weights(read_cpu_flags(), self.repack)
        return local_worker(WorkerConfig(self.model_path, self.context_tokens, threads, repack))

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return generate_from_stream(self._stream(messages, stop, run_manager, **kwargs))


def retryable(error: Exception) -> bool:
    """A request that failed as a whole and may succeed again soon: refused, rate-limited, a server error. Not a
    timeout: a server that stayed silent for the read timeout is reported at once, not waited on again."""
    import openai

    if isinstance(error, openai.APITimeoutError):
        return False
    if isinstance(error, openai.APIStatusError):
        return error.status_code == 429 or error.status_code >= 500
    return isinstance(error, openai.APIConnectionError)


def server_chat_model():
    """ChatOpenAI (imported when a server is used) retrying, before the first word only, what ``retryable`` says."""
    from langchain_openai import ChatOpenAI

    class ServerChatModel(ChatOpenAI):
        retries: int = 2

        def _stream(self, messages, stop=None, run_manager=None, **kwargs):
            for attempt in range(self.retries + 1):
                parts = super()._stream(messages, stop, run_manager, **kwargs)
                try:
                    first = next(parts, None)
                except Exception as error:
                    if attempt == self.retries or not retryable(error):
                        raise
                    time.sleep(min(0.5 * 2**attempt, 8.0))
                    continue
                if first is not None:
                    yield first
                    yield from parts
                return

    return ServerChatModel


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


def chat_model(settings: Settings) -> BaseChatModel:
    if settings.llm_backend == "openai":
        import httpx

        return server_chat_model()(
            model=settings.openai_model,
            base_url=settings.openai_base_url,
            api_key=settings.openai_api_key,
            temperature=settings.temperature,
            max_completion_tokens=settings.max_tokens,
            streaming=True,
            # A server that accepts and never answers must not hang a question: connect and read each have a limit.
            timeout=httpx.Timeout(settings.llm_read_timeout, connect=settings.llm_connect_timeout),
            retries=settings.llm_retries,
            max_retries=0,  # the client would retry a timeout too: ServerChatModel retries what is worth it
        )
    path = settings.local_model_path or local_model_path(settings.model_cache_dir)
    return LocalChatModel(
        model_path=str(path),
        context_tokens=settings.context_tokens,
        threads=settings.threads,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
        repack=settings.llama_repack,
    )
