"""Start-up and memory: `rag chat` launched as a user would, on an existing index.

Measured from the moment the process is spawned: the page answering HTTP 200 on /, then the first
complete answer through gradio_client (what the browser's Send does). Peak RSS is sampled every
0.1 s over the process and its children. Baseline: a bare script in the same interpreter that serves
an empty Gradio page and loads the same GGUF with llama-cpp-python, then answers the same prompt,
i.e. the floor of any Gradio + llama.cpp chat.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rag.config import Settings

from .common import Section, at_most
from .indexing import rag_command, settings_env

_BASELINE = r"""
import json, sys, time
spec = json.loads(sys.argv[1])
import gradio as gr
with gr.Blocks() as demo:
    box = gr.Textbox()
    out = gr.Textbox()
    box.submit(lambda q: q, box, out)
demo.launch(server_name="127.0.0.1", server_port=spec["port"], prevent_thread_lock=True, quiet=True)
from llama_cpp import Llama
llm = Llama(model_path=spec["model"], **spec["llama"])
print("loaded", flush=True)
llm.create_chat_completion(messages=spec["messages"], max_tokens=spec["max_tokens"], stop=spec["stop"],
                           **spec["sampling"])
print("answered", flush=True)
time.sleep(600)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PeakRSS:
    """Samples the resident memory of a process and its children until stopped."""

    def __init__(self, pid: int, every: float = 0.1) -> None:
        self.pid = pid
        self.every = every
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            import psutil
        except ImportError:  # pragma: no cover - psutil is in the bench extra
            psutil = None
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss(self.pid, psutil))
            self._stop.wait(self.every)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join(timeout=2)
        return self.peak


def _rss(pid: int, psutil: Any) -> int:
    if psutil is not None:
        try:
            proc = psutil.Process(pid)
            procs = [proc] + proc.children(recursive=True)
            total = 0
            for p in procs:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            return total
        except psutil.Error:
            return 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _wait_page(url: str, proc: subprocess.Popen, deadline: float) -> bool:
    import httpx

    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    return False


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def measure_chat(settings: Settings, index_dir: Path, question: str, timeout: float = 420.0) -> dict[str, Any]:
    """Launch `rag chat --port P` on `index_dir`; time page ready and the first answer; peak RSS."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    env = settings_env(settings.with_overrides(index_dir=index_dir, host="127.0.0.1", port=port, auth=""))
    log = tempfile.TemporaryFile(mode="w+")
    started = time.perf_counter()
    proc = subprocess.Popen(
        rag_command() + ["chat", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    rss = PeakRSS(proc.pid)
    result: dict[str, Any] = {"url": url}
    try:
        if not _wait_page(url, proc, time.monotonic() + timeout):
            log.seek(0)
            raise RuntimeError(f"`rag chat` did not serve its page: {log.read()[-400:]}")
        result["page_ready_s"] = time.perf_counter() - started
        from gradio_client import Client

        client = Client(url, verbose=False)
        job = client.submit(question, api_name="/chat")
        outputs = job.result(timeout=timeout)
        result["first_answer_s"] = time.perf_counter() - started
        result["answer_ok"] = _answered(outputs)
    finally:
        result["peak_rss_bytes"] = rss.stop()
        _stop(proc)
        log.close()
    return result


def _answered(outputs: Any) -> bool:
    try:
        chatbot = outputs[0]
        last = chatbot[-1]
        content = last["content"]
        text = (
            "".join(p.get("text", "") for p in content if isinstance(p, dict))
            if isinstance(content, list)
            else str(content)
        )
        return last["role"] == "assistant" and "rag-answer" in text
    except (TypeError, KeyError, IndexError):
        return False


def measure_baseline(
    settings: Settings, messages: list[dict[str, str]], stop: list[str], timeout: float = 420.0
) -> dict[str, Any]:
    """The bare Gradio page + llama-cpp-python floor, in the same interpreter."""
    from rag.llm import llama_options, sampling
    from rag.models import resolve_model

    model = resolve_model(settings.model, settings)
    port = free_port()
    spec = {
        "port": port,
        "model": str(model.path),
        "llama": llama_options(settings),
        "sampling": sampling(settings.temperature),
        "messages": messages,
        "max_tokens": settings.max_tokens,
        "stop": stop,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as fh:
        fh.write(_BASELINE)
        script = fh.name
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1")
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, script, json.dumps(spec)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    rss = PeakRSS(proc.pid)
    result: dict[str, Any] = {}
    try:
        if _wait_page(f"http://127.0.0.1:{port}/", proc, time.monotonic() + timeout):
            result["page_ready_s"] = time.perf_counter() - started
        for line in proc.stdout:  # type: ignore[union-attr]
            if line.strip() == "loaded":
                result["model_loaded_s"] = time.perf_counter() - started
            elif line.strip() == "answered":
                result["first_answer_s"] = time.perf_counter() - started
                break
    finally:
        result["peak_rss_bytes"] = rss.stop()
        _stop(proc)
        os.unlink(script)
    return result


def run_startup(
    settings: Settings,
    index_dir: Path,
    index_label: str,
    question: str,
    messages: list[dict[str, str]] | None,
    stop: list[str],
    scratch: Path,
    say: Callable[[str], None],
) -> Section:
    section = Section("start-up")
    # a private copy: the bench process itself has the cached index open
    copy = scratch / "chat-index"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(index_dir, copy)
    say(f"start-up: `rag chat` on the {index_label} index, then one question through gradio_client")
    chat = measure_chat(settings, copy, question)
    say("start-up: baseline (bare Gradio page + llama-cpp-python, same model and prompt)")
    base = measure_baseline(settings, messages or [{"role": "user", "content": question}], stop)
    gb = 1024**3
    section.add(
        "chat page ready",
        chat.get("page_ready_s"),
        "s",
        baseline=base.get("page_ready_s"),
        baseline_label="bare Gradio page",
        target="<= 10 s",
        met=at_most(chat.get("page_ready_s"), 10.0),
        note=f"index {index_label}",
    )
    section.add(
        "first answer (from process start)",
        chat.get("first_answer_s"),
        "s",
        baseline=base.get("first_answer_s"),
        baseline_label="Gradio + Llama load + same prompt",
        note="complete answer via gradio_client" + ("" if chat.get("answer_ok") else "; answer not recognised"),
    )
    section.add(
        "peak RSS (chat, first answer)",
        chat["peak_rss_bytes"] / gb,
        "GB",
        baseline=base["peak_rss_bytes"] / gb,
        baseline_label="Gradio + llama-cpp-python",
        target="<= 3 GB",
        met=at_most(chat["peak_rss_bytes"] / gb, 3.0),
        note=f"model {settings.model}, index {index_label}",
    )
    section.details.update({"chat": chat, "baseline": base})
    shutil.rmtree(copy, ignore_errors=True)
    return section
