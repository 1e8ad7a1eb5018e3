"""OAuth2 for Microsoft 365 and Gmail: sign-in with PKCE on a loopback redirect, refresh.

Tokens live in the keyring (split into chunks where a platform limits secret size) and are
refreshed a few minutes before they expire. When the provider refuses the refresh token
(revoked, password changed, consent withdrawn) the account needs a person to sign in again,
and says so instead of failing every fetch with a cryptic error.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import secrets as pysecrets
import threading
import time
import urllib.error
import urllib.request
import uuid
import webbrowser
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from sqlalchemy.orm import Session

from app import secrets
from app.errors import AuthError, ConfigError, RelaydeskError, ServerError
from app.settings import get_value
from storage.engine import Store

log = logging.getLogger("oauth")

REFRESH_MARGIN = dt.timedelta(minutes=5)
PURPOSE = "oauth"
CANCEL_POLL_S = 0.2  # how soon a cancelled sign-in stops waiting for the browser


class SignInCancelled(RelaydeskError):
    """The person stopped waiting for the browser (silent: a cancel is no error)."""


@dataclass(frozen=True)
class Provider:
    name: str
    authorize_url: str
    token_url: str
    scopes: tuple[str, ...]
    client_id: str


DEFAULTS: dict[str, Provider] = {
    "microsoft": Provider(
        "microsoft",
        "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
        "https://login.microsoftonline.com/common/oauth2/v2.0/token",
        (
            "offline_access",
            "https://outlook.office.com/IMAP.AccessAsUser.All",
            "https://outlook.office.com/SMTP.Send",
        ),
        "",
    ),
    "google": Provider(
        "google",
        "https://accounts.google.com/o/oauth2/v2/auth",
        "https://oauth2.googleapis.com/token",
        ("https://mail.google.com/",),
        "",
    ),
}
SERVICE_PROVIDER = {"outlook365": "microsoft", "hotmail": "microsoft", "gmail": "google"}


class SignInRequired(AuthError):
    """The stored grant no longer works: a person has to sign in again."""


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_at: float  # Unix time
    refreshed_at: float

    def expires_within(self, margin: dt.timedelta, now: float) -> bool:
        return self.expires_at - now <= margin.total_seconds()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _post(url: str, form: dict[str, str], timeout: float = 20.0) -> dict[str, Any]:
    request = urllib.request.Request(
        url,
        data=urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return dict(json.loads(response.read()))
    except urllib.error.HTTPError as exc:
        try:
            body = json.loads(exc.read() or b"{}")
        except ValueError:
            body = {}
        error = body.get("error", f"HTTP {exc.code}")
        detail = body.get("error_description", "")
        if error in ("invalid_grant", "invalid_client", "unauthorized_client"):
            raise SignInRequired(
                f"Sign in again: the provider refused the stored grant ({error}"
                + (f": {detail}" if detail else "")
                + ")."
            ) from exc
        raise ServerError(f"The sign-in service answered {error} {detail}".strip()) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        where = urlparse(url).netloc
        raise ServerError(f"The sign-in service at {where} is unreachable: {exc}") from exc


def _tokens(body: dict[str, Any], previous_refresh: str = "") -> Tokens:
    now = dt.datetime.now(dt.UTC).timestamp()
    if "access_token" not in body:
        raise ServerError("The sign-in service answered without an access token.")
    return Tokens(
        body["access_token"],
        body.get("refresh_token") or previous_refresh,
        now + float(body.get("expires_in", 3600)),
        now,
    )


def sign_in(
    provider: Provider,
    *,
    login_hint: str = "",
    open_browser: Callable[[str], object] = webbrowser.open,
    timeout: float = 300.0,
    cancel: threading.Event | None = None,
) -> Tokens:
    """Authorization code with PKCE; the browser comes back to a one-shot loopback server.

    ``cancel`` set while the browser is open gives up at once (SignInCancelled).
    """
    if not provider.client_id:
        raise ConfigError(
            f"No OAuth client id is configured for {provider.name}: set "
            f"oauth_{provider.name}_client_id (or have IT preset it in the policy file)."
        )
    verifier = pysecrets.token_urlsafe(64)
    state = pysecrets.token_urlsafe(16)
    received: dict[str, str] = {}
    done = threading.Event()

    class Redirect(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
            if "code" in query or "error" in query:
                received.update(query)
                done.set()
            body = (
                b"<html><body><p>Relaydesk is signed in. You can close this tab.</p></body></html>"
            )
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = HTTPServer(("127.0.0.1", 0), Redirect)
    redirect_uri = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        params = {
            "response_type": "code",
            "client_id": provider.client_id,
            "redirect_uri": redirect_uri,
            "scope": " ".join(provider.scopes),
            "code_challenge": _b64url(hashlib.sha256(verifier.encode()).digest()),
            "code_challenge_method": "S256",
            "state": state,
        }
        if login_hint:
            params["login_hint"] = login_hint
        open_browser(f"{provider.authorize_url}?{urlencode(params)}")
        deadline = time.monotonic() + timeout
        while not done.wait(CANCEL_POLL_S):
            if cancel is not None and cancel.is_set():
                raise SignInCancelled("Sign-in cancelled.")
            if time.monotonic() > deadline:
                raise AuthError("Sign-in was not completed in the browser in time.")
    finally:
        server.shutdown()
        server.server_close()
    if received.get("state") != state:
        raise AuthError("Sign-in answer did not match the request (state); try again.")
    if "error" in received:
        raise AuthError(f"Sign-in was refused: {received.get('error')}")
    body = _post(
        provider.token_url,
        {
            "grant_type": "authorization_code",
            "code": received["code"],
            "redirect_uri": redirect_uri,
            "client_id": provider.client_id,
            "code_verifier": verifier,
        },
    )
    return _tokens(body)


def refresh(provider: Provider, tokens: Tokens) -> Tokens:
    body = _post(
        provider.token_url,
        {
            "grant_type": "refresh_token",
            "refresh_token": tokens.refresh_token,
            "client_id": provider.client_id,
            "scope": " ".join(provider.scopes),
        },
    )
    return _tokens(body, previous_refresh=tokens.refresh_token)


def sign_in_account(
    store: Store,
    name: str,
    *,
    open_browser: Callable[[str], object] = webbrowser.open,
    timeout: float = 300.0,
    cancel: threading.Event | None = None,
) -> TokenHealth:
    """Sign the account ``name`` in with its provider and keep the tokens in this computer's
    keyring (the CLI's ``account signin`` and the admin page's button)."""
    from app.services.accounts import find_account

    with store.read() as session:
        account = find_account(session, name)
        provider = configured_provider(session, account.service)
        account_id, login = account.id, account.imap_username or account.email
    tokens = sign_in(
        provider, login_hint=login, open_browser=open_browser, timeout=timeout, cancel=cancel
    )
    store_tokens(account_id, tokens)
    log.info("%s signed in with OAuth2", name)
    return token_health(account_id)


def store_tokens(account_id: uuid.UUID, tokens: Tokens) -> None:
    secrets.set_large_secret(account_id, PURPOSE, json.dumps(asdict(tokens)))


def load_tokens(account_id: uuid.UUID) -> Tokens | None:
    raw = secrets.get_large_secret(account_id, PURPOSE)
    if not raw:
        return None
    try:
        return Tokens(**json.loads(raw))
    except (ValueError, TypeError):
        return None


_refresh_lock = threading.Lock()


def access_token(account_id: uuid.UUID, provider: Provider, *, now: float | None = None) -> str:
    """A valid access token, refreshed first when it expires within the margin."""
    with _refresh_lock:  # one refresh at a time: a refresh token may be single-use
        tokens = load_tokens(account_id)
        if tokens is None:
            raise SignInRequired("Sign in again: this account has no OAuth tokens yet.")
        moment = dt.datetime.now(dt.UTC).timestamp() if now is None else now
        if tokens.expires_within(REFRESH_MARGIN, moment):
            tokens = refresh(provider, tokens)
            store_tokens(account_id, tokens)
            log.info("refreshed the OAuth token of account %s", account_id)
        return tokens.access_token


@dataclass(frozen=True)
class TokenHealth:
    signed_in: bool
    expires_in_s: float | None
    refreshed_at: dt.datetime | None


def token_health(account_id: uuid.UUID) -> TokenHealth:
    tokens = load_tokens(account_id)
    if tokens is None:
        return TokenHealth(False, None, None)
    now = dt.datetime.now(dt.UTC).timestamp()
    return TokenHealth(
        True,
        tokens.expires_at - now,
        dt.datetime.fromtimestamp(tokens.refreshed_at, dt.UTC),
    )


def configured_provider(session: Session, service: str) -> Provider:
    """The provider behind a service preset, with client id and endpoints from settings."""
    name = SERVICE_PROVIDER.get(service)
    if name is None:
        raise ConfigError(
            f"OAuth sign-in needs the Microsoft 365 or Gmail service preset, not {service!r}."
        )
    base = DEFAULTS[name]
    return replace(
        base,
        client_id=get_value(session, "global", f"oauth_{name}_client_id") or base.client_id,
        authorize_url=get_value(session, "global", f"oauth_{name}_authorize_url")
        or base.authorize_url,
        token_url=get_value(session, "global", f"oauth_{name}_token_url") or base.token_url,
    )
