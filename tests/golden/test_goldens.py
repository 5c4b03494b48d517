"""Real-election goldens that always run: each case folder holds its input, a ``spec.json`` (the
``kingmaker`` command line, what it is and where the data come from) and the expected output.

The command runs through the real entry point; its JSON output (less the provenance block, which
names the version) must equal ``expected.json``. Where the spec gives ``published`` figures, the
output must also agree with them: the golden is checked against the official result, not only
against itself.

``pytest --update-goldens`` writes ``expected.json`` afresh; without it, a mismatch writes
``actual.json`` beside the expected file for diffing (droop's ``test/ref`` and ``test/out``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli_runner import invoke

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CASES = sorted(p.parent for p in HERE.glob("*/*/spec.json"))
VOLATILE = ("provenance",)


def _argv(case: Path, spec: dict[str, Any]) -> list[str]:
    return [a.replace("{case}", str(case)).replace("{repo}", str(REPO)) for a in spec["argv"]]


def _stable(data: Any) -> Any:
    """The output without the keys that name the run rather than the result."""
    if isinstance(data, dict):
        return {k: _stable(v) for k, v in data.items() if k not in VOLATILE}
    if isinstance(data, list):
        return [_stable(v) for v in data]
    return data


def _final_round(data: dict[str, Any]) -> dict[str, Any]:
    last = data["rounds"][-1]["tallies"]
    return {k: v for k, v in last.items() if v}


def _seats(data: dict[str, Any]) -> dict[str, int]:
    if isinstance(data.get("seats"), dict):
        return {k: v for k, v in data["seats"].items() if v}
    return {p["party"]: p["seats"] for p in data["parties"] if p["seats"]}


PUBLISHED_CHECKS = {"final_round": _final_round, "seats": _seats}


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_golden(case: Path, request: pytest.FixtureRequest) -> None:
    spec = json.loads((case / "spec.json").read_text(encoding="utf-8"))
    res = invoke(*_argv(case, spec))
    assert res.exit_code == 0, res.stderr
    actual = _stable(json.loads(res.stdout))
    for key, want in spec.get("published", {}).items():
        assert PUBLISHED_CHECKS[key](actual) == want, f"{case.name}: {key} differs from the published result"
    expected_path = case / "expected.json"
    text = json.dumps(actual, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    if request.config.getoption("--update-goldens") or not expected_path.exists():
        expected_path.write_text(text, encoding="utf-8")
        (case / "actual.json").unlink(missing_ok=True)
        return
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    if actual != expected:
        (case / "actual.json").write_text(text, encoding="utf-8")
        pytest.fail(f"{case.name}: output differs from expected.json; see actual.json beside it")
    (case / "actual.json").unlink(missing_ok=True)


def test_every_capability_has_a_golden() -> None:
    areas = {c.parent.name for c in CASES}
    assert {"counting", "seats", "coalitions", "power", "projection", "leadership"} <= areas
