"""Real servers and real OS-level faults for the scale-out, fault and security tests.

Servers (a Chroma server, llama-cpp-python's OpenAI-compatible server) are started as subprocesses on
loopback ports and always stopped; their output goes to a log file that a failing test prints.
Faults are made by the operating system, not by patching our code: a read-only index folder (file
permissions; when the tests run as root, the subprocess gives up the capabilities that let root
ignore them), a full disk (RLIMIT_FSIZE: writes past the limit fail with EFBIG), `kill -9`.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent
RAG = str(BIN / "rag")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except Exception:  # noqa: BLE001 - not up yet
            pass
        time.sleep(step)
    return False


class Server:
    """A subprocess serving HTTP on 127.0.0.1:port."""

    def __init__(
        self,
        args: list[str],
        port: int,
        log: Path,
        ready_path: str,
        headers: dict[str, str] | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.args, self.port, self.log = args, port, log
        self.url = f"http://127.0.0.1:{port}"
        self._ready_path = ready_path
        self._headers = headers or {}
        self._env = env
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 180.0) -> Server:
        self._log = open(self.log, "ab")
        self.proc = subprocess.Popen(
            self.args, stdout=self._log, stderr=subprocess.STDOUT, env=self._env, start_new_session=True
        )

        def up() -> bool:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.tail()}")
            return httpx.get(self.url + self._ready_path, headers=self._headers, timeout=2).status_code == 200

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if up():
                    return self
            except RuntimeError:
                raise
            except Exception:  # noqa: BLE001 - still starting
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"server on port {self.port} did not come up in {timeout:.0f} s:\n{self.tail()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        if getattr(self, "_log", None):
            self._log.close()

    def tail(self, n: int = 3000) -> str:
        try:
            return self.log.read_bytes()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""


def chroma_server(path: Path, log: Path) -> Server:
    """`chroma run` (shipped with the chromadb package) on a free loopback port, data in `path`."""
    port = free_port()
    return Server(
        [str(BIN / "chroma"), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(path)],
        port,
        log,
        "/api/v2/heartbeat",
    )


def llama_server(
    model_path: Path, log: Path, alias: str, api_key: str = "", interrupt: bool = False, n_ctx: int = 4096
) -> Server:
    """llama-cpp-python's OpenAI-compatible server (the `server` extra) on a free loopback port.
    `interrupt=False`: a new request waits for the running one instead of cutting it off."""
    port = free_port()
    args = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model_path),
        "--model_alias",
        alias,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        str(n_ctx),
        "--interrupt_requests",
        str(interrupt),
        "--n_threads",
        "1",
    ]
    headers = {}
    if api_key:
        args += ["--api_key", api_key]
        headers = {"Authorization": f"Bearer {api_key}"}
    return Server(args, port, log, "/v1/models", headers=headers)


# -- OS-level faults for subprocesses ------------------------------------------------------------

_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


def _drop_file_override_capabilities() -> None:
    """In the child, before exec: give up root's power to ignore file permissions, so a read-only
    folder is read-only to it as well (no-op for an ordinary user)."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            os._exit(111)


def read_only_works(folder: Path) -> bool:
    """True when a subprocess started with `as_unprivileged` really cannot write into `folder`."""
    probe = subprocess.run(
        ["sh", "-c", f"touch '{folder}/.probe' 2>/dev/null"], preexec_fn=_drop_file_override_capabilities
    )
    if probe.returncode == 111:
        return False
    if (folder / ".probe").exists():
        (folder / ".probe").unlink()
        return False
    return True


def as_unprivileged():
    return _drop_file_override_capabilities


def with_file_size_limit(limit: int):
    """preexec_fn: files may not grow past `limit` bytes (writes fail with EFBIG, as on a full disk)."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write instead of killing the process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@contextmanager
def read_only_tree(root: Path) -> Iterator[None]:
    """Make every folder and file under `root` read-only; restore write permission afterwards."""
    modes = {}
    for path in [root, *root.rglob("*")]:
        modes[path] = path.stat().st_mode
        path.chmod(modes[path] & ~0o222)
    try:
        yield
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


def run_rag(args: list[str], env: dict[str, str], timeout: float = 600, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([RAG, *args], capture_output=True, text=True, timeout=timeout, env=env, **kwargs)


def tree_digest(root: Path) -> dict[str, bytes]:
    """Every file's bytes under `root` (small index folders only)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a TCP socket listening on `port` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state = fields[1], fields[3]
            if state != "0A":  # LISTEN
                continue
            addr_hex, port_hex = local.split(":")
            if int(port_hex, 16) != port:
                continue
            raw = bytes.fromhex(addr_hex)
            if v6:
                words = [raw[i : i + 4][::-1] for i in range(0, 16, 4)]
                found.add(socket.inet_ntop(socket.AF_INET6, b"".join(words)))
            else:
                found.add(socket.inet_ntop(socket.AF_INET, raw[::-1]))
    return found
