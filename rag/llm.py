"""Text generation: a local GGUF through llama-cpp-python, or an OpenAI-compatible server.

One generation at a time per loaded model (a lock held for the whole stream): llama.cpp's context is
not re-entrant, and two browser users must never interleave tokens. A stream closed early (client
gone) releases the lock in its `finally`.

llama.cpp keeps one prompt in its KV cache, so two prompts with different fixed prefixes (the answer
prompt, the follow-up rewrite prompt) would evict each other and each re-read its whole prefix
(~460 tokens, seconds on 2 cores). `LocalLLM.warm` therefore keeps a snapshot of each fixed prefix's
cache (about 28 KB a token) and every request restores the snapshot that shares the longest start
with its prompt when that beats what the live cache holds: milliseconds instead of seconds.
"""

from __future__ import annotations

import ctypes
import json
import logging
import math
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

import numpy as np

from .config import Settings
from .errors import ModelError, ServerUnreachableError
from .models import resolve_model
from .redaction import redact

log = logging.getLogger(__name__)

# used when a GGUF carries no chat template of its own
_CHATML = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

Message = dict[str, str]
_SNAPSHOTS = 4  # fixed prefixes kept (answer, rewrite; a model switch starts a new LocalLLM)
_MIN_GAIN = 8  # tokens a snapshot must save over the live cache to be worth its copy (~5 ms)


@dataclass
class GenerationStats:
    prompt_tokens: int = 0
    tokens: int = 0
    first_token_ms: float = 0.0
    total_ms: float = 0.0
    queued_ms: float = 0.0
    lowest_logprob: float = 0.0  # the least likely token the model chose (0.0: none seen, or not reported)

    def token(self, started: float) -> None:
        """Count one streamed token; the first one sets the time to first token."""
        if self.tokens == 0:
            self.first_token_ms = (time.perf_counter() - started) * 1000
        self.tokens += 1


def sampling(temperature: float) -> dict[str, Any]:
    """llama.cpp's sampler settings for an answer: greedy at temperature 0, a fixed seed, a light
    repeat penalty. Public so a baseline that calls llama-cpp-python directly samples the same way."""
    return {
        "temperature": temperature,
        "top_p": 1.0,
        "top_k": 1 if temperature == 0 else 40,
        "repeat_penalty": 1.05,
        "seed": 0,
    }


def llama_options(settings: Settings) -> dict[str, Any]:
    """The `llama_cpp.Llama` constructor options the product loads a model with (besides its path)."""
    return {
        "n_ctx": settings.n_ctx,
        "n_threads": settings.threads,
        "n_threads_batch": settings.threads,
        "n_batch": 512,
        "verbose": False,
        "seed": 0,
    }


class LLM(Protocol):
    name: str

    def stream(
        self,
        messages: list[Message],
        max_tokens: int,
        temperature: float,
        stats: GenerationStats | None = None,
        stop: list[str] | None = None,
        prefix: str = "",
        forbid: Sequence[str] = (),
    ) -> Iterator[str]: ...

    def yes_probability(self, messages: list[Message], prefix: str = "") -> float: ...

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
        self._snapshots: list[_Snapshot] = []  # newest last
        try:
            self._llama = Llama(model_path=path, **llama_options(settings))
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

    @property
    def llama(self) -> Any:
        """The `llama_cpp.Llama` object itself, for measuring the raw engine beside the product."""
        return self._llama

    def count_tokens(self, text: str) -> int:
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def stream(
        self,
        messages: list[Message],
        max_tokens: int,
        temperature: float,
        stats: GenerationStats | None = None,
        stop: list[str] | None = None,
        prefix: str = "",
        forbid: Sequence[str] = (),
    ) -> Iterator[str]:
        """Stream the reply to `messages`; `prefix` is put in the model's mouth first (not yielded);
        the words of `forbid` are kept out of it (the forms of them that are one token are banned)."""
        stats = stats if stats is not None else GenerationStats()
        tokens = self.prompt_tokens(messages, prefix)
        waited = time.perf_counter()
        with self._lock:
            started = time.perf_counter()
            stats.queued_ms = (started - waited) * 1000
            self._fit_threads()
            self._reuse(tokens)
            from llama_cpp import LogitsProcessorList

            chunks: Any = self._llama.create_completion(
                prompt=tokens,
                max_tokens=max_tokens,
                stream=True,
                stop=[*(stop or []), *self._stop_texts],
                # bans go in our own processor list: llama-cpp-python drops every processor when
                # `logit_bias` is given beside one (LogitsProcessorList.extend returns None)
                logits_processor=LogitsProcessorList([_Ban(self._banned(forbid)), _ChoiceWatcher(stats, len(tokens))]),
                **sampling(temperature),
            )
            try:
                for chunk in chunks:
                    piece = chunk["choices"][0].get("text") or ""
                    if not piece:
                        continue
                    stats.token(started)
                    yield piece
            finally:
                close = getattr(chunks, "close", None)
                if close:
                    close()
                stats.total_ms = (time.perf_counter() - started) * 1000
                stats.prompt_tokens = len(tokens)

    def _banned(self, forbid: Sequence[str]) -> list[int]:
        """The tokens that would write the words of `forbid`: their forms with and without a leading
        space and a capital, where the form is a single token (a longer form's first token starts
        other words too)."""
        banned: set[int] = set()
        for word in forbid:
            for form in {word, word.lower(), word.capitalize()}:
                for spaced in (form, " " + form):
                    ids = self._llama.tokenize(spaced.encode("utf-8"), add_bos=False, special=False)
                    if len(ids) == 1:
                        banned.add(ids[0])
        return sorted(banned)

    def warm(self, messages: list[Message]) -> None:
        """Put the fixed prompt prefix `messages` in the KV cache: evaluated and kept as a snapshot the
        first time, restored from the snapshot afterwards (when anything else evicted it)."""
        tokens = self.prompt_tokens(messages)
        with self._lock:
            self._fit_threads()
            self._reuse(tokens)
            llama = self._llama
            keep = _common_prefix(llama._input_ids, tokens)
            if keep < len(tokens):
                llama.n_tokens = keep
                llama.eval(tokens[keep:])
            elif llama.n_tokens > len(tokens):  # the cache holds more: keep exactly the prefix
                llama.n_tokens = len(tokens)
                llama._ctx.kv_cache_seq_rm(0, len(tokens), -1)
                llama._requires_eval = True
            if not any(s.tokens == tuple(tokens) for s in self._snapshots):
                self._snapshots = [*self._snapshots[1 - _SNAPSHOTS :], _Snapshot(tuple(tokens), self._save_cache())]

    def _reuse(self, tokens: list[int]) -> None:
        """Before evaluating `tokens` (lock held): restore the kept snapshot sharing the longest start
        with them, when it shares clearly more than the live cache does."""
        live = _common_prefix(self._llama._input_ids, tokens)
        shared = [(_common_prefix(s.tokens, tokens), s) for s in self._snapshots]
        best, snapshot = max(shared, key=lambda pair: pair[0], default=(0, None))
        if snapshot is not None and best > live + _MIN_GAIN:
            self._restore_cache(snapshot)

    def _save_cache(self) -> bytes:
        import llama_cpp

        ctx = self._llama._ctx.ctx
        size = llama_cpp.llama_state_seq_get_size(ctx, 0)
        buffer = (ctypes.c_uint8 * size)()
        written = llama_cpp.llama_state_seq_get_data(ctx, buffer, size, 0)
        return bytes(buffer)[:written]

    def _restore_cache(self, snapshot: _Snapshot) -> None:
        import llama_cpp

        llama = self._llama
        llama._ctx.kv_cache_seq_rm(0, 0, -1)
        buffer = (ctypes.c_uint8 * len(snapshot.state)).from_buffer_copy(snapshot.state)
        if llama_cpp.llama_state_seq_set_data(llama._ctx.ctx, buffer, len(snapshot.state), 0) != len(snapshot.state):
            log.warning("could not restore a KV-cache snapshot; the prompt is read again")
            llama._ctx.kv_cache_seq_rm(0, 0, -1)
            llama.n_tokens = 0
            return
        llama.input_ids[: len(snapshot.tokens)] = snapshot.tokens
        llama.n_tokens = len(snapshot.tokens)
        llama._requires_eval = True  # restored logits are stale: sample only after a fresh decode

    def yes_probability(self, messages: list[Message], prefix: str = "") -> float:
        """The model as a judge: P(yes) / (P(yes) + P(no)) for the next token of its reply to `messages`
        (after `prefix`, words put in its mouth). One forward pass, no decoding; the prompt's longest
        prefix already in the KV cache is kept, so a question appended to what was just read or
        answered costs only its own tokens."""
        tokens = self.prompt_tokens(messages, prefix)
        with self._lock:
            self._fit_threads()
            self._reuse(tokens)
            llama = self._llama
            # at least one token is evaluated, to refresh the logits
            keep = min(_common_prefix(llama._input_ids, tokens), len(tokens) - 1)
            llama.n_tokens = keep
            llama.eval(tokens[keep:])
            logits = np.ctypeslib.as_array(llama._ctx.get_logits_ith(-1), shape=(llama.n_vocab(),)).astype(np.float64)
        probs = np.exp(logits - logits.max())
        yes = float(probs[self._answer_tokens[0]].sum())
        no = float(probs[self._answer_tokens[1]].sum())
        return yes / (yes + no) if yes + no > 0 else 0.5

    @cached_property
    def _answer_tokens(self) -> tuple[list[int], list[int]]:
        """First tokens of the ways a reply can say yes / no ("yes", " Yes", "YES", ...)."""

        def firsts(word: str) -> list[int]:
            forms = {word, word.capitalize(), word.upper(), " " + word, " " + word.capitalize()}
            return sorted({self._llama.tokenize(f.encode(), add_bos=False, special=False)[0] for f in forms})

        return firsts("yes"), firsts("no")

    @cached_property
    def _formatter(self):
        """The model's own chat template (from its GGUF), as create_chat_completion uses it."""
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        meta = self._llama.metadata
        template = meta.get("tokenizer.chat_template") or _CHATML
        vocab = self._llama._model

        def text_of(token: int) -> str:
            return vocab.token_get_text(token) if token >= 0 else ""

        return Jinja2ChatFormatter(
            template=template, eos_token=text_of(self._llama.token_eos()), bos_token=text_of(self._llama.token_bos())
        )

    def prompt_tokens(self, messages: list[Message], prefix: str = "") -> list[int]:
        """The prompt as create_chat_completion would build it (the GGUF's chat template), plus `prefix`:
        the tokens `stream` and `yes_probability` evaluate."""
        text = self._formatter(messages=messages).prompt + prefix
        return self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=True)

    @cached_property
    def _stop_texts(self) -> list[str]:
        eos = self._llama.token_eos()
        return [self._llama._model.token_get_text(eos)] if eos >= 0 else []


@dataclass(frozen=True)
class _Snapshot:
    """llama.cpp's KV cache (sequence 0) right after `tokens` were evaluated."""

    tokens: tuple[int, ...]
    state: bytes


def _common_prefix(a: Any, b: Any) -> int:
    """How many leading tokens two token sequences share."""
    n = min(len(a), len(b))
    differ = np.flatnonzero(np.asarray(a[:n], dtype=np.int64) != np.asarray(b[:n], dtype=np.int64))
    return int(differ[0]) if len(differ) else n


class _Ban:
    """A logits processor that makes the given tokens impossible."""

    def __init__(self, tokens: list[int]) -> None:
        self.tokens = tokens

    def __call__(self, input_ids: np.ndarray, logits: np.ndarray) -> np.ndarray:
        if self.tokens:
            logits[self.tokens] = -np.inf
        return logits


class _ChoiceWatcher:
    """A logits processor that changes nothing: it keeps each step's log-probabilities and, at the next
    step (when the chosen token has joined the input), records how likely that choice was. The lowest
    one is a free measure of how sure the model was of what it wrote."""

    def __init__(self, stats: GenerationStats, prompt_length: int) -> None:
        self.stats = stats
        self.prompt_length = prompt_length
        self.previous: np.ndarray | None = None

    def __call__(self, input_ids: np.ndarray, logits: np.ndarray) -> np.ndarray:
        if self.previous is not None and len(input_ids) > self.prompt_length:
            chosen = float(self.previous[int(input_ids[-1])])
            self.stats.lowest_logprob = min(self.stats.lowest_logprob, chosen)
        shifted = logits.astype(np.float64) - float(np.max(logits))
        self.previous = shifted - np.log(np.exp(shifted).sum())
        return logits


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
        self._warmed: set[str] = set()

    @property
    def busy(self) -> bool:
        return False  # the server queues; many app instances may share it

    def stream(
        self,
        messages: list[Message],
        max_tokens: int,
        temperature: float,
        stats: GenerationStats | None = None,
        stop: list[str] | None = None,
        prefix: str = "",
        forbid: Sequence[str] = (),
    ) -> Iterator[str]:
        """`prefix` is sent as the start of the assistant's reply (prefill: llama.cpp server, vLLM);
        a server that ignores prefill writes its own opening, which the answer stage reads as well.
        `forbid` is not sent: a server's token ids are its own, and the caller checks the reply anyway."""
        import httpx

        stats = stats if stats is not None else GenerationStats()
        body = self._body(messages, prefix, max_tokens=max_tokens, temperature=temperature, stream=True)
        if stop:
            body["stop"] = stop
        started = time.perf_counter()
        finished = False
        try:
            with self._client.stream("POST", self.endpoint, json=body, headers=self._headers) as response:
                if response.status_code in (401, 403):
                    raise ServerUnreachableError(
                        f"the LLM server at {self.shown} refused the request ({response.status_code}): "
                        "set its API key with RAG_LLM_API_KEY"
                    )
                if response.status_code != 200:
                    response.read()
                    raise ServerUnreachableError(
                        f"the LLM server at {self.shown} answered {response.status_code}: {response.text[:200]}"
                    )
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
                raise ServerUnreachableError(
                    f"the LLM server at {self.shown} stopped before the answer was complete (no finish_reason); "
                    "ask again. A llama-cpp-python server must run with --interrupt_requests False"
                )
        except httpx.HTTPError as exc:
            raise ServerUnreachableError(f"cannot reach the LLM server at {self.shown}: {redact(str(exc))}") from exc
        finally:
            stats.total_ms = (time.perf_counter() - started) * 1000

    def warm(self, messages: list[Message]) -> None:
        """Send a fixed prefix once, for the server's own prompt cache; a repeat sends nothing."""
        key = json.dumps(messages)
        if key in self._warmed:
            return
        for _ in self.stream(messages, max_tokens=1, temperature=0.0):
            pass
        self._warmed.add(key)

    def yes_probability(self, messages: list[Message], prefix: str = "") -> float:
        """P(yes) / (P(yes) + P(no)) from the first token's top log-probabilities when the server returns
        them (llama.cpp server, vLLM, recent Ollama); else the reply itself: yes 1.0, no 0.0."""
        import httpx

        body = self._body(messages, prefix, max_tokens=1, temperature=0.0, stream=False, logprobs=True, top_logprobs=20)
        try:
            response = self._client.post(self.endpoint, json=body, headers=self._headers)
        except httpx.HTTPError as exc:
            raise ServerUnreachableError(f"cannot reach the LLM server at {self.shown}: {redact(str(exc))}") from exc
        if response.status_code != 200:
            raise ModelError(f"the LLM server at {self.shown} answered {response.status_code}: {response.text[:200]}")
        try:
            choice = response.json()["choices"][0]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise ModelError(f"the LLM server at {self.shown} sent a reply that is not a chat completion") from exc
        yes = no = 0.0
        for entry in ((choice.get("logprobs") or {}).get("content") or [{}])[0].get("top_logprobs") or []:
            word = str(entry.get("token", "")).strip().lower()
            if word in ("yes", "no"):
                p = math.exp(float(entry.get("logprob", -100.0)))
                yes, no = (yes + p, no) if word == "yes" else (yes, no + p)
        if yes + no > 0:
            return yes / (yes + no)
        reply = str((choice.get("message") or {}).get("content") or "").strip().lower()
        return 1.0 if reply.startswith("yes") else 0.0 if reply.startswith("no") else 0.5

    def _body(self, messages: list[Message], prefix: str, **options: object) -> dict:
        body: dict = {"model": self.name, "messages": list(messages), "seed": 0, **options}
        if prefix:
            body["messages"].append({"role": "assistant", "content": prefix})
            body["continue_final_message"] = True  # vLLM's name for prefill; llama.cpp server prefills by itself
            body["add_generation_prompt"] = False
        return body


def load_llm(settings: Settings) -> LLM:
    if settings.llm_url:
        return RemoteLLM(settings.llm_url, settings.model, settings.llm_api_key)
    resolved = resolve_model(settings.model, settings)
    return LocalLLM(str(resolved.path), resolved.name, settings)
