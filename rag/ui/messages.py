"""Errors as one line on the page: our own errors (RagError) say what to do; anything else is a bug,
logged with its traceback and shown as a generic line. Either way no secret, path or server address."""

from __future__ import annotations

import logging
import re

from ..errors import RagError
from ..pipeline import Pipeline
from ..redaction import redact, scrub

log = logging.getLogger(__name__)

GENERIC = "something went wrong on the server; the details are in its log"


class PageMessages:
    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline

    def failure(self, exc: BaseException, doing: str) -> str:
        """Log what went wrong while `doing` something; return the line to show for it."""
        if isinstance(exc, RagError):
            log.warning("%s failed: %s", doing, exc)
            return self.clean(str(exc))
        log.error("%s failed", doing, exc_info=exc)
        return GENERIC

    def clean(self, text: str) -> str:
        """`text` with the app's folders, servers and secrets replaced by plain names."""
        s = self.pipeline.settings
        folders = {str(p): p.name for p in (s.index_dir, s.corpus_dir, s.models_dir, s.cache_dir, s.prompts_dir)}
        # the servers behind the app: their addresses are the operator's business, not the page's
        servers = {s.llm_url: "the LLM server", s.chroma_url: "the Chroma server"}
        for url, label in servers.items():
            if url:
                full = url if "//" in url else f"http://{url}"
                folders.update({redact(full).rstrip("/"): label, full.rstrip("/"): label, url.rstrip("/"): label})
        login = s.auth.partition(":")[2] if s.auth else ""
        text = scrub(text, secrets=[login, s.llm_api_key], folders=folders)
        text = re.sub(r"(the (?:LLM|Chroma) server)(?:/v1)?(?:/[\w./-]*)?", r"\1", text)
        return re.sub(r"\bthe (LLM|Chroma) server at the \1 server\b", r"the \1 server", text)
