"""The perks command, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from perks import __version__
from perks.adapters.sql.database import SqlDatabase
from perks.adapters.sql.schema import schema_status
from perks.adapters.sql.tables import metadata
from perks.entrypoints import cli
from tests.conftest import empty_postgres

runner = CliRunner()
KEY = re.compile(r"^    ([0-9a-f]{64})$", re.MULTILINE)


def test_version() -> None:
    result = runner.invoke(cli.app, ["version"])
    assert result.exit_code == 0
    assert result.output.strip() == __version__


def test_migrate_then_keys(sqlite_url: str) -> None:
    migrated = runner.invoke(cli.app, ["migrate", "--database-url", sqlite_url])
    assert migrated.exit_code == 0, migrated.output
    database = SqlDatabase(sqlite_url)
    head = schema_status(database.engine).head
    database.dispose()
    assert f"schema at {head}" in migrated.output

    management = runner.invoke(
        cli.app, ["keys", "create-management", "--name", "ops", "--database-url", sqlite_url]
    )
    assert management.exit_code == 0, management.output
    secret = KEY.search(management.output)
    assert secret is not None

    missing = runner.invoke(
        cli.app, ["keys", "create-integration", "--application", "9", "--database-url", sqlite_url]
    )
    assert missing.exit_code == 1
    assert "application 9 not found" in missing.output

    database = SqlDatabase(sqlite_url)
    with database.engine.begin() as connection:
        stored = connection.execute(text("SELECT digest, prefix FROM management_keys")).one()
        connection.execute(
            text(
                "INSERT INTO applications (created, modified, name, description, timezone, currency,"
                " case_sensitivity, attributes, limits, default_discount_scope,"
                " enable_cascading_discounts, enable_flattened_cart_items, attributes_settings,"
                " sandbox, enable_partial_discounts, default_discount_additional_cost_per_item_scope,"
                " enable_campaign_state_management) VALUES ('2026-01-01', '2026-01-01', 'a', '',"
                " 'UTC', 'EUR', 'sensitive', '{}', '[]', 'sessionTotal', 0, 0, '{}', 0, 0, 'price', 0)"
            )
        )
    database.dispose()
    assert secret.group(1) not in stored  # only the digest is stored
    assert stored.prefix == secret.group(1)[:6]

    integration = runner.invoke(
        cli.app,
        [
            "keys",
            "create-integration",
            "--application",
            "1",
            "--expires",
            "2099-01-01",
            "--database-url",
            sqlite_url,
        ],
    )
    assert integration.exit_code == 0, integration.output
    assert "ApiKey-v1" in integration.output
    assert "2099-01-01" in integration.output


@pytest.mark.postgres
def test_serve_refuses_a_postgres_schema_that_is_behind(postgres_server: str) -> None:
    database = SqlDatabase(postgres_server)
    with database.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        for table in reversed(metadata.sorted_tables):
            connection.execute(text(f"DROP TABLE IF EXISTS {table.name} CASCADE"))
    database.dispose()
    refused = runner.invoke(cli.app, ["serve", "--database-url", postgres_server, "--port", "0"])
    assert refused.exit_code == 1
    assert "perks migrate" in refused.output
    # Put the schema back for the other PostgreSQL tests of this run.
    database = SqlDatabase(postgres_server)
    database.migrate()
    database.dispose()
    empty_postgres(postgres_server)
