// kingmaker page: vanilla JS + SVG. Every number comes from the server's JSON API.
// Classic scripts sharing one global scope: app.js (state, hemicycle, coalition, governments, power,
// counts, start), sliders.js (vote shares), export.js (CSV/SVG/PNG), permalink.js (the view's state
// in the URL). The last three only define functions and constants, so they load before app.js;
// everything runs from start(), once the DOM and every script are in.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const THEORIES = ["minimum_winning", "minimal_connected_winning", "minimal_range", "fewest_parties"];
const state = {
  config: null,
  parliament: null, // hemicycle payload currently drawn
  selected: new Set(),
  seats: null, // seat override (projection or live); null = the served parliament
  governments: [],
  sortKey: "seats",
  sortDir: 1,
  sortChosen: false, // the user clicked a column: keep their order
  served: null, // the served parliament's hemicycle payload (what a reset of the sliders returns to)
  projected: false, // a vote-share slider moved: the House on show is a projection
  liveVersion: -1,
  live: false,
};

function $(id) { return document.getElementById(id); }

function el(tag, attrs = {}, text = null) {
  const node = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== null) node.textContent = text;
  return node;
}

// The server answers at most max_reads_per_client expensive reads (the POSTs) of one client at once
// and refuses more with 429: the page queues its own to that many, and retries a 429 (the server's
// limit for all clients) after its Retry-After.
const RETRIES = 5;
const reads = { running: 0, waiting: [] };

async function readSlot() {
  const most = (state.config && state.config.limits.max_reads_per_client) || 1;
  if (reads.running < most) { reads.running++; return; }
  await new Promise((ok) => reads.waiting.push(ok)); // the finishing read hands its slot over
}

function releaseSlot() {
  const next = reads.waiting.shift();
  if (next) next(); else reads.running--;
}

async function send(path, init) {
  let res = await fetch(path, init);
  for (let i = 0; res.status === 429 && i < RETRIES; i++) {
    const wait = Number(res.headers.get("Retry-After")) || 0.5;
    await new Promise((ok) => setTimeout(ok, Math.min(wait, 2) * 1000 * (0.5 + Math.random())));
    res = await fetch(path, init);
  }
  return res;
}

async function api(path, body = undefined) {
  const init = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  let res;
  if (body === undefined) res = await fetch(path, init);
  else {
    await readSlot();
    try { res = await send(path, init); } finally { releaseSlot(); }
  }
  const data = await res.json().catch(() => ({ error: res.statusText }));
  if (!res.ok) throw new Error(data.error || res.statusText);
  return data;
}

function debounce(fn, ms) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

function threshold() { return $("threshold").value; }

// which House the analysis runs on: the live one, a projection's seats, or the served parliament
function scope() { return state.live ? { live: true } : { seats: state.seats }; }

function colourOf(name) {
  const p = state.parliament.parties.find((q) => q.name === name);
  return p ? p.colour : "#999";
}

// ----------------------------------------------------------------- hemicycle
function drawHemicycle() {
  const svg = $("hemicycle");
  svg.replaceChildren();
  const p = state.parliament;
  const r = p.layout.radius;
  const chosen = state.selected;
  drawLegend();
  for (const [x, y, party] of p.layout.seats) {
    const c = el("svg:circle", { cx: x, cy: -y, r, fill: colourOf(party) });
    c.setAttribute("fill-opacity", chosen.size === 0 || chosen.has(party) ? "1" : "0.18");
    c.dataset.party = party;
    svg.appendChild(c);
  }
  const legend = [];
  for (const line of p.layout.lines) {
    const theta = Math.PI - line.angle;
    const x2 = 1.08 * Math.cos(theta), y2 = -1.08 * Math.sin(theta);
    // under the seats: where rows interleave (small Houses) a seat hides the line, not the reverse
    svg.insertBefore(el("svg:line", {
      class: line.kind, x1: 0.42 * Math.cos(theta), y1: -0.42 * Math.sin(theta), x2, y2,
    }), svg.firstChild);
    // label the outer end: the working threshold (never above the majority) to the left of its
    // line, the majority to the right, so two lines a few seats apart keep readable labels
    const left = line.kind === "working";
    svg.appendChild(el("svg:text", {
      class: `line-label ${line.kind}`, x: x2 + (left ? -0.015 : 0.015), y: y2 - 0.012,
      "text-anchor": left ? "end" : "start",
    }, left ? `working ${line.seats}` : `majority ${line.seats}`));
    legend.push(line.kind === "majority"
      ? `dashed line: majority, ${line.seats} of ${p.house}`
      : `dotted line: working majority, ${line.seats} of ${p.voting_members} voting`);
  }
  const inSeats = [...chosen].reduce((s, n) => s + (p.parties.find((q) => q.name === n)?.seats || 0), 0);
  svg.appendChild(el("svg:text", { class: "total", x: 0, y: -0.08 }, chosen.size ? `${inSeats} seats` : `${p.house} seats`));
  $("lines-legend").textContent = legend.join("; ");
  if (state.live) decorateLiveSeats(svg); // live.js: declared seats solid, projected ones hatched
}

// the parties of the House on show, in hemicycle order: colour, name, seats
function legendEntries() {
  const p = state.parliament;
  return p.order.map((name) => p.parties.find((q) => q.name === name)).filter((q) => q && q.seats > 0);
}

function drawLegend() {
  $("legend").replaceChildren(...legendEntries().map((party) => {
    const li = el("li", { "data-party": party.name, title: party.full_name || party.name });
    const swatch = el("span", { class: "swatch" });
    swatch.style.background = party.colour;
    // the full name on a wide screen, the short one on a phone (style.css picks)
    li.append(swatch, el("span", { class: "name full" }, party.full_name || party.name),
      el("span", { class: "name short" }, party.name), el("span", { class: "seats" }, String(party.seats)));
    if (state.selected.size && !state.selected.has(party.name)) li.classList.add("dim");
    return li;
  }));
}

// ----------------------------------------------------------------- chips and the coalition
function drawChips() {
  const box = $("chips");
  box.replaceChildren();
  for (const party of state.parliament.parties) {
    if (party.voting_seats <= 0) continue;
    const chip = el("button", { type: "button", class: "chip", "data-party": party.name,
      "aria-pressed": state.selected.has(party.name) ? "true" : "false",
      title: `${party.full_name || party.name}: ${party.seats} seats` });
    const swatch = el("span", { class: "swatch" });
    swatch.style.background = party.colour;
    chip.append(swatch, `${party.name} ${party.seats}`);
    chip.addEventListener("click", () => toggle(party.name));
    box.appendChild(chip);
  }
}

function toggle(name) {
  if (state.selected.has(name)) state.selected.delete(name); else state.selected.add(name);
  drawChips();
  drawHemicycle();
  updateCoalition();
  savePermalink();
}

let coalitionRequest = 0;
async function updateCoalition() {
  const ticket = ++coalitionRequest;
  const text = $("coalition-text");
  const list = $("completions");
  if (state.selected.size === 0) {
    text.textContent = "Click parties to build a coalition.";
    $("pivotal").textContent = "";
    list.replaceChildren();
    return;
  }
  const order = state.parliament.parties.map((p) => p.name).filter((n) => state.selected.has(n));
  try {
    const r = await api("/api/coalition", { parties: order, threshold: threshold(), ...scope() });
    if (ticket !== coalitionRequest) return;
    text.textContent = r.view.text;
    text.classList.remove("error");
    $("pivotal").textContent = r.wins
      ? `Pivotal (each could bring it down): ${r.pivotal.join(", ") || "none"}. Needed: ${r.quota}.`
      : `Needed: ${r.quota}. Smallest sets of partners that complete it:`;
    list.replaceChildren(...r.completions.map((c) =>
      el("li", {}, `+ ${c.partners.join("+")} → ${c.seats} seats, majority of ${c.majority}`)));
  } catch (err) {
    if (ticket !== coalitionRequest) return;
    text.textContent = err.message;
    text.classList.add("error");
  }
}

// ----------------------------------------------------------------- governments and power
let governmentsRequest = 0;
async function loadGovernments() {
  const ticket = ++governmentsRequest;
  try {
    const t = await api("/api/coalitions", { threshold: threshold(), ...scope(), top: 100, minimal_only: true });
    if (ticket !== governmentsRequest) return;
    const probs = t.view && t.view.formation ? t.view.formation : null;
    state.governments = t.coalitions.map((c, i) => ({ ...c, probability: probs ? probs[i] : null }));
    if (probs && !state.sortChosen) { setSort("probability", -1, false); return; }
  } catch (err) {
    if (ticket !== governmentsRequest) return;
    state.governments = [];
  }
  drawGovernments();
}

function sortValue(c, key) {
  if (key === "parties") return c.parties.join("+");
  if (key === "pivotal") return c.pivotal.length;
  if (key === "probability") return c.probability === null ? -Infinity : c.probability;
  if (THEORIES.includes(key)) return c[key] ? 0 : 1; // tagged first
  return c[key] === null ? Infinity : c[key];
}

// the governments in the table's order (the CSV export writes the same order)
function sortedGovernments() {
  return [...state.governments].sort((a, b) => {
    const x = sortValue(a, state.sortKey), y = sortValue(b, state.sortKey);
    return (x < y ? -1 : x > y ? 1 : a.seats - b.seats) * state.sortDir;
  });
}

// the sort: by a column (its header or the select), likeliest first where the model scores them
function defaultDir(key) { return key === "probability" ? -1 : 1; }

function setSort(key, dir, chosen = true) {
  state.sortKey = key;
  state.sortDir = dir;
  state.sortChosen = state.sortChosen || chosen;
  $("sort").value = key;
  $("sort-dir").textContent = dir > 0 ? "↑ ascending" : "↓ descending";
  for (const th of $("government-table").querySelectorAll("th[data-key]")) {
    if (th.dataset.key === key) th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
    else th.removeAttribute("aria-sort");
  }
  drawGovernments();
  if (chosen) savePermalink();
}

function setupSort() {
  const heads = [...$("government-table").querySelectorAll("th[data-key]")];
  $("sort").replaceChildren(...heads.map((th) => el("option", { value: th.dataset.key, title: th.title }, th.textContent)));
  for (const th of heads) {
    th.tabIndex = 0;
    const pick = () => setSort(th.dataset.key, state.sortKey === th.dataset.key ? -state.sortDir : defaultDir(th.dataset.key));
    th.addEventListener("click", pick);
    th.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); pick(); } });
  }
  $("sort").addEventListener("change", () => setSort($("sort").value, defaultDir($("sort").value)));
  $("sort-dir").addEventListener("click", () => setSort(state.sortKey, -state.sortDir));
  setSort(state.sortKey, state.sortDir, false);
}

function drawGovernments() {
  const body = $("government-table").querySelector("tbody");
  const rows = sortedGovernments();
  body.replaceChildren(...rows.map((c) => {
    const tr = el("tr");
    const p = c.probability === null ? "–" : `${(100 * c.probability).toFixed(1)}%`;
    const cells = [c.parties.join("+"), p, c.seats, `+${c.majority}`, c.range === null ? "–" : c.range.toFixed(2),
      ...THEORIES.map((k) => (c[k] ? "✓" : "")), c.pivotal.join(", ")];
    for (const v of cells) tr.appendChild(el("td", {}, String(v)));
    tr.addEventListener("click", () => { state.selected = new Set(c.parties); drawChips(); drawHemicycle(); updateCoalition(); savePermalink(); });
    return tr;
  }));
}

async function loadPower() {
  const body = $("power-table").querySelector("tbody");
  if (!state.config.features.power) {
    $("power-note").textContent = "Power indices are not available in this installation.";
    return;
  }
  try {
    const r = await api("/api/power", { threshold: threshold(), ...scope() });
    body.replaceChildren(...r.view.rows.map((row) => {
      const tr = el("tr");
      for (const v of [row.party, row.seats, row.shapley_shubik.toFixed(4), row.banzhaf.toFixed(4)]) tr.appendChild(el("td", {}, String(v)));
      return tr;
    }));
    $("power-note").textContent = `Quota ${r.view.quota} (${r.view.threshold} majority).`;
  } catch (err) {
    $("power-note").textContent = err.message;
  }
}

function refreshAnalysis() { updateCoalition(); loadGovernments(); loadPower(); }

// ----------------------------------------------------------------- ballot upload
function setupUpload() {
  $("upload-limit").textContent = `${Math.round(state.config.limits.max_body_bytes / 1024)} KiB and ${state.config.limits.max_ballots} ballots`;
  // A workbook can only be ES&S's; a .zip (a vendor folder) is recognised by the server.
  $("ballot-file").addEventListener("change", () => {
    const file = $("ballot-file").files[0];
    const ext = file ? file.name.toLowerCase().split(".").pop() : "";
    const formats = state.config.registries.ballot_formats.map((e) => e.name);
    if (ext === "xlsx" && formats.includes("ess")) $("ballot-format").value = "ess";
  });
  $("count-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const file = $("ballot-file").files[0];
    if (!file) return;
    if (file.size > state.config.limits.max_body_bytes) { $("count-text").textContent = "file too large"; return; }
    const q = new URLSearchParams({ method: $("count-method").value, seats: $("count-seats").value, format: $("ballot-format").value });
    const contest = $("count-contest").value.trim();
    if (contest) q.set("contest", contest);
    $("count-text").textContent = "counting…";
    try {
      const res = await fetch(`/api/count?${q}`, { method: "POST", headers: { "Content-Type": "application/octet-stream" }, body: file });
      const data = await res.json();
      if (!res.ok) throw new Error(data.error || res.statusText);
      drawCount(data);
    } catch (err) {
      $("count-text").textContent = err.message;
      $("count-rounds").replaceChildren();
    }
  });
}

// The count sheet: candidates by round, then the inactive ballots, by reason where the count
// records them (overvotes, skipped rankings, repeated rankings, exhausted choices), as the CLI's.
function drawCount(result) {
  const used = result.provenance && result.provenance.options ? result.provenance.options.format : "";
  $("count-text").textContent = `Elected: ${result.winners.join(", ")} (${result.method}, ${result.rounds.length} rounds${used ? `, read as ${used}` : ""})`;
  const table = el("table", { class: "count-sheet" });
  const head = el("tr");
  head.appendChild(el("th", {}, "Candidate"));
  result.rounds.forEach((r) => head.appendChild(el("th", {}, `Round ${r.round}`)));
  table.appendChild(head);
  const row = (label, value, cls) => {
    const tr = el("tr", cls ? { class: cls } : {});
    tr.appendChild(el("td", {}, label));
    for (const r of result.rounds) {
      const v = value(r);
      tr.appendChild(el("td", {}, v === undefined || v === null ? "" : String(v)));
    }
    table.appendChild(tr);
  };
  for (const name of result.candidates) {
    row(name, (r) => {
      const v = r.tallies[name];
      if (v === undefined || v === null) return v;
      return (r.elected || []).includes(name) ? `${v} *` : (r.eliminated || []).includes(name) ? `${v} x` : v;
    });
  }
  row("Inactive (exhausted)", (r) => r.exhausted, "inactive");
  const reasons = [];
  for (const r of result.rounds) {
    for (const [k, v] of Object.entries(r.inactive || {})) if (v && !reasons.includes(k)) reasons.push(k);
  }
  for (const key of reasons) row(`\u00a0\u00a0\u00a0${key.replace(/_/g, " ")}`, (r) => (r.inactive || {})[key] || 0, "inactive-reason");
  $("count-rounds").replaceChildren(table, el("p", { class: "small" }, "* elected, x eliminated at the end of that round"));
  drawFlow(result);
}

// transfers between rounds: a column of bars per round, a band from each loser to each gainer
function drawFlow(result) {
  const svg = $("flow");
  svg.replaceChildren();
  const rounds = result.rounds;
  const names = [...result.candidates, "exhausted"];
  const colW = 130, barW = 14, height = 28 * names.length + 30;
  const width = colW * rounds.length + 80;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  const maxTotal = Math.max(...rounds.map((r) => Object.values(r.tallies).reduce((a, b) => a + b, 0) + r.exhausted));
  const scale = (height - 40) / (maxTotal || 1);
  const yPos = {};
  rounds.forEach((r, i) => {
    let y = 20;
    const x = 10 + i * colW;
    yPos[i] = {};
    svg.appendChild(el("svg:text", { x, y: 12 }, `Round ${r.round}`));
    for (const name of names) {
      const v = name === "exhausted" ? r.exhausted : (r.tallies[name] || 0);
      const h = Math.max(0, v * scale);
      yPos[i][name] = { y, h };
      if (h > 0) {
        svg.appendChild(el("svg:rect", { x, y, width: barW, height: h, fill: name === "exhausted" ? "#bbb" : "#4E79A7" }));
        if (i === 0 || h > 10) svg.appendChild(el("svg:text", { x: x + barW + 3, y: y + Math.min(h, 12) }, name));
      }
      y += h + 4;
    }
    if (i === 0) return;
    const moves = Object.entries(r.transfers || {});
    const losers = moves.filter(([, d]) => d < 0);
    const gainers = moves.filter(([, d]) => d > 0);
    if (r.exhausted_transfer > 0) gainers.push(["exhausted", r.exhausted_transfer]);
    const lost = losers.reduce((s, [, d]) => s - d, 0) || 1;
    for (const [from, d] of losers) {
      const src = yPos[i - 1][from];
      if (!src) continue;
      let offset = 0;
      for (const [to, g] of gainers) {
        const dst = yPos[i][to];
        const band = g * (-d / lost) * scale;
        if (!dst || band <= 0) continue;
        const x0 = 10 + (i - 1) * colW + barW, x1 = 10 + i * colW;
        const y0 = src.y + offset, y1 = dst.y + dst.h - band;
        const path = `M${x0},${y0} C${(x0 + x1) / 2},${y0} ${(x0 + x1) / 2},${y1} ${x1},${y1} ` +
          `L${x1},${y1 + band} C${(x0 + x1) / 2},${y1 + band} ${(x0 + x1) / 2},${y0 + band} ${x0},${y0 + band} Z`;
        svg.appendChild(el("svg:path", { d: path, fill: "#F28E2B", "fill-opacity": 0.45 }));
        offset += band;
      }
    }
  });
}

// the heading and the majority arithmetic of the House on show (projections and live results change it)
function showTitle() {
  $("title").textContent = (state.parliament.title || state.parliament.name) + (state.projected ? " — projected" : "");
  $("subtitle").textContent = state.parliament.explain.join(" ");
}

// ----------------------------------------------------------------- choices from the registries
function fillSelect(id, entries) {
  // One <option> per registry entry (name, summary as its tooltip): no name is kept in the page.
  const label = (e) => (e.aliases.length ? `${e.name} (${e.aliases.join(", ")})` : e.name);
  $(id).replaceChildren(...entries.map((e) => el("option", { value: e.name, title: e.summary }, label(e))));
}

// ----------------------------------------------------------------- start
async function start() {
  state.config = await api("/api/config");
  fillSelect("swing-model", state.config.registries.swing_models);
  fillSelect("ballot-format", state.config.registries.ballot_formats);
  fillSelect("count-method", state.config.registries.count_methods);
  state.parliament = await api("/api/parliament");
  state.served = state.parliament;
  const link = readPermalink();
  restoreView(link);
  showTitle();
  $("threshold").addEventListener("change", () => { drawHemicycle(); refreshAnalysis(); savePermalink(); });
  setupSort();
  setupExport();
  drawChips();
  drawHemicycle();
  refreshAnalysis();
  if (state.config.features.projection) {
    const base = await api("/api/project/base").catch(() => null);
    if (base) { $("projection").hidden = false; setupSliders(base, link); }
  }
  if (state.config.features.count) { $("count").hidden = false; setupUpload(); }
  if (state.config.mode === "live") connectLive();
  document.body.dataset.ready = "true";
}

document.addEventListener("DOMContentLoaded", start);
