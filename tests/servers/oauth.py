"""A real OAuth2 provider for tests on loopback: authorize, token, introspection.

Real providers cannot be reached from tests; this one speaks the same protocol (RFC 6749
authorization code with PKCE, refresh tokens, RFC 7662 introspection) so the app's sign-in,
refresh and XOAUTH2 logins run end to end, with Dovecot asking it whether a token is valid.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse


@dataclass
class _Grant:
    username: str
    challenge: str
    redirect_uri: str


@dataclass
class FakeProvider:
    """State of the provider; tests tune ``expires_in`` and revoke refresh tokens."""

    username: str = "user@example.test"
    client_id: str = "relaydesk-test-client"
    expires_in: int = 3600
    codes: dict[str, _Grant] = field(default_factory=dict)
    access: dict[str, tuple[str, float]] = field(default_factory=dict)  # token -> (user, expiry)
    refresh: dict[str, str] = field(default_factory=dict)  # refresh token -> user
    token_requests: int = 0
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def authorize_url(self) -> str:
        return f"{self.base_url}/authorize"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/token"

    @property
    def introspection_url(self) -> str:
        return f"{self.base_url}/introspect"

    def revoke_refresh_tokens(self) -> None:
        self.refresh.clear()

    def expire_access_tokens(self) -> None:
        self.access = {t: (u, 0.0) for t, (u, _) in self.access.items()}

    def _issue(self, username: str) -> dict[str, Any]:
        access = "at-" + secrets.token_urlsafe(24)
        refresh = "rt-" + secrets.token_urlsafe(1500)  # long, as real providers issue them
        self.access[access] = (username, time.time() + self.expires_in)
        self.refresh[refresh] = username
        return {
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": self.expires_in,
            "token_type": "Bearer",
        }


def _handler(provider: FakeProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet test output
            pass

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path != "/authorize":
                self._json(404, {"error": "not_found"})
                return
            if query.get("client_id") != provider.client_id:
                self._json(400, {"error": "invalid_client"})
                return
            code = secrets.token_urlsafe(16)
            provider.codes[code] = _Grant(
                provider.username, query.get("code_challenge", ""), query["redirect_uri"]
            )
            target = query["redirect_uri"] + "?" + urlencode(
                {"code": code, "state": query.get("state", "")}
            )
            self.send_response(302)
            self.send_header("Location", target)
            self.end_headers()

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if self.path == "/token":
                provider.token_requests += 1
                self._token(form)
            elif self.path == "/introspect":
                user, expiry = provider.access.get(form.get("token", ""), ("", 0.0))
                if user and expiry > time.time():
                    self._json(200, {"active": True, "username": user})
                else:
                    self._json(200, {"active": False})
            else:
                self._json(404, {"error": "not_found"})

        def _token(self, form: dict[str, str]) -> None:
            grant = form.get("grant_type")
            if grant == "authorization_code":
                code = provider.codes.pop(form.get("code", ""), None)
                verifier = form.get("code_verifier", "")
                digest = hashlib.sha256(verifier.encode()).digest()
                challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
                if code is None or code.challenge != challenge:
                    self._json(400, {"error": "invalid_grant"})
                    return
                self._json(200, provider._issue(code.username))
            elif grant == "refresh_token":
                user = provider.refresh.pop(form.get("refresh_token", ""), None)
                if user is None:
                    self._json(400, {"error": "invalid_grant", "error_description": "revoked"})
                    return
                self._json(200, provider._issue(user))
            else:
                self._json(400, {"error": "unsupported_grant_type"})

    return Handler


def start_provider(provider: FakeProvider) -> FakeProvider:
    provider.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    threading.Thread(target=provider.server.serve_forever, daemon=True).start()
    return provider


def dovecot_oauth_config(provider: FakeProvider, path: str) -> str:
    """Extra Dovecot lines: XOAUTH2 logins checked against the provider's introspection."""
    with open(path, "w") as conf:
        conf.write(
            f"introspection_url = {provider.introspection_url}\n"
            "introspection_mode = post\n"
            "username_attribute = username\n"
            "active_attribute = active\n"
            "active_value = true\n"
        )
    return (
        "auth_mechanisms = plain login xoauth2 oauthbearer\n"
        "passdb {\n"
        "  driver = oauth2\n"
        "  mechanisms = xoauth2 oauthbearer\n"
        f"  args = {path}\n"
        "}\n"
    )
