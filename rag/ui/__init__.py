"""The browser chat (`rag chat`): panels in their own modules, HTML from templates, assets as files."""

from .app import ChatUI, build_app, serve

__all__ = ["ChatUI", "build_app", "serve"]
