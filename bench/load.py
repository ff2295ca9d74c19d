"""Many chat users on one app instance: throughput and latency against one user alone, same run.

The app is the real one (gradio, queue, one llama.cpp model) on a free loopback port; the users are
`gradio_client` sessions (bench.loadtest). The baseline is the same questions asked one at a time:
with one local model the answers are written one after another, so N users ideally take N times one
user's time and the throughput stays that of a single user. The load run adds one client that hangs
up mid-answer, whose slot must come free.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rag.config import Settings

from .common import Section, percentile
from .startup import free_port


def run_load_section(
    settings: Settings,
    index_dir: Path,
    questions: list[dict[str, Any]],
    say: Callable[[str], None],
    users: int = 8,
) -> Section:
    from .loadtest import run_load, serve_for_load

    section = Section("load")
    asked = [q["question"] for q in questions if q.get("answers")][:4] or [q["question"] for q in questions[:4]]
    local = settings.with_overrides(index_dir=index_dir, host="127.0.0.1", port=free_port())
    say(f"load: starting the app on port {local.port}")
    url, _chat, close = serve_for_load(local)
    try:
        solo = [run_load(url, users=1, questions=[q]) for q in asked]  # also warms each question's passages
        solo_latency = [a["latency_s"] for run in solo for a in run["answers"]]
        solo_wall = sum(run["wall_s"] for run in solo)
        say(f"load: {users} users at once (+1 that hangs up mid-answer)")
        figures = run_load(url, users=users, questions=asked, disconnect=1)
    finally:
        close()
    solo_qps = len(solo_latency) / solo_wall if solo_wall else None
    section.add(
        f"answers/s with {users} users",
        figures["throughput_qps"],
        "ans/s",
        baseline=solo_qps,
        baseline_label="one user at a time",
        note=f"{figures['completed']}/{figures['requests']} complete",
    )
    section.add(
        f"latency p50, {users} users",
        figures["p50_s"],
        "s",
        baseline=percentile(solo_latency, 50),
        baseline_label="one user alone",
    )
    section.add(
        f"latency p95, {users} users",
        figures["p95_s"],
        "s",
        baseline=percentile(solo_latency, 95),
        baseline_label="one user alone",
        note=f"wait in the queue p95 {figures['queued_p95_s']:.1f} s",
    )
    ok = figures["completed"] == users and not figures["interleaved"] and not figures["incomplete"]
    section.add(
        "complete, un-interleaved answers",
        float(figures["completed"] - figures["interleaved"]),
        "answers",
        target=f"= {users}",
        met=ok,
        note=f"{figures['disconnected']} client hung up; queue positions shown up to {figures['max_queue_position']}",
    )
    section.details = {k: v for k, v in figures.items() if k != "answers"}
    return section
