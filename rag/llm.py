"""Text generation: a local GGUF through llama-cpp-python, or an OpenAI-compatible server.

One generation at a time per loaded model (a lock held for the whole stream): llama.cpp's context is
not re-entrant, and two browser users must never interleave tokens. A stream closed early (client
gone) releases the lock in its `finally`.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Iterator, Protocol

from .config import Settings
from .models import ModelError, resolve_model
from .redaction import redact

log = logging.getLogger(__name__)

Message = dict[str, str]


@dataclass
class GenerationStats:
    prompt_tokens: int = 0
    tokens: int = 0
    first_token_ms: float = 0.0
    total_ms: float = 0.0
    queued_ms: float = 0.0

    def token(self, started: float) -> None:
        """Count one streamed token; the first one sets the time to first token."""
        if self.tokens == 0:
            self.first_token_ms = (time.perf_counter() - started) * 1000
        self.tokens += 1


class LLM(Protocol):
    name: str

    def stream(
        self, messages: list[Message], max_tokens: int, temperature: float, stats: GenerationStats | None = None,
        stop: list[str] | None = None,
    ) -> Iterator[str]: ...

    def warm(self, messages: list[Message]) -> None: ...


class LocalLLM:
    """A GGUF model in this process. The fixed prompt prefix stays in llama.cpp's KV cache."""

    def __init__(self, path: str, name: str, settings: Settings) -> None:
        from llama_cpp import Llama

        self.name = name
        self._lock = threading.Lock()
        self._cores = settings.threads
        self._adaptive = not settings.n_threads  # 0: as many threads as there are idle cores, per answer
        self.threads_used = settings.threads
        try:
            self._llama = Llama(
                model_path=path, n_ctx=settings.n_ctx, n_threads=settings.threads, n_threads_batch=settings.threads,
                n_batch=512, verbose=False, seed=0,
            )
        except Exception as exc:  # noqa: BLE001 - llama.cpp reports load failures as ValueError/RuntimeError
            raise ModelError(f"cannot load model {name}: the file is corrupt or not a supported GGUF ({exc})") from exc

    def _fit_threads(self) -> None:
        """Use only the cores other programs leave idle. llama.cpp's threads meet at a barrier after
        every operation: one thread preempted by another program stalls the rest, and on a busy
        2-core machine 2 threads decoded 3-10x slower than 1 (rag bench, load average ~5)."""
        if not self._adaptive:
            return
        threads = idle_cores(self._cores)
        if threads != self.threads_used:
            import llama_cpp

            llama_cpp.llama_set_n_threads(self._llama._ctx.ctx, threads, threads)
            self.threads_used = threads

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    def count_tokens(self, text: str) -> int:
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def stream(
        self, messages: list[Message], max_tokens: int, temperature: float, stats: GenerationStats | None = None,
        stop: list[str] | None = None,
    ) -> Iterator[str]:
        stats = stats if stats is not None else GenerationStats()
        waited = time.perf_counter()
        with self._lock:
            started = time.perf_counter()
            stats.queued_ms = (started - waited) * 1000
            self._fit_threads()
            chunks = self._llama.create_chat_completion(
                messages=messages, max_tokens=max_tokens, temperature=temperature, top_p=1.0, top_k=1 if temperature == 0 else 40,
                repeat_penalty=1.05, stream=True, stop=stop or [], seed=0,
            )
            try:
                for chunk in chunks:
                    piece = chunk["choices"][0]["delta"].get("content") or ""
                    if not piece:
                        continue
                    stats.token(started)
                    yield piece
            finally:
                close = getattr(chunks, "close", None)
                if close:
                    close()
                stats.total_ms = (time.perf_counter() - started) * 1000
                stats.prompt_tokens = self._llama.n_tokens - stats.tokens

    def warm(self, messages: list[Message]) -> None:
        """Evaluate the fixed prefix once so the first real question starts from a warm KV cache."""
        for _ in self.stream(messages, max_tokens=1, temperature=0.0):
            pass


def idle_cores(cores: int, samples: int = 5, gap_s: float = 0.002) -> int:
    """`cores` less the tasks other than the caller that are running now (the median of a few readings
    of /proc/loadavg's running count, which counts the reader itself); at least 1, `cores` where
    /proc is not available."""
    counts = []
    try:
        for i in range(samples):
            with open("/proc/loadavg", encoding="ascii") as fh:
                counts.append(int(fh.read().split()[3].split("/")[0]) - 1)
            if i + 1 < samples:
                time.sleep(gap_s)
    except (OSError, ValueError, IndexError):
        return cores
    others = sorted(counts)[len(counts) // 2]
    return max(1, min(cores, cores - others))


class RemoteLLM:
    """An OpenAI-compatible chat endpoint (llama.cpp server, Ollama, vLLM), streamed over SSE."""

    def __init__(self, url: str, model: str, api_key: str = "", timeout: float = 300.0) -> None:
        import httpx

        base = url.rstrip("/")
        self.endpoint = base + ("/chat/completions" if base.endswith("/v1") else "/v1/chat/completions")
        self.shown = redact(self.endpoint)  # for messages: no user:password@ in them
        self.name = model
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(timeout=httpx.Timeout(timeout, connect=10.0))
        self._lock = threading.Lock()

    @property
    def busy(self) -> bool:
        return False  # the server queues; many app instances may share it

    def stream(
        self, messages: list[Message], max_tokens: int, temperature: float, stats: GenerationStats | None = None,
        stop: list[str] | None = None,
    ) -> Iterator[str]:
        import httpx

        stats = stats if stats is not None else GenerationStats()
        body = {"model": self.name, "messages": messages, "max_tokens": max_tokens, "temperature": temperature,
                "stream": True, "seed": 0}
        if stop:
            body["stop"] = stop
        started = time.perf_counter()
        finished = False
        try:
            with self._client.stream("POST", self.endpoint, json=body, headers=self._headers) as response:
                if response.status_code in (401, 403):
                    raise ModelError(
                        f"the LLM server at {self.shown} refused the request ({response.status_code}): "
                        "set its API key with RAG_LLM_API_KEY"
                    )
                if response.status_code != 200:
                    response.read()
                    raise ModelError(f"the LLM server at {self.shown} answered {response.status_code}: {response.text[:200]}")
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        break  # complete only when a finish_reason came first (see below)
                    try:
                        choice = json.loads(data)["choices"][0]
                        piece = choice.get("delta", {}).get("content") or ""
                    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
                        continue
                    if choice.get("finish_reason"):
                        finished = True
                    if not piece:
                        continue
                    stats.token(started)
                    yield piece
            if not finished:  # cut off: connection lost, or the server dropped us for another request
                raise ModelError(
                    f"the LLM server at {self.shown} stopped before the answer was complete (no finish_reason); "
                    "ask again. A llama-cpp-python server must run with --interrupt_requests False"
                )
        except httpx.HTTPError as exc:
            raise ModelError(f"cannot reach the LLM server at {self.shown}: {redact(str(exc))}") from exc
        finally:
            stats.total_ms = (time.perf_counter() - started) * 1000

    def warm(self, messages: list[Message]) -> None:
        for _ in self.stream(messages, max_tokens=1, temperature=0.0):
            pass


def load_llm(settings: Settings) -> LLM:
    if settings.llm_url:
        return RemoteLLM(settings.llm_url, settings.model, settings.llm_api_key)
    resolved = resolve_model(settings.model, settings)
    return LocalLLM(str(resolved.path), resolved.name, settings)
