"""``perks oauth create-client``, ``list-clients`` and ``revoke-client`` as an operator runs
them (SQLite and PostgreSQL): the secret is printed once, the client gets tokens through the
services, and a revoked client gets none."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner, Result

from perks.bootstrap import Services, build_services
from perks.domain.errors import Unauthenticated
from perks.domain.oauth import CONTEXT_MANAGE, CUSTOMER_TOKEN_ISSUE, TokenKind
from perks.entrypoints import cli
from perks.services.oauth import CLIENT_CREDENTIALS
from perks.settings import Settings

runner = CliRunner()
CLIENT_ID = re.compile(r"^client_id:\s+(\S+)$", re.MULTILINE)
CLIENT_SECRET = re.compile(r"^client_secret:\s+(\S+)$", re.MULTILINE)
TENANT = "shopa"


def perks(*args: str) -> Result:
    return runner.invoke(cli.app, list(args))


@pytest.fixture
def url(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated database; PERKS_DATABASE_URL, which the CLI sets, is restored after."""
    monkeypatch.setenv("PERKS_DATABASE_URL", database_url)
    return database_url


@pytest.fixture
def services(url: str) -> Iterator[Services]:
    built = build_services(Settings(database_url=url))
    yield built
    built.database.dispose()


def create_client(url: str, *extra: str) -> tuple[Result, str, str]:
    result = perks(
        "oauth",
        "create-client",
        "--tenant",
        TENANT,
        "--scope",
        CONTEXT_MANAGE,
        *extra,
        "--database-url",
        url,
    )
    assert result.exit_code == 0, result.output
    client_id = CLIENT_ID.search(result.stdout)
    secret = CLIENT_SECRET.search(result.stdout)
    assert client_id is not None, result.stdout
    assert secret is not None, result.stdout
    return result, client_id.group(1), secret.group(1)


def test_create_list_revoke(url: str, services: Services) -> None:
    created, client_id, secret = create_client(
        url, "--scope", CUSTOMER_TOKEN_ISSUE, "--name", "back end"
    )
    assert re.search(rf"^tenant:\s+{TENANT}$", created.stdout, re.MULTILINE)
    assert re.search(
        rf"^scopes:\s+{re.escape(CONTEXT_MANAGE)} {re.escape(CUSTOMER_TOKEN_ISSUE)}$",
        created.stdout,
        re.MULTILINE,
    )
    assert "shown once" in created.stderr
    assert secret not in created.stderr

    issued = services.oauth.client_credentials(
        CLIENT_CREDENTIALS, client_id, secret, f"tenant={TENANT} {CONTEXT_MANAGE}"
    )
    assert issued.token.kind is TokenKind.SERVICE
    assert (issued.token.tenant, issued.token.client_id) == (TENANT, client_id)
    assert issued.token.scopes == {CONTEXT_MANAGE}
    assert services.oauth.authenticate(issued.value) == issued.token
    with pytest.raises(Unauthenticated):
        services.oauth.client_credentials(
            CLIENT_CREDENTIALS, client_id, "wrong", f"tenant={TENANT}"
        )

    listed = perks("oauth", "list-clients", "--database-url", url)
    assert listed.exit_code == 0, listed.output
    assert secret not in listed.output  # never the secret
    lines = listed.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].split() == [
        client_id,
        TENANT,
        "active",
        CONTEXT_MANAGE,
        CUSTOMER_TOKEN_ISSUE,
        "back",
        "end",
    ]

    revoked = perks("oauth", "revoke-client", client_id, "--database-url", url)
    assert revoked.exit_code == 0, revoked.output
    assert revoked.stdout.strip() == f"revoked {client_id}"
    with pytest.raises(Unauthenticated):
        services.oauth.client_credentials(CLIENT_CREDENTIALS, client_id, secret, f"tenant={TENANT}")
    with pytest.raises(Unauthenticated):
        services.oauth.authenticate(issued.value)  # its tokens stop working
    with pytest.raises(Unauthenticated):
        services.oauth.anonymous_login(TENANT, client_id)

    after = perks("oauth", "list-clients")  # PERKS_DATABASE_URL, no option
    assert after.exit_code == 0, after.output
    fields = after.stdout.split()
    assert fields[:3] == [client_id, TENANT, "revoked"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", fields[3])
    assert re.fullmatch(r"\d{2}:\d{2}", fields[4])


def test_each_client_has_its_own_id_and_secret(url: str, services: Services) -> None:
    _, first_id, first_secret = create_client(url)
    _, second_id, second_secret = create_client(url, "--name", "storefront")
    assert first_id != second_id
    assert first_secret != second_secret
    with pytest.raises(Unauthenticated):  # one client's secret is not another's
        services.oauth.client_credentials(
            CLIENT_CREDENTIALS, second_id, first_secret, f"tenant={TENANT}"
        )
    assert perks("oauth", "revoke-client", first_id, "--database-url", url).exit_code == 0
    issued = services.oauth.client_credentials(
        CLIENT_CREDENTIALS, second_id, second_secret, f"tenant={TENANT}"
    )
    assert issued.token.scopes == {CONTEXT_MANAGE}  # every scope of the client
    listed = perks("oauth", "list-clients", "--database-url", url).stdout.splitlines()
    assert [line.split()[:3] for line in listed] == [
        [first_id, TENANT, "revoked"],
        [second_id, TENANT, "active"],
    ]
    assert listed[1].endswith("storefront")


@pytest.mark.parametrize(
    ("option", "value", "problem"),
    [
        ("--tenant", "Shop", "/tenant: a tenant has 3 to 16 characters"),
        ("--tenant", "ab", "/tenant: a tenant has 3 to 16 characters"),
        ("--tenant", "a" * 17, "/tenant: a tenant has 3 to 16 characters"),
        ("--scope", "sessioncontext.everything", "unknown scope 'sessioncontext.everything'"),
    ],
)
def test_bad_input_exits_1_and_stores_nothing(
    url: str, option: str, value: str, problem: str
) -> None:
    given = {"--tenant": TENANT, "--scope": CONTEXT_MANAGE, option: value}
    args = [part for pair in given.items() for part in pair]
    result = perks("oauth", "create-client", *args, "--database-url", url)
    assert result.exit_code == 1, result.output
    assert problem in result.stderr
    assert "client_secret" not in result.stdout
    listed = perks("oauth", "list-clients", "--database-url", url)
    assert listed.exit_code == 0, listed.output
    assert listed.stdout == ""


def test_revoking_an_unknown_client_exits_1(url: str) -> None:
    result = perks("oauth", "revoke-client", "no-such-client", "--database-url", url)
    assert result.exit_code == 1
    assert "OAuth client no-such-client not found" in result.stderr
    assert result.stdout == ""


def test_a_scope_is_required(url: str) -> None:
    result = perks("oauth", "create-client", "--tenant", TENANT, "--database-url", url)
    assert result.exit_code == 2  # a usage error
    assert "--scope" in result.stderr
    assert perks("oauth", "list-clients", "--database-url", url).stdout == ""


def test_a_new_sqlite_file_is_migrated_first(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PERKS_DATABASE_URL", sqlite_url)
    _, client_id, secret = create_client(sqlite_url)
    services = build_services(Settings(database_url=sqlite_url))
    try:
        issued = services.oauth.client_credentials(
            CLIENT_CREDENTIALS, client_id, secret, f"tenant={TENANT} {CONTEXT_MANAGE}"
        )
    finally:
        services.database.dispose()
    assert issued.token.tenant == TENANT
