"""The count upload: a ballot file in any format kingmaker reads, vendor workbooks and folders included.

``POST /api/count`` takes the file as the request body (never written to disk):

* a text format (BLT, PrefLib, the CSVs, CDF, a single Dominion ``CvrExport.json``...): the body
  is the file, read with the format asked for;
* an ES&S ``.xlsx``: the body is the workbook, read with ES&S's own cell labels (``overvote``,
  ``undervote``, ``UWI``) as RCTab's ES&S configurations give them;
* a vendor folder (Dominion manifests and ``CvrExport*.json``, or Hart's XML files) zipped: its
  files are opened in memory (:mod:`kingmaker.io._folder`).

A zip body (a workbook is one) is read with the format asked for when that format reads it, else
with the one whose sniffer claims it. Every zip is first checked from its directory alone:
at most :data:`MAX_ZIP_MEMBERS` files and :data:`MAX_UNZIPPED_BYTES` uncompressed (a 2 MiB zip
bomb is refused with 413 before anything is inflated); then the readers check what the files
hold against :data:`~kingmaker.web.models.UPLOAD_LIMITS` (candidates, ballots, ranks).
"""

from __future__ import annotations

from typing import Any

from kingmaker.ballots import Ballots
from kingmaker.errors import InputError
from kingmaker.io import BALLOT_FORMATS, read_ballots
from kingmaker.io._folder import check_zip, is_zip, unzip_folder
from kingmaker.io.registry import detect_raw
from kingmaker.provenance import json_safe, provenance
from kingmaker.web.models import MAX_UNZIPPED_BYTES, MAX_ZIP_MEMBERS, UPLOAD_LIMITS

#: The cell labels of ES&S exports, as RCTab's ES&S contest configurations name them.
ESS_LABELS = {
    "overvote_label": "overvote",
    "undervote_label": "undervote",
    "undeclared_write_in_label": "UWI",
}
NAME = "upload"


def read_upload(body: bytes, fmt: str, contest: str | None = None) -> tuple[Ballots, str]:
    """The ballots of an uploaded file and the format they were read with (see the module doc)."""
    entry = BALLOT_FORMATS.get(fmt, what="ballot format")
    source: Any = body
    if is_zip(body):
        check_zip(body, NAME, max_members=MAX_ZIP_MEMBERS, max_bytes=MAX_UNZIPPED_BYTES)
        claimed = detect_raw(body)
        if claimed is None:  # not a workbook: a zipped folder
            source = unzip_folder(body, NAME, max_members=MAX_ZIP_MEMBERS, max_bytes=MAX_UNZIPPED_BYTES)
            claimed = detect_raw(source)
        sniff = entry.extra.get("sniff_raw")
        if not (entry.extra.get("raw") and sniff is not None and sniff(source)):
            if claimed is None:
                raise InputError(
                    "a .zip upload holds an ES&S workbook or a vendor's CVR folder (Dominion, Hart); "
                    "this one holds neither",
                    source=NAME,
                )
            entry = claimed
    options: dict[str, Any] = dict(ESS_LABELS) if set(ESS_LABELS) <= set(entry.options) else {}
    if contest:
        if "contest_id" not in entry.options:
            raise InputError(f"the {entry.name} format has no contests to choose from; leave contest empty")
        options["contest_id"] = contest
    return read_ballots(source, entry.name, name=NAME, limits=UPLOAD_LIMITS, **options), entry.name


def count_upload(
    body: bytes, fmt: str, method: str, seats: int, contest: str | None = None
) -> dict[str, Any]:
    """``POST /api/count``'s answer: :meth:`kingmaker.counting.Result.to_dict` at the method's
    registered display places (each round's inactive ballots by reason included, where the method
    records them), as ``kingmaker count --format json`` prints it, with a provenance block naming
    the format the file was read with."""
    from kingmaker.counting import count
    from kingmaker.counting.registry import METHODS

    ballots, used = read_upload(body, fmt, contest)
    if seats >= ballots.n_candidates:
        raise InputError(f"{seats} seats for {ballots.n_candidates} candidates: nothing to count")
    result = count(ballots, method, seats)
    places = METHODS.get(result.method).places if result.method in METHODS else None
    data = json_safe(result.to_dict(places=4 if places is None else places))
    options: dict[str, Any] = {"method": method, "seats": seats, "format": used}
    if contest:
        options["contest"] = contest
    return {**data, "provenance": provenance("count", options, {"upload": body})}
