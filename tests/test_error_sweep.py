"""A sweep of bad invocations across every command: each is one ``error:`` line and exit code 2.

README's contract (issue 10, section 3): whatever a user gives on the command line (a missing,
empty, binary or wrongly encoded file, a negative, zero, NaN or huge number, an unknown name),
``kingmaker`` answers with exactly one line on stderr that starts with ``error:``, exit code 2,
never a traceback and never a warning leaked from NumPy or Python. Each case runs the real entry
point in-process (:func:`tests.cli_runner.invoke`) with every warning recorded: a warning that is
not one of kingmaker's own (which the CLI prints as ``warning:``) fails the case.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from kingmaker.errors import KingmakerWarning
from kingmaker.parliament import Parliament
from tests.cli_runner import invoke

DATA = Path(__file__).parent / "data"
HUGE = "1" + "0" * 29  # 10**29, beyond int64
UK_PARTIES = "Con,Lab,LD,DUP,SNP,SF,PC,SDLP,Green,Alliance,Ind,Speaker"
FORECAST = ("-b", "{votes}", "-s", "A=40,B=40,C=20")

#: A leadership contest with a custom college; {w}, {voters} and {votes} are filled in.
LEADERSHIP = """title = "t"
candidates = ["A", "B", "C"]
[rules]
name = "x"
kind = "college"
[[rules.sections]]
name = "mps"
weight = {w}
[[rules.sections]]
name = "members"
weight = 50
[transfers]
A = {{ B = 60, C = 30 }}
[sections.mps]
voters = {voters}
votes = {{ A = {votes}, B = 5, C = 3 }}
[sections.members]
voters = 100
shares = {{ A = 40, B = 35, C = 25 }}
"""


def _files(root: Path) -> dict[str, str]:
    """Every file the cases name, written under ``root``; returns name -> path."""
    binary = bytes(range(256)) * 8
    texts: dict[str, bytes | str] = {
        "empty.blt": b"",
        "empty.csv": b"",
        "empty.json": b"",
        "empty.toml": b"",
        "binary.blt": binary,
        "binary.csv": binary,
        "binary.json": binary,
        "binary.toml": binary,
        "utf16.csv": "party,seats\nZo\u00eb,3\nLab,2\n".encode("utf-16"),
        "utf16.blt": '2 1\n3 1 2 0\n0\n"A"\n"B"\n"t"\n'.encode("utf-16"),
        "latin1.json": '{"probabilities": {"Zo\u00eb": 0.5}}'.encode("latin-1"),
        "zero.blt": '3 1\n0\n"A"\n"B"\n"C"\n"t"\n',
        "zero_stv.blt": '3 2\n0\n"A"\n"B"\n"C"\n"t"\n',
        "blank_ballots.csv": "count,rank1,rank2\n3,,\n2,,\n",
        "huge.soi": f"# NUMBER ALTERNATIVES: 2\n# ALTERNATIVE NAME 1: A\n# ALTERNATIVE NAME 2: B\n{HUGE}: 1,2\n",
        "huge_count.csv": f"count,rank1,rank2\n{HUGE},A,B\n3,B,A\n",
        "weights_huge.csv": f"player,weight\nA,{HUGE}\nB,3\nC,2\n",
        "weights_1e30.csv": "player,weight\nA,1e30\nB,3\nC,2\n",
        "weights_nan.csv": "player,weight\nA,nan\nB,3\nC,2\n",
        "weights_negative.csv": "player,weight\nA,-4\nB,3\nC,2\n",
        "parliament_huge.csv": f"party,seats\nCon,{HUGE}\nLab,3\n",
        "parliament_nan.csv": "party,seats,position\nCon,3,nan\nLab,2,4\n",
        "parliament_nan.toml": 'name="t"\n[[party]]\nname="A"\nseats=3\nposition=nan\n[[party]]\nname="B"\nseats=2\n',
        "deep.json": "[" * 100_000 + "]" * 100_000,
        "deep.toml": "x = " + "[" * 100_000 + "]" * 100_000,
        "deep_object.json": '{"probabilities": ' + '{"a": ' * 50_000 + "1" + "}" * 50_001,
        "list.json": "[1, 2, 3]",
        "votes.csv": "district,party,votes,region\nd1,A,100000,R\nd1,B,80000,R\nd1,C,30000,R\n"
        "d2,A,50000,R\nd2,B,80000,R\nd2,C,30000,R\n",
        "votes_huge.csv": f"district,party,votes,region\nd1,A,{HUGE},R\nd1,B,80000,R\n",
        "votes_zero.csv": "district,party,votes,region\nd1,A,0,R\nd1,B,0,R\nd2,A,5,R\nd2,B,3,R\n",
        "votes_nan.csv": "district,party,votes,region\nd1,A,nan,R\nd1,B,80000,R\n",
        "lead_voters_huge.toml": LEADERSHIP.format(w=50, voters=HUGE, votes=2),
        "lead_voters_1e30.toml": LEADERSHIP.format(w=50, voters="1e30", votes=2),
        "lead_votes_huge.toml": LEADERSHIP.format(w=50, voters=10, votes=HUGE),
        "lead_weight_inf.toml": LEADERSHIP.format(w="inf", voters=10, votes=2),
        "lead_ok.toml": LEADERSHIP.format(w=50, voters=10, votes=2),
    }
    paths: dict[str, str] = {}
    for name, content in texts.items():
        path = root / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        paths[name.replace(".", "_")] = str(path)
    (root / "folder.blt").mkdir()
    paths["folder"] = str(root / "folder.blt")
    paths["missing"] = str(root / "missing.blt")
    paths["missing_json"] = str(root / "missing.json")
    paths["missing_toml"] = str(root / "missing.toml")
    paths["no_dir_png"] = str(root / "no" / "such" / "folder" / "out.png")
    paths["png"] = str(root / "out.png")
    paths["small"] = str(DATA / "small.blt")
    paths["toi"] = str(DATA / "small.toi")
    (root / "copy").mkdir()
    paths["toi_copy"] = str(root / "copy" / "small.toi")  # another file with the same name
    Path(paths["toi_copy"]).write_bytes((DATA / "small.toi").read_bytes())
    paths["votes"] = paths["votes_csv"]
    return paths


#: (id, argv); ``{name}`` is a file from :func:`_files`.
CASES: list[tuple[str, tuple[str, ...]]] = [
    # ----- count: files
    ("count-empty", ("count", "{empty_blt}")),
    ("count-binary", ("count", "{binary_blt}")),
    ("count-utf16", ("count", "{utf16_blt}")),
    ("count-missing", ("count", "{missing}")),
    ("count-folder", ("count", "{folder}")),
    ("count-huge-preflib", ("count", "{huge_soi}")),
    ("count-huge-csv", ("count", "{huge_count_csv}")),
    ("count-zero-votes-av", ("count", "{zero_blt}")),
    ("count-zero-votes-stv", ("count", "{zero_stv_blt}", "-m", "stv")),
    ("count-blank-ballots", ("count", "{blank_ballots_csv}")),
    # ----- count: numbers and names
    ("count-seats-zero", ("count", "{small}", "-m", "stv", "--seats", "0")),
    ("count-seats-negative", ("count", "{small}", "-m", "stv", "--seats", "-1")),
    ("count-seats-huge", ("count", "{small}", "-m", "stv", "--seats", HUGE)),
    ("count-method-unknown", ("count", "{small}", "--method", "dice")),
    ("count-tiebreak-unknown", ("count", "{small}", "--seats", "1", "--tiebreak", "coin")),
    (
        "count-order-unknown-name",
        ("count", "{small}", "--seats", "1", "--tiebreak", "order", "--order", "Zed"),
    ),
    ("count-skipped-negative", ("count", "{small}", "--seats", "1", "--skipped-limit", "-1")),
    ("count-seed-negative", ("count", "{small}", "--seats", "1", "--seed", "-1")),
    ("count-format-unknown", ("count", "{small}", "--seats", "1", "--format", "xml")),
    ("count-college-weights-nan", ("count", "{toi}", "{small}", "-m", "college", "--weights", "nan,1")),
    ("count-college-same-file-twice", ("count", "{toi}", "{toi}", "-m", "college")),
    ("count-college-same-file-weighted", ("count", "{toi}", "{toi}", "-m", "college", "--weights", "1,1")),
    ("count-college-same-file-name", ("count", "{toi}", "{toi_copy}", "-m", "college")),
    ("count-college-sections-repeated", ("count", "{toi}", "{small}", "-m", "college", "--sections", "a,a")),
    # ----- spoilers
    ("spoilers-empty", ("spoilers", "{empty_blt}")),
    ("spoilers-missing", ("spoilers", "{missing}")),
    ("spoilers-zero-votes", ("spoilers", "{zero_blt}")),
    ("spoilers-method-unknown", ("spoilers", "{small}", "--methods", "dice")),
    ("spoilers-reader-unknown", ("spoilers", "{small}", "--ballot-format", "xls")),
    # ----- coalitions
    ("coalitions-exclude-all", ("coalitions", "--exclude", UK_PARTIES)),
    ("coalitions-exclude-all-seats", ("coalitions", "--seats", "Con=3,Lab=2", "--exclude", "Con,Lab")),
    (
        "coalitions-incompatible-self",
        ("coalitions", "--seats", "Con=3,Lab=2,LD=1", "--incompatible", "Con:Con"),
    ),
    ("coalitions-exclude-unknown", ("coalitions", "--exclude", "Zed")),
    ("coalitions-seats-text", ("coalitions", "--seats", "Con=abc")),
    ("coalitions-seats-negative", ("coalitions", "--seats", "Con=-3,Lab=2")),
    ("coalitions-seats-huge", ("coalitions", "--seats", f"Con={HUGE},Lab=2")),
    ("coalitions-position-nan", ("coalitions", "--seats", "A=3@nan,B=2@1,C=2@2")),
    ("coalitions-position-inf", ("coalitions", "--seats", "A=3@inf,B=2@1,C=2@2")),
    ("coalitions-file-empty", ("coalitions", "--file", "{empty_csv}")),
    ("coalitions-file-binary", ("coalitions", "--file", "{binary_csv}")),
    ("coalitions-file-utf16", ("coalitions", "--file", "{utf16_csv}")),
    ("coalitions-file-missing", ("coalitions", "--file", "{missing}")),
    ("coalitions-file-huge", ("coalitions", "--file", "{parliament_huge_csv}")),
    ("coalitions-file-position-nan", ("coalitions", "--file", "{parliament_nan_csv}")),
    ("coalitions-toml-position-nan", ("coalitions", "--file", "{parliament_nan_toml}")),
    ("coalitions-toml-binary", ("coalitions", "--file", "{binary_toml}")),
    ("coalitions-toml-deep", ("coalitions", "--file", "{deep_toml}")),
    ("coalitions-threshold-negative", ("coalitions", "--threshold", "-5")),
    ("coalitions-threshold-huge", ("coalitions", "--threshold", HUGE)),
    ("coalitions-threshold-text", ("coalitions", "--threshold", "most")),
    ("coalitions-top-negative", ("coalitions", "--top", "-1")),
    ("coalitions-preset-unknown", ("coalitions", "--preset", "uk-1066")),
    ("coalitions-order-unknown", ("coalitions", "--order", "luck")),
    ("coalitions-with-unknown", ("coalitions", "--with", "Zed")),
    # ----- power
    ("power-weights-empty", ("power", "--weights", "{empty_csv}", "--quota", "3")),
    ("power-weights-binary", ("power", "--weights", "{binary_csv}", "--quota", "3")),
    ("power-weights-huge", ("power", "--weights", "{weights_huge_csv}", "--quota", "3")),
    ("power-weights-1e30", ("power", "--weights", "{weights_1e30_csv}", "--quota", "3")),
    ("power-weights-nan", ("power", "--weights", "{weights_nan_csv}", "--quota", "3")),
    ("power-weights-negative", ("power", "--weights", "{weights_negative_csv}", "--quota", "3")),
    ("power-quota-zero", ("power", "--quota", "0")),
    ("power-quota-negative", ("power", "--quota", "-1")),
    ("power-quota-huge", ("power", "--quota", HUGE)),
    ("power-index-unknown", ("power", "--index", "luck")),
    ("power-incompatible-self", ("power", "--incompatible", "Con:Con")),
    ("power-exclude-all", ("power", "--seats", "Con=3,Lab=2", "--exclude", "Con,Lab")),
    ("power-exclude-leaves-no-majority", ("power", "--exclude", "Con,Lab")),
    (
        "power-incompatible-leaves-no-majority",
        ("power", "--seats", "Con=3,Lab=2,LD=1", "--incompatible", "Con:Lab,Con:LD,Lab:LD"),
    ),
    # ----- odds
    ("odds-model-deep", ("odds", "A 2/1, B 3/1", "--model", "{deep_json}")),
    ("odds-model-deep-object", ("odds", "A 2/1, B 3/1", "--model", "{deep_object_json}")),
    ("odds-model-missing", ("odds", "A 2/1, B 3/1", "--model", "{missing_json}")),
    ("odds-model-binary", ("odds", "A 2/1, B 3/1", "--model", "{binary_json}")),
    ("odds-model-latin1", ("odds", "A 2/1, B 3/1", "--model", "{latin1_json}")),
    ("odds-model-list", ("odds", "A 2/1, B 3/1", "--model", "{list_json}")),
    ("odds-price-zero", ("odds", "A 0/1, B 3/1")),
    ("odds-price-negative-decimal", ("odds", "A -2.5, B 3.0", "--price-format", "decimal")),
    ("odds-price-nan", ("odds", "A nan, B 3.0", "--price-format", "decimal")),
    ("odds-price-huge", ("odds", "A 1e400, B 3.0", "--price-format", "decimal")),
    ("odds-runner-twice", ("odds", "A 2/1, A 3/1")),
    ("odds-one-runner", ("odds", "A 2/1")),
    ("odds-commission-nan", ("odds", "A 2/1, B 3/1", "--commission", "nan")),
    ("odds-commission-above-one", ("odds", "A 2/1, B 3/1", "--commission", "2")),
    ("odds-edge-method-unknown", ("odds", "A 2/1, B 3/1", "--edge-method", "luck")),
    # ----- plot
    ("plot-hemicycle-result-deep", ("plot", "hemicycle", "--result", "{deep_json}", "-o", "{png}")),
    ("plot-hemicycle-result-empty", ("plot", "hemicycle", "--result", "{empty_json}", "-o", "{png}")),
    ("plot-hemicycle-result-binary", ("plot", "hemicycle", "--result", "{binary_json}", "-o", "{png}")),
    ("plot-hemicycle-missing-folder", ("plot", "hemicycle", "-o", "{no_dir_png}")),
    ("plot-hemicycle-bad-suffix", ("plot", "hemicycle", "-o", "{votes}")),
    ("plot-hemicycle-coalition-unknown", ("plot", "hemicycle", "--coalition", "Zed", "-o", "{png}")),
    ("plot-rounds-missing-folder", ("plot", "rounds", "{small}", "-s", "1", "-o", "{no_dir_png}")),
    ("plot-rounds-empty", ("plot", "rounds", "{empty_blt}", "-o", "{png}")),
    (
        "plot-rounds-college-same-file-twice",
        ("plot", "rounds", "{toi}", "{toi}", "-m", "college", "-o", "{png}"),
    ),
    ("plot-rounds-zero-votes", ("plot", "rounds", "{zero_blt}", "-o", "{png}")),
    ("plot-forecast-missing-folder", ("plot", "forecast", *FORECAST, "-n", "20", "-o", "{no_dir_png}")),
    # ----- seats
    ("seats-system-unknown", ("seats", "--data", "{votes}", "--system", "dice")),
    ("seats-seats-zero", ("seats", "--data", "{votes}", "-s", "dhondt", "--seats", "0")),
    ("seats-seats-negative", ("seats", "--data", "{votes}", "-s", "dhondt", "--seats", "-1")),
    ("seats-seats-huge", ("seats", "--data", "{votes}", "-s", "dhondt", "--seats", HUGE)),
    (
        "seats-threshold-over-100",
        ("seats", "--data", "{votes}", "-s", "dhondt", "--seats", "5", "-t", "200%"),
    ),
    ("seats-threshold-nan", ("seats", "--data", "{votes}", "-s", "dhondt", "--seats", "5", "-t", "nan%")),
    ("seats-data-missing", ("seats", "--data", "{missing}")),
    ("seats-data-empty", ("seats", "--data", "{empty_csv}")),
    ("seats-data-binary", ("seats", "--data", "{binary_csv}")),
    ("seats-votes-huge", ("seats", "--data", "{votes_huge_csv}", "-s", "dhondt", "--seats", "5")),
    ("seats-votes-nan", ("seats", "--data", "{votes_nan_csv}", "-s", "dhondt", "--seats", "5")),
    ("seats-tie-unknown", ("seats", "--data", "{votes}", "--tie", "coin")),
    ("seats-level-unknown", ("seats", "--data", "{votes}", "--level", "planet")),
    ("seats-apportion-huge", ("seats", "apportion", "--data", "{votes}", "--by", "seats", "--seats", HUGE)),
    ("seats-apportion-zero", ("seats", "apportion", "--data", "{votes}", "--by", "seats", "--seats", "0")),
    (
        "seats-apportion-by-unknown",
        ("seats", "apportion", "--data", "{votes}", "--by", "age", "--seats", "5"),
    ),
    ("seats-av-zero-vote-district", ("seats", "--data", "{votes_zero_csv}", "-s", "av")),
    ("seats-fptp-zero-vote-district", ("seats", "--data", "{votes_zero_csv}", "-s", "fptp")),
    ("seats-marginal-top-negative", ("seats", "marginal", "--data", "{votes}", "--top", "-1")),
    ("seats-marginal-party-unknown", ("seats", "marginal", "--data", "{votes}", "--party", "Zed")),
    ("seats-compare-system-unknown", ("seats", "compare", "--data", "{votes}", "--systems", "dice")),
    # ----- project and forecast
    ("project-share-nan", ("project", "-b", "{votes}", "-s", "A=nan,B=40,C=20")),
    ("project-share-huge", ("project", "-b", "{votes}", "-s", f"A={HUGE},B=40,C=20")),
    ("project-base-missing", ("project", "-b", "{missing}", "-s", "A=40,B=40,C=20")),
    ("project-party-unknown", ("project", "-b", "{votes}", "-s", "A=40,B=40,Zed=20")),
    ("forecast-sims-zero", ("forecast", *FORECAST, "-n", "0")),
    ("forecast-sims-huge", ("forecast", *FORECAST, "-n", HUGE)),
    ("forecast-error-negative", ("forecast", *FORECAST, "-n", "20", "--national-error", "-1")),
    ("forecast-error-huge", ("forecast", *FORECAST, "-n", "20", "--national-error", "1e308")),
    ("forecast-error-over-100", ("forecast", *FORECAST, "-n", "20", "--national-error", "101")),
    ("forecast-error-nan", ("forecast", *FORECAST, "-n", "20", "--national-error", "nan")),
    ("forecast-regional-error-inf", ("forecast", *FORECAST, "-n", "20", "--regional-error", "inf")),
    ("forecast-regional-error-negative", ("forecast", *FORECAST, "-n", "20", "--regional-error", "-0.5")),
    ("forecast-seat-error-huge", ("forecast", *FORECAST, "-n", "20", "--seat-error", "1e20")),
    ("forecast-seat-error-nan", ("forecast", *FORECAST, "-n", "20", "--seat-error", "nan")),
    ("forecast-correlation-inf", ("forecast", *FORECAST, "-n", "20", "--correlation", "-inf")),
    ("forecast-correlation-nan", ("forecast", *FORECAST, "-n", "20", "--correlation", "nan")),
    ("forecast-coalition-unknown", ("forecast", *FORECAST, "-n", "20", "-c", "A+Zed")),
    ("forecast-workers-zero", ("forecast", *FORECAST, "-n", "20", "--workers", "0")),
    ("forecast-plot-missing-folder", ("forecast", *FORECAST, "-n", "20", "--plot", "{no_dir_png}")),
    # ----- leadership
    ("leadership-missing", ("leadership", "count", "{missing_toml}")),
    ("leadership-empty", ("leadership", "count", "{empty_toml}")),
    ("leadership-binary", ("leadership", "count", "{binary_toml}")),
    ("leadership-deep", ("leadership", "simulate", "{deep_toml}", "-n", "20")),
    ("spoilers-leadership-deep", ("spoilers", "{deep_toml}")),
    ("leadership-voters-huge", ("leadership", "count", "{lead_voters_huge_toml}")),
    ("leadership-voters-1e30", ("leadership", "simulate", "{lead_voters_1e30_toml}", "-n", "20")),
    ("leadership-votes-huge", ("leadership", "count", "{lead_votes_huge_toml}")),
    ("leadership-weight-inf", ("leadership", "count", "{lead_weight_inf_toml}")),
    ("leadership-sims-zero", ("leadership", "simulate", "{lead_ok_toml}", "-n", "0")),
    (
        "leadership-withdraw-unknown",
        ("leadership", "simulate", "{lead_ok_toml}", "-n", "20", "--withdraw", "Zed"),
    ),
    # ----- formation and data
    ("formation-with-unknown", ("formation", "--duration", "--with", "Con,Zed")),
    ("formation-term-negative", ("formation", "--duration", "--term-months", "-1")),
    ("formation-top-negative", ("formation", "--top", "-1")),
    ("formation-plot-missing-folder", ("formation", "--duration", "--plot", "{no_dir_png}")),
    ("formation-no-positions", ("formation", "--seats", "Con=3,Lab=2")),
    ("data-fetch-unknown", ("data", "fetch", "no-such-data")),
]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return _files(tmp_path_factory.mktemp("sweep"))


def test_the_sweep_is_broad() -> None:
    commands = {argv[0] for _, argv in CASES}
    assert len(CASES) >= 40 and len({name for name, _ in CASES}) == len(CASES)
    assert {"count", "spoilers", "coalitions", "power", "odds", "plot", "seats", "project"} <= commands
    assert {"forecast", "leadership", "formation", "data"} <= commands


@pytest.mark.parametrize(("name", "argv"), CASES, ids=[name for name, _ in CASES])
def test_bad_invocation_is_one_error_line(
    name: str, argv: tuple[str, ...], files: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KINGMAKER_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("KINGMAKER_DATA_URL", str(tmp_path / "no-mirror"))
    monkeypatch.delenv("KINGMAKER_DATA_DIR", raising=False)
    args = [a.format(**files) for a in argv]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = invoke(*args)
    leaked = [
        f"{w.category.__name__}: {w.message}" for w in caught if not issubclass(w.category, KingmakerWarning)
    ]
    assert not leaked, leaked
    assert "Traceback" not in out.stderr + out.stdout
    assert out.exit_code == 2, (out.exit_code, out.stdout[-500:], out.stderr[-500:])
    lines = out.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), out.stderr
    assert not Path(files["no_dir_png"]).parent.exists()


def test_power_says_which_exclusions_leave_no_winning_coalition() -> None:
    out = invoke("power", "--exclude", "Con,Lab", "--format", "json")
    assert out.exit_code == 2 and out.stdout == ""
    assert "Con,Lab" in out.stderr and "no coalition can win" in out.stderr
    house = Parliament.preset("uk-2010")
    weights = house.weights("absolute")  # the voting members: no Speaker, no abstaining SF
    left = sum(w for name, w in weights.items() if name not in ("Con", "Lab"))
    assert f"hold {left} of the {house.quota('absolute')} needed" in out.stderr
    kept = invoke("power", "--exclude", "SNP,DUP", "--index", "banzhaf")
    assert kept.exit_code == 0 and "Excluded (never join): SNP, DUP" in kept.stdout


@pytest.mark.parametrize("value", ["1e308", "100.5", "inf", "nan", "-1"])
def test_forecast_error_sizes_outside_0_to_100_are_refused(value: str, files: dict[str, str]) -> None:
    out = invoke("forecast", "-b", files["votes"], "-s", "A=40,B=40,C=20", "-n", "20", "--seat-error", value)
    assert out.exit_code == 2 and out.stderr.startswith("error: seat error must be")
    assert "from 0 to 100" in out.stderr and len(out.stderr.splitlines()) == 1
    edge = invoke("forecast", "-b", files["votes"], "-s", "A=40,B=40,C=20", "-n", "20", "--seat-error", "100")
    assert edge.exit_code == 0, edge.stderr


def _closed_port() -> int:
    """A local TCP port nothing listens on (bound, then released): a download there is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("mirror", ["http", "missing folder"])
def test_a_failed_download_is_one_line(mirror: str, tmp_path: Path) -> None:
    """No network (a refused address) or a mirror without the file: one ``error:`` line, no
    "Downloading data from ..." line from pooch before it. A real process: pooch's log handler
    writes to the process's stderr, which an in-process capture does not see."""
    url = f"http://127.0.0.1:{_closed_port()}/" if mirror == "http" else str(tmp_path / "no-mirror")
    env = {**os.environ, "KINGMAKER_CACHE": str(tmp_path / "cache"), "KINGMAKER_DATA_URL": url}
    env.pop("KINGMAKER_DATA_DIR", None)
    env.pop("KINGMAKER_PARLGOV_DIR", None)
    run = subprocess.run(
        [sys.executable, "-m", "kingmaker.cli.main", "formation", "--parlgov", "XYZ:abc"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2 and run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot "), run.stderr
    assert "view_cabinet.csv" in lines[0] and "SHA-256" not in lines[0]


def test_a_college_section_file_given_twice_is_refused_by_name(files: dict[str, str]) -> None:
    """Two sections with the same ballot file are almost surely a slip: refused, naming the file
    (it used to count as one section, the other dropped without a word)."""
    out = invoke("count", files["toi"], files["toi"], "-m", "college", "--format", "json")
    assert out.exit_code == 2 and out.stdout == ""
    assert out.stderr.startswith(f"error: {files['toi']}: ballot file given twice as a college section")
    copy = invoke(
        "count",
        files["toi"],
        files["toi_copy"],
        "-m",
        "college",
        "--sections",
        "mps,members",
        "--format",
        "json",
    )
    assert copy.exit_code == 0, copy.stderr  # the same ballots in two files, named apart: both count
    assert set(json.loads(copy.stdout)["options"]["weights"]) == {"mps", "members"}
