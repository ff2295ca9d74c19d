"""Generation: the pipeline's tokens/s and time to first token against raw llama-cpp-python.

For each question the pipeline answers (retrieval, evidence, prompt, streamed generation with its
per-sentence checks), a recorder beside the model keeps the exact request it sent and when each
token reached the pipeline. Before the question the KV cache holds only the fixed prompt prefix
(system prompt and few-shot turns), as between questions in the app. The same request then goes to
the same `Llama` object directly (`create_chat_completion` with the product's sampler settings,
`rag.llm.sampling`, and the thread count it used): its prompt is cached by then, so that run is the
decoding the two are compared on.
llama.cpp's own counters (`llama_perf_context`) give the engine's side of the first token: prompt
evaluation of the tokens not in the cache plus one decoding step.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from rag.answer import Answer, Partial
from rag.config import Settings
from rag.llm import load_llm, sampling
from rag.pipeline import Pipeline
from rag.prompts import load_prompts

from .common import Section, at_least, at_most, percentile

Message = dict[str, str]


class RecordingLLM:
    """Passes everything to the real model and keeps each request with its token timings."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.calls: list[dict[str, Any]] = []
        self.judged: dict[str, float] = {}  # llama.cpp's figures for the last "Found:" pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def warm(self, messages: list[Message]) -> None:
        self.inner.warm(messages)

    def yes_probability(self, messages: list[Message], prefix: str = "") -> float:
        """The answer stage's "Found:" pass: its prompt evaluation is part of what the next request's
        first token waits for, so the engine's share of it is kept for that request."""
        _perf_reset(self.inner)
        try:
            return self.inner.yes_probability(messages, prefix)
        finally:
            self.judged = _perf_read(self.inner)

    def stream(self, messages, max_tokens, temperature, stats=None, stop=None, prefix="", forbid=()) -> Iterator[str]:
        call: dict[str, Any] = {
            "messages": [dict(m) for m in messages],
            "prefix": prefix,
            "max_tokens": max_tokens,
            "temperature": temperature,
            "stop": list(stop or []),
            "times": [],
            "consumer": [],
        }
        call["found_perf"], self.judged = self.judged, {}
        self.calls.append(call)
        _perf_reset(self.inner)
        call["started"] = time.perf_counter()
        try:
            for piece in self.inner.stream(messages, max_tokens, temperature, stats, stop, prefix, forbid):
                handed = time.perf_counter()
                call["times"].append(handed)
                yield piece
                call["consumer"].append(time.perf_counter() - handed)  # the pipeline's work on this piece
        finally:
            call["ended"] = time.perf_counter()
            call["perf"] = _perf_read(self.inner)
            call["threads"] = getattr(self.inner, "threads_used", None)


def _llama(llm: Any):
    """The llama_cpp.Llama behind a local model (None for a model on a server)."""
    return getattr(llm, "llama", None)


def _perf_reset(llm: Any) -> None:
    llama = _llama(llm)
    if llama is not None:
        import llama_cpp

        llama_cpp.llama_perf_context_reset(llama._ctx.ctx)


def _perf_read(llm: Any) -> dict[str, float]:
    llama = _llama(llm)
    if llama is None:
        return {}
    import llama_cpp

    data = llama_cpp.llama_perf_context(llama._ctx.ctx)
    return {
        "prompt_eval_tokens": int(data.n_p_eval),
        "prompt_eval_ms": float(data.t_p_eval_ms),
        "decode_tokens": int(data.n_eval),
        "decode_ms": float(data.t_eval_ms),
    }


def raw_completion(llm: Any, call: dict[str, Any], threads: int | None = None) -> dict[str, Any]:
    """The recorded request straight to llama-cpp-python, with the product's sampler settings and the
    thread count the pipeline used for it (or `threads`)."""
    import llama_cpp

    llama = _llama(llm)
    temperature = call["temperature"]
    threads = threads or call.get("threads")
    if threads:
        llama_cpp.llama_set_n_threads(llama._ctx.ctx, threads, threads)
    _perf_reset(llm)
    started = time.perf_counter()
    times: list[float] = []
    stream = llama.create_completion(
        prompt=llm.prompt_tokens(call["messages"], call.get("prefix", "")),
        max_tokens=call["max_tokens"],
        stream=True,
        stop=call["stop"],
        **sampling(temperature),
    )
    for chunk in stream:
        if chunk["choices"][0].get("text"):
            times.append(time.perf_counter())
    ended = time.perf_counter()
    return {"started": started, "times": times, "ended": ended, "perf": _perf_read(llm)}


def _decode(run: dict[str, Any]) -> tuple[int, float]:
    """(tokens after the first, seconds from the first token to the last) of one run."""
    times = run["times"]
    if len(times) < 2:
        return 0, 0.0
    return len(times) - 1, times[-1] - times[0]


def _rate(runs: list[dict[str, Any]]) -> float | None:
    tokens = sum(_decode(r)[0] for r in runs)
    seconds = sum(_decode(r)[1] for r in runs)
    return tokens / seconds if seconds > 0 else None


def run_generation(
    settings: Settings,
    index_dir,
    questions: list[dict[str, Any]],
    say: Callable[[str], None],
    raw_limit: int | None = None,
    deadline: float | None = None,
) -> Section:
    section = Section("generation")
    local = settings.with_overrides(index_dir=index_dir)
    prefix = load_prompts(local.prompts_dir).answer_messages("", "")
    loading = time.perf_counter()
    llm = load_llm(local)
    llm.warm(prefix)  # as the pipeline loads it: the fixed prefix evaluated once
    load_s = time.perf_counter() - loading
    recorder = RecordingLLM(llm)
    pipeline = Pipeline(local, llm=recorder)  # answers through the recorder
    pipeline.store.keyword()
    pipeline.embedder.embed_one("warm up")
    raw_ok = _llama(llm) is not None
    section.details["model"] = llm.name
    section.details["model_load_s"] = round(load_s, 2)
    say(f"generation: {len(questions)} questions with {llm.name} (model loaded in {load_s:.1f} s)")

    rows: list[dict[str, Any]] = []
    fixed: dict[str, Any] | None = None
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (pipeline call, raw run) of the same request
    for q in questions:
        if deadline is not None and time.perf_counter() > deadline and len(rows) >= 3:
            section.notes.append(
                f"stopped after {len(rows)} of {len(questions)} questions: the bench's time "
                "budget (20 min) is reached on this machine"
            )
            break
        row = _ask(pipeline, llm, recorder, prefix, q)
        call = row.pop("_call", None)
        if call is not None and raw_ok and (raw_limit is None or len(pairs) < raw_limit):
            # the same request again, straight to llama.cpp: its prompt is in the cache now, so this
            # run is (almost) all decoding, the part compared here
            raw = raw_completion(llm, call)
            pairs.append((call, raw))
            row["raw_tokens"] = len(raw["times"])
            row["raw_decode_tok_s"] = _rate([raw])
            if (
                fixed is None
                and call.get("threads")
                and call["threads"] < settings.threads
                and (deadline is None or time.perf_counter() < deadline - 120)
            ):
                fixed = raw_completion(llm, call, threads=settings.threads)  # all cores, as before
                fixed["id"], fixed["pipeline_call"] = q.get("id"), call
                llm.threads_used = settings.threads  # type: ignore[attr-defined]  # LocalLLM: the next answer picks its own count
        rows.append(row)
        say(
            f"  {row.get('id')}: first token {row.get('ttft_s')} s, {row.get('tokens', 0):.0f} tokens, "
            f"prompt {row.get('prompt_tokens', 0):.0f} ({row.get('new_prompt_tokens')} new), "
            f"{row.get('threads')} thread(s)"
        )
    section.details["questions"] = rows
    if recorder.calls:  # the start-up baseline sends this same request
        section.details["_first_call"] = {"messages": recorder.calls[0]["messages"], "stop": recorder.calls[0]["stop"]}
    _summarise(section, settings, rows, pairs, fixed, raw_ok)
    return section


def _ask(
    pipeline: Pipeline, llm: Any, recorder: RecordingLLM, prefix: list[Message], q: dict[str, Any]
) -> dict[str, Any]:
    """One question through the pipeline from the fixed-prefix cache state; its figures."""
    llm.warm(prefix)  # the cache holds the fixed prefix only, as between questions in the app
    before = len(recorder.calls)
    started = time.perf_counter()
    first_text = None
    answer: Answer | None = None
    for event in pipeline.stream(q["question"]):
        if isinstance(event, Partial) and first_text is None and event.text.strip():
            first_text = time.perf_counter()
        elif isinstance(event, Answer):
            answer = event
    done = time.perf_counter()
    row: dict[str, Any] = {
        "id": q.get("id"),
        "answer_s": round(done - started, 3),
        "refused": bool(answer and answer.refused),
    }
    timings = answer.timings if answer else {}
    row.update(
        {
            k: round(float(timings[k]), 1)
            for k in ("retrieve_ms", "evidence_ms", "first_token_ms", "prompt_tokens", "tokens")
            if k in timings
        }
    )
    if len(recorder.calls) == before:
        row["ttft_s"] = None  # refused before the model was needed
        return row
    call = recorder.calls[-1]
    first = call["times"][0] if call["times"] else None
    perf, found = call["perf"], call.get("found_perf") or {}
    row["ttft_s"] = round((first_text or first or done) - started, 3)
    row["new_prompt_tokens"] = perf.get("prompt_eval_tokens", 0) + found.get("prompt_eval_tokens", 0)
    if perf.get("decode_tokens"):
        # what llama.cpp itself spent before the first token: prompt evaluation (the "Found:" pass and
        # the rest of the answer's prompt) + one decode step; and for the whole answer
        prompt_ms = perf["prompt_eval_ms"] + found.get("prompt_eval_ms", 0.0)
        row["engine_ttft_s"] = round((prompt_ms + perf["decode_ms"] / perf["decode_tokens"]) / 1000, 3)
        row["engine_answer_s"] = round((prompt_ms + perf["decode_ms"]) / 1000, 3)
    row["threads"] = call.get("threads")
    row["pipeline_decode_tok_s"] = _rate([call])
    row["between_tokens_share"] = _between_share(call)
    row["finish_s"] = round(done - (call["times"][-1] if call["times"] else done), 3)
    row["_call"] = call
    return row


def _between_share(call: dict[str, Any]) -> float | None:
    """Share of the decode time (first to last token) the pipeline spent on its own work between tokens."""
    n, seconds = _decode(call)
    if not n or seconds <= 0:
        return None
    return sum(call["consumer"][:n]) / seconds


def _summarise(
    section: Section,
    settings: Settings,
    rows: list[dict[str, Any]],
    pairs: list[tuple],
    fixed: dict[str, Any] | None,
    raw_ok: bool,
) -> None:
    pipe_rate = _rate([c for c, _ in pairs])
    raw_rate = _rate([r for _, r in pairs])
    ratio = pipe_rate / raw_rate if pipe_rate and raw_rate else None
    section.add(
        "tokens/s (decode)",
        pipe_rate,
        "tok/s",
        baseline=raw_rate,
        baseline_label="raw llama-cpp-python",
        target=">= 0.95 x raw",
        met=at_least(ratio, 0.95),
        note=f"{len(pairs)} requests, each sent by the pipeline then raw",
    )
    shares = [c for c, _ in pairs]
    share_n = sum(_decode(c)[0] for c in shares)
    share = (
        sum(sum(c["consumer"][: _decode(c)[0]]) for c in shares) / sum(_decode(c)[1] for c in shares)
        if share_n
        else None
    )
    section.add(
        "pipeline's own work between tokens",
        share,
        "share",
        note="of the decode time; 1 - share is the tokens/s ratio it allows, whatever the machine's noise",
    )
    if fixed is not None:
        mine = fixed["pipeline_call"]
        section.add(
            f"decode tok/s, {mine.get('threads')} idle-core thread(s) vs all {settings.threads} cores",
            _rate([mine]),
            "tok/s",
            baseline=_rate([fixed]),
            baseline_label=f"raw, {settings.threads} threads fixed",
            note=f"one request ({fixed['id']})",
        )
    engine = [r["perf"] for _, r in pairs if r.get("perf", {}).get("decode_ms")]
    if engine:
        section.details["llama_cpp_decode_tok_s"] = round(
            sum(p["decode_tokens"] for p in engine) / (sum(p["decode_ms"] for p in engine) / 1000), 2
        )
    prompt_perf = [p for c, _ in pairs for p in (c.get("found_perf") or {}, c["perf"]) if p.get("prompt_eval_ms")]
    if prompt_perf:
        section.details["llama_cpp_prompt_tok_s"] = round(
            sum(p["prompt_eval_tokens"] for p in prompt_perf) / (sum(p["prompt_eval_ms"] for p in prompt_perf) / 1000),
            1,
        )
    reached = [r for r in rows if r.get("ttft_s") is not None]
    ttft = [r["ttft_s"] for r in reached]
    engine_ttft = [r["engine_ttft_s"] for r in reached if r.get("engine_ttft_s") is not None]
    p50 = percentile(ttft, 50)
    section.add(
        "time to first token p50",
        p50,
        "s",
        baseline=percentile(engine_ttft, 50),
        baseline_label="llama.cpp: prompt eval + 1 token",
        target="<= 2.5 s",
        met=at_most(p50, 2.5),
        note=f"{len(ttft)} questions that reached the model",
    )
    section.add(
        "time to first token p95",
        percentile(ttft, 95),
        "s",
        baseline=percentile(engine_ttft, 95),
        baseline_label="llama.cpp: prompt eval + 1 token",
    )
    prompt = [r["prompt_tokens"] for r in reached if r.get("prompt_tokens")]
    new = [r["new_prompt_tokens"] for r in reached if r.get("new_prompt_tokens") is not None]
    section.add(
        "prompt tokens / question (mean)",
        sum(prompt) / len(prompt) if prompt else None,
        "tok",
        baseline=sum(new) / len(new) if new else None,
        baseline_label="of which evaluated (not in the KV cache)",
        note=f"max {max(prompt):.0f}" if prompt else "",
    )
    if section.details.get("llama_cpp_prompt_tok_s") and new:
        speed = section.details["llama_cpp_prompt_tok_s"]
        section.notes.append(
            f"llama.cpp evaluated prompts at {speed:.0f} tok/s here: the median {percentile(new, 50):.0f} new prompt "
            f"tokens per question cost {percentile(new, 50) / speed:.1f} s before the first token; a 2.5 s first token "
            f"needs at most ~{max(0.0, 2.3 * speed):.0f} new tokens at this speed"
        )
    done_p50 = percentile([r["answer_s"] for r in reached], 50)
    section.add(
        "complete checked answer p50",
        done_p50,
        "s",
        baseline=percentile([r["engine_answer_s"] for r in reached if "engine_answer_s" in r], 50),
        baseline_label="llama.cpp: prompt eval + decode",
        target="<= 6 s",
        met=at_most(done_p50, 6.0),
        note="question in, checked answer out (retrieval, evidence, generation, checks)",
    )
    section.add(
        "answer finished after last token (p50)",
        percentile([r["finish_s"] for r in reached if "finish_s" in r], 50),
        "s",
        note="checks and citation repair after the stream",
    )
    refused_early = [r for r in rows if r.get("ttft_s") is None]
    if refused_early:
        section.notes.append(
            f"{len(refused_early)} question(s) refused before the model was needed "
            f"(answer in p50 {percentile([r['answer_s'] for r in refused_early], 50):.2f} s)"
        )
    for c, r in pairs:
        if len(c["times"]) != len(r["times"]):
            section.notes.append(
                "raw and pipeline runs gave different token counts for some requests; rates are per token"
            )
            break
    for key in ("retrieve_ms", "evidence_ms", "first_token_ms"):
        values = [r[key] for r in reached if key in r]
        section.details[f"{key}_p50"] = percentile(values, 50)
    if not raw_ok:
        section.notes.append("the model is not a local llama.cpp model (llm_url): no raw baseline")
