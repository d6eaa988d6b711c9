"""The services campaigns as code uses: ``CouponService.create_named`` (coupons with given
codes) and ``EvaluationGroupService.arrange`` (the whole evaluation tree in one transaction),
through the real services on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from perks.bootstrap import Services, build_services
from perks.domain.applications import ApplicationSpec, CaseSensitivity
from perks.domain.campaigns import CampaignSpec
from perks.domain.coupons import MAX_USAGE_LIMIT, Coupon, CouponProperties
from perks.domain.errors import Conflict, InvalidInput, NotFound, Problem
from perks.domain.evaluation_groups import EvaluationGroupSpec, EvaluationMode, GroupNode
from perks.domain.limits import LimitConfig, LimitEntity
from perks.domain.pages import PageRequest
from perks.services.coupons import NamedCoupon
from perks.services.evaluation_groups import Arrangement, current_spec
from perks.services.ports import CouponFilter
from perks.services.principals import OPERATOR, ManagementPrincipal
from perks.settings import Settings
from tests.fakes import FixedClock

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def services(sqlite_url: str) -> Iterator[Services]:
    built = build_services(Settings(database_url=sqlite_url), clock=FixedClock(NOW))
    built.database.migrate()
    yield built
    built.database.dispose()


def new_application(
    services: Services,
    name: str = "shop",
    sensitivity: CaseSensitivity = CaseSensitivity.SENSITIVE,
) -> int:
    spec = ApplicationSpec(name=name, timezone="UTC", currency="EUR", case_sensitivity=sensitivity)
    return services.applications.create(OPERATOR, spec).id


def new_campaign(services: Services, application_id: int, name: str) -> int:
    return services.campaigns.create(OPERATOR, application_id, CampaignSpec(name=name)).id


def coupons_of(services: Services, application_id: int, campaign_id: int) -> list[Coupon]:
    coupons, more = services.coupons.list(
        OPERATOR, application_id, campaign_id, PageRequest(), CouponFilter()
    )
    assert not more
    return sorted(coupons, key=lambda coupon: coupon.id)


def codes_of(services: Services, application_id: int, campaign_id: int) -> list[str]:
    return [coupon.value for coupon in coupons_of(services, application_id, campaign_id)]


def named(value: str, usage_limit: int = 1, **properties: Any) -> NamedCoupon:
    return NamedCoupon(value, CouponProperties(usage_limit=usage_limit, **properties))


def locations(error: InvalidInput) -> list[str]:
    return [problem.location for problem in error.problems]


# --- create_named -------------------------------------------------------------------------


def test_create_named_stores_exactly_the_given_codes_and_properties_in_one_batch(
    services: Services,
) -> None:
    app = new_application(services)
    campaign = new_campaign(services, app, "gifts")
    first = CouponProperties(
        usage_limit=5,
        discount_limit=Decimal("25.10"),
        start_date=datetime(2026, 2, 1, tzinfo=UTC),
        expiry_date=datetime(2027, 12, 31, 23, 0, tzinfo=UTC),
        attributes={"tier": "gold", "rate": Decimal("0.1")},
    )
    second = CouponProperties(
        usage_limit=1,
        reservation_limit=3,
        recipient_integration_id="customer-7",
        is_reservation_mandatory=True,
    )
    created = services.coupons.create_named(
        OPERATOR,
        app,
        campaign,
        [NamedCoupon("SUMMER-2026", first), NamedCoupon("gift-card-1", second)],
    )
    assert created.count == 2
    assert len(created.batch_id) > 0

    stored = coupons_of(services, app, campaign)
    assert [coupon.value for coupon in stored] == ["SUMMER-2026", "gift-card-1"]
    assert [coupon.properties() for coupon in stored] == [first, second]
    assert {coupon.batch_id for coupon in stored} == {created.batch_id}
    for coupon in stored:
        assert coupon.campaign_id == campaign
        assert coupon.created == NOW
        assert coupon.usage_counter == 0
        assert coupon.referral_id is None
        assert services.coupons.get(OPERATOR, app, campaign, coupon.id) == coupon
    assert stored[0].expiry_date == datetime(2027, 12, 31, 23, 0, tzinfo=UTC)
    assert stored[0].discount_limit == Decimal("25.10")
    assert type(stored[0].attributes["rate"]) is Decimal
    assert stored[1].recipient_integration_id == "customer-7"
    assert stored[1].usage_limit == 1


def test_create_named_keeps_the_codes_case_and_makes_a_new_batch_each_time(
    services: Services,
) -> None:
    app = new_application(services)
    campaign = new_campaign(services, app, "c")
    one = services.coupons.create_named(OPERATOR, app, campaign, [named("MixedCase-1")])
    two = services.coupons.create_named(OPERATOR, app, campaign, [named("MixedCase-2")])
    assert one.batch_id != two.batch_id
    stored = coupons_of(services, app, campaign)
    assert [(coupon.value, coupon.batch_id) for coupon in stored] == [
        ("MixedCase-1", one.batch_id),
        ("MixedCase-2", two.batch_id),
    ]
    by_batch, _ = services.coupons.list(
        OPERATOR, app, campaign, PageRequest(), CouponFilter(batch_id=two.batch_id)
    )
    assert [coupon.value for coupon in by_batch] == ["MixedCase-2"]


def test_create_named_with_no_coupons_stores_nothing(services: Services) -> None:
    app = new_application(services)
    campaign = new_campaign(services, app, "c")
    created = services.coupons.create_named(OPERATOR, app, campaign, [])
    assert created.count == 0
    assert coupons_of(services, app, campaign) == []


def test_a_code_of_another_campaign_of_the_application_is_refused_and_nothing_stored(
    services: Services,
) -> None:
    app = new_application(services)
    other = new_campaign(services, app, "other")
    campaign = new_campaign(services, app, "new")
    services.coupons.create_named(OPERATOR, app, other, [named("TAKEN-1")])

    with pytest.raises(InvalidInput) as refused:
        services.coupons.create_named(
            OPERATOR, app, campaign, [named("FRESH-1"), named("TAKEN-1"), named("FRESH-2")]
        )
    assert refused.value.problems == [
        Problem(
            "invalid value",
            "the code 'TAKEN-1' already exists in the application",
            "/1/value",
        )
    ]
    assert codes_of(services, app, campaign) == []  # FRESH-1 and FRESH-2 neither
    assert codes_of(services, app, other) == ["TAKEN-1"]


def test_a_code_of_the_same_campaign_is_refused(services: Services) -> None:
    app = new_application(services)
    campaign = new_campaign(services, app, "c")
    services.coupons.create_named(OPERATOR, app, campaign, [named("ONCE")])
    with pytest.raises(InvalidInput) as refused:
        services.coupons.create_named(OPERATOR, app, campaign, [named("ONCE", 9)])
    assert locations(refused.value) == ["/0/value"]
    stored = coupons_of(services, app, campaign)
    assert [(coupon.value, coupon.usage_limit) for coupon in stored] == [("ONCE", 1)]


def test_every_clashing_code_is_reported(services: Services) -> None:
    app = new_application(services)
    other = new_campaign(services, app, "other")
    campaign = new_campaign(services, app, "new")
    services.coupons.create_named(OPERATOR, app, other, [named("AAAA"), named("BBBB")])
    with pytest.raises(InvalidInput) as refused:
        services.coupons.create_named(
            OPERATOR, app, campaign, [named("BBBB"), named("CCCC"), named("AAAA")]
        )
    assert locations(refused.value) == ["/0/value", "/2/value"]
    assert codes_of(services, app, campaign) == []


def test_a_code_of_another_application_is_no_clash(services: Services) -> None:
    first = new_application(services, "first")
    second = new_application(services, "second")
    there = new_campaign(services, first, "there")
    here = new_campaign(services, second, "here")
    services.coupons.create_named(OPERATOR, first, there, [named("SHARED")])
    created = services.coupons.create_named(OPERATOR, second, here, [named("SHARED")])
    assert created.count == 1
    assert codes_of(services, second, here) == ["SHARED"]


def test_codes_repeated_in_the_request_are_refused(services: Services) -> None:
    app = new_application(services)
    campaign = new_campaign(services, app, "c")
    with pytest.raises(InvalidInput) as refused:
        services.coupons.create_named(
            OPERATOR,
            app,
            campaign,
            [named("ABCD"), named("EFGH"), named("ABCD", 2), named("EFGH"), named("IJKL")],
        )
    assert locations(refused.value) == ["/2/value", "/3/value"]
    assert codes_of(services, app, campaign) == []


def test_insensitive_uppercase_codes_clash_with_stored_codes_of_another_case(
    services: Services,
) -> None:
    assert CaseSensitivity.INSENSITIVE_UPPERCASE.value == "insensitive-uppercase"
    app = new_application(services, sensitivity=CaseSensitivity.INSENSITIVE_UPPERCASE)
    other = new_campaign(services, app, "other")
    campaign = new_campaign(services, app, "new")
    services.coupons.create_named(OPERATOR, app, other, [named("ABCD")])
    with pytest.raises(InvalidInput) as refused:
        services.coupons.create_named(OPERATOR, app, campaign, [named("wxyz"), named("abcd")])
    assert refused.value.problems == [
        Problem("invalid value", "the code 'abcd' already exists in the application", "/1/value")
    ]
    assert codes_of(services, app, campaign) == []


def test_insensitive_codes_repeated_in_another_case_are_refused(services: Services) -> None:
    app = new_application(services, sensitivity=CaseSensitivity.INSENSITIVE_LOWERCASE)
    campaign = new_campaign(services, app, "c")
    with pytest.raises(InvalidInput) as refused:
        services.coupons.create_named(OPERATOR, app, campaign, [named("Code-1"), named("CODE-1")])
    assert locations(refused.value) == ["/1/value"]
    assert codes_of(services, app, campaign) == []


def test_case_sensitive_codes_of_another_case_are_different(services: Services) -> None:
    app = new_application(services, sensitivity=CaseSensitivity.SENSITIVE)
    other = new_campaign(services, app, "other")
    campaign = new_campaign(services, app, "new")
    services.coupons.create_named(OPERATOR, app, other, [named("ABCD")])
    created = services.coupons.create_named(OPERATOR, app, campaign, [named("abcd"), named("AbCd")])
    assert created.count == 2
    assert codes_of(services, app, campaign) == ["abcd", "AbCd"]


@pytest.mark.parametrize(
    ("coupons", "pointers"),
    [
        ([named("abc")], ["/0/value"]),
        ([named("")], ["/0/value"]),
        ([named("ABCD"), named("X" * 101)], ["/1/value"]),
        ([named("ABCD"), named("EFGH", -1)], ["/1/usageLimit"]),
        ([named("ABCD", MAX_USAGE_LIMIT + 1)], ["/0/usageLimit"]),
        ([named("ABCD", 1, reservation_limit=-2)], ["/0/reservationLimit"]),
        ([named("ABCD", 1, discount_limit=Decimal(-1))], ["/0/discountLimit"]),
        (
            [
                named("ABCD"),
                named(
                    "EFGH",
                    1,
                    start_date=datetime(2027, 1, 1, tzinfo=UTC),
                    expiry_date=datetime(2026, 6, 1, tzinfo=UTC),
                ),
            ],
            ["/1/expiryDate"],
        ),
        (
            [
                named(
                    "ABCD",
                    1,
                    start_date=datetime(2027, 1, 1, tzinfo=UTC),
                    expiry_date=datetime(2027, 1, 1, tzinfo=UTC),
                )
            ],
            ["/0/expiryDate"],
        ),
        ([named("ABCD", 1, recipient_integration_id="")], ["/0/recipientIntegrationId"]),
        (
            [
                named(
                    "ABCD",
                    1,
                    recipient_integration_id="p-1",
                    limits=(LimitConfig("redeemCoupon", Decimal(1), (LimitEntity.PROFILE,)),),
                )
            ],
            ["/0/limits"],
        ),
        (
            [
                named(
                    "ABCD",
                    1,
                    limits=(LimitConfig("redeemCoupon", Decimal(1), (LimitEntity.STORE,)),),
                )
            ],
            ["/0/limits/0/entities"],
        ),
        ([named("ab"), named("EFGH"), named("IJKL", -5)], ["/0/value", "/2/usageLimit"]),
        ([named("ab", -1)], ["/0/value", "/0/usageLimit"]),
    ],
)
def test_bad_codes_and_properties_are_refused_at_their_pointer(
    services: Services, coupons: list[NamedCoupon], pointers: list[str]
) -> None:
    app = new_application(services)
    campaign = new_campaign(services, app, "c")
    with pytest.raises(InvalidInput) as refused:
        services.coupons.create_named(OPERATOR, app, campaign, coupons)
    assert locations(refused.value) == pointers
    assert codes_of(services, app, campaign) == []


def test_codes_of_four_and_a_hundred_characters_are_accepted(services: Services) -> None:
    app = new_application(services)
    campaign = new_campaign(services, app, "c")
    services.coupons.create_named(OPERATOR, app, campaign, [named("ABCD"), named("Z" * 100)])
    assert codes_of(services, app, campaign) == ["ABCD", "Z" * 100]


def test_a_single_coupon_without_recipient_may_have_profile_limits(services: Services) -> None:
    app = new_application(services)
    campaign = new_campaign(services, app, "c")
    limits = (LimitConfig("redeemCoupon", Decimal(2), (LimitEntity.PROFILE,)),)
    services.coupons.create_named(OPERATOR, app, campaign, [named("ABCD", 5, limits=limits)])
    (stored,) = coupons_of(services, app, campaign)
    assert stored.limits == limits


def test_create_named_in_an_unknown_campaign_is_not_found(services: Services) -> None:
    app = new_application(services)
    with pytest.raises(NotFound) as missing:
        services.coupons.create_named(OPERATOR, app, 999, [named("ABCD")])
    assert missing.value.resource == "campaign"


def test_create_named_in_a_campaign_of_another_application_is_not_found(
    services: Services,
) -> None:
    first = new_application(services, "first")
    second = new_application(services, "second")
    campaign = new_campaign(services, first, "c")
    with pytest.raises(NotFound):
        services.coupons.create_named(OPERATOR, second, campaign, [named("ABCD")])
    assert codes_of(services, first, campaign) == []


def test_create_named_in_an_unknown_application_is_not_found(services: Services) -> None:
    with pytest.raises(NotFound) as missing:
        services.coupons.create_named(OPERATOR, 42, 1, [named("ABCD")])
    assert missing.value.resource == "application"


def test_create_named_needs_access_to_the_application(services: Services) -> None:
    app = new_application(services)
    campaign = new_campaign(services, app, "c")
    elsewhere = ManagementPrincipal(key_id=1, allowed_application_ids=frozenset({app + 1}))
    with pytest.raises(NotFound):
        services.coupons.create_named(elsewhere, app, campaign, [named("ABCD")])
    assert codes_of(services, app, campaign) == []


# --- arrange ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tree:
    """An application with the base group, groups g1 and g2, and campaigns c1 to c4."""

    app: int
    base: int
    g1: int
    g2: int
    c1: int
    c2: int
    c3: int
    c4: int


Shape = list["int | tuple[str, Shape]"]


def shape(node: GroupNode) -> Shape:
    """The tree as nested lists: groups by name with their elements, campaigns by id."""
    return [
        (element.group.name, shape(element)) if isinstance(element, GroupNode) else element
        for element in node.elements
    ]


def current(services: Services, tree: Tree) -> Shape:
    return shape(services.evaluation_groups.tree(OPERATOR, tree.app))


def find(node: GroupNode, name: str) -> GroupNode:
    if node.group.name == name:
        return node
    for element in node.elements:
        if isinstance(element, GroupNode):
            try:
                return find(element, name)
            except LookupError:
                pass
    raise LookupError(name)


@pytest.fixture
def tree(services: Services) -> Tree:
    app = new_application(services)
    c1, c2, c3, c4 = (new_campaign(services, app, f"c{n}") for n in range(1, 5))
    base = services.evaluation_groups.tree(OPERATOR, app).group.id
    g1 = services.evaluation_groups.create(OPERATOR, app, EvaluationGroupSpec("g1", base)).id
    g2 = services.evaluation_groups.create(OPERATOR, app, EvaluationGroupSpec("g2", base)).id
    made = Tree(app, base, g1, g2, c1, c2, c3, c4)
    # campaigns.create places campaigns at the end of the base group, groups follow
    assert current(services, made) == [c1, c2, c3, c4, ("g1", []), ("g2", [])]
    return made


def lock(services: Services, tree: Tree, group_id: int, *, locked: bool = True) -> None:
    name = "g1" if group_id == tree.g1 else "g2"
    group = find(services.evaluation_groups.tree(OPERATOR, tree.app), name).group
    assert group.id == group_id
    spec = replace(current_spec(group), locked=locked)
    services.evaluation_groups.update(OPERATOR, tree.app, group_id, spec)
    assert find(services.evaluation_groups.tree(OPERATOR, tree.app), name).group.locked is locked


def test_arrange_moves_campaigns_into_groups_in_the_listed_order(
    services: Services, tree: Tree
) -> None:
    t = tree
    arranged = services.evaluation_groups.arrange(
        OPERATOR,
        t.app,
        Arrangement(t.base, (Arrangement(t.g1, (t.c3, t.c1)), t.c4, Arrangement(t.g2, (t.c2,)))),
    )
    expected: Shape = [("g1", [t.c3, t.c1]), t.c4, ("g2", [t.c2])]
    assert shape(arranged) == expected
    assert current(services, t) == expected
    stored = services.evaluation_groups.tree(OPERATOR, t.app)
    assert arranged == stored
    assert find(stored, "g1").group.parent_id == t.base
    assert find(stored, "g2").group.parent_id == t.base


def test_arrange_nests_a_group_under_another(services: Services, tree: Tree) -> None:
    t = tree
    arranged = services.evaluation_groups.arrange(
        OPERATOR,
        t.app,
        Arrangement(t.base, (Arrangement(t.g1, (t.c1, Arrangement(t.g2, (t.c2, t.c3)))),)),
    )
    assert shape(arranged) == [("g1", [t.c1, ("g2", [t.c2, t.c3])]), t.c4]
    stored = services.evaluation_groups.tree(OPERATOR, t.app)
    assert find(stored, "g2").group.parent_id == t.g1
    assert find(stored, "g1").group.parent_id == t.base

    # and back: g2 leaves g1 for the base group, g1 keeps c1 (not listed)
    services.evaluation_groups.arrange(
        OPERATOR, t.app, Arrangement(t.base, (Arrangement(t.g2, (t.c3,)), Arrangement(t.g1, ())))
    )
    assert current(services, t) == [("g2", [t.c3, t.c2]), ("g1", [t.c1]), t.c4]
    assert find(services.evaluation_groups.tree(OPERATOR, t.app), "g2").group.parent_id == t.base


def test_arrange_keeps_members_not_listed_after_the_listed_ones(
    services: Services, tree: Tree
) -> None:
    t = tree
    services.evaluation_groups.arrange(
        OPERATOR, t.app, Arrangement(t.base, (Arrangement(t.g1, (t.c1, t.c2, t.c3)),))
    )
    assert current(services, t) == [("g1", [t.c1, t.c2, t.c3]), t.c4, ("g2", [])]
    # only c3 listed in g1: c1 and c2 follow it, in their current order
    arranged = services.evaluation_groups.arrange(
        OPERATOR, t.app, Arrangement(t.base, (t.c4, Arrangement(t.g1, (t.c3,))))
    )
    assert shape(arranged) == [t.c4, ("g1", [t.c3, t.c1, t.c2]), ("g2", [])]
    # nothing listed under the base group: the tree stays as it is
    assert shape(services.evaluation_groups.arrange(OPERATOR, t.app, Arrangement(t.base, ()))) == [
        t.c4,
        ("g1", [t.c3, t.c1, t.c2]),
        ("g2", []),
    ]


def test_arranging_the_current_tree_changes_nothing(services: Services, tree: Tree) -> None:
    t = tree
    layout = Arrangement(t.base, (Arrangement(t.g1, (t.c2, Arrangement(t.g2, (t.c4,)))), t.c1))
    first = services.evaluation_groups.arrange(OPERATOR, t.app, layout)
    assert shape(first) == [("g1", [t.c2, ("g2", [t.c4])]), t.c1, t.c3]
    again = services.evaluation_groups.arrange(OPERATOR, t.app, layout)
    assert shape(again) == shape(first)
    assert services.evaluation_groups.tree(OPERATOR, t.app) == again


def test_arrange_keeps_group_settings(services: Services, tree: Tree) -> None:
    t = tree
    spec = EvaluationGroupSpec(
        "g2", t.base, evaluation_mode=EvaluationMode.LIST_ORDER, description="first wins"
    )
    services.evaluation_groups.update(OPERATOR, t.app, t.g2, spec)
    arranged = services.evaluation_groups.arrange(
        OPERATOR, t.app, Arrangement(t.base, (Arrangement(t.g1, (Arrangement(t.g2, ()),)),))
    )
    moved = find(arranged, "g2").group
    assert moved.parent_id == t.g1
    assert moved.evaluation_mode is EvaluationMode.LIST_ORDER
    assert moved.description == "first wins"
    assert moved.name == "g2"


def _refused(services: Services, tree: Tree, root: Arrangement) -> InvalidInput:
    before = current(services, tree)
    with pytest.raises(InvalidInput) as refused:
        services.evaluation_groups.arrange(OPERATOR, tree.app, root)
    assert current(services, tree) == before
    return refused.value


def test_a_campaign_listed_twice_is_refused(services: Services, tree: Tree) -> None:
    t = tree
    same_group = _refused(services, t, Arrangement(t.base, (t.c1, t.c2, t.c1)))
    assert same_group.problems == [
        Problem("invalid value", f"campaign {t.c1} is listed twice", "/set")
    ]
    two_groups = _refused(
        services, t, Arrangement(t.base, (Arrangement(t.g1, (t.c2,)), Arrangement(t.g2, (t.c2,))))
    )
    assert two_groups.problems == [
        Problem("invalid value", f"campaign {t.c2} is listed twice", "/set")
    ]


def test_a_group_listed_twice_is_refused(services: Services, tree: Tree) -> None:
    t = tree
    twice = _refused(
        services,
        t,
        Arrangement(t.base, (Arrangement(t.g1, (Arrangement(t.g2, ()),)), Arrangement(t.g2, ()))),
    )
    assert locations(twice) == ["/set"]
    assert f"group {t.g2} is listed twice" in twice.problems[0].details
    # the base group under itself
    base_again = _refused(services, t, Arrangement(t.base, (Arrangement(t.base, ()),)))
    assert f"group {t.base} is listed twice" in base_again.problems[0].details


def test_unknown_campaigns_and_groups_are_refused(services: Services, tree: Tree) -> None:
    t = tree
    campaign = _refused(services, t, Arrangement(t.base, (t.c1, 999)))
    assert campaign.problems == [
        Problem("invalid value", "campaign 999 is not in the application", "/set")
    ]
    group = _refused(services, t, Arrangement(t.base, (Arrangement(999, (t.c1,)),)))
    assert group.problems == [
        Problem("invalid value", "group 999 is not in the application", "/set")
    ]


def test_campaigns_and_groups_of_another_application_are_refused(
    services: Services, tree: Tree
) -> None:
    t = tree
    other = new_application(services, "other")
    stranger = new_campaign(services, other, "stranger")
    other_base = services.evaluation_groups.tree(OPERATOR, other).group.id
    foreign = services.evaluation_groups.create(
        OPERATOR, other, EvaluationGroupSpec("foreign", other_base)
    ).id
    campaign = _refused(services, t, Arrangement(t.base, (stranger,)))
    assert "is not in the application" in campaign.problems[0].details
    group = _refused(services, t, Arrangement(t.base, (Arrangement(foreign, ()),)))
    assert "is not in the application" in group.problems[0].details
    assert shape(services.evaluation_groups.tree(OPERATOR, other)) == [stranger, ("foreign", [])]


@pytest.mark.parametrize("root", ["g1", "unknown"])
def test_a_root_other_than_the_base_group_is_refused(
    services: Services, tree: Tree, root: str
) -> None:
    group_id = tree.g1 if root == "g1" else 999
    refused = _refused(services, tree, Arrangement(group_id, (tree.c1,)))
    assert refused.problems == [
        Problem("invalid value", "the tree starts at the base group", "/set")
    ]


def test_changing_the_members_of_a_locked_group_is_a_conflict(
    services: Services, tree: Tree
) -> None:
    t = tree
    services.evaluation_groups.arrange(
        OPERATOR, t.app, Arrangement(t.base, (Arrangement(t.g1, (t.c1, t.c2)),))
    )
    lock(services, t, t.g1)
    before = current(services, t)
    assert before == [("g1", [t.c1, t.c2]), t.c3, t.c4, ("g2", [])]

    refusals = [
        # reordered
        Arrangement(t.base, (Arrangement(t.g1, (t.c2, t.c1)),)),
        # a member added
        Arrangement(t.base, (Arrangement(t.g1, (t.c1, t.c2, t.c3)),)),
        # a group added
        Arrangement(t.base, (Arrangement(t.g1, (t.c1, t.c2, Arrangement(t.g2, ()))),)),
        # a member taken out (g1 listed)
        Arrangement(t.base, (t.c2, Arrangement(t.g1, ()))),
        # the base group changed first, then the locked group: nothing of it stays
        Arrangement(t.base, (t.c4, t.c3, Arrangement(t.g1, (t.c2,)))),
    ]
    for root in refusals:
        with pytest.raises(Conflict) as conflict:
            services.evaluation_groups.arrange(OPERATOR, t.app, root)
        assert f"evaluation group {t.g1} is locked" in conflict.value.details
        assert current(services, t) == before


def test_an_arrangement_that_keeps_a_locked_groups_order_is_accepted(
    services: Services, tree: Tree
) -> None:
    t = tree
    services.evaluation_groups.arrange(
        OPERATOR, t.app, Arrangement(t.base, (t.c4, Arrangement(t.g1, (t.c1, t.c2))))
    )
    lock(services, t, t.g1)
    # the same members in the same order, the group itself moved first and other members moved
    arranged = services.evaluation_groups.arrange(
        OPERATOR,
        t.app,
        Arrangement(t.base, (Arrangement(t.g1, (t.c1, t.c2)), Arrangement(t.g2, (t.c4,)), t.c3)),
    )
    assert shape(arranged) == [("g1", [t.c1, t.c2]), ("g2", [t.c4]), t.c3]
    assert find(arranged, "g1").group.locked
    # listing the locked group with only its first member leaves its order as it is
    services.evaluation_groups.arrange(
        OPERATOR, t.app, Arrangement(t.base, (Arrangement(t.g1, (t.c1,)),))
    )
    assert current(services, t) == [("g1", [t.c1, t.c2]), ("g2", [t.c4]), t.c3]


def test_a_locked_group_can_be_arranged_once_unlocked(services: Services, tree: Tree) -> None:
    t = tree
    services.evaluation_groups.arrange(
        OPERATOR, t.app, Arrangement(t.base, (Arrangement(t.g1, (t.c1, t.c2)),))
    )
    lock(services, t, t.g1)
    reorder = Arrangement(t.base, (Arrangement(t.g1, (t.c2, t.c1)),))
    with pytest.raises(Conflict):
        services.evaluation_groups.arrange(OPERATOR, t.app, reorder)
    lock(services, t, t.g1, locked=False)
    assert shape(services.evaluation_groups.arrange(OPERATOR, t.app, reorder))[0] == (
        "g1",
        [t.c2, t.c1],
    )


def test_taking_a_member_out_of_an_unlisted_locked_group_is_a_conflict(
    services: Services, tree: Tree
) -> None:
    t = tree
    services.evaluation_groups.arrange(
        OPERATOR,
        t.app,
        Arrangement(t.base, (Arrangement(t.g1, (t.c1, Arrangement(t.g2, (t.c2,)))),)),
    )
    lock(services, t, t.g2)
    before = current(services, t)
    with pytest.raises(Conflict):
        services.evaluation_groups.arrange(OPERATOR, t.app, Arrangement(t.base, (t.c2,)))
    assert current(services, t) == before


def test_arrange_in_an_unknown_application_is_not_found(services: Services) -> None:
    with pytest.raises(NotFound):
        services.evaluation_groups.arrange(OPERATOR, 42, Arrangement(1, ()))


def test_arrange_needs_access_to_the_application(services: Services, tree: Tree) -> None:
    elsewhere = ManagementPrincipal(key_id=1, allowed_application_ids=frozenset({tree.app + 1}))
    before = current(services, tree)
    with pytest.raises(NotFound):
        services.evaluation_groups.arrange(elsewhere, tree.app, Arrangement(tree.base, (tree.c4,)))
    assert current(services, tree) == before


def test_arrange_records_each_campaigns_group(services: Services, tree: Tree) -> None:
    t = tree
    services.evaluation_groups.arrange(
        OPERATOR,
        t.app,
        Arrangement(t.base, (Arrangement(t.g1, (t.c2, Arrangement(t.g2, (t.c3,)))), t.c4)),
    )
    groups = {
        campaign_id: services.campaigns.get(OPERATOR, t.app, campaign_id).evaluation_group_id
        for campaign_id in (t.c1, t.c2, t.c3, t.c4)
    }
    assert groups == {t.c1: t.base, t.c2: t.g1, t.c3: t.g2, t.c4: t.base}
