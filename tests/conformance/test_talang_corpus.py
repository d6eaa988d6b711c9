"""Every corpus case, and every example in the registry, on both engines: they must agree."""

from __future__ import annotations

import pytest

from perks import talang
from perks.talang import TalangError
from perks.talang.functions import default_registry
from tests.conformance.corpus import Case, base_bindings, load_cases

CASES = load_cases()
EXAMPLES = [
    (signature, expr, expected)
    for signature in default_registry().signatures()
    for expr, expected in signature.examples
]


def _outcome(run: object, *, with_path: bool) -> tuple[str, object]:
    try:
        return ("value", run())  # type: ignore[operator]
    except TalangError as error:
        return ("error", (error.kind, error.path) if with_path else error.kind)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_corpus_case(case: Case) -> None:
    if case.diagnostics is not None:
        found = [diagnostic.path for diagnostic in talang.check(case.expr)]
        assert found == case.diagnostics
        return
    with_path = case.path is not None
    compiled = _outcome(
        lambda: talang.compile(case.expr).evaluate(case.bindings), with_path=with_path
    )
    interpreted = _outcome(lambda: talang.interpret(case.expr, case.bindings), with_path=with_path)
    expected: tuple[str, object] = ("value", case.expect)
    if case.error:
        expected = ("error", (case.error, case.path) if with_path else case.error)
    assert interpreted == expected, "the interpreter (the oracle)"
    assert compiled == expected, "the compiler"


@pytest.mark.parametrize(
    ("signature", "expr", "expected"),
    EXAMPLES,
    ids=[f"{sig.render()}:{index}" for index, (sig, _, _) in enumerate(EXAMPLES)],
)
def test_registry_examples(signature: talang.Signature, expr: object, expected: object) -> None:
    bindings = base_bindings()
    assert talang.interpret(expr, bindings) == expected
    assert talang.compile(expr).evaluate(bindings) == expected
