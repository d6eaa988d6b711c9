"""importCoupons and exportCoupons through the Management API (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import time

from perks.domain.coupon_codes import EXPORT_COLUMNS
from tests.api.conftest import Api, envelope, sources, upload
from tests.api.test_campaigns import NEW_CAMPAIGN
from tests.api.test_coupons import NEW_COUPONS, all_coupons, campaign_path

MANY = 10_000


def export(api: Api, application_id: int, **params: str) -> str:
    response = api.get(f"/v1/applications/{application_id}/export_coupons", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return response.text


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def application_of(campaign: str) -> int:
    return int(campaign.split("/")[3])


def test_export_ten_thousand_coupons_and_import_them_elsewhere(upload_api: Api) -> None:
    api = upload_api
    source = campaign_path(api)
    body = {**NEW_COUPONS, "numberOfCoupons": MANY, "couponPattern": "BIG-########"}
    assert api.post(f"{source}/coupons", body).status_code == 204

    started = time.perf_counter()
    text = export(api, application_of(source))
    exported = time.perf_counter() - started
    lines = rows(text)
    assert len(lines) == MANY
    assert list(lines[0]) == list(EXPORT_COLUMNS)
    assert lines[0]["accountid"] == "1"
    assert lines[0]["limitval"] == "5"
    assert lines[0]["discount_limitval"] == "25.5"
    assert lines[0]["attributes"] == '{"channel":"web"}'

    target = campaign_path(api, name="other shop")
    started = time.perf_counter()
    imported = upload(api, f"{target}/import_coupons", text)
    elapsed = time.perf_counter() - started
    assert imported.status_code == 200, imported.text
    answer = imported.json()
    assert answer["amount"] == MANY
    assert answer["entity"] == "Coupon"
    assert {"id", "created", "accountId", "userId"} <= set(answer)
    print(f"export {exported:.2f}s, import {elapsed:.2f}s of {MANY} coupons")

    value = lines[1234]["value"]
    found = all_coupons(api, target, value=value, exactMatch="true")
    assert [coupon["value"] for coupon in found] == [value]
    assert found[0]["usageLimit"] == 5
    assert found[0]["discountLimit"] == 25.5
    assert found[0]["attributes"] == {"channel": "web"}
    batch = found[0]["batchId"]
    assert batch != lines[1234]["batchid"]
    page = api.get(f"{target}/coupons/no_total", params={"batchId": batch, "pageSize": "1000"})
    assert page.json()["hasMore"] is True
    again = export(api, application_of(target), valuesOnly="true")
    assert sorted(again.splitlines()[1:]) == sorted(line["value"] for line in lines)


def test_a_bad_file_is_refused_with_every_bad_line(api: Api) -> None:
    campaign = campaign_path(api)
    text = (
        "value,expirydate,startdate,limitval\n"
        "GOOD-1,2030-01-01T00:00:00Z,,3\n"
        "BAD-DATE,tomorrow,,1\n"
        "GOOD-1,,,1\n"
        ",,,1\n"
        "BAD-LIMIT,,,many\n"
    )
    refused = envelope(upload(api, f"{campaign}/import_coupons", text), 400)
    assert sources(refused) == ["3", "4", "5", "6"]
    assert all("line" in error["source"] for error in refused["errors"])
    assert all_coupons(api, campaign) == []

    skipped = upload(
        api, f"{campaign}/import_coupons", "value\nAAA-1\nAAA-1\n", skipDuplicates="true"
    )
    assert skipped.status_code == 200, skipped.text
    assert skipped.json()["amount"] == 1


def test_codes_already_stored_are_refused_or_skipped(api: Api) -> None:
    campaign = campaign_path(api)
    first = upload(api, f"{campaign}/import_coupons", "value,limitval\nONE-1,2\nTWO-2,2\n")
    assert first.status_code == 200, first.text
    assert first.json()["amount"] == 2

    again = "value\nTHREE-3\nTWO-2\n"
    refused = envelope(upload(api, f"{campaign}/import_coupons", again), 400)
    assert sources(refused) == ["3"]
    assert "TWO-2" in refused["errors"][0]["details"]
    assert len(all_coupons(api, campaign)) == 2

    skipped = upload(api, f"{campaign}/import_coupons", again, skipDuplicates="true")
    assert skipped.status_code == 200, skipped.text
    assert skipped.json()["amount"] == 1
    assert sorted(c["value"] for c in all_coupons(api, campaign)) == ["ONE-1", "THREE-3", "TWO-2"]


def test_import_follows_the_case_sensitivity_of_the_application(api: Api) -> None:
    campaign = campaign_path(api, caseSensitivity="insensitive-uppercase")
    imported = upload(api, f"{campaign}/import_coupons", "value\nabc-1\n")
    assert imported.status_code == 200, imported.text
    assert [c["value"] for c in all_coupons(api, campaign)] == ["ABC-1"]
    refused = envelope(upload(api, f"{campaign}/import_coupons", "value\nAbc-1\n"), 400)
    assert sources(refused) == ["2"]


def test_import_needs_a_multipart_file(api: Api) -> None:
    campaign = campaign_path(api)
    path = f"{campaign}/import_coupons"
    assert sources(envelope(api.post(path, {"value": "x"}), 415)) == ["Content-Type"]
    form = api.client.post(path, data={"upFile": "value\nABC\n"}, headers=api.headers())
    assert sources(envelope(form, 415)) == ["Content-Type"]
    missing = api.client.post(path, files={"other": (None, b"x")}, headers=api.headers())
    assert sources(envelope(missing, 400)) == ["/upFile"]
    not_a_file = api.client.post(
        path, files={"upFile": (None, b"value\nABC\n")}, headers=api.headers()
    )
    assert sources(envelope(not_a_file, 400)) == ["/upFile"]
    binary = api.client.post(
        path, files={"upFile": ("c.csv", b"\xff\xfe", "text/csv")}, headers=api.headers()
    )
    assert sources(envelope(binary, 400)) == ["/upFile"]
    envelope(
        upload(api, f"{application_path(campaign)}/campaigns/999/import_coupons", "value\nA"), 404
    )


def application_path(campaign: str) -> str:
    return campaign.rsplit("/campaigns/", 1)[0]


def test_export_filters(api: Api) -> None:
    first = campaign_path(api)
    application_id = application_of(first)
    second_created = api.post(
        f"{application_path(first)}/campaigns", {**NEW_CAMPAIGN, "name": "second"}
    )
    assert second_created.status_code == 201, second_created.text
    second = f"{application_path(first)}/campaigns/{second_created.json()['id']}"
    assert api.post(f"{first}/coupons", {**NEW_COUPONS, "numberOfCoupons": 3}).status_code == 204
    loud = api.post(f"{second}/coupons?silent=no", {**NEW_COUPONS, "numberOfCoupons": 2})
    assert loud.status_code == 200, loud.text
    batch = loud.json()["data"][0]["batchId"]

    assert len(rows(export(api, application_id))) == 5
    first_id = first.rsplit("/", 1)[1]
    only_first = rows(export(api, application_id, campaignId=first_id))
    assert {line["campaignid"] for line in only_first} == {first_id}
    assert len(only_first) == 3
    by_batch = rows(export(api, application_id, batchId=batch))
    assert sorted(line["value"] for line in by_batch) == sorted(
        coupon["value"] for coupon in loud.json()["data"]
    )
    values = export(api, application_id, valuesOnly="true", campaignId=first_id)
    assert values.splitlines()[0] == "value"
    assert len(values.splitlines()) == 4
    excel = rows(export(api, application_id, dateFormat="excel"))
    assert "T" not in excel[0]["created"]
    assert rows(export(api, application_id, batchId="none")) == []
    assert export(api, application_id, batchId="none") == ",".join(EXPORT_COLUMNS) + "\n"

    envelope(api.get(f"/v1/applications/{application_id}/export_coupons?campaignId=999"), 404)
    envelope(api.get("/v1/applications/999/export_coupons"), 404)
    bad = api.get(f"/v1/applications/{application_id}/export_coupons?dateFormat=word")
    assert sources(envelope(bad, 400)) == ["dateFormat"]


def test_openapi_describes_the_files(api: Api) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    imports = paths["/v1/applications/{applicationId}/campaigns/{campaignId}/import_coupons"]
    content = imports["post"]["requestBody"]["content"]
    assert content["multipart/form-data"]["schema"]["properties"]["upFile"] == {
        "type": "string",
        "contentMediaType": "text/csv",
    }
    assert imports["post"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Import"
    }
    exports = paths["/v1/applications/{applicationId}/export_coupons"]["get"]
    assert exports["responses"]["200"]["content"] == {
        "text/csv": {"schema": {"type": "string", "format": "csv"}}
    }
    names = {parameter["name"] for parameter in exports["parameters"]}
    assert {"campaignId", "batchId", "valuesOnly", "dateFormat"} <= names
