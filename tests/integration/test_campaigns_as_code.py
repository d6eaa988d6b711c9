"""Campaigns as code on SQLite and PostgreSQL: plan, apply, export and prune, through the same
services as the Management API."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from perks.bootstrap import Services, build_services
from perks.domain.coupons import CouponProperties
from perks.domain.evaluation_groups import GroupNode
from perks.domain.pages import PageRequest
from perks.entrypoints import config
from perks.entrypoints.config import Action
from perks.services.coupons import NewCoupons
from perks.services.ports import CampaignFilter, CouponFilter
from perks.services.principals import OPERATOR
from perks.settings import Settings
from tests.fakes import FixedClock

EXAMPLES = Path(__file__).parents[2] / "examples"
GOLDEN_CARTS = "tests"


@pytest.fixture
def services(database_url: str) -> Iterator[Services]:
    clock = FixedClock(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    built = build_services(Settings(database_url=database_url), clock=clock)
    yield built
    built.database.dispose()


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """A copy of the shipped examples, to change."""
    copy = tmp_path / "config"
    shutil.copytree(EXAMPLES, copy)
    return copy


def _written(directory: Path) -> dict[str, str]:
    return {
        str(path.relative_to(directory)): path.read_text(encoding="utf-8")
        for path in sorted(directory.rglob("*"))
        if path.is_file()
        and path.suffix in (".yaml", ".yml", ".json")
        and GOLDEN_CARTS not in path.relative_to(directory).parts  # export never writes them
    }


def _campaigns(services: Services, application_id: int) -> dict[str, int]:
    page = services.campaigns.list(OPERATOR, application_id, PageRequest(), CampaignFilter())
    return {campaign.name: campaign.id for campaign in page.items}


def _tree_names(node: GroupNode, names: dict[int, str]) -> list[object]:
    return [
        {element.group.name: _tree_names(element, names)}
        if isinstance(element, GroupNode)
        else names[element]
        for element in node.elements
    ]


def _apply(services: Services, directory: Path, *, prune: bool = False) -> config.Applied:
    applied = config.apply(services, directory, prune=prune)
    assert not applied.plan.problems, applied.plan.problems
    assert applied.failed is None, applied.error
    return applied


def test_examples_apply_then_nothing_to_do_then_export_round_trips(
    services: Services, tmp_path: Path
) -> None:
    first = _apply(services, EXAMPLES)
    assert first.plan.count(Action.CREATE) == 13
    assert first.plan.count(Action.DELETE) == 0

    again = config.plan(services, EXAMPLES)
    assert again.problems == []
    assert [step.subject for step in again.steps if step.subject] == []

    application = services.applications.list(OPERATOR, PageRequest()).items[0]
    assert application.name == "Demo shop"
    exported = config.export(services, application.id)
    assert exported == _written(EXAMPLES)

    out = tmp_path / "exported"
    for relative, text in exported.items():
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        (out / relative).write_text(text, encoding="utf-8")
    assert config.plan(services, out).count(Action.CHANGE) == 0


def test_examples_are_stored_as_the_api_reads_them(services: Services) -> None:
    _apply(services, EXAMPLES)
    application = services.applications.list(OPERATOR, PageRequest()).items[0]
    campaigns = _campaigns(services, application.id)
    assert set(campaigns) == {
        "Welcome 10% with a coupon",
        "Free tote bag over 100 EUR",
        "Tiered cart discount",
        "20% off shoes",
    }
    tiered = services.campaigns.get(OPERATOR, application.id, campaigns["Tiered cart discount"])
    assert tiered.active_ruleset_id is not None
    ruleset = services.rulesets.get(OPERATOR, application.id, tiered.id, tiered.active_ruleset_id)
    assert [rule.title for rule in ruleset.rules] == [
        "40 EUR off from 200 EUR",
        "15 EUR off from 100 EUR",
        "5 EUR off from 50 EUR",
    ]
    assert [binding.name for binding in ruleset.bindings] == ["Subtotal"]
    welcome = campaigns["Welcome 10% with a coupon"]
    coupons, _ = services.coupons.list(
        OPERATOR, application.id, welcome, PageRequest(), CouponFilter()
    )
    assert sorted((c.value, c.usage_limit) for c in coupons) == [
        ("WELCOME-VIP1-2026", 1),
        ("WELCOME10", 1000),
    ]
    tree = services.evaluation_groups.tree(OPERATOR, application.id)
    names = {number: name for name, number in campaigns.items()}
    assert _tree_names(tree, names) == [
        "Welcome 10% with a coupon",
        "Free tote bag over 100 EUR",
        {"Best cart discount": ["Tiered cart discount", "20% off shoes"]},
    ]


def test_a_changed_file_is_planned_field_by_field_and_applied_once(
    services: Services, files: Path
) -> None:
    _apply(services, files)
    campaign = files / "campaigns" / "tiered-cart-discount.yaml"
    text = campaign.read_text(encoding="utf-8")
    campaign.write_text(
        text.replace("description: 5 EUR", "description: Now 5 EUR").replace(
            "[setDiscount, Tier 3, 40]", "[setDiscount, Tier 3, 45]"
        ),
        encoding="utf-8",
    )
    welcome = files / "campaigns" / "welcome-10-with-a-coupon.yaml"
    welcome.write_text(
        welcome.read_text(encoding="utf-8").replace("usageLimit: 1000", "usageLimit: 2000"),
        encoding="utf-8",
    )

    plan = config.plan(services, files)
    changes = {step.subject: step.details for step in plan.steps if step.subject}
    assert set(changes) == {
        "campaign 'Tiered cart discount' of 'Demo shop'",
        "ruleset of campaign 'Tiered cart discount' of 'Demo shop'",
        "coupon 'WELCOME10' of campaign 'Welcome 10% with a coupon' of 'Demo shop'",
    }
    assert changes["campaign 'Tiered cart discount' of 'Demo shop'"] == (
        "-description: 5 EUR off from 50 EUR, 15 EUR off from 100 EUR, 40 EUR off from 200 EUR.",
        "+description: Now 5 EUR off from 50 EUR, 15 EUR off from 100 EUR, 40 EUR off from 200"
        " EUR.",
    )
    ruleset_details = changes["ruleset of campaign 'Tiered cart discount' of 'Demo shop'"]
    assert ruleset_details[0] == "a new revision, activated"
    assert any("45" in line and line.startswith("+") for line in ruleset_details)
    assert changes["coupon 'WELCOME10' of campaign 'Welcome 10% with a coupon' of 'Demo shop'"] == (
        "usageLimit: 1000 → 2000",
    )

    applied = _apply(services, files)
    assert applied.plan.count(Action.CHANGE) == 3
    assert [s.subject for s in config.plan(services, files).steps if s.subject] == []

    application = services.applications.list(OPERATOR, PageRequest()).items[0]
    tiered = _campaigns(services, application.id)["Tiered cart discount"]
    rulesets = services.rulesets.list(OPERATOR, application.id, tiered, PageRequest())
    assert rulesets.total == 2  # a new revision; the first one stays


def test_what_the_files_leave_out_stays_unless_pruned(services: Services, files: Path) -> None:
    _apply(services, files)
    (files / "campaigns" / "20-off-shoes.yaml").unlink()
    tree = files / "evaluation-tree.yaml"
    tree.write_text(
        tree.read_text(encoding="utf-8").replace(
            "        - type: CAMPAIGN\n          campaign: 20% off shoes\n", ""
        ),
        encoding="utf-8",
    )
    welcome = files / "campaigns" / "welcome-10-with-a-coupon.yaml"
    text = welcome.read_text(encoding="utf-8")
    start = text.index("  - value: WELCOME-VIP1-2026")
    end = text.index("  - value: WELCOME10")
    welcome.write_text(text[:start] + text[end:], encoding="utf-8")

    kept = config.plan(services, files)
    assert kept.count(Action.DELETE) == 0
    assert "campaign '20% off shoes' of 'Demo shop'" in kept.kept
    assert "1 coupon(s) of campaign 'Welcome 10% with a coupon' of 'Demo shop'" in kept.kept

    pruned = config.plan(services, files, prune=True)
    deletions = {step.subject for step in pruned.steps if step.action is Action.DELETE}
    assert deletions == {
        "campaign '20% off shoes' of 'Demo shop'",
        "1 coupon(s) of campaign 'Welcome 10% with a coupon' of 'Demo shop'",
    }
    _apply(services, files, prune=True)
    application = services.applications.list(OPERATOR, PageRequest()).items[0]
    assert "20% off shoes" not in _campaigns(services, application.id)
    again = config.plan(services, files, prune=True)
    assert [step.subject for step in again.steps if step.subject] == []
    assert again.kept == []


def test_a_group_left_out_of_the_tree_is_deleted_only_when_pruned(
    services: Services, files: Path
) -> None:
    _apply(services, files)
    tree = files / "evaluation-tree.yaml"
    tree.write_text(
        "kind: CampaignSet\napplication: Demo shop\nset:\n  type: SET\n  name: Base\n"
        "  evaluationMode: listOrder\n  elements:\n"
        + "".join(
            f"    - type: CAMPAIGN\n      campaign: {name}\n"
            for name in (
                "20% off shoes",
                "Tiered cart discount",
                "Free tote bag over 100 EUR",
                "Welcome 10% with a coupon",
            )
        ),
        encoding="utf-8",
    )
    plan = config.plan(services, files, prune=True)
    subjects = [(step.action, step.subject) for step in plan.steps if step.subject]
    assert subjects == [
        (Action.CHANGE, "base evaluation group of 'Demo shop'"),
        (Action.CHANGE, "evaluation tree of 'Demo shop'"),
        (Action.DELETE, "evaluation group 'Best cart discount' of 'Demo shop'"),
    ]
    _apply(services, files, prune=True)
    application = services.applications.list(OPERATOR, PageRequest()).items[0]
    stored = services.evaluation_groups.tree(OPERATOR, application.id)
    names = {number: name for name, number in _campaigns(services, application.id).items()}
    assert stored.group.evaluation_mode == "listOrder"
    assert _tree_names(stored, names) == [
        "20% off shoes",
        "Tiered cart discount",
        "Free tote bag over 100 EUR",
        "Welcome 10% with a coupon",
    ]


def test_a_locked_group_is_filled_then_locked(services: Services, files: Path) -> None:
    tree = files / "evaluation-tree.yaml"
    tree.write_text(
        tree.read_text(encoding="utf-8").replace(
            "      evaluationMode: highestDiscount\n",
            "      evaluationMode: highestDiscount\n      locked: true\n",
        ),
        encoding="utf-8",
    )
    _apply(services, files)
    application = services.applications.list(OPERATOR, PageRequest()).items[0]
    group = services.evaluation_groups.tree(OPERATOR, application.id).elements[2]
    assert isinstance(group, GroupNode)
    assert group.group.locked
    assert len(group.elements) == 2
    assert [s.subject for s in config.plan(services, files).steps if s.subject] == []
    assert config.export(services, application.id)["evaluation-tree.yaml"] == tree.read_text(
        encoding="utf-8"
    )


def test_problems_are_all_reported_with_file_and_pointer_and_nothing_is_stored(
    services: Services, files: Path
) -> None:
    (files / "campaigns" / "broken.yaml").write_text(
        "kind: Campaign\n"
        "application: Demo shop\n"
        "name: Broken rules\n"
        "ruleset:\n"
        "  rules:\n"
        "    - title: three mistakes\n"
        "      condition: [and, ['>', [., Session, Totl], 100], [couponValid, 1]]\n"
        "      effects:\n"
        "        - [setDiscount, 10% off]\n"
        "---\n"
        "kind: Campaign\n"
        "application: Demo shop\n"
        "name: Tiered cart discount\n"
        "---\n"
        "kind: Campaign\n"
        "application: Nowhere\n"
        "name: Lost\n"
        "linkedStores: [store-1]\n",
        encoding="utf-8",
    )
    plan = config.plan(services, files)
    assert plan.steps == []
    where = sorted(problem.where for problem in plan.problems)
    assert "campaigns/broken.yaml#0/ruleset/rules/0/condition/1/1" in where
    assert "campaigns/broken.yaml#0/ruleset/rules/0/condition/2" in where
    assert "campaigns/broken.yaml#0/ruleset/rules/0/effects/0" in where
    assert "campaigns/broken.yaml#2" in where  # unknown application
    twice = next(p for p in plan.problems if p.where == "campaigns/tiered-cart-discount.yaml#0")
    assert "also defined at campaigns/broken.yaml#1" in twice.details
    assert len(plan.problems) == 5

    applied = config.apply(services, files)
    assert applied.done == 0
    assert services.applications.list(OPERATOR, PageRequest()).total == 0


def test_documents_that_do_not_fit_their_kind_stop_the_plan(
    services: Services, tmp_path: Path
) -> None:
    (tmp_path / "a.yaml").write_text(
        "kind: Campaign\napplication: A\n---\nkind: Loyalty\nname: x\n", encoding="utf-8"
    )
    (tmp_path / "b.json").write_text('[{"kind": "Application", "name": "A"}]', encoding="utf-8")
    plan = config.plan(services, tmp_path)
    assert [(p.where, p.details) for p in plan.problems] == [
        ("a.yaml#0/name", "Object missing required field `name`"),
        ("a.yaml#1/kind", "Invalid value 'Loyalty'"),
        ("b.json#0/timezone", "Object missing required field `timezone`"),
    ]


def test_references_are_checked_against_files_and_storage(
    services: Services, tmp_path: Path
) -> None:
    (tmp_path / "app.yaml").write_text(
        "kind: Application\nname: Shop\ntimezone: UTC\ncurrency: EUR\n"
        "---\n"
        "kind: Campaign\napplication: Shop\nname: A\nlinkedStores: [berlin]\n"
        "coupons:\n  - {value: SAME1, usageLimit: 1}\n  - {value: SAME1, usageLimit: 2}\n"
        "---\n"
        "kind: CampaignSet\napplication: Shop\n"
        "set:\n  type: SET\n  name: Base\n  elements:\n"
        "    - {type: CAMPAIGN, campaign: A}\n"
        "    - {type: CAMPAIGN, campaign: A}\n"
        "    - {type: CAMPAIGN, campaign: Ghost}\n"
        "---\n"
        "kind: AdditionalCost\nname: shipping\ntitle: Shipping\n"
        "subscribedApplications: [Elsewhere]\n",
        encoding="utf-8",
    )
    plan = config.plan(services, tmp_path)
    problems = {p.where: p.details for p in plan.problems}
    assert problems == {
        "app.yaml#1/linkedStores/0": "store 'berlin' is not a store of 'Shop'",
        "app.yaml#1/coupons/1/value": "the code is also at /coupons/0",
        "app.yaml#2/set/elements/1/campaign": "the campaign is also at /set/elements/0",
        "app.yaml#2/set/elements/2/campaign": (
            "campaign 'Ghost' is neither in the files nor stored"
        ),
        "app.yaml#3": "application 'Elsewhere' is neither in the files nor stored",
    }


def test_custom_effects_from_the_files_are_in_the_rule_vocabulary(
    services: Services, tmp_path: Path
) -> None:
    (tmp_path / "shop.yaml").write_text(
        "kind: Application\nname: Shop\ntimezone: UTC\ncurrency: EUR\n"
        "---\n"
        "kind: CustomEffect\nname: Award_minutes\ntitle: Award minutes\n"
        "applications: [Shop]\n"
        "payload: '{\"minutes\": ${$Minutes}}'\n"
        "params:\n  - {type: number, title: Minutes, key: Minutes}\n"
        "---\n"
        "kind: Campaign\napplication: Shop\nname: Minutes\n"
        "ruleset:\n  rules:\n    - title: r\n      condition: [and, true]\n"
        "      effects:\n        - ['!', Award_minutes, 30]\n",
        encoding="utf-8",
    )
    _apply(services, tmp_path)
    assert [s.subject for s in config.plan(services, tmp_path).steps if s.subject] == []

    shop = tmp_path / "shop.yaml"
    shop.write_text(
        shop.read_text(encoding="utf-8").replace(
            "['!', Award_minutes, 30]", "['!', Award_minutes]"
        ),
        encoding="utf-8",
    )
    wrong = config.plan(services, tmp_path)
    assert [p.where for p in wrong.problems] == ["shop.yaml#2/ruleset/rules/0/effects/0"]


def test_an_apply_stopped_by_the_services_reports_the_step_and_resumes(
    services: Services, tmp_path: Path
) -> None:
    (tmp_path / "shop.yaml").write_text(
        "kind: Application\nname: Shop\ntimezone: UTC\ncurrency: EUR\n"
        "---\n"
        "kind: Campaign\napplication: Shop\nname: A\ncoupons:\n  - {value: SHARED, usageLimit: 1}\n"
        "---\n"
        "kind: Campaign\napplication: Shop\nname: B\ncoupons:\n  - {value: SHARED, usageLimit: 1}\n",
        encoding="utf-8",
    )
    applied = config.apply(services, tmp_path)
    assert applied.failed is not None
    assert applied.failed.subject == "1 coupon(s) of campaign 'B' of 'Shop'"
    assert applied.error is not None
    assert "already exists" in applied.error.details
    assert applied.done == 4  # the application, both campaigns, A's coupon

    shop = tmp_path / "shop.yaml"
    text = shop.read_text(encoding="utf-8")
    at = text.rindex("SHARED")
    shop.write_text(text[:at] + "B-ONE" + text[at + len("SHARED") :], encoding="utf-8")
    resumed = config.plan(services, tmp_path)
    assert [(s.action, s.subject) for s in resumed.steps if s.subject] == [
        (Action.CREATE, "1 coupon(s) of campaign 'B' of 'Shop'")
    ]
    _apply(services, tmp_path)
    application = services.applications.list(OPERATOR, PageRequest()).items[0]
    campaigns = _campaigns(services, application.id)
    for name, code in (("A", "SHARED"), ("B", "B-ONE")):
        coupons, _ = services.coupons.list(
            OPERATOR, application.id, campaigns[name], PageRequest(), CouponFilter()
        )
        assert [coupon.value for coupon in coupons] == [code]


def test_generated_coupons_the_files_do_not_list_are_counted_not_read(
    services: Services, files: Path
) -> None:
    _apply(services, files)
    application = services.applications.list(OPERATOR, PageRequest()).items[0]
    welcome = _campaigns(services, application.id)["Welcome 10% with a coupon"]
    services.coupons.create(
        OPERATOR,
        application.id,
        welcome,
        NewCoupons(number_of_coupons=3000, properties=CouponProperties(usage_limit=1)),
    )
    plan = config.plan(services, files)
    assert [step.subject for step in plan.steps if step.subject] == []
    assert plan.kept == ["3000 coupon(s) of campaign 'Welcome 10% with a coupon' of 'Demo shop'"]

    pruned = config.plan(services, files, prune=True)
    assert [(s.action, s.subject) for s in pruned.steps if s.subject] == [
        (Action.DELETE, "3000 coupon(s) of campaign 'Welcome 10% with a coupon' of 'Demo shop'")
    ]
    exported = config.export(services, application.id)
    assert exported["campaigns/welcome-10-with-a-coupon.yaml"].count("- value: ") == 3002
