// kingmaker results night (kingmaker live): the live panel, the feed, the corrections, and the
// declared/projected drawing of the hemicycle. Loaded after app.js, whose helpers it uses
// ($, el, state, colourOf, drawChips, drawHemicycle, refreshAnalysis, showTitle).
"use strict";

const live = { state: null };

function fmt(n) { return Number(n).toLocaleString("en-GB"); }

function clock(seconds) {
  return new Date(seconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

// Declared seats solid, projected ones hatched in the party's colour: each party's first
// `declared` seats (in the drawing's order) are its declared ones.
function decorateLiveSeats(svg) {
  const s = live.state;
  if (!s) return;
  const declared = Object.fromEntries(s.seats.map((r) => [r.party, r.declared]));
  const defs = el("svg:defs");
  svg.insertBefore(defs, svg.firstChild);
  const patterns = {};
  const seen = {};
  for (const c of svg.querySelectorAll("circle")) {
    const party = c.dataset.party;
    seen[party] = (seen[party] || 0) + 1;
    if (seen[party] <= (declared[party] || 0)) { c.dataset.status = "declared"; continue; }
    c.dataset.status = "projected";
    c.classList.add("projected");
    if (!patterns[party]) {
      const id = `hatch-${Object.keys(patterns).length}`;
      const colour = colourOf(party);
      const pat = el("svg:pattern", { id, patternUnits: "userSpaceOnUse", width: 0.014, height: 0.014, patternTransform: "rotate(45)" });
      pat.append(el("svg:rect", { width: 0.014, height: 0.014, fill: colour, "fill-opacity": 0.22 }),
        el("svg:line", { x1: 0.003, y1: 0, x2: 0.003, y2: 0.014, stroke: colour, "stroke-width": 0.006 }));
      defs.appendChild(pat);
      patterns[party] = id;
    }
    c.setAttribute("fill", `url(#${patterns[party]})`);
    c.setAttribute("stroke", colourOf(party));
  }
  const legend = $("live-legend");
  legend.hidden = false;
  legend.replaceChildren(el("span", { class: "key declared" }), " declared seat (solid); ",
    el("span", { class: "key projected" }), ` projected seat (hatched): ${s.to_come} still to come, projected from the swing seen so far.`);
}

function rangeText(row) {
  if (!row.interval_90) return "–";
  const [lo, hi] = row.interval_90;
  return lo === hi ? String(lo) : `${lo}–${hi}`;
}

function feedItem(d) {
  const li = el("li", { class: d.result });
  const swatch = el("span", { class: "swatch" });
  swatch.style.background = colourOf(d.winner);
  const outcome = d.result === "gain" ? `${d.winner} GAIN from ${d.from}` : `${d.winner} HOLD`;
  const parts = [`majority ${fmt(d.majority)}${d.majority_pct === null ? "" : ` (${d.majority_pct.toFixed(1)}%)`}`];
  if (d.swing) {
    const p = d.swing.points;
    if (p === 0) parts.push("no swing");
    else parts.push(p > 0 ? `swing ${p.toFixed(1)}% ${d.swing.from} to ${d.swing.to}` : `swing ${(-p).toFixed(1)}% ${d.swing.to} to ${d.swing.from}`);
  }
  if (d.turnout !== null) parts.push(`turnout ${d.turnout.toFixed(1)}% (of the base electorate)`);
  if (d.by_lot) parts.push("tie decided by lot");
  li.append(swatch, el("strong", {}, d.constituency), `: ${outcome} — ${parts.join(", ")}`);
  if (d.amended_at !== null) li.append(" ", el("em", {}, "(amended)"));
  li.dataset.constituency = d.constituency;
  return li;
}

function votesText(v) {
  return v ? Object.entries(v).map(([p, n]) => `${p} ${fmt(n)}`).join(", ") : "";
}

function correctionItem(c) {
  const li = el("li", { class: c.action });
  const what = c.action === "amend" ? "amended" : "withdrawn";
  li.append(`${clock(c.changed_at)} `, el("strong", {}, c.constituency), ` ${what} by ${c.actor}`);
  if (c.action === "amend") {
    const changed = Object.keys({ ...c.old_votes, ...c.new_votes })
      .filter((p) => (c.old_votes[p] || 0) !== (c.new_votes[p] || 0))
      .map((p) => `${p} ${fmt(c.old_votes[p] || 0)} → ${fmt(c.new_votes[p] || 0)}`);
    if (c.old_winner !== c.new_winner) changed.push(`winner by lot ${c.old_winner || "–"} → ${c.new_winner || "–"}`);
    li.append(`: ${changed.join(", ") || "no change in votes"}`);
  } else {
    li.append(` (was ${votesText(c.old_votes)})`);
  }
  li.append(` — reason: ${c.reason}`);
  li.dataset.constituency = c.constituency;
  return li;
}

function applyLive(s) {
  if (s.version === state.liveVersion) return;
  state.liveVersion = s.version;
  live.state = s;
  $("live-panel").hidden = false;
  $("live-status").hidden = false;
  $("live-status").textContent = `LIVE: ${s.declared} of ${s.total} declared, ${s.to_come} to come`;
  $("live-progress").textContent = `Seats declared: ${s.declared} · to come: ${s.to_come}`;
  $("live-summary").textContent = s.summary;
  state.parliament = s.parliament;
  state.live = true;
  showTitle();
  for (const n of [...state.selected]) if (!s.parliament.parties.some((p) => p.name === n && p.voting_seats > 0)) state.selected.delete(n);
  const seatBody = $("live-seats").querySelector("tbody");
  seatBody.replaceChildren(...s.seats.map((r) => {
    const tr = el("tr", { "data-party": r.party });
    for (const v of [r.party, r.declared, r.projected, r.total, rangeText(r)]) tr.appendChild(el("td", {}, String(v)));
    return tr;
  }));
  $("live-feed").replaceChildren(...s.feed.map(feedItem));
  const coBody = $("live-coalitions").querySelector("tbody");
  coBody.replaceChildren(...s.coalitions.map((c) => {
    const tr = el("tr");
    for (const v of [c.parties.join("+"), c.seats, c.probability === null ? "–" : `${(100 * c.probability).toFixed(0)}%`]) tr.appendChild(el("td", {}, String(v)));
    return tr;
  }));
  $("live-corrections").replaceChildren(...s.corrections.map(correctionItem));
  $("live-corrections-none").hidden = s.corrections.length > 0;
  drawChips(); drawHemicycle(); refreshAnalysis();
}

function connectLive() {
  const source = new EventSource("/api/live/events");
  source.addEventListener("state", (ev) => applyLive(JSON.parse(ev.data)));
  source.onerror = () => { $("live-status").textContent = "LIVE: reconnecting…"; };
}
