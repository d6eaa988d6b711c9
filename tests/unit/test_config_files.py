"""Configuration files (campaigns as code): reading YAML and JSON into documents with exact
numbers and located problems, reading directories, and writing documents back as YAML."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from perks.domain.applications import CaseSensitivity
from perks.domain.attributes import AttributeEntity, AttributeType
from perks.domain.campaigns import CampaignFeature, CampaignState
from perks.domain.evaluation_groups import EvaluationMode
from perks.domain.limits import LimitEntity, LimitPeriod
from perks.entrypoints.config.documents import (
    AdditionalCostDocument,
    ApplicationDocument,
    AttributeDocument,
    CampaignDocument,
    CampaignSetDocument,
    CouponDocument,
    CustomEffectDocument,
    Document,
    LimitConfig,
    RulesetDocument,
    SetBranch,
    SetLeaf,
)
from perks.entrypoints.config.files import (
    FileProblem,
    Located,
    dump_documents,
    load_directory,
    load_text,
    to_plain,
)
from perks.entrypoints.http.management.rulesets import Binding, Rule

APPLICATION_YAML = """\
kind: Application
name: shop
timezone: Europe/Berlin
currency: EUR
"""

CAMPAIGN_YAML = """\
kind: Campaign
application: shop
name: summer
"""


def load_yaml(text: str, name: str = "f.yaml") -> tuple[list[Located], list[FileProblem]]:
    return load_text(text, name, json=False)


def only_document(text: str, name: str = "f.yaml") -> Document:
    located, problems = load_yaml(text, name)
    assert problems == []
    assert len(located) == 1
    return located[0].document


def only_campaign(text: str) -> CampaignDocument:
    document = only_document(text)
    assert isinstance(document, CampaignDocument)
    return document


def only_problem(text: str, name: str = "f.yaml", *, json: bool = False) -> FileProblem:
    located, problems = load_text(text, name, json=json)
    assert located == []
    assert len(problems) == 1, problems
    return problems[0]


def round_trip(documents: list[Document]) -> list[Document]:
    text = dump_documents(documents)
    located, problems = load_yaml(text, "dumped.yaml")
    assert problems == [], text
    assert [item.index for item in located] == list(range(len(documents)))
    return [item.document for item in located]


# --- reading YAML and JSON ----------------------------------------------------------------


def test_yaml_with_several_documents_gives_each_with_its_file_and_index() -> None:
    text = f"""\
{APPLICATION_YAML}---
kind: Attribute
entity: CustomerSession
name: channel
title: Channel
type: string
---
{CAMPAIGN_YAML}"""
    located, problems = load_yaml(text, "shop/all.yaml")
    assert problems == []
    assert [type(item.document) for item in located] == [
        ApplicationDocument,
        AttributeDocument,
        CampaignDocument,
    ]
    assert [(item.file, item.index) for item in located] == [
        ("shop/all.yaml", 0),
        ("shop/all.yaml", 1),
        ("shop/all.yaml", 2),
    ]
    assert [item.source for item in located] == [
        "shop/all.yaml#0",
        "shop/all.yaml#1",
        "shop/all.yaml#2",
    ]
    application, attribute, campaign = (item.document for item in located)
    assert application == ApplicationDocument(name="shop", timezone="Europe/Berlin", currency="EUR")
    assert attribute == AttributeDocument(
        entity=AttributeEntity.CUSTOMER_SESSION,
        name="channel",
        title="Channel",
        type=AttributeType.STRING,
    )
    assert campaign == CampaignDocument(application="shop", name="summer")


def test_yaml_document_fields_are_read_in_camel_case() -> None:
    document = only_document(APPLICATION_YAML + "caseSensitivity: insensitive-uppercase\n")
    assert isinstance(document, ApplicationDocument)
    assert document.case_sensitivity is CaseSensitivity.INSENSITIVE_UPPERCASE


def test_json_object_is_one_document() -> None:
    text = '{"kind": "Application", "name": "shop", "timezone": "UTC", "currency": "EUR"}'
    located, problems = load_text(text, "shop.json", json=True)
    assert problems == []
    assert located == [
        Located(ApplicationDocument(name="shop", timezone="UTC", currency="EUR"), "shop.json", 0)
    ]


def test_json_list_gives_one_document_per_object() -> None:
    text = """[
        {"kind": "Application", "name": "shop", "timezone": "UTC", "currency": "EUR"},
        {"kind": "Campaign", "application": "shop", "name": "a", "state": "disabled"},
        {"kind": "AdditionalCost", "name": "shipping", "title": "Shipping"}
    ]"""
    located, problems = load_text(text, "all.json", json=True)
    assert problems == []
    assert [item.source for item in located] == ["all.json#0", "all.json#1", "all.json#2"]
    assert located[1].document == CampaignDocument(
        application="shop", name="a", state=CampaignState.DISABLED
    )
    assert located[2].document == AdditionalCostDocument(name="shipping", title="Shipping")


def test_empty_json_list_has_no_documents_and_no_problems() -> None:
    assert load_text("[]", "empty.json", json=True) == ([], [])


def test_json_is_not_read_as_yaml() -> None:
    # Valid YAML, invalid JSON: the json flag decides the parser.
    problem = only_problem(APPLICATION_YAML, "app.json", json=True)
    assert problem.where == "app.json"
    assert problem.details.startswith("cannot be read")


def test_malformed_json_is_one_problem_naming_the_file() -> None:
    problem = only_problem('[{"kind": "Application",', "broken.json", json=True)
    assert problem.where == "broken.json"
    assert problem.details.startswith("cannot be read: ")


def test_json_nan_is_not_a_number() -> None:
    problem = only_problem('{"kind": "Campaign", "attributes": {"x": NaN}}', "n.json", json=True)
    assert problem.where == "n.json"
    assert problem.details.startswith("cannot be read")


@pytest.mark.parametrize(
    ("text", "where", "details"),
    [
        ("5", "n.json#0", "Expected `object`, got `int`"),
        ("null", "n.json#0", "Expected `object`, got `null`"),
        (
            '[{"kind": "Application", "name": "s", "timezone": "UTC", "currency": "EUR"},'
            ' {"kind": "Nope"}]',
            "n.json#1/kind",
            "Invalid value 'Nope'",
        ),
    ],
)
def test_json_documents_that_do_not_fit_are_located(text: str, where: str, details: str) -> None:
    _, problems = load_text(text, "n.json", json=True)
    assert problems == [FileProblem(where, details)]


# --- exact numbers ------------------------------------------------------------------------


def test_yaml_decimals_stay_exact() -> None:
    campaign = only_campaign(
        CAMPAIGN_YAML
        + """\
attributes: {big: 1_000.5, small: 0.1, whole: 7, tiny: 0.0000001, cents: 10.50}
ruleset:
  rules:
    - title: over a tenth
      condition: [and, [">", [., Session, Total], 0.1]]
      effects: [[setDiscount, ten, 10.25]]
coupons:
  - value: GIFT-0001
    usageLimit: 1
    discountLimit: 25.10
"""
    )
    assert campaign.attributes == {
        "big": Decimal("1000.5"),
        "small": Decimal("0.1"),
        "whole": 7,
        "tiny": Decimal("0.0000001"),
        "cents": Decimal("10.50"),
    }
    for key in ("big", "small", "tiny", "cents"):
        assert type(campaign.attributes[key]) is Decimal, key
    assert type(campaign.attributes["whole"]) is int
    assert str(campaign.attributes["cents"]) == "10.50"  # the written digits, not 10.5
    assert campaign.ruleset is not None
    rule = campaign.ruleset.rules[0]
    threshold = rule.condition[1][2]
    assert type(threshold) is Decimal
    assert threshold == Decimal("0.1")
    assert threshold != 0.1  # a binary float would equal 0.1000000000000000055...
    assert rule.effects == [["setDiscount", "ten", Decimal("10.25")]]
    assert campaign.coupons[0].discount_limit == Decimal("25.10")


def test_yaml_integers_become_decimals_where_the_schema_says_decimal() -> None:
    campaign = only_campaign(
        CAMPAIGN_YAML
        + """\
limits: [{action: redeemCoupon, limit: 5, entities: []}]
coupons: [{value: ABCD, usageLimit: 2, discountLimit: 10}]
"""
    )
    assert campaign.limits == [LimitConfig(action="redeemCoupon", limit=Decimal(5), entities=[])]
    assert type(campaign.limits[0].limit) is Decimal
    assert type(campaign.coupons[0].discount_limit) is Decimal
    assert campaign.coupons[0].usage_limit == 2


def test_json_decimals_stay_exact() -> None:
    text = """{"kind": "Campaign", "application": "shop", "name": "x",
        "attributes": {"small": 0.1, "whole": 3, "exp": 1.5e3},
        "ruleset": {"rules": [{"title": "t", "condition": ["<", 0.3, 0.1], "effects": []}]}}"""
    located, problems = load_text(text, "c.json", json=True)
    assert problems == []
    campaign = located[0].document
    assert isinstance(campaign, CampaignDocument)
    assert campaign.attributes == {
        "small": Decimal("0.1"),
        "whole": 3,
        "exp": Decimal("1500"),
    }
    assert type(campaign.attributes["small"]) is Decimal
    assert type(campaign.attributes["whole"]) is int
    assert campaign.ruleset is not None
    assert campaign.ruleset.rules[0].condition == ["<", Decimal("0.3"), Decimal("0.1")]
    assert all(type(n) is Decimal for n in campaign.ruleset.rules[0].condition[1:])


@pytest.mark.parametrize("number", [".nan", ".NaN", ".inf", ".Inf", "-.inf", "+.INF"])
def test_yaml_non_finite_numbers_are_a_problem_naming_the_file(number: str) -> None:
    text = f"{APPLICATION_YAML}---\n{CAMPAIGN_YAML}attributes: {{x: {number}}}\n"
    located, problems = load_yaml(text, "campaigns/x.yaml")
    assert located == []  # the file is refused whole, its valid first document too
    assert len(problems) == 1
    (problem,) = problems
    assert problem.where == "campaigns/x.yaml"
    assert problem.details.startswith("cannot be read: ")
    assert f"{number!r} is not a finite number" in problem.details
    assert str(problem).startswith("campaigns/x.yaml: cannot be read: ")


# --- timestamps ---------------------------------------------------------------------------


def test_rfc3339_timestamps_are_parsed_by_the_schema() -> None:
    campaign = only_campaign(
        CAMPAIGN_YAML
        + """\
startTime: 2027-12-31T23:00:00Z
endTime: 2028-01-31T23:00:00+02:00
coupons:
  - value: ABCD
    usageLimit: 1
    startDate: "2027-06-01T00:00:00Z"
    expiryDate: 2027-12-31T23:59:59.5Z
"""
    )
    assert campaign.start_time == datetime(2027, 12, 31, 23, 0, tzinfo=UTC)
    assert campaign.start_time.utcoffset() == timedelta(0)
    assert campaign.end_time == datetime(2028, 1, 31, 21, 0, tzinfo=UTC)
    assert campaign.end_time is not None
    assert campaign.end_time.utcoffset() == timedelta(hours=2)
    coupon = campaign.coupons[0]
    assert coupon.start_date == datetime(2027, 6, 1, tzinfo=UTC)
    assert coupon.expiry_date == datetime(2027, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC)


def test_timestamps_in_untyped_places_stay_strings() -> None:
    # YAML's own timestamps are off: attributes keep the text, the schema has no type there.
    campaign = only_campaign(
        CAMPAIGN_YAML + "attributes: {at: 2027-12-31T23:00:00Z, d: 2027-12-31}\n"
    )
    assert campaign.attributes == {"at": "2027-12-31T23:00:00Z", "d": "2027-12-31"}


@pytest.mark.parametrize(
    "value",
    ["2027-12-31", "garbage", "2027-13-01T00:00:00Z", "31.12.2027 23:00", "'1735689600'"],
)
def test_invalid_timestamps_are_a_problem_at_their_field(value: str) -> None:
    problem = only_problem(f"{CAMPAIGN_YAML}startTime: {value}\n", "campaigns/x.yaml")
    assert problem.where == "campaigns/x.yaml#0/startTime"
    assert "RFC3339" in problem.details


def test_a_timestamp_given_as_a_number_is_a_type_problem() -> None:
    problem = only_problem(
        f"{CAMPAIGN_YAML}coupons: [{{value: ABCD, usageLimit: 1, expiryDate: 1735689600}}]\n"
    )
    assert problem.where == "f.yaml#0/coupons/0/expiryDate"
    assert problem.details == "Expected `datetime | null`, got `int`"


@pytest.mark.parametrize("field", ["startTime", "endTime"])
def test_naive_timestamps_are_a_problem(field: str) -> None:
    problem = only_problem(f"{CAMPAIGN_YAML}{field}: 2027-12-31T23:00:00\n")
    assert problem.where == f"f.yaml#0/{field}"


def test_naive_coupon_dates_are_a_problem() -> None:
    problem = only_problem(
        f"{CAMPAIGN_YAML}coupons: [{{value: ABCD, usageLimit: 1, "
        "expiryDate: '2027-12-31T23:00:00'}]\n"
    )
    assert problem.where == "f.yaml#0/coupons/0/expiryDate"


# --- documents that do not fit their kind -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "where", "details"),
    [
        ("kind: Bogus\nname: x\n", "campaigns/x.yaml#0/kind", "Invalid value 'Bogus'"),
        (
            "name: x\n",
            "campaigns/x.yaml#0/kind",
            "Object missing required field `kind`",
        ),
        (
            "kind: Campaign\napplication: shop\n",
            "campaigns/x.yaml#0/name",
            "Object missing required field `name`",
        ),
        (
            CAMPAIGN_YAML + "colour: red\n",
            "campaigns/x.yaml#0/colour",
            "Object contains unknown field `colour`",
        ),
        (
            # snake_case is not the wire's spelling
            CAMPAIGN_YAML + "start_time: 2027-12-31T23:00:00Z\n",
            "campaigns/x.yaml#0/start_time",
            "Object contains unknown field `start_time`",
        ),
        (
            CAMPAIGN_YAML + "a/b~c: 1\n",
            "campaigns/x.yaml#0/a~1b~0c",
            "Object contains unknown field `a/b~c`",
        ),
        ("kind: Campaign\napplication: shop\nname: 5\n", "campaigns/x.yaml#0/name", None),
        (
            CAMPAIGN_YAML + "state: paused\n",
            "campaigns/x.yaml#0/state",
            "Invalid enum value 'paused'",
        ),
        (
            CAMPAIGN_YAML
            + "coupons: [{value: ABCD, usageLimit: 1}, {valu: EFGH, usageLimit: 1}]\n",
            "campaigns/x.yaml#0/coupons/1/valu",
            "Object contains unknown field `valu`",
        ),
        (
            CAMPAIGN_YAML + "coupons: [{value: ABCD, usageLimit: -1}]\n",
            "campaigns/x.yaml#0/coupons/0/usageLimit",
            "Expected `int` >= 0",
        ),
        (
            CAMPAIGN_YAML + "coupons: [{value: ABCD, usageLimit: '3'}]\n",
            "campaigns/x.yaml#0/coupons/0/usageLimit",
            "Expected `int`, got `str`",
        ),
        (
            CAMPAIGN_YAML + "ruleset: {rules: [{title: t, condition: [], effects: []}]}\n",
            "campaigns/x.yaml#0/ruleset/rules/0/condition",
            None,
        ),
        (
            "kind: CampaignSet\napplication: shop\n"
            "set: {type: SET, name: Base, elements: [{type: CAMPAIGN, campaign: a}, {type: NOPE}]}\n",
            "campaigns/x.yaml#0/set/elements/1/type",
            "Invalid value 'NOPE'",
        ),
        (
            "kind: CustomEffect\nname: e\ntitle: E\napplications: []\npayload: '{}'\n",
            "campaigns/x.yaml#0/applications",
            None,
        ),
    ],
)
def test_document_problems_are_located_by_json_pointer(
    text: str, where: str, details: str | None
) -> None:
    problem = only_problem(text, "campaigns/x.yaml")
    assert problem.where == where
    if details is not None:
        assert problem.details == details
    assert str(problem) == f"{where}: {problem.details}"


def test_wrong_type_names_expected_and_found() -> None:
    problem = only_problem("kind: Campaign\napplication: shop\nname: 5\n")
    assert problem == FileProblem("f.yaml#0/name", "Expected `str`, got `int`")


def test_problem_in_a_later_document_names_its_index_and_nested_pointer() -> None:
    text = f"""\
{APPLICATION_YAML}---
{CAMPAIGN_YAML}ruleset:
  rules:
    - condition: [and, true]
      effects: []
"""
    located, problems = load_yaml(text, "campaigns/x.yaml")
    assert problems == [
        FileProblem(
            "campaigns/x.yaml#1/ruleset/rules/0/title", "Object missing required field `title`"
        )
    ]
    # the documents that fit are still read
    assert [item.source for item in located] == ["campaigns/x.yaml#0"]


def test_every_bad_document_is_reported() -> None:
    text = f"kind: Nope\n---\n{APPLICATION_YAML}---\n{CAMPAIGN_YAML}extra: 1\n---\n{CAMPAIGN_YAML}"
    located, problems = load_yaml(text, "m.yaml")
    assert [problem.where for problem in problems] == ["m.yaml#0/kind", "m.yaml#2/extra"]
    assert [item.source for item in located] == ["m.yaml#1", "m.yaml#3"]


def test_a_yaml_document_that_is_not_a_mapping_is_a_problem() -> None:
    problem = only_problem("- kind: Campaign\n")
    assert problem == FileProblem("f.yaml#0", "Expected `object`, got `array`")


@pytest.mark.parametrize(
    "text",
    [
        "kind: [unclosed\n",
        "a: b: c\n",
        f"{APPLICATION_YAML}---\nkind: Campaign\n  name: bad indent\n",
        "kind: Application\n\tname: tab\n",
        "kind: *nowhere\n",
    ],
)
def test_unreadable_yaml_is_one_problem_for_the_file(text: str) -> None:
    problem = only_problem(text, "apps/bad.yaml")
    assert problem.where == "apps/bad.yaml"
    assert problem.details.startswith("cannot be read: ")


def test_yaml_python_tags_are_refused() -> None:
    problem = only_problem("kind: !!python/object/apply:os.system [echo]\n")
    assert problem.where == "f.yaml"
    assert problem.details.startswith("cannot be read: ")


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n", "---\n---\n...\n"])
def test_files_without_documents_have_nothing(text: str) -> None:
    assert load_yaml(text) == ([], [])


def test_empty_documents_are_skipped() -> None:
    text = f"---\n---\n# a comment only\n---\n{APPLICATION_YAML}---\n---\n{CAMPAIGN_YAML}---\n"
    located, problems = load_yaml(text)
    assert problems == []
    assert [type(item.document) for item in located] == [ApplicationDocument, CampaignDocument]
    assert located[0].document == ApplicationDocument(
        name="shop", timezone="Europe/Berlin", currency="EUR"
    )


# --- directories --------------------------------------------------------------------------


def _campaign(name: str) -> str:
    return f"kind: Campaign\napplication: shop\nname: {name}\n"


def _names(located: list[Located]) -> list[str]:
    names: list[str] = []
    for item in located:
        document = item.document
        assert isinstance(document, CampaignDocument | ApplicationDocument)
        names.append(document.name)
    return names


def _tree(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_load_directory_reads_config_files_recursively_in_path_order(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "b.yaml": _campaign("b1") + "---\n" + _campaign("b2"),
            "a.json": '[{"kind": "Campaign", "application": "shop", "name": "a1"},'
            ' {"kind": "Campaign", "application": "shop", "name": "a2"}]',
            "sub/c.yml": _campaign("c"),
            "sub/deeper/d.yaml": _campaign("d"),
            "e.yaml": _campaign("e"),
            # not configuration: ignored, though they would not parse
            "notes.txt": "kind: [unclosed",
            "README.md": "# kind: [unclosed",
            "sub/data.yaml.bak": "kind: [unclosed",
            "sub/x.YAML.orig": "kind: [unclosed",
            ".hidden.yaml": "kind: [unclosed",
            "sub/.secret.json": "{not json",
        },
    )
    located, problems = load_directory(tmp_path)
    assert problems == []
    assert [(item.file, item.index) for item in located] == [
        ("a.json", 0),
        ("a.json", 1),
        ("b.yaml", 0),
        ("b.yaml", 1),
        ("e.yaml", 0),
        ("sub/c.yml", 0),
        ("sub/deeper/d.yaml", 0),
    ]
    assert _names(located) == ["a1", "a2", "b1", "b2", "e", "c", "d"]


def test_load_directory_orders_by_path_not_by_creation(tmp_path: Path) -> None:
    for name in ["30.yaml", "2.yaml", "10.yaml", "1.yaml"]:
        (tmp_path / name).write_text(_campaign(f"n{name[:-5]}"), encoding="utf-8")
    located, _ = load_directory(tmp_path)
    assert [item.file for item in located] == ["1.yaml", "10.yaml", "2.yaml", "30.yaml"]


def test_load_directory_skips_directories_named_like_files(tmp_path: Path) -> None:
    _tree(tmp_path, {"looks.yaml/inner.yaml": _campaign("inner")})
    located, problems = load_directory(tmp_path)
    assert problems == []
    assert [item.file for item in located] == ["looks.yaml/inner.yaml"]


def test_load_directory_reports_bad_files_and_reads_the_others(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "apps.yaml": APPLICATION_YAML,
            "campaigns/broken.yaml": "kind: [unclosed\n",
            "campaigns/odd.json": '[{"kind": "Campaign", "application": "shop", "name": "o"},'
            ' {"kind": "Campaign", "application": "shop"}]',
            "campaigns/z.yaml": _campaign("z") + "---\n" + _campaign("y") + "weird: true\n",
        },
    )
    located, problems = load_directory(tmp_path)
    assert [problem.where for problem in problems] == [
        "campaigns/broken.yaml",
        "campaigns/odd.json#1/name",
        "campaigns/z.yaml#1/weird",
    ]
    assert problems[0].details.startswith("cannot be read: ")
    assert problems[1].details == "Object missing required field `name`"
    assert [item.source for item in located] == [
        "apps.yaml#0",
        "campaigns/odd.json#0",
        "campaigns/z.yaml#0",
    ]


def test_load_directory_of_a_missing_path_is_a_problem(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    assert load_directory(missing) == (
        [],
        [FileProblem(str(missing), "no such file or directory")],
    )


def test_load_directory_of_an_empty_directory_has_nothing(tmp_path: Path) -> None:
    assert load_directory(tmp_path) == ([], [])


def test_load_directory_of_a_single_yaml_file_names_it(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "shop.yaml"
    _tree(
        tmp_path,
        {
            "deep/shop.yaml": APPLICATION_YAML + "---\n" + _campaign("s"),
            "deep/other.yaml": _campaign("o"),
        },
    )
    located, problems = load_directory(path)
    assert problems == []
    assert [item.source for item in located] == ["shop.yaml#0", "shop.yaml#1"]
    assert _names(located) == ["shop", "s"]


def test_load_directory_of_a_single_json_file_reads_json(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text('{"kind": "Campaign", "application": "shop", "name": "j"}', encoding="utf-8")
    located, problems = load_directory(path)
    assert problems == []
    assert [item.source for item in located] == ["one.json#0"]
    bad = tmp_path / "bad.json"
    bad.write_text('{"kind": "Campaign", "application": "shop", "name": "j", "x": 1}')
    assert load_directory(bad) == (
        [],
        [FileProblem("bad.json#0/x", "Object contains unknown field `x`")],
    )


def test_load_directory_reads_utf8(tmp_path: Path) -> None:
    (tmp_path / "u.yaml").write_text(_campaign("Sommer-Aktion für Käse 🧀"), encoding="utf-8")
    located, problems = load_directory(tmp_path)
    assert problems == []
    assert _names(located) == ["Sommer-Aktion für Käse 🧀"]


def test_load_directory_ignores_hidden_directories(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "shop.yaml": APPLICATION_YAML,
            ".github/workflows/ci.yml": "on: push\njobs: {}\n",
        },
    )
    located, problems = load_directory(tmp_path)
    assert problems == []
    assert [item.source for item in located] == ["shop.yaml#0"]


def test_load_directory_reports_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "latin1.yaml").write_bytes(_campaign("K\xe4se").encode("latin-1"))
    located, problems = load_directory(tmp_path)
    assert located == []
    assert [problem.where for problem in problems] == ["latin1.yaml"]


# --- writing ------------------------------------------------------------------------------


def _rich_documents() -> list[Document]:
    """Every kind, with decimals, timestamps, Talang expressions and nesting."""
    return [
        ApplicationDocument(
            name="shop",
            timezone="Europe/Berlin",
            currency="EUR",
            description="the shop",
            case_sensitivity=CaseSensitivity.INSENSITIVE_UPPERCASE,
            attributes={"threshold": Decimal("0.1"), "label": "0.1", "flag": "yes"},
        ),
        AttributeDocument(
            entity=AttributeEntity.CUSTOMER_SESSION,
            name="channel",
            title="Channel",
            type=AttributeType.STRING,
            suggestions=["web", "app", "true", "2027-01-01"],
            subscribed_applications=["shop"],
        ),
        AdditionalCostDocument(name="shipping", title="Shipping", description="post"),
        CustomEffectDocument(
            name="banner", title="Banner", applications=["shop"], payload='{"text": "hi"}'
        ),
        CampaignSetDocument(
            application="shop",
            set=SetBranch(
                name="Base",
                elements=[
                    SetLeaf(campaign="summer"),
                    SetBranch(
                        name="exclusive",
                        evaluation_mode=EvaluationMode.HIGHEST_DISCOUNT,
                        locked=True,
                        elements=[SetLeaf(campaign="winter")],
                    ),
                ],
            ),
        ),
        CampaignDocument(
            application="shop",
            name="summer",
            description="multi\nline: text",
            state=CampaignState.DISABLED,
            start_time=datetime(2027, 12, 31, 23, 0, tzinfo=UTC),
            end_time=datetime(2028, 1, 31, 23, 0, tzinfo=timezone(timedelta(hours=2))),
            tags=["summer", "2027"],
            features=[CampaignFeature.COUPONS, CampaignFeature.STRIKETHROUGH],
            attributes={"budget": Decimal("1000.50"), "nested": {"rate": Decimal("0.0000001")}},
            limits=[
                LimitConfig(
                    action="setDiscount",
                    limit=Decimal("250.75"),
                    entities=[LimitEntity.PROFILE],
                    period=LimitPeriod.MONTHLY,
                )
            ],
            ruleset=RulesetDocument(
                bindings=[Binding(name="total", expression=[".", "Session", "Total"])],
                rules=[
                    Rule(
                        title="a tenth off",
                        condition=["and", [">", ["$total"], Decimal("0.1")], True],
                        effects=[
                            ["setDiscount", "10%", ["*", ["$total"], Decimal("0.10")]],
                            ["addLoyaltyPoints", "p", Decimal(5)],
                        ],
                        bindings=[Binding(name="twice", expression=["*", 2, ["$total"]])],
                    )
                ],
                strikethrough_rules=[
                    Rule(title="show", condition=["catch", False, True], effects=[["noop"]])
                ],
            ),
            coupons=[
                CouponDocument(
                    value="GIFT-0001",
                    usage_limit=1,
                    discount_limit=Decimal("25.10"),
                    start_date=datetime(2027, 1, 1, tzinfo=UTC),
                    expiry_date=datetime(2027, 12, 31, 22, 59, 59, 500_000, tzinfo=UTC),
                    attributes={"amount": Decimal("12.345")},
                    recipient_integration_id="p-1",
                ),
                CouponDocument(value="1234", usage_limit=0),
            ],
        ),
    ]


def test_dump_then_load_round_trips_every_kind() -> None:
    documents = _rich_documents()
    assert round_trip(documents) == documents


def test_round_trip_keeps_decimal_and_datetime_types() -> None:
    documents = _rich_documents()
    campaign = round_trip(documents)[-1]
    assert isinstance(campaign, CampaignDocument)
    assert type(campaign.attributes["budget"]) is Decimal
    assert str(campaign.attributes["budget"]) == "1000.50"
    assert campaign.attributes["nested"] == {"rate": Decimal("0.0000001")}
    assert type(campaign.limits[0].limit) is Decimal
    assert campaign.ruleset is not None
    condition = campaign.ruleset.rules[0].condition
    assert type(condition[1][2]) is Decimal
    assert condition[1][2] == Decimal("0.1")
    assert campaign.ruleset.rules[0].effects[0][2] == ["*", ["$total"], Decimal("0.10")]
    assert campaign.start_time == datetime(2027, 12, 31, 23, 0, tzinfo=UTC)
    assert campaign.start_time.tzinfo is not None
    assert campaign.end_time is not None
    assert campaign.end_time.utcoffset() == timedelta(hours=2)
    assert campaign.coupons[0].expiry_date == datetime(
        2027, 12, 31, 22, 59, 59, 500_000, tzinfo=UTC
    )
    assert campaign.coupons[1].value == "1234"  # a code made of digits stays a string
    application = round_trip(documents)[0]
    assert isinstance(application, ApplicationDocument)
    assert application.attributes == {
        "threshold": Decimal("0.1"),
        "label": "0.1",
        "flag": "yes",
    }


def test_round_trip_of_a_loaded_file_gives_the_same_documents() -> None:
    text = f"""\
{APPLICATION_YAML}---
{CAMPAIGN_YAML}startTime: 2027-12-31T23:00:00Z
attributes: {{big: 1_000.5}}
ruleset:
  rules:
    - title: r
      condition: [and, [">", [., Session, Total], 0.1]]
      effects: [[setDiscount, "10%", 10.25]]
"""
    located, problems = load_yaml(text)
    assert problems == []
    documents = [item.document for item in located]
    assert round_trip(documents) == documents


def _line(text: str, key: str) -> str:
    (line,) = [line for line in text.splitlines() if line.lstrip().startswith(key)]
    return line


def test_talang_expressions_are_written_in_flow_style_on_one_line() -> None:
    campaign = _rich_documents()[-1]
    text = dump_documents([campaign])
    assert _line(text, "condition: [and") == "      condition: [and, ['>', [$total], 0.1], true]"
    assert "      effects:\n        - [setDiscount, 10%, ['*', [$total], 0.10]]\n" in text
    assert "        - [addLoyaltyPoints, p, 5]\n" in text
    assert "      expression: [., Session, Total]\n" in text  # the ruleset's binding
    assert "          expression: ['*', 2, [$total]]\n" in text  # the rule's binding
    assert _line(text, "condition: [catch") == "      condition: [catch, false, true]"
    assert "        - [noop]\n" in text
    # everything else is in block style
    assert "tags:\n  - summer\n  - '2027'\n" in text
    assert "features:\n  - coupons\n  - strikethrough\n" in text
    assert "coupons:\n  - value: GIFT-0001\n" in text


def test_long_talang_expressions_are_not_wrapped() -> None:
    condition: list[object] = [
        "and",
        *[["=", [".", "Session", "Attributes", f"a{i}"], i] for i in range(40)],
    ]
    campaign = CampaignDocument(
        application="shop",
        name="long",
        ruleset=RulesetDocument(rules=[Rule(title="t", condition=condition, effects=[])]),
    )
    text = dump_documents([campaign])
    line = _line(text, "condition:")
    assert len(line) > 1000
    assert line.startswith("      condition: [and, ['=', [., Session, Attributes, a0], 0]")
    assert yaml.safe_load(line.strip())["condition"] == condition
    assert round_trip([campaign]) == [campaign]


def test_dumped_campaign_reads_as_expected_yaml() -> None:
    campaign = CampaignDocument(
        application="shop",
        name="tenth",
        start_time=datetime(2027, 12, 31, 23, 0, tzinfo=UTC),
        attributes={"rate": Decimal("0.1")},
        ruleset=RulesetDocument(
            rules=[
                Rule(
                    title="over ten",
                    condition=["and", [">", [".", "Session", "Total"], Decimal("10.00")]],
                    effects=[["setDiscount", "ten", Decimal("1.5")]],
                )
            ]
        ),
        coupons=[CouponDocument(value="ABCD", usage_limit=3)],
    )
    assert dump_documents([campaign]) == (
        "kind: Campaign\n"
        "application: shop\n"
        "name: tenth\n"
        "startTime: '2027-12-31T23:00:00Z'\n"
        "attributes:\n"
        "  rate: 0.1\n"
        "ruleset:\n"
        "  rules:\n"
        "    - title: over ten\n"
        "      condition: [and, ['>', [., Session, Total], 10.00]]\n"
        "      effects:\n"
        "        - [setDiscount, ten, 1.5]\n"
        "coupons:\n"
        "  - value: ABCD\n"
        "    usageLimit: 3\n"
    )


def test_defaults_are_left_out() -> None:
    application = ApplicationDocument(name="shop", timezone="UTC", currency="EUR")
    assert dump_documents([application]) == (
        "kind: Application\nname: shop\ntimezone: UTC\ncurrency: EUR\n"
    )
    campaign = CampaignDocument(
        application="shop",
        name="c",
        state=CampaignState.ENABLED,  # the default: not written
        reevaluate_on_return=True,  # not the default: written
        coupons=[CouponDocument(value="ABCD", usage_limit=1, is_reservation_mandatory=False)],
    )
    text = dump_documents([campaign])
    assert "state" not in text
    assert "reevaluateOnReturn: true\n" in text
    assert "isReservationMandatory" not in text
    assert "ruleset" not in text
    assert "description" not in text


def test_to_plain_leaves_defaults_out_and_keeps_decimals() -> None:
    coupon = CouponDocument(value="ABCD", usage_limit=1, discount_limit=Decimal("0.10"))
    plain = to_plain(coupon)
    assert plain == {"value": "ABCD", "usageLimit": 1, "discountLimit": Decimal("0.10")}
    assert type(plain["discountLimit"]) is Decimal


def test_decimals_are_written_as_plain_numbers() -> None:
    campaign = CampaignDocument(
        application="shop",
        name="n",
        attributes={
            "cents": Decimal("10.50"),
            "tiny": Decimal("1E-7"),
            "hundred": Decimal("1E+2"),
            "negative": Decimal("-3.25"),
        },
    )
    text = dump_documents([campaign])
    assert "  cents: 10.50\n" in text
    assert "  tiny: 0.0000001\n" in text
    assert "  hundred: 100\n" in text
    assert "  negative: -3.25\n" in text
    assert "E" not in text.split("attributes:")[1]
    (loaded,) = round_trip([campaign])
    assert isinstance(loaded, CampaignDocument)
    assert loaded.attributes == campaign.attributes
    assert str(loaded.attributes["cents"]) == "10.50"


def test_explicit_start_only_for_several_documents() -> None:
    application = ApplicationDocument(name="shop", timezone="UTC", currency="EUR")
    campaign = CampaignDocument(application="shop", name="c")
    one = dump_documents([campaign])
    assert not one.startswith("---")
    assert "---" not in one
    several = dump_documents([application, campaign])
    assert several.startswith("---\nkind: Application\n")
    assert several.splitlines().count("---") == 2
    assert "\n---\nkind: Campaign\n" in several


def test_dump_of_nothing_is_empty() -> None:
    assert load_yaml(dump_documents([])) == ([], [])


def test_dump_is_stable() -> None:
    documents = _rich_documents()
    first = dump_documents(documents)
    assert dump_documents(_rich_documents()) == first
    assert dump_documents(documents) == first
    assert dump_documents(round_trip(documents)) == first


def test_dump_does_not_change_the_documents() -> None:
    documents = _rich_documents()
    dump_documents(documents)
    assert documents == _rich_documents()
    campaign = documents[-1]
    assert isinstance(campaign, CampaignDocument)
    assert campaign.ruleset is not None
    assert type(campaign.ruleset.rules[0].condition) is list


def test_unicode_is_written_as_is() -> None:
    campaign = CampaignDocument(application="shop", name="Käse 🧀", description="für alle")
    text = dump_documents([campaign])
    assert "name: Käse 🧀\n" in text
    assert "description: für alle\n" in text
    assert round_trip([campaign]) == [campaign]
