"""Messages made fit to show to someone who is not the operator: no logins, no secrets, no full paths.

Error messages name URLs and files so the operator can act on them in a terminal; the same message
on a web page would hand a visitor the server's folders, its API key or a `user:password@` login.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

_URL_LOGIN = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s@]+@")
_ABS_PATH = re.compile(r"(?:(?<=\s)|(?<=^)|(?<=[\"'(=]))(?:[A-Za-z]:\\|/)(?:[^\s\"'()<>,;:]+[/\\])+([^\s\"'()<>,;:]*)")


def redact(text: str) -> str:
    """`http://user:secret@host/...` -> `http://host/...` wherever a URL appears in `text`."""
    return _URL_LOGIN.sub(r"\1", str(text or ""))


def scrub(message: str, secrets: Iterable[str] = (), folders: Mapping[str, str] | None = None) -> str:
    """`message` with known secrets masked, URL logins removed, known folders replaced by a short label,
    and any other absolute path cut to its last part (`/home/me/x/y.txt` -> `y.txt`)."""
    text = str(message or "")
    for secret in secrets:
        if secret:
            text = text.replace(secret, "•••")
    text = redact(text)
    for folder, label in sorted((folders or {}).items(), key=lambda kv: -len(kv[0])):
        folder = folder.rstrip("/\\")
        if folder and folder != ".":
            text = text.replace(folder, label)
    return _ABS_PATH.sub(lambda m: m.group(1) or "(folder)", text)
