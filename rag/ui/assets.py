"""The page's CSS and scripts, read from files in `assets/` (package data, so a wheel has them too)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

SYSTEM_FONTS = [
    "system-ui",
    "-apple-system",
    "Segoe UI",
    "Roboto",
    "Helvetica Neue",
    "Arial",
    "Noto Sans",
    "Liberation Sans",
    "sans-serif",
]
MONO_FONTS = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "Liberation Mono", "DejaVu Sans Mono", "monospace"]


@cache
def asset(name: str) -> str:
    return files(__package__).joinpath("assets", name).read_text(encoding="utf-8")


def head() -> str:
    """The document-level script, for the page's <head> (inline: the page loads nothing from outside)."""
    return f"<script>\n{asset('head.js')}</script>\n"
