"""A loopback stand-in for hermes-agent's ``POST /api/cron/fire``, verifying fires as hermes does.

hermes 0.19.0's chronos verifier: ES256/384 or RS256/384/512 (HS* and ES512 refused), the
configured public key, ``aud`` = expected_audience, ``iss`` = portal_url ("" skips it),
``exp`` required with 30 s leeway, ``purpose == "cron_fire"``. Answers: 202 accepted, 200
``{"status": "gone"}`` for an unknown job, 400 without ``job_id``, 401 on a bad token.
The verification is PyJWT's, independent of our signer.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt

ALGORITHMS = ["ES256", "ES384", "RS256", "RS384", "RS512"]


@dataclass
class Fire:
    status: int
    job_id: str | None
    fire_at: str | None
    claims: dict[str, Any] | None
    error: str = ""


@dataclass
class HermesStandIn:
    public_pem: str
    audience: str
    issuer: str
    jobs: set[str]
    fires: list[Fire] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def verify(self, header: str) -> dict[str, Any]:
        token = header.removeprefix("Bearer ").strip()
        claims = jwt.decode(
            token,
            self.public_pem,
            algorithms=ALGORITHMS,
            audience=self.audience,
            issuer=self.issuer or None,
            leeway=30,
            options={"require": ["exp"], "verify_iss": bool(self.issuer)},
        )
        if claims.get("purpose") != "cron_fire":
            raise jwt.InvalidTokenError("purpose is not cron_fire")
        return claims

    def answer(self, headers: Any, body: bytes) -> tuple[int, dict[str, Any]]:
        try:
            claims = self.verify(headers.get("Authorization", ""))
        except jwt.PyJWTError as exc:
            self.fires.append(Fire(401, None, None, None, str(exc)))
            return 401, {"error": "invalid fire token"}
        doc = json.loads(body or b"{}")
        job_id, fire_at = doc.get("job_id"), doc.get("fire_at")
        if not job_id:
            self.fires.append(Fire(400, None, fire_at, claims))
            return 400, {"error": "job_id required"}
        if job_id not in self.jobs:
            self.fires.append(Fire(200, job_id, fire_at, claims))
            return 200, {"status": "gone"}
        self.fires.append(Fire(202, job_id, fire_at, claims))
        return 202, {"status": "accepted"}

    def start(self) -> HermesStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                status, doc = (
                    standin.answer(self.headers, self.rfile.read(length))
                    if self.path == "/api/cron/fire"
                    else (404, {"error": "not found"})
                )
                data = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, name="hermes-standin", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
