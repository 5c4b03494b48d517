"""Known public election data sets, downloaded on demand from their official source.

``kingmaker data fetch NAME`` (or :func:`fetch`) downloads a data set's files into the user
cache (``$KINGMAKER_CACHE``, else pooch's per-user cache folder for ``kingmaker``) and checks
each file's SHA-256. :func:`load_dataset` reads a data set into a
:class:`~kingmaker.votes.VoteTable`, fetching it first if needed.

Where the files come from, in order:

1. a local folder holding copies (``data_dir=`` or ``$KINGMAKER_DATA_DIR``), used as is;
2. the cache, if the file there has the registered hash;
3. ``base_url`` / ``$KINGMAKER_DATA_URL`` + the file name (``file://`` and local folders work:
   that is how the tests run without the network), else the official address below.

**The hashes are those of the copies kingmaker was tested with** (see ``shared/data/uk`` in the
repository). The House of Commons Library re-issues its files from time to time, correcting
figures and changing layouts, so a fresh official download may not match: the fetch then stops
with a hash error rather than use unknown data. The 2010 Electoral Commission results exist
officially only as an ``.xls`` workbook; the CSV registered here is a conversion, so fetch it
from a folder or mirror holding the CSV (``--from``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from kingmaker.errors import InputError, UnknownNameError
from kingmaker.votes import VoteTable

if TYPE_CHECKING:
    from kingmaker.io.parlgov import ParlGov

HOC = "https://researchbriefings.files.parliament.uk/documents"
OPL = "Contains Parliamentary information licensed under the Open Parliament Licence v3.0."
OGL = "Contains public sector information licensed under the Open Government Licence."
PARLGOV = (
    "https://raw.githubusercontent.com/marcolax22/datamanagement_weidmann/"
    "3f614ac0a4ae04b50a65a4ac448e20260c080fbb/data"
)

#: The HoC Library's per-constituency files (one row per seat, with electorates): year, briefing,
#: file, SHA-256, note.
_CONSTITUENCY_FILES = (
    (
        "2017",
        "CBP-7979",
        "HoC-GE2017-constituency-results.csv",
        "e41c1281aa2eed011f75022d6b386a3687c4920f0c8f0c9d3c3847836a35f241",
        "original snake_case layout",
    ),
    (
        "2019",
        "CBP-8749",
        "HoC-GE2019-results-by-constituency.csv",
        "eb5c48380bd49d801fc27631bd61c8add510265a74e53ef2a42fa437df1a8a71",
        "re-issued Title Case layout",
    ),
    (
        "2024",
        "CBP-10009",
        "HoC-GE2024-results-by-constituency.csv",
        "4207ce1d92ee750bd3295213d5bfc1c8b0c5ade36957f3fc005abe9eba206953",
        "revised December 2024 edition",
    ),
)


@dataclass(frozen=True)
class DataFile:
    """One file of a data set: its name, official address (``None`` when no official copy of
    this exact file exists) and SHA-256."""

    name: str
    url: str | None
    sha256: str
    note: str = ""


@dataclass(frozen=True)
class Dataset:
    """A named data set: its files, how to read them, and the attribution its licence needs."""

    name: str
    description: str
    files: tuple[DataFile, ...]
    reader: str
    attribution: str
    election: str | None = None


DATASETS: Mapping[str, Dataset] = MappingProxyType(
    {
        d.name: d
        for d in (
            Dataset(
                "uk-2010-results",
                "UK general election 2010, every party in every seat (Electoral Commission flat file)",
                (
                    DataFile(
                        "GE2010-results-flatfile-website.csv",
                        None,
                        "2cec745a67910d42043a9442c04f0c48e5b8b3f41e928755dbab753580c3733f",
                        "official source is an .xls: http://www.electoralcommission.org.uk/"
                        "__data/assets/excel_doc/0003/105726/GE2010-results-flatfile-website.xls"
                        " (sheet 'Party vote share', converted to CSV)",
                    ),
                    DataFile(
                        "GE2010-party-abbreviations.csv",
                        None,
                        "5949f3e51ea56d5ed630c8bcfd2c355432b6d046a3907f8d98d358521c3ff799",
                        "second sheet of the same workbook",
                    ),
                ),
                "ec2010",
                OGL,
                "2010",
            ),
            Dataset(
                "uk-2015-results",
                "UK general election 2015, one row per candidate (House of Commons Library)",
                (
                    DataFile(
                        "hoc-ge2015-results-full.csv",
                        f"{HOC}/CBP-7186/hoc-ge2015-results-full.csv",
                        "2a1618b6c0bbccd390918b40f07d615106ddd4c6a466851b586db85c48c8f73f",
                        "briefing number CBP-7186 not confirmed",
                    ),
                ),
                "candidates",
                OPL,
                "2015",
            ),
            Dataset(
                "uk-2017-results",
                "UK general election 2017, one row per candidate (House of Commons Library CBP-7979)",
                (
                    DataFile(
                        "HoC-GE2017-results-by-candidate.csv",
                        f"{HOC}/CBP-7979/HoC-GE2017-results-by-candidate.csv",
                        "365fb31747723c0c5d108909a12411a13f7cbe522ebebc9755656b9fddca8283",
                    ),
                ),
                "candidates",
                OPL,
                "2017",
            ),
            Dataset(
                "uk-2019-results",
                "UK general election 2019, one row per candidate (House of Commons Library CBP-8749)",
                (
                    DataFile(
                        "HoC-GE2019-results-by-candidate.csv",
                        f"{HOC}/CBP-8749/HoC-GE2019-results-by-candidate.csv",
                        "5d2fcff442077344a0bdd3e85eafa801186b74da474f228dead7caae95283284",
                    ),
                ),
                "candidates",
                OPL,
                "2019",
            ),
            Dataset(
                "uk-2024-results",
                "UK general election 2024 (new boundaries), one row per candidate (CBP-10009)",
                (
                    DataFile(
                        "HoC-GE2024-results-by-candidate.csv",
                        f"{HOC}/CBP-10009/HoC-GE2024-results-by-candidate.csv",
                        "d46c6fa33a6e5228a9760b297d10482a501c7e7713d64a8aa73756d6222f21ba",
                        "revised December 2024 edition",
                    ),
                ),
                "candidates",
                OPL,
                "2024",
            ),
            *(
                Dataset(
                    f"uk-{year}-constituencies",
                    f"UK general election {year}, one row per seat with its electorate; minor "
                    f"parties lumped as Other (House of Commons Library {cbp})",
                    (DataFile(file, f"{HOC}/{cbp}/{file}", digest, note),),
                    "constituencies",
                    OPL,
                    year,
                )
                for year, cbp, file, digest, note in _CONSTITUENCY_FILES
            ),
            Dataset(
                "uk-1918-2019-results",
                "UK general elections 1918-2019 by constituency, five vote buckets (CBP-8647); "
                "natSW is split into SNP (Scotland) and PC (Wales) when read; oth lumps everyone else and is set aside in list PR",
                (
                    DataFile(
                        "1918-2019election_results.csv",
                        f"{HOC}/CBP-8647/1918-2019election_results.csv",
                        "0bc67fb1be889f1fc028c65ebfb5995f88a14843007924b0ca4b242d748a45fe",
                    ),
                ),
                "hoc1918",
                OPL,
            ),
            Dataset(
                "parlgov",
                "ParlGov: every party in parliament at each cabinet formation in 37 democracies, with "
                "seats, left-right positions and cabinet membership (development release, to 2020-12)",
                tuple(
                    DataFile(f, f"{PARLGOV}/{f}", h, "mirror of parlgov.org's views (commit 3f614ac0)")
                    for f, h in (
                        (
                            "view_cabinet.csv",
                            "1a05d7e3951ac5d200fbda6adcaaed993ffae52940a5486d1d2a1580f5c1db3d",
                        ),
                        (
                            "view_election.csv",
                            "9bf86248035ce6b026cf647249d3f6006e3f83123b2340be1aabed3d58f1617f",
                        ),
                        (
                            "view_party.csv",
                            "3a34921896b7cbd052e2963b010107dcd68f72145018b649d0adae5f729f99c6",
                        ),
                    )
                ),
                "parlgov",
                "Döring, Holger and Philip Manow. Parliaments and governments database (ParlGov), parlgov.org.",
            ),
        )
    }
)


def dataset(name: str) -> Dataset:
    """The registered :class:`Dataset` called ``name``."""
    try:
        return DATASETS[name]
    except KeyError:
        raise UnknownNameError(f"unknown data set {name!r}; known: {', '.join(DATASETS)}") from None


def cache_dir() -> Path:
    """Where fetched files are kept: ``$KINGMAKER_CACHE`` or pooch's user cache folder."""
    env = os.environ.get("KINGMAKER_CACHE")
    if env:
        return Path(env)
    try:
        import pooch
    except ImportError:  # pragma: no cover - pooch is a dependency of the data commands
        return Path.home() / ".cache" / "kingmaker"
    return Path(pooch.os_cache("kingmaker"))


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _local_downloader(url: str, output_file: Any, _pooch: Any) -> None:
    """pooch downloader for ``file://`` addresses and plain paths."""
    parsed = urlparse(url)
    source = Path(unquote(parsed.path)) if parsed.scheme == "file" else Path(url)
    if not source.exists():
        raise InputError("file not found", source=str(source))
    if hasattr(output_file, "write"):
        output_file.write(source.read_bytes())
    else:
        shutil.copyfile(source, output_file)


def _address(file: DataFile, base_url: str | None) -> str:
    base = base_url or os.environ.get("KINGMAKER_DATA_URL")
    if base:
        return base.rstrip("/") + "/" + file.name
    if file.url is None:
        raise InputError(
            f"{file.name} has no official download in this form ({file.note}); "
            "fetch it from a folder or mirror holding the CSV (base_url=DIR)"
        )
    return file.url


def fetch(
    name: str,
    *,
    base_url: str | None = None,
    cache: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Download (or find in the cache) every file of data set ``name``; check SHA-256.

    ``progress`` hears one line per file, once it is in place: where it came from and where it is.
    pooch's own log line is silenced for the call."""
    ds = dataset(name)
    try:
        import pooch
    except ImportError:
        raise InputError("fetching data sets needs pooch: pip install pooch") from None
    folder = Path(cache) if cache is not None else cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    logger = pooch.get_logger()
    for file in ds.files:
        target = folder / file.name
        if target.exists() and sha256(target) == file.sha256:
            paths.append(target)
            if progress:
                progress(f"{file.name}: already in the cache, SHA-256 checked: {target}")
            continue
        url = _address(file, base_url)
        local = urlparse(url).scheme in ("", "file") or Path(url).exists()
        level = logger.level
        logger.setLevel("WARNING")  # pooch logs "Downloading data from ..." at INFO
        try:
            path = pooch.retrieve(
                url,
                known_hash=f"sha256:{file.sha256}",
                fname=file.name,
                path=folder,
                downloader=_local_downloader if local else None,
                progressbar=False,
            )
        except InputError as exc:  # our local downloader: the mirror lacks the file
            raise InputError(f"cannot fetch {file.name}: {exc}") from None
        except ValueError as exc:  # pooch: hash mismatch
            raise InputError(
                f"{file.name}: SHA-256 differs from the registered copy ({exc}). The House of "
                "Commons Library re-issues its files; this one may be a newer edition."
            ) from None
        except OSError as exc:
            raise InputError(f"cannot download {file.name} from {url}: {exc}") from None
        finally:
            logger.setLevel(level)
        paths.append(Path(path))
        if progress:
            progress(f"{file.name}: fetched from {url}, SHA-256 checked: {path}")
    return paths


def _find_local(ds: Dataset, data_dir: str | Path | None) -> list[Path] | None:
    folder = data_dir or os.environ.get("KINGMAKER_DATA_DIR")
    if not folder:
        return None
    paths = [Path(folder) / f.name for f in ds.files]
    if all(p.exists() for p in paths):
        return paths
    if data_dir is not None:
        missing = [p.name for p in paths if not p.exists()]
        raise InputError(f"{', '.join(missing)} not found", source=str(folder))
    return None


def load_dataset(
    name: str,
    *,
    election: str | int | None = None,
    data_dir: str | Path | None = None,
    fetch_missing: bool = True,
) -> VoteTable:
    """Read data set ``name`` into a :class:`VoteTable` (``election`` picks the year from the
    1918-2019 file). Files come from ``data_dir``/``$KINGMAKER_DATA_DIR``, the cache, or are
    fetched (unless ``fetch_missing`` is false)."""
    from kingmaker.io.ec_2010 import read_ec_2010
    from kingmaker.io.hoc import read_hoc_1918, read_hoc_candidates, read_hoc_constituencies

    ds = dataset(name)
    if ds.reader == "parlgov":
        raise InputError(
            "data set parlgov holds parliaments and cabinets, not votes: use "
            "Parliament.from_parlgov() or kingmaker.datasets.load_parlgov()"
        )
    paths = dataset_paths(name, data_dir=data_dir, fetch_missing=fetch_missing)
    if ds.reader == "ec2010":
        return read_ec_2010(paths[0], paths[1])
    if ds.reader == "candidates":
        return read_hoc_candidates(paths[0], election=ds.election)
    if ds.reader == "constituencies":
        return read_hoc_constituencies(paths[0], election=ds.election)
    if election is None:
        raise InputError(f"data set {name} holds many elections: give election=YEAR")
    return read_hoc_1918(paths[0], election)


def dataset_paths(name: str, *, data_dir: str | Path | None = None, fetch_missing: bool = True) -> list[Path]:
    """Local paths of every file of data set ``name``: from ``data_dir``/``$KINGMAKER_DATA_DIR``,
    else the cache, else fetched (unless ``fetch_missing`` is false)."""
    ds = dataset(name)
    paths = _find_local(ds, data_dir)
    if paths is not None:
        return paths
    cached = [cache_dir() / f.name for f in ds.files]
    if all(p.exists() for p in cached):
        return cached
    if fetch_missing:
        return fetch(name)
    raise InputError(f"data set {name} is not downloaded: run kingmaker data fetch {name}")


def dataset_for_election(election: str | int) -> str:
    """The data set holding full results of a UK general election year."""
    name = f"uk-{election}-results"
    if name in DATASETS:
        return name
    return "uk-1918-2019-results"


# ---------------------------------------------------------------------------- ParlGov


@lru_cache(maxsize=4)
def _load_cached(path: str, mtime: float) -> ParlGov:
    from kingmaker.io.parlgov import read_parlgov

    return read_parlgov(Path(path))


def parlgov_path(data_dir: str | Path | None = None, *, fetch_missing: bool = True) -> Path:
    """Where ``view_cabinet.csv`` is: ``data_dir``, ``$KINGMAKER_PARLGOV_DIR``, else the
    registered ``parlgov`` data set (``$KINGMAKER_DATA_DIR``, the cache, or a checked download)."""
    folder = data_dir or os.environ.get("KINGMAKER_PARLGOV_DIR")
    if folder:
        path = Path(folder) / "view_cabinet.csv"
        if not path.is_file():
            raise InputError("view_cabinet.csv not found", source=str(folder))
        return path
    return next(
        p for p in dataset_paths("parlgov", fetch_missing=fetch_missing) if p.name == "view_cabinet.csv"
    )


def load_parlgov(data_dir: str | Path | None = None, *, fetch_missing: bool = True) -> ParlGov:
    """The ParlGov cabinets, read once per file (see :func:`parlgov_path` for where from)."""
    path = parlgov_path(data_dir, fetch_missing=fetch_missing)
    return _load_cached(str(path.resolve()), path.stat().st_mtime)


# ---------------------------------------------------------------------------- candidates


def candidate_names(table: VoteTable) -> dict[tuple[str, str], str]:
    """``{(district id, party column): candidate's name}`` where ``table`` was read from a file
    that names its candidates (the HoC Library's per-candidate files, 2015-2024); empty for files
    that do not (the 2010 Electoral Commission flat file, the 1918-2019 buckets, long CSVs)."""
    from kingmaker.io.hoc import read_hoc_candidate_names

    source = Path(str(table.source or ""))
    if not source.suffix or not source.is_file():
        return {}
    try:
        return read_hoc_candidate_names(source)
    except InputError:  # not a per-candidate file: no names to show
        return {}


# ---------------------------------------------------------------------------- electorates


def electorate_dataset(election: str | int) -> str:
    """The data set whose rows carry the electorate of each seat in UK general election
    ``election``: the HoC Library's per-constituency file of that year where one is registered
    (2017, 2019, 2024), else the 1918-2019 file (2015 and earlier)."""
    name = f"uk-{election}-constituencies"
    return name if name in DATASETS else "uk-1918-2019-results"


def with_electorates(table: VoteTable, *, data_dir: str | Path | None = None) -> VoteTable:
    """``table`` with each district's electorate, where its own file gives none (the per-candidate
    files of 2015-2024): joined by ONS code from :func:`electorate_dataset` of ``table.election``.
    Returned unchanged where it has electorates already; an :class:`InputError` names the districts
    the electorate file lacks."""
    import dataclasses

    import numpy as np

    if table.electorates is not None and np.any(table.electorates):
        return table
    if not table.election or table.codes is None:
        raise InputError("this data has no electorates, and no election year and ONS codes to find them")
    source = electorate_dataset(table.election)
    other = load_dataset(source, election=table.election, data_dir=data_dir)
    if other.electorates is None:
        raise InputError(f"data set {source} has no electorates")
    by_code = dict(zip(other.ids, other.electorates.tolist(), strict=True))
    missing = [d for d, c in zip(table.districts, table.ids, strict=True) if not by_code.get(c)]
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise InputError(f"{source} ({table.election}) has no electorate for {shown}")
    electorates = np.array([by_code[c] for c in table.ids], dtype=np.int64)
    return dataclasses.replace(table, electorates=electorates)
