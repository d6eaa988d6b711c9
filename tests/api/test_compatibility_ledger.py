"""docs/compatibility.md and the route table must agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from perks.entrypoints.http.table import OPERATIONS

LEDGER = Path(__file__).parents[2] / "docs" / "compatibility.md"
ROW = re.compile(
    r"^\| `(?P<id>\w+)` \| (?P<method>[A-Z]+) \| (?P<path>\S+) \| (?P<status>[a-z ]+) \| (?P<notes>.*) \|$"
)
STATUSES = {"implemented", "planned", "not planned"}


def _rows() -> dict[str, dict[str, str]]:
    rows = {}
    for line in LEDGER.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            assert match["id"] not in rows, f"{match['id']} appears twice"
            rows[match["id"]] = match.groupdict()
    return rows


def test_every_row_has_a_known_status_and_a_note() -> None:
    rows = _rows()
    assert len(rows) >= 36
    for row in rows.values():
        assert row["status"] in STATUSES, row
        if row["status"] != "implemented":
            assert row["notes"].strip(), f"{row['id']}: say why or which issue"


def test_served_integration_operations_are_implemented_rows() -> None:
    rows = _rows()
    for op in OPERATIONS:
        if op.tag != "integration":
            continue
        row = rows.get(op.operation_id)
        assert row is not None, f"{op.operation_id} is served but not in the ledger"
        assert (row["status"], row["method"], row["path"]) == ("implemented", op.method, op.path)


def test_implemented_rows_are_served() -> None:
    served = {op.operation_id: (op.method, op.path) for op in OPERATIONS}
    for row in _rows().values():
        if row["status"] == "implemented":
            assert served.get(row["id"]) == (row["method"], row["path"]), row["id"]


@pytest.mark.parametrize(
    "operation_id",
    [
        "updateCustomerSessionV2",
        "getCustomerSession",
        "returnCartItems",
        "reopenCustomerSession",
        "updateCustomerProfileV2",
        "updateCustomerProfilesV2",
        "createAudienceV2",
        "deleteAudienceV2",
        "updateAudienceV2",
        "deleteAudienceMembershipsV2",
        "updateCustomerProfileAudiences",
        "updateAudienceCustomersAttributes",
        "syncCatalog",
        "createCouponReservation",
        "deleteCouponReservation",
        "getReservedCustomers",
        "deleteCustomerData",
        "getCustomerInventory",
        "trackEventV2",
        "getLoyaltyBalances",
        "getLoyaltyProgramProfileTransactions",
        "getLoyaltyProgramProfilePoints",
        "linkLoyaltyCardToProfile",
        "unlinkLoyaltyCardFromProfile",
        "getLoyaltyCardBalances",
        "getLoyaltyCardTransactions",
        "getLoyaltyCardPoints",
        "generateLoyaltyCard",
        "createReferral",
        "createReferralsForMultipleAdvocates",
        "integrationGetAllCampaigns",
        "getCustomerAchievements",
        "getCustomerAchievementHistory",
        "deleteLoyaltyTransactionsFromLedgers",
        "activateLoyaltyPoints",
        "bestPriorPrice",
    ],
)
def test_the_operations_we_committed_to_are_rows(operation_id: str) -> None:
    assert operation_id in _rows()


@pytest.mark.parametrize(
    "operation_id",
    [
        "getLoyaltyLedgerBalances",
        "getLoyaltyProgramProfileLedgerTransactions",
        "joinLoyaltyProgram",
    ],
)
def test_names_outside_the_integration_api_are_explained(operation_id: str) -> None:
    text = LEDGER.read_text(encoding="utf-8")
    assert f"`{operation_id}`" in text
    assert operation_id not in _rows()
