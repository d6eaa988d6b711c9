"""Golden carts (``SessionTest`` documents): a session payload evaluated as a dry run, and the
effects it must produce and must not produce. ``perks test -f DIR`` runs every one of them and
reports each difference, so that rules are tested in CI like code.

An effect is expected when one of the answer's effects has its ``effectType``, was produced
by the named campaign (when one is named) and has every prop it lists, numbers compared
exactly (``20`` equals ``20.00``). A case passes when every ``produces`` entry is found and no
``doesNotProduce`` entry is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from perks.bootstrap import Services
from perks.domain.effects import Effect
from perks.domain.errors import PerksError
from perks.domain.pages import PageRequest
from perks.entrypoints.config.documents import EffectExpectation, SessionTestDocument
from perks.entrypoints.config.files import Located
from perks.entrypoints.http.integration.customer_sessions import session_update
from perks.services.customer_sessions import SessionRequest
from perks.services.ports import CampaignFilter
from perks.services.principals import OPERATOR

__all__ = ["CaseResult", "run_session_tests", "session_tests"]

_ALL = PageRequest(page_size=1_000_000)
_SESSION_ID = "perks-test"


@dataclass(frozen=True, slots=True)
class CaseResult:
    """One golden cart's outcome: ``problems`` is empty when it passed."""

    name: str
    source: str
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.problems


def session_tests(located: Iterable[Located]) -> list[tuple[Located, SessionTestDocument]]:
    """The ``SessionTest`` documents among ``located``, in file order."""
    return [
        (item, item.document) for item in located if isinstance(item.document, SessionTestDocument)
    ]


def run_session_tests(
    services: Services,
    cases: Sequence[tuple[Located, SessionTestDocument]],
    *,
    at: Callable[[datetime | None], datetime | None],
) -> list[CaseResult]:
    """Evaluate each case as a dry run. ``at(now)`` sets the clock for a case and gives the
    ``now`` to send (None when the clock itself was set)."""
    applications = {a.name: a.id for a in services.applications.list(OPERATOR, _ALL).items}
    names: dict[str, dict[int, str]] = {}
    results = []
    for item, case in cases:
        application_id = applications.get(case.application)
        if application_id is None:
            problem = f"no application named {case.application!r}"
            results.append(CaseResult(case.name, item.source, (problem,)))
            continue
        if case.application not in names:
            names[case.application] = _campaign_names(services, application_id)
        results.append(_run(services, application_id, item, case, names[case.application], at))
    return results


def _run(
    services: Services,
    application_id: int,
    item: Located,
    case: SessionTestDocument,
    campaign_names: Mapping[int, str],
    at: Callable[[datetime | None], datetime | None],
) -> CaseResult:
    request = SessionRequest(
        integration_id=_SESSION_ID,
        update=session_update(case.customer_session),
        dry=True,
        now=at(case.now),
    )
    try:
        outcome = services.customer_sessions.update(application_id, request)
    except PerksError as error:
        return CaseResult(case.name, item.source, (f"the session was refused: {error}",))
    effects = outcome.evaluation.effects
    problems = [
        f"missing {_describe(expected)}; the effects were: {_summary(effects, campaign_names)}"
        for expected in case.produces
        if not any(_matches(expected, effect, campaign_names) for effect in effects)
    ]
    problems += [
        f"unexpected {_describe(unwanted)}"
        for unwanted in case.does_not_produce
        if any(_matches(unwanted, effect, campaign_names) for effect in effects)
    ]
    return CaseResult(case.name, item.source, tuple(problems))


def _campaign_names(services: Services, application_id: int) -> dict[int, str]:
    campaigns = services.campaigns.list(OPERATOR, application_id, _ALL, CampaignFilter())
    return {campaign.id: campaign.name for campaign in campaigns.items}


def _matches(expected: EffectExpectation, effect: Effect, names: Mapping[int, str]) -> bool:
    if effect.effect_type != expected.effect_type:
        return False
    if expected.campaign is not None and names.get(effect.campaign_id) != expected.campaign:
        return False
    return all(
        key in effect.props and _same(effect.props[key], value)
        for key, value in expected.props.items()
    )


def _same(actual: object, expected: Any) -> bool:
    """Equal, numbers compared by value (a file's ``20`` is the engine's ``20.00``)."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return bool(actual == expected)
    number = _number(expected)
    if number is not None:
        return _number(actual) == number
    return bool(actual == expected)


def _number(value: object) -> Decimal | None:
    if isinstance(value, int | Decimal | float) and not isinstance(value, bool):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None
    return None


def _describe(expectation: EffectExpectation) -> str:
    campaign = f" from {expectation.campaign!r}" if expectation.campaign else ""
    props = f" with {_props(expectation.props)}" if expectation.props else ""
    return f"{expectation.effect_type}{campaign}{props}"


def _summary(effects: Sequence[Effect], names: Mapping[int, str]) -> str:
    if not effects:
        return "none"
    return "; ".join(
        f"{effect.effect_type} from {names.get(effect.campaign_id, effect.campaign_id)!r} "
        f"{_props(effect.props)}"
        for effect in effects
    )


def _props(props: Mapping[str, object]) -> str:
    return "{" + ", ".join(f"{key}: {_text(value)}" for key, value in props.items()) + "}"


def _text(value: object) -> str:
    number = _number(value)
    return format(number, "f") if number is not None else repr(value)
