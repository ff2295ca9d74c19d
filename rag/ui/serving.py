"""Whether the chat may listen where it is asked to: off loopback a login is mandatory."""

from __future__ import annotations

import ipaddress

from ..config import Settings
from ..errors import LaunchError


def is_loopback(host: str) -> bool:
    host = (host or "").strip().strip("[]").lower()
    if host in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name may resolve anywhere: treat it as reachable from outside


def parse_auth(auth: str) -> tuple[str, str] | None:
    auth = (auth or "").strip()
    if not auth:
        return None
    user, sep, password = auth.partition(":")
    if not sep or not user.strip() or not password:
        raise LaunchError("--auth / RAG_AUTH must look like user:password (both parts non-empty)")
    return user.strip(), password


def check_launch(settings: Settings) -> tuple[str, str] | None:
    """The login to require, or None on loopback without one. Off loopback without a login: LaunchError."""
    login = parse_auth(settings.auth)
    host = settings.host or "127.0.0.1"
    if not is_loopback(host) and login is None:
        raise LaunchError(
            f"refusing to listen on {host}: the chat would be open to the network without a login. "
            "Set --auth user:password (or RAG_AUTH), or use --host 127.0.0.1"
        )
    return login
