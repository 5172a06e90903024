"""A real HTTP receiver for webhook tests: answers from a script, records what it got."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response


@dataclass
class Received:
    """One request the receiver got."""

    headers: dict[str, str]
    body: bytes
    at: float
    path: str = ""  # with the query string, as requested


@dataclass
class Receiver:
    """A werkzeug server on 127.0.0.1 in a thread; ``script`` holds the answers to give, in order."""

    script: deque[tuple[int, dict[str, str]]] = field(default_factory=deque)
    default: tuple[int, dict[str, str]] = (200, {})
    received: list[Received] = field(default_factory=list)
    server: BaseWSGIServer | None = None
    thread: threading.Thread | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        self.received.append(
            Received(dict(request.headers), request.get_data(), time.time(), request.full_path)
        )
        status, headers = self.script.popleft() if self.script else self.default
        return Response("ok", status=status, headers=headers)(environ, start_response)

    def start(self) -> Receiver:
        self.server = make_server("127.0.0.1", 0, self, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_port}/hooks"

    def answer(self, *answers: tuple[int, dict[str, str]]) -> None:
        """Queue answers for the next requests (then ``default``)."""
        self.script.extend(answers)

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
