"""The bench's table (rich) and JSON file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .common import Row, Section


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "–"
    if unit in ("", "ratio", "share") and abs(value) <= 1.0:
        text = f"{value:.3f}"
    elif abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".strip() if unit not in ("", "ratio", "share") else text


def verdict(row: Row) -> str:
    if row.met is None:
        return ""
    return "[green]met[/green]" if row.met else "[red]missed[/red]"


def render(console, sections: list[Section], header: str, method: list[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    if console.width < 150 and not console.is_terminal:  # a pipe or a log file: no need to wrap at 80
        console = Console(file=console.file, width=160, no_color=console.no_color, highlight=False)

    table = Table(title=header, title_justify="left", show_lines=False, expand=False)
    for name, justify in (
        ("metric", "left"),
        ("value", "right"),
        ("baseline (same run)", "right"),
        ("ratio", "right"),
        ("target", "left"),
        ("", "left"),
    ):
        table.add_column(name, justify="right" if justify == "right" else "left", overflow="fold")
    for section in sections:
        table.add_row(f"[bold]{section.name}[/bold] [dim]({section.seconds:.0f} s)[/dim]", "", "", "", "", "")
        if section.error:
            table.add_row(f"  [red]failed:[/red] {section.error}", "", "", "", "", "")
        for row in section.rows:
            baseline = fmt(row.baseline, row.unit)
            if row.baseline_label:
                baseline = f"{baseline} [dim]{row.baseline_label}[/dim]"
            ratio = f"{row.ratio:.2f}x" if row.ratio is not None else ""
            metric = f"  {row.metric}" + (f" [dim]{row.note}[/dim]" if row.note else "")
            table.add_row(metric, fmt(row.value, row.unit), baseline, ratio, row.target, verdict(row))
    console.print(table)
    notes = [f"{s.name}: {n}" for s in sections for n in s.notes]
    for note in notes:
        console.print(f"[dim]- {note}[/dim]", highlight=False)
    if method:
        console.print("[bold]Method[/bold]")
        for line in method:
            console.print(f"[dim]- {line}[/dim]", highlight=False)


def summary(sections: list[Section]) -> dict[str, int]:
    rows = [r for s in sections for r in s.rows if r.target]
    return {
        "targets": len(rows),
        "met": sum(1 for r in rows if r.met),
        "missed": sum(1 for r in rows if r.met is False),
        "unmeasured": sum(1 for r in rows if r.met is None),
    }


def write_json(path: Path, payload: dict[str, Any], sections: list[Section]) -> None:
    payload = dict(payload)
    payload["sections"] = {
        s.name: {
            "seconds": round(s.seconds, 1),
            "error": s.error,
            "rows": [r.as_json() for r in s.rows],
            "notes": s.notes,
            "details": s.details,
        }
        for s in sections
    }
    payload["summary"] = summary(sections)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=1, default=_jsonable) + "\n", encoding="utf-8")


def _jsonable(value: Any) -> Any:
    try:
        import numpy as np

        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, np.ndarray):
            return value.tolist()
    except ImportError:  # pragma: no cover
        pass
    if isinstance(value, Path):
        return str(value)
    return str(value)
