"""The ``perks`` command: serve, migrate, keys, campaigns as code, version."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from perks import __version__
from perks.bootstrap import Services, build_services
from perks.domain.errors import PerksError
from perks.domain.oauth import SCOPES
from perks.domain.pages import PageRequest
from perks.entrypoints import config_cli, talang_cli
from perks.services.api_keys import IntegrationKeyRequest, ManagementKeyRequest
from perks.services.oauth import NewClient
from perks.services.principals import OPERATOR
from perks.settings import Settings

__all__ = ["app", "main"]

app = typer.Typer(no_args_is_help=True, add_completion=False, help="perks: promotions engine.")
keys = typer.Typer(no_args_is_help=True, help="Create management and integration keys.")
app.add_typer(keys, name="keys")
app.add_typer(talang_cli.app, name="talang")
oauth = typer.Typer(
    no_args_is_help=True,
    help="OAuth clients of the session-context face (Emporix): create, list, revoke.",
)
app.add_typer(oauth, name="oauth")

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url", help="sqlite:///path.db or postgresql://... (PERKS_DATABASE_URL)"
    ),
]
DEFAULT_KEY_DAYS = 365
_SCOPES = ", ".join(SCOPES)


def _settings(database_url: str | None) -> Settings:
    if database_url:
        os.environ["PERKS_DATABASE_URL"] = database_url
    return Settings()


def _fail(message: str) -> typer.Exit:
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(code=1)


@app.command()
def version() -> None:
    """Print the version of perks."""
    typer.echo(__version__)


@app.command()
def migrate(database_url: DatabaseUrl = None) -> None:
    """Upgrade the database schema to the newest revision."""
    services = build_services(_settings(database_url))
    status = services.database.migrate()
    typer.echo(f"{services.database.display_url}: schema at {status.current}")
    services.database.dispose()


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (PERKS_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (PERKS_PORT).")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (PERKS_WORKERS).")] = None,
    database_url: DatabaseUrl = None,
    migrate_schema: Annotated[
        bool, typer.Option("--migrate", help="Migrate a PostgreSQL schema that is behind.")
    ] = False,
) -> None:
    """Serve perks over HTTP. SQLite (./perks.db) unless a database URL is given."""
    for name, value in (("PERKS_HOST", host), ("PERKS_PORT", port), ("PERKS_WORKERS", workers)):
        if value is not None:
            os.environ[name] = str(value)
    settings = _settings(database_url)
    services = build_services(settings)
    try:
        _prepare_schema(services, migrate_schema=migrate_schema)
        _ensure_management_key(services, settings)
    finally:
        services.database.dispose()
    uvicorn.run(
        "perks.entrypoints.asgi:create",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        access_log=False,
        log_level="warning",
        lifespan="on",
    )


def _prepare_schema(services: Services, *, migrate_schema: bool) -> None:
    database = services.database
    if database.is_sqlite or migrate_schema:
        database.migrate()
        return
    status = database.status()
    if not status.up_to_date:
        raise _fail(
            f"the schema of {database.display_url} is at {status.current or 'nothing'}, "
            f"perks needs {status.head}: run `perks migrate` or `perks serve --migrate`"
        )


def _ensure_management_key(services: Services, settings: Settings) -> None:
    expiry = datetime.now(UTC) + timedelta(days=DEFAULT_KEY_DAYS)
    if settings.bootstrap_management_key:
        request = ManagementKeyRequest(name="bootstrap", expiry_date=expiry)
        try:
            services.api_keys.ensure_management_key(settings.bootstrap_management_key, request)
        except PerksError as error:
            raise _fail(f"PERKS_BOOTSTRAP_MANAGEMENT_KEY: {error.details}") from None
        return
    if services.api_keys.has_usable_management_key():
        return
    created = services.api_keys.create_management_key(
        ManagementKeyRequest(name="first key", expiry_date=expiry)
    )
    _show_key("management key", created.secret, expiry, scheme="ManagementKey-v1")


def _show_key(kind: str, secret: str, expires: datetime, *, scheme: str) -> None:
    banner = "=" * 72
    typer.echo(
        f"{banner}\nA new {kind}, shown this once (expires {expires:%Y-%m-%d}):\n\n"
        f"    {secret}\n\nSend it as: Authorization: {scheme} {secret}\n{banner}"
    )
    sys.stdout.flush()


@keys.command("create-management")
def create_management(
    name: Annotated[str, typer.Option(help="A name to recognise the key by.")] = "cli",
    expires_days: Annotated[
        int, typer.Option(min=1, help="Days until it expires.")
    ] = DEFAULT_KEY_DAYS,
    application: Annotated[
        list[int] | None,
        typer.Option("--application", help="Restrict the key to this application (repeatable)."),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a management key and print it once."""
    services = build_services(_settings(database_url))
    expiry = datetime.now(UTC) + timedelta(days=expires_days)
    request = ManagementKeyRequest(
        name=name,
        expiry_date=expiry,
        allowed_application_ids=tuple(application) if application else None,
    )
    try:
        created = services.api_keys.create_management_key(request)
    finally:
        services.database.dispose()
    _show_key("management key", created.secret, expiry, scheme="ManagementKey-v1")


@keys.command("create-integration")
def create_integration(
    application: Annotated[int, typer.Option("--application", help="The application's id.")],
    expires: Annotated[
        datetime | None,
        typer.Option(help="Expiry (ISO date or time, UTC); a year from now by default."),
    ] = None,
    title: Annotated[str, typer.Option(help="A title to recognise the key by.")] = "cli",
    database_url: DatabaseUrl = None,
) -> None:
    """Create an integration key of an application and print it once."""
    services = build_services(_settings(database_url))
    expiry = expires or datetime.now(UTC) + timedelta(days=DEFAULT_KEY_DAYS)
    if expiry.tzinfo is None:
        expiry = expiry.replace(tzinfo=UTC)
    try:
        created = services.api_keys.create_integration_key(
            application, IntegrationKeyRequest(title=title, expires=expiry), OPERATOR
        )
    except PerksError as error:
        raise _fail(error.details) from None
    finally:
        services.database.dispose()
    _show_key("integration key", created.secret, expiry, scheme="ApiKey-v1")


@oauth.command("create-client")
def create_client(
    tenant: Annotated[str, typer.Option(help="The tenant the client belongs to.")],
    scope: Annotated[
        list[str],
        typer.Option("--scope", help=f"A scope the client may ask for (repeatable): {_SCOPES}."),
    ],
    name: Annotated[str, typer.Option(help="A name to recognise the client by.")] = "",
    database_url: DatabaseUrl = None,
) -> None:
    """Create an OAuth client and print its id and secret (shown once)."""

    def create(services: Services) -> int:
        created = services.oauth.create_client(OPERATOR, NewClient(tenant, frozenset(scope), name))
        client = created.client
        typer.echo(f"client_id:     {client.client_id}")
        typer.echo(f"client_secret: {created.secret}")
        typer.echo(f"tenant:        {client.tenant}")
        typer.echo(f"scopes:        {' '.join(sorted(client.scopes))}")
        typer.echo("The secret is shown once. Get a token with POST /oauth/token.", err=True)
        return 0

    _configured(database_url, create)


@oauth.command("list-clients")
def list_clients(database_url: DatabaseUrl = None) -> None:
    """List the OAuth clients (never their secrets)."""

    def show(services: Services) -> int:
        page = services.oauth.list_clients(OPERATOR, PageRequest(page_size=1_000_000))
        for client in page.items:
            state = "active" if client.active else f"revoked {client.revoked:%Y-%m-%d %H:%M}"
            scopes = " ".join(sorted(client.scopes))
            typer.echo(f"{client.client_id}  {client.tenant}  {state}  {scopes}  {client.name}")
        return 0

    _configured(database_url, show)


@oauth.command("revoke-client")
def revoke_client(
    client_id: Annotated[str, typer.Argument(help="The client's id.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Revoke an OAuth client: it gets no more tokens, and its tokens stop working."""

    def revoke(services: Services) -> int:
        services.oauth.revoke_client(OPERATOR, client_id)
        typer.echo(f"revoked {client_id}")
        return 0

    _configured(database_url, revoke)


Directory = Annotated[
    Path,
    typer.Option("--file", "-f", help="A YAML/JSON file, or a directory of them (recursively)."),
]
Prune = Annotated[
    bool,
    typer.Option(
        help="Also delete what the files' applications hold and the files do not: campaigns, "
        "their coupons, evaluation groups."
    ),
]


def _configured(database_url: str | None, run: Callable[[Services], int]) -> None:
    """Run a campaigns-as-code command on the (migrated) database; exit with its code."""
    services = build_services(_settings(database_url))
    try:
        _prepare_schema(services, migrate_schema=False)
        code = run(services)
    except PerksError as error:
        raise _fail(error.details) from None
    finally:
        services.database.dispose()
    raise typer.Exit(code)


@app.command()
def plan(directory: Directory, prune: Prune = False, database_url: DatabaseUrl = None) -> None:
    """Show what `perks apply` would create, change or delete; change nothing."""
    _configured(database_url, partial(config_cli.run_plan, directory=directory, prune=prune))


@app.command()
def apply(directory: Directory, prune: Prune = False, database_url: DatabaseUrl = None) -> None:
    """Make what is stored match the files, through the Management API's services."""
    _configured(database_url, partial(config_cli.run_apply, directory=directory, prune=prune))


@app.command(name="test")
def golden_carts(directory: Directory, database_url: DatabaseUrl = None) -> None:
    """Run the golden carts (SessionTest documents) of the files as dry runs; exit 1 when one
    fails. Without --database-url the files are applied to a scratch database first."""
    if database_url is not None:
        _configured(database_url, partial(config_cli.run_test, directory=directory, clock=None))
        return
    clock = config_cli.CaseClock()
    with tempfile.TemporaryDirectory(prefix="perks-test-") as scratch:
        url = f"sqlite:///{Path(scratch) / 'perks.db'}"
        services = build_services(Settings(database_url=url), clock=clock)
        try:
            services.database.migrate()
            code = config_cli.run_test(services, directory, clock=clock)
        except PerksError as error:
            raise _fail(error.details) from None
        finally:
            services.database.dispose()
    raise typer.Exit(code)


@app.command()
def export(
    application: Annotated[int, typer.Option("--application", help="The application's id.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The directory to write.")],
    force: Annotated[
        bool, typer.Option(help="Replace the configuration files of a non-empty directory.")
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Write an application's configuration as files that `perks apply` reads back."""
    run = partial(config_cli.run_export, application_id=application, directory=output, force=force)
    _configured(database_url, run)


@app.command()
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (stdout if not).")
    ] = None,
) -> None:
    """Print the JSON Schema of configuration documents, for editors."""
    raise typer.Exit(config_cli.run_schema(output))


def main() -> None:
    app()
