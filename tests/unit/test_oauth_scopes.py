"""Scope names: Emporix's spelling, and the underscored one taken for the same scope."""

from __future__ import annotations

import re

import pytest

from perks.domain.errors import InvalidInput
from perks.domain.oauth import CONTEXT_MANAGE, parse_scope, validate_scopes


def test_the_underscored_spelling_is_the_same_scope() -> None:
    assert validate_scopes(frozenset({"session_context.context_manage"})) == {CONTEXT_MANAGE}
    asked = parse_scope("tenant=shop session_context.context_manage")
    assert (asked.tenant, asked.scopes) == ("shop", frozenset({CONTEXT_MANAGE}))


def test_other_spellings_stay_unknown() -> None:
    with pytest.raises(InvalidInput, match=re.escape("'session-context.context_manage'")):
        validate_scopes(frozenset({"session-context.context_manage"}))
