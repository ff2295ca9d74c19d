"""One error family for everything a user can meet and fix: the CLI and the app catch `RagError` by
type and show its message (which says what to do); anything else is a bug and shows its traceback.
"""

from __future__ import annotations


class RagError(Exception):
    """A problem the user can act on; the message says how."""


class ConfigError(RagError):
    """A setting or option that cannot be used as given (bad value, out of range)."""


class QuestionError(RagError):
    """The question cannot be asked as given (empty, or a malformed batch request)."""


class IndexStoreError(RagError):
    """The index cannot be read or written (read-only folder, disk full, server refused)."""


class IndexMissingError(IndexStoreError):
    """No index has been built yet where one is expected."""


class IndexCorruptError(IndexStoreError):
    """The index on disk cannot be read back: rebuild it."""


class IndexMismatchError(IndexStoreError):
    """The index was built with another embedder or chunker: vectors are never mixed."""


class ModelError(RagError):
    """The generation model cannot be found, verified, loaded or reached."""


class ModelMissingError(ModelError):
    """A model name or path that resolves to nothing on this machine (and nothing is downloaded)."""


class ModelChecksumError(ModelError):
    """An assembled bundled model whose sha256 does not match."""


class ServerUnreachableError(RagError):
    """A configured server (LLM or Chroma) cannot be reached or refused the request."""


class EmbeddingError(RagError):
    """The embedding model cannot be found, exported or loaded."""


class DocumentError(RagError):
    """An article file that cannot be read as text (binary, empty, corrupt, too large)."""


class PromptError(RagError):
    """A prompt template is missing or unreadable."""


class LaunchError(RagError):
    """The chat server cannot start as asked (port in use, --auth missing off loopback)."""


class ScopeError(RagError):
    """A question's scope (chosen articles, a date range) that no indexed article matches."""


class HistoryError(RagError):
    """The saved conversations (history file) cannot be read or written."""
