"""OAuth2 sign-in, refresh and XOAUTH2 logins against a provider the test runs itself."""

from __future__ import annotations

import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import oauth, secrets
from app.context import AppContext
from app.errors import AuthError
from app.mail.fetch import fetch_once
from app.services.accounts import add_account
from app.settings import set_value
from storage.engine import Store
from storage.models import Message
from tests.app.mail.conftest import quick_options
from tests.servers.fixtures import DovecotFactory
from tests.servers.oauth import FakeProvider, dovecot_oauth_config, start_provider


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    fake = start_provider(FakeProvider())
    yield fake
    assert fake.server is not None
    fake.server.shutdown()


def _configure(ctx: AppContext, fake: FakeProvider) -> oauth.Provider:
    with ctx.store.write() as session:
        set_value(session, "global", "oauth_microsoft_client_id", fake.client_id)
        set_value(session, "global", "oauth_microsoft_authorize_url", fake.authorize_url)
        set_value(session, "global", "oauth_microsoft_token_url", fake.token_url)
    with ctx.store.read() as session:
        return oauth.configured_provider(session, "outlook365")


def _browser(url: str) -> None:
    """Plays the user's browser: follows the provider's redirect to the loopback server."""
    with urllib.request.urlopen(url, timeout=10) as response:
        assert b"signed in" in response.read()


def test_sign_in_with_pkce_stores_tokens_in_chunks(
    sqlite_ctx: AppContext, provider: FakeProvider
) -> None:
    configured = _configure(sqlite_ctx, provider)
    tokens = oauth.sign_in(configured, open_browser=_browser, timeout=10)
    account_id = uuid.uuid4()
    oauth.store_tokens(account_id, tokens)
    header = secrets.get_secret(account_id, oauth.PURPOSE) or ""
    assert header.startswith("chunks:") and int(header.split(":")[1]) > 1
    assert oauth.load_tokens(account_id) == tokens
    assert oauth.token_health(account_id).signed_in


def test_missing_client_id_is_a_clear_configuration_error(sqlite_ctx: AppContext) -> None:
    with sqlite_ctx.store.read() as session:
        configured = oauth.configured_provider(session, "gmail")
    with pytest.raises(Exception, match="oauth_google_client_id"):
        oauth.sign_in(configured, open_browser=_browser, timeout=1)


def test_tokens_are_refreshed_before_expiry_and_revocation_asks_to_sign_in(
    sqlite_ctx: AppContext, provider: FakeProvider
) -> None:
    configured = _configure(sqlite_ctx, provider)
    provider.expires_in = 60  # inside the 5-minute margin: every use refreshes
    account_id = uuid.uuid4()
    oauth.store_tokens(account_id, oauth.sign_in(configured, open_browser=_browser, timeout=10))
    before = provider.token_requests
    first = oauth.access_token(account_id, configured)
    second = oauth.access_token(account_id, configured)
    assert provider.token_requests == before + 2 and first != second
    provider.revoke_refresh_tokens()
    with pytest.raises(oauth.SignInRequired, match="Sign in again"):
        oauth.access_token(account_id, configured)


@pytest.mark.imap
def test_fetch_logs_in_with_xoauth2_through_dovecot(
    sqlite_ctx: AppContext,
    provider: FakeProvider,
    dovecot_factory: DovecotFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = dovecot_factory(
        extra_config=dovecot_oauth_config(provider, str(tmp_path / "oauth2.conf.ext"))
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(server.cert_path))
    server.add_user(provider.username, "unused-password")
    server.append(provider.username, b"From: a@example.org\r\nSubject: hi\r\n\r\nhello\r\n")
    configured = _configure(sqlite_ctx, provider)
    info = add_account(
        sqlite_ctx.store,
        name="m365",
        email=provider.username,
        username=provider.username,
        service="outlook365",
        imap_host=server.host,
        imap_port=server.port,
        imap_auth="xoauth2",
        smtp_auth="xoauth2",
    )
    # add_account takes the preset's security; the test server offers STARTTLS.
    from app.services.settings import change_setting

    change_setting(sqlite_ctx.store, "imap_security", "starttls", account="m365")
    oauth.store_tokens(info.id, oauth.sign_in(configured, open_browser=_browser, timeout=10))

    report = fetch_once(sqlite_ctx, quick_options())
    assert report.errors == [] and report.result.new == 1
    with sqlite_ctx.store.read() as session:
        assert session.execute(select(func.count()).select_from(Message)).scalar_one() == 1

    provider.expire_access_tokens()
    provider.revoke_refresh_tokens()
    oauth.store_tokens(
        info.id, oauth.Tokens("at-stale", "rt-gone", expires_at=0.0, refreshed_at=0.0)
    )
    failed = fetch_once(sqlite_ctx, quick_options())
    assert len(failed.errors) == 1 and failed.errors[0].startswith("Sign in again")
    assert isinstance(oauth.SignInRequired("x"), AuthError)


def test_account_signin_command(
    sqlite_ctx: AppContext,
    provider: FakeProvider,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import webbrowser

    from app import cli

    _configure(sqlite_ctx, provider)
    info = add_account(
        sqlite_ctx.store,
        name="m365",
        email=provider.username,
        username=provider.username,
        service="outlook365",
    )
    sqlite_ctx.close()
    monkeypatch.setattr(webbrowser, "open", _browser)
    code = cli.main(["--data-dir", str(sqlite_ctx.data_dir), "account", "signin", "m365"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert out.out.strip() == "signed in: m365 can fetch and send with OAuth2"
    assert provider.authorize_url in out.err  # the URL is shown for browserless desktops
    assert oauth.load_tokens(info.id) is not None


@pytest.mark.pg
def test_account_signin_on_a_worker_host_finds_the_account_centrally(
    sqlite_ctx: AppContext,
    pg_store_url: str,
    provider: FakeProvider,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Team mode: the account and the provider's settings are in the central database, the
    tokens go to the worker host's keyring (never to a desk, never to the database)."""
    import webbrowser

    from app import cli

    central = AppContext(sqlite_ctx.data_dir, Store(pg_store_url), sqlite_ctx.blobs)
    _configure(central, provider)
    info = add_account(
        central.store,
        name="m365",
        email=provider.username,
        username=provider.username,
        service="outlook365",
    )
    central.store.dispose()
    sqlite_ctx.close()
    monkeypatch.setattr(webbrowser, "open", _browser)
    argv = ["--data-dir", str(sqlite_ctx.data_dir), "account", "signin", "m365"]
    assert cli.main(argv) == 1, "standalone, this desk has no such account"
    capsys.readouterr()
    code = cli.main([*argv, "--central", pg_store_url])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert out.out.strip() == "signed in: m365 can fetch and send with OAuth2"
    assert oauth.load_tokens(info.id) is not None
