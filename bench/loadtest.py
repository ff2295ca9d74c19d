"""Many chat users at once against one running app: throughput, latency, queue positions, and proof
that every user got a complete answer to their own question (nothing interleaved, nothing cut off).

Each user is a real `gradio_client.Client` (its own session), as a browser tab would be. Optionally
some extra clients hang up mid-answer (raw HTTP: join the queue, read the stream until the answer
starts, close the connection), to show a departed client frees its slot for the others.

    from bench.loadtest import run_load, serve_for_load
    url, chat, close = serve_for_load(settings)          # or the URL of an app already running
    figures = run_load(url, users=8)                     # questions: corpus/examples.json's by default
    close()

`run_load` returns a dict (all times in seconds):
    users, requests, completed, failed, disconnected, wall_s, throughput_qps (completed answers per
    second of wall time), latency p50_s / p95_s / max_s / mean_s (submit to final answer), queued
    p95_s (submit to leaving the queue), max_queue_position and positions_seen (the queue ranks the
    clients were shown), interleaved (answers whose chat held anything but that user's own turns),
    incomplete (answers still marked pending or empty), errors (one line each), and answers: per
    request {user, question, answer, latency_s, queued_s, positions, ok}.
"""

from __future__ import annotations

import html
import json
import re
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from .common import example_questions, percentile

_ANSWER_TEXT = re.compile(r'<p class="answer-text">(.*?)</p>', re.S)
_TAG = re.compile(r"<[^>]+>")


def message_text(message: dict[str, Any]) -> str:
    """A Chatbot message's content as one string (Gradio 6 sends a list of typed parts)."""
    content = message.get("content")
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content or "")


def answer_text(message_html: str) -> str:
    """The plain words of a rendered answer: its text paragraph(s), without timing or buttons."""
    parts = _ANSWER_TEXT.findall(message_html or "")
    return " ".join(" ".join(html.unescape(_TAG.sub("", p)).split()) for p in parts)


def run_load(
    url: str,
    users: int = 8,
    questions: Sequence[str] | None = None,
    *,
    rounds: int = 1,
    auth: tuple[str, str] | None = None,
    api_name: str = "/chat",
    disconnect: int = 0,
    timeout: float = 900.0,
) -> dict[str, Any]:
    """`users` clients start together; user i asks `questions[(i + r) % len]` in round r (one session,
    so later rounds carry the conversation). Returns the figures described in the module docstring."""
    from gradio_client import Client

    if questions is None:
        questions = [q["question"] for q in example_questions()]
    if users < 1 or not questions:
        raise ValueError("run_load needs at least one user and one question")
    url = url if url.endswith("/") else url + "/"
    clients = [Client(url, auth=auth, verbose=False, download_files=False) for _ in range(users)]
    results: list[dict[str, Any]] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(users + disconnect + 1)
    deadline = time.monotonic() + timeout

    def user(i: int) -> None:
        client = clients[i]
        asked: list[str] = []
        start.wait()
        for r in range(rounds):
            question = questions[(i + r) % len(questions)]
            record: dict[str, Any] = {
                "user": i,
                "round": r,
                "question": question,
                "answer": "",
                "positions": [],
                "latency_s": None,
                "queued_s": None,
                "ok": False,
                "interleaved": False,
                "incomplete": True,
            }
            t0 = time.perf_counter()
            try:
                job = client.submit(question, api_name=api_name)
                while not job.done():
                    if time.monotonic() > deadline:
                        job.cancel()
                        raise TimeoutError(f"no answer within {timeout:.0f} s")
                    status = job.status()
                    code = getattr(status.code, "name", str(status.code))
                    if code == "IN_QUEUE" and status.rank is not None:
                        if not record["positions"] or record["positions"][-1] != status.rank:
                            record["positions"].append(int(status.rank))
                    elif code in ("PROCESSING", "ITERATING") and record["queued_s"] is None:
                        record["queued_s"] = time.perf_counter() - t0
                    time.sleep(0.05)
                chatbot = job.result(timeout=max(1.0, deadline - time.monotonic()))[0]
                record["latency_s"] = time.perf_counter() - t0
                if record["queued_s"] is None:
                    record["queued_s"] = record["latency_s"]
                asked.append(question)
                roles = [m.get("role") for m in chatbot]
                users_said = [message_text(m) for m in chatbot if m.get("role") == "user"]
                last = message_text(chatbot[-1]) if chatbot else ""
                record["answer"] = answer_text(last)
                record["interleaved"] = (
                    roles != ["user", "assistant"] * len(asked)
                    or len(users_said) != len(asked)
                    or any(q not in html.unescape(said) for q, said in zip(asked, users_said))
                )
                record["incomplete"] = "rag-pending" in last or 'class="rag-answer' not in last or not record["answer"]
                record["ok"] = not record["interleaved"] and not record["incomplete"]
            except Exception as exc:  # noqa: BLE001 - every failure is counted and named, never raised
                record["latency_s"] = time.perf_counter() - t0
                with lock:
                    errors.append(
                        f"user {i} round {r}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                    )
            with lock:
                results.append(record)

    disconnected: list[bool] = []

    def leaver(j: int) -> None:
        start.wait()
        try:
            disconnected.append(
                hang_up_mid_answer(url, questions[j % len(questions)], auth=auth, api_name=api_name, timeout=timeout)
            )
        except Exception as exc:  # noqa: BLE001
            with lock:
                errors.append(f"disconnecting client {j}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=leaver, args=(j,), daemon=True) for j in range(disconnect)]
    threads += [threading.Thread(target=user, args=(i,), daemon=True) for i in range(users)]
    for t in threads:
        t.start()
    start.wait()
    t_start = time.perf_counter()
    for t in threads:
        t.join(max(1.0, deadline - time.monotonic() + 5))
    wall = time.perf_counter() - t_start
    for client in clients:
        try:
            client.close()
        except Exception:  # noqa: BLE001
            pass

    results.sort(key=lambda r: (r["user"], r["round"]))
    done = [r for r in results if r["ok"]]
    latencies = [r["latency_s"] for r in done]
    queued = [r["queued_s"] for r in done if r["queued_s"] is not None]
    positions = sorted({p for r in results for p in r["positions"]})
    return {
        "users": users,
        "requests": users * rounds,
        "completed": len(done),
        "failed": users * rounds - len(done),
        "disconnected": sum(disconnected),
        "wall_s": round(wall, 3),
        "throughput_qps": round(len(done) / wall, 4) if wall > 0 else 0.0,
        "p50_s": round(percentile(latencies, 50) or 0.0, 3),
        "p95_s": round(percentile(latencies, 95) or 0.0, 3),
        "max_s": round(max(latencies, default=0.0), 3),
        "mean_s": round(sum(latencies) / len(latencies), 3) if latencies else 0.0,
        "queued_p95_s": round(percentile(queued, 95) or 0.0, 3),
        "max_queue_position": max(positions, default=0),
        "positions_seen": positions,
        "interleaved": sum(1 for r in results if r["interleaved"]),
        "incomplete": sum(1 for r in results if r["incomplete"]),
        "errors": errors,
        "answers": results,
    }


def hang_up_mid_answer(
    url: str, question: str, *, auth: tuple[str, str] | None = None, api_name: str = "/chat", timeout: float = 600.0
) -> bool:
    """Join the queue as a browser would, read the event stream until the answer starts streaming,
    then drop the connection. True when it hung up mid-answer (False: the answer ended first)."""
    import uuid

    import httpx

    url = url if url.endswith("/") else url + "/"
    with httpx.Client(timeout=httpx.Timeout(timeout, connect=10.0), follow_redirects=True) as http:
        if auth:
            http.post(url + "login", data={"username": auth[0], "password": auth[1]}).raise_for_status()
        config = http.get(url + "config").json()
        name = api_name.lstrip("/")
        dependency = next(d for d in config["dependencies"] if d.get("api_name") == name)
        defaults = {c["id"]: c.get("props", {}).get("value") for c in config["components"]}
        data = [question] + [defaults.get(i) for i in dependency["inputs"][1:]]  # the page's current values
        session = f"hang-up-{uuid.uuid4().hex[:12]}"
        joined = http.post(
            url + "gradio_api/queue/join",
            json={
                "data": data,
                "fn_index": dependency["id"],
                "session_hash": session,
                "event_data": None,
                "trigger_id": None,
            },
        )
        joined.raise_for_status()
        with http.stream("GET", url + f"gradio_api/queue/data?session_hash={session}") as stream:
            for line in stream.iter_lines():
                if not line.startswith("data:"):
                    continue
                msg = json.loads(line[5:]).get("msg")
                if msg == "process_generating" and "Writing the answer" in line:
                    return True  # the model is writing: leaving the `with` closes the connection
                if msg == "process_completed":
                    return False
    return False


def serve_for_load(settings, timeout: float = 600.0) -> tuple[str, Any, Callable[[], None]]:
    """Start one app instance on `settings` (host/port from them), wait until its model is loaded.
    Returns (url, the app's context: its pipeline and its state counters, close)."""
    from rag.pipeline import Pipeline
    from rag.ui import build_app
    from rag.ui.state import Phase

    ui = build_app(Pipeline(settings))
    url = ui.launch(block=False, quiet=True)
    ends = time.monotonic() + timeout
    while ui.ctx.state.phase not in (Phase.READY, Phase.ERROR) and time.monotonic() < ends:
        time.sleep(0.2)
    if ui.ctx.state.phase is not Phase.READY:
        ui.close()
        raise RuntimeError(f"the app did not get ready: {ui.ctx.status()[0]}")
    return url, ui.ctx, ui.close
