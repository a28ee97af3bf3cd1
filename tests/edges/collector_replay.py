"""A vendor API replayed on 127.0.0.1 for the collector tests: an http.server in a thread that
records every request and answers from the test's own function. Nothing leaves the machine."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Seen:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, str]
    authorization: str
    form: dict[str, str] = field(default_factory=dict)
    json: object = None

    def brief(self) -> tuple:
        """(method, path, query without volatile parts) for exact comparisons."""
        return (self.method, self.path, tuple(sorted(self.query.items())))


Reply = tuple[int, dict[str, str], bytes]


class Replay:
    """Start with ``with Replay(answer) as api:``; ``api.url`` is the base URL."""

    def __init__(self, answer: Callable[[Seen], Reply]) -> None:
        self.answer = answer
        self.seen: list[Seen] = []
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                kind = self.headers.get("Content-Type", "")
                form = dict(parse_qsl(body.decode())) if "form" in kind else {}
                doc = json.loads(body) if "json" in kind and body else None
                seen = Seen(
                    self.command,
                    parts.path,
                    dict(parse_qsl(parts.query)),
                    self.headers.get("Authorization", ""),
                    form,
                    doc,
                )
                replay.seen.append(seen)
                status, headers, payload = replay.answer(seen)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _handle

            def log_message(self, *args: object) -> None:  # quiet test output
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Replay:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def ok_json(doc: object, status: int = 200) -> Reply:
    return status, {"Content-Type": "application/json"}, json.dumps(doc).encode()


def ok_xml(text: str) -> Reply:
    return 200, {"Content-Type": "text/xml; charset=UTF-8"}, text.encode()


def status(code: int, headers: dict[str, str] | None = None) -> Reply:
    return code, headers or {}, b""
