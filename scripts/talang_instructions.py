"""Instructions per evaluation of the Talang benchmark's rules, counted by callgrind.

Wall-clock times on a shared two-core machine wander by 30 % from run to run; instruction counts
do not (valgrind counts the same total for the same binary, inputs and environment). For each
rule and engine, the 1000-item cart is evaluated once and then ``EXTRA + 1`` times in two
processes under ``valgrind --tool=callgrind``; the difference divided by ``EXTRA`` is one
evaluation's instructions, start-up and set-up cancelled out.

    PYTHONPATH=. .venv/bin/python scripts/talang_instructions.py

It needs valgrind and `make bench`'s dependency group.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.bench.talang_rules import RULES

ROOT = Path(__file__).resolve().parents[1]
EXTRA = 5
ENGINES = ("hand-written", "perks", "zen-engine", "json-logic")
ITEMS = 1000
RUNNER = """
import sys
sys.path.insert(0, {root!r})
from perks import talang
from tests.bench.talang_rules import RULES, json_bindings, talang_bindings
rule = RULES[{rule}]
bindings = talang_bindings({items})
document = json_bindings(bindings)
engine = {engine!r}
if engine == "perks":
    program = talang.compile(rule.talang)
    run = lambda: program.evaluate(bindings)
elif engine == "zen-engine":
    import zen
    expression = zen.compile_expression(rule.zen)
    run = lambda: expression.evaluate(document)
elif engine == "json-logic":
    from json_logic import jsonLogic
    run = lambda: jsonLogic(rule.json_logic, document)
else:
    run = lambda: rule.hand_written(bindings)
for _ in range({times}):
    run()
"""


def instructions(rule: int, engine: str, times: int) -> int:
    code = RUNNER.format(root=str(ROOT), rule=rule, items=ITEMS, engine=engine, times=times)
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise SystemExit("valgrind is not installed")
    command = [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    done = subprocess.run(  # noqa: S603 - our own interpreter on our own code
        [*command, sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"no instruction count from valgrind:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    print(f"instructions per evaluation, {ITEMS}-item cart (millions), and ratios to perks")
    print(f"{'rule':<18}" + "".join(f"{engine:>14}" for engine in ENGINES))
    for index, rule in enumerate(RULES):
        counts = {
            engine: (instructions(index, engine, EXTRA + 1) - instructions(index, engine, 1))
            / EXTRA
            for engine in ENGINES
        }
        cells = "".join(
            f"{counts[engine] / 1e6:8.2f} ({counts[engine] / counts['perks']:4.2f})"
            for engine in ENGINES
        )
        print(f"{rule.name:<18}{cells}", flush=True)


if __name__ == "__main__":
    main()
