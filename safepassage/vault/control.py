"""The control socket: how `safepassage unseal` and `safepassage seal` reach a running server.

A Unix socket (mode 0600) inside the data directory, served by a thread in the server's master
process, which owns the shared key mapping. Only the operating-system account that runs the
server can connect. Messages are one JSON line each way; the master key crosses it only on unseal.
"""
from __future__ import annotations

import base64
import json
import os
import socket
import threading
from pathlib import Path

from . import keyholder


def _handle(request: dict) -> dict:
    command = request.get("command")
    if command == "status":
        return {"ok": True, "unsealed": keyholder.is_unsealed()}
    if command == "seal":
        keyholder.wipe()
        return {"ok": True, "unsealed": False}
    if command == "load":
        keyholder.load(base64.b64decode(request["key"]))
        return {"ok": True, "unsealed": True}
    return {"ok": False, "error": "unknown command"}


def serve(path: Path) -> threading.Thread:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.exists():
        path.unlink()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        server.bind(str(path))
    finally:
        os.umask(old)
    server.listen(8)

    def loop():
        while True:
            conn, _ = server.accept()
            with conn:
                try:
                    data = conn.makefile("rb").readline()
                    reply = _handle(json.loads(data))
                except Exception as exc:  # a bad client must not take the server down
                    reply = {"ok": False, "error": type(exc).__name__}
                conn.sendall(json.dumps(reply).encode() + b"\n")

    thread = threading.Thread(target=loop, name="safepassage-control", daemon=True)
    thread.start()
    return thread


def send(path: Path, command: str, **fields) -> dict:
    """Send a command to the running server; raises ConnectionError when none is listening."""
    payload = {"command": command, **fields}
    if "key" in payload:
        payload["key"] = base64.b64encode(payload["key"]).decode()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(10)
        try:
            client.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError) as exc:
            raise ConnectionError("no safepassage server is running on this data directory") from exc
        client.sendall(json.dumps(payload).encode() + b"\n")
        return json.loads(client.makefile("rb").readline())


def start_watcher(interval: float = 0.25) -> threading.Thread:
    """In each worker: wipe process-local derived keys within `interval` of a seal."""
    from . import services

    def loop():
        import time

        while True:
            services.drop_local_keys_if_sealed()
            time.sleep(interval)

    thread = threading.Thread(target=loop, name="safepassage-seal-watcher", daemon=True)
    thread.start()
    return thread
