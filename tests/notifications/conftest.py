"""A local HTTP server for the gateway tests (no network at test time)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeProvider:
    """Answers POSTs from a script of (status, json body, delay) and records what it got.
    ``check`` may inspect each request and return an answer that overrides the script."""

    url: str = ""
    script: list[tuple[int, dict, float]] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    check: object = None

    def answer(self, request: Received) -> tuple[int, dict, float]:
        if self.check is not None:
            override = self.check(request)
            if override is not None:
                return override
        return self.script.pop(0) if self.script else (200, {"id": f"m-{len(self.received)}"}, 0)


@pytest.fixture
def fake_provider():
    provider = FakeProvider()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length", 0))
            request = Received(
                self.path, {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length)
            )
            provider.received.append(request)
            status, body, delay = provider.answer(request)
            if delay:
                time.sleep(delay)
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up (timeout test)
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    provider.url = f"http://127.0.0.1:{server.server_address[1]}/"
    yield provider
    server.shutdown()
    server.server_close()
