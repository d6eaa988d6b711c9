"""Every overload of the core library is exercised by the corpus or its registry examples.

The reference interpreter runs every case with a registry whose implementations record their
calls; an overload that no case reaches fails the test, naming it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import replace

from perks import talang
from perks.talang import FunctionRegistry, Signature, TalangError
from perks.talang.functions import default_registry
from tests.conformance.corpus import base_bindings, load_cases

# Evaluated by both engines as syntax (its pairs are not calls): its registry entry documents it.
SPECIAL_FORMS = {"kv(Block...)Map"}


def _recording(signature: Signature, called: set[str]) -> Callable[..., object]:
    impl, key = signature.impl, signature.render()

    def record(*args: object) -> object:
        called.add(key)
        return impl(*args)

    return record


def test_every_overload_is_exercised() -> None:
    called: set[str] = set()
    recording = FunctionRegistry()
    for signature in default_registry().signatures():
        recording.add(replace(signature, impl=_recording(signature, called)))
    runs = [(case.expr, case.bindings) for case in load_cases() if case.diagnostics is None]
    runs += [
        (expr, base_bindings())
        for signature in default_registry().signatures()
        for expr, _ in signature.examples
    ]
    for expr, bindings in runs:
        with contextlib.suppress(TalangError):  # failing cases still reach their calls
            talang.interpret(expr, bindings, registry=recording)
    missing = {s.render() for s in default_registry().signatures()} - called - SPECIAL_FORMS
    assert not missing, f"no corpus case or example calls: {sorted(missing)}"
