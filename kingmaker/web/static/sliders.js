// Vote-share sliders: one per party of the base result (and Other, the parties too small for one),
// always summing to exactly 100. Moving one rebalances the unlocked others in proportion to their
// shares; a lock keeps a party's share. The server re-projects the seats from the shares.
// Loaded before app.js: nothing here runs until the page starts (app.js's start calls setupSliders).
"use strict";

const TOTAL_TENTHS = 1000; // shares are kept in tenths of a point, so the total is exact

// Set `party` to `target` tenths (clamped to what the locked parties leave) and share the rest among
// the unlocked others in proportion to their current shares (equally where all are at 0). Whole
// tenths by largest remainder; ties go to the larger current share, then to the earlier slider.
// `values`: {party: tenths} summing to TOTAL_TENTHS; `locked`: a Set of parties. Returns new values.
function rebalance(values, party, target, locked) {
  const others = Object.keys(values).filter((p) => p !== party);
  const free = others.filter((p) => !locked.has(p));
  const fixed = others.filter((p) => locked.has(p)).reduce((s, p) => s + values[p], 0);
  const room = Math.max(TOTAL_TENTHS - fixed, 0);
  const v = free.length ? Math.min(Math.max(Math.round(target), 0), room) : room;
  const out = { ...values, [party]: v };
  const left = room - v;
  const current = free.reduce((s, p) => s + values[p], 0);
  const exact = free.map((p) => (current > 0 ? (left * values[p]) / current : left / free.length));
  const whole = exact.map(Math.floor);
  let short = left - whole.reduce((a, b) => a + b, 0);
  const order = free.map((_, i) => i).sort((i, j) =>
    (exact[j] - whole[j]) - (exact[i] - whole[i]) || values[free[j]] - values[free[i]] || i - j);
  free.forEach((p, i) => { out[p] = whole[i]; });
  for (const i of order) {
    if (short <= 0) break;
    out[free[i]] += 1;
    short -= 1;
  }
  return out;
}

// Scale any non-negative shares to exactly TOTAL_TENTHS (a hand-edited permalink may not add up).
function normaliseShares(values) {
  const parties = Object.keys(values);
  const total = parties.reduce((s, p) => s + values[p], 0);
  if (total <= 0 || !parties.length) return null;
  const exact = parties.map((p) => (TOTAL_TENTHS * values[p]) / total);
  const out = {};
  parties.forEach((p, i) => { out[p] = Math.floor(exact[i]); });
  let short = TOTAL_TENTHS - parties.reduce((s, p) => s + out[p], 0);
  const order = parties.map((_, i) => i).sort((i, j) => (exact[j] - out[parties[j]]) - (exact[i] - out[parties[i]]) || i - j);
  for (const i of order) { if (short <= 0) break; out[parties[i]] += 1; short -= 1; }
  return out;
}

function sameShares(a, b) { return Object.keys(a).every((p) => a[p] === b[p]); }

const shareState = {
  base: null, // GET /api/project/base
  start: null, // {party: tenths} at the base
  values: null, // {party: tenths} now
  locked: new Set(),
};

// the shares for the server and the permalink: {party: percent}, Other under the key the server gave
function sharePercents() {
  const out = {};
  for (const [p, v] of Object.entries(shareState.values || {})) out[p] = v / 10;
  return out;
}

function setupSliders(base, link) {
  shareState.base = base;
  const start = {};
  for (const [p, v] of Object.entries(base.shares)) start[p] = Math.round(10 * v);
  if (base.other) start[base.other.key] = Math.round(10 * base.other.share);
  shareState.start = start;
  shareState.values = { ...start };
  const area = base.area;
  $("share-area").textContent = `Vote shares in ${area.name} (%), from the ${base.election || "base"} result` +
    (area.note ? `; ${area.note}.` : ".");
  const box = $("sliders");
  box.replaceChildren();
  for (const party of Object.keys(start)) box.appendChild(sliderRow(party));
  $("reset-shares").addEventListener("click", resetShares);
  $("swing-model").addEventListener("change", () => { if (state.projected) sendShares(); savePermalink(); });
  const wanted = link && link.shares ? restoredShares(link.shares) : null;
  if (wanted && !sameShares(wanted, start)) { shareState.values = wanted; showShares(); sendShares(); }
  else showShares();
}

function restoredShares(given) {
  const known = {};
  for (const p of Object.keys(shareState.start)) known[p] = p in given && given[p] >= 0 ? Math.round(10 * given[p]) : shareState.start[p];
  return normaliseShares(known);
}

function sliderRow(party) {
  const other = shareState.base.other && party === shareState.base.other.key;
  const row = el("div", { class: "slider-row", "data-party": party });
  const name = el("label", { for: `share-${party}` });
  const swatch = el("span", { class: "swatch" });
  swatch.style.background = other ? "#bbb" : colourOf(party);
  name.append(swatch, party);
  if (other) {
    const rest = shareState.base.other.parties;
    name.title = `${rest.length} parties each under ${shareState.base.other.floor}% of the vote: ${rest.slice(0, 12).join(", ")}${rest.length > 12 ? ", …" : ""}`;
  }
  const range = el("input", { type: "range", id: `share-${party}`, min: 0, max: 100, step: 0.1, "data-party": party, "aria-label": `${party} vote share` });
  const number = el("input", { type: "number", class: "share", min: 0, max: 100, step: 0.1, "data-party": party, "aria-label": `${party} vote share, percent` });
  const lock = el("button", { type: "button", class: "lock", "data-party": party, "aria-pressed": "false", title: `Keep ${party}'s share when others move` }, "lock");
  range.addEventListener("input", () => moveShare(party, Math.round(10 * Number(range.value))));
  number.addEventListener("change", () => moveShare(party, Math.round(10 * Number(number.value))));
  lock.addEventListener("click", () => {
    if (shareState.locked.has(party)) shareState.locked.delete(party); else shareState.locked.add(party);
    showShares();
  });
  row.append(name, range, number, lock);
  return row;
}

function moveShare(party, tenths) {
  if (shareState.locked.has(party) || !Number.isFinite(tenths)) { showShares(); return; }
  shareState.values = rebalance(shareState.values, party, tenths, shareState.locked);
  showShares();
  sendShares();
}

// every slider, number box and lock from shareState.values; the running total
function showShares() {
  for (const row of $("sliders").querySelectorAll(".slider-row")) {
    const party = row.dataset.party;
    const v = shareState.values[party];
    const locked = shareState.locked.has(party);
    row.querySelector("input[type=range]").value = String(v / 10);
    row.querySelector("input[type=number]").value = (v / 10).toFixed(1);
    row.querySelector("input[type=range]").disabled = locked;
    row.querySelector("input[type=number]").disabled = locked;
    const lock = row.querySelector("button.lock");
    lock.setAttribute("aria-pressed", locked ? "true" : "false");
    lock.textContent = locked ? "locked" : "lock";
    row.classList.toggle("locked", locked);
  }
  const total = Object.values(shareState.values).reduce((s, v) => s + v, 0);
  $("share-total").textContent = `Total ${(total / 10).toFixed(1)}%`;
}

// the projection is asked for 250 ms after the last move (no request per pixel of a drag)
let projectionRequest = 0;
let shareTimer = null;
function sendShares() {
  clearTimeout(shareTimer);
  shareTimer = setTimeout(projectShares, 250);
}

async function projectShares() {
  const ticket = ++projectionRequest;
  if (sameShares(shareState.values, shareState.start)) { showServed(); return; }
  try {
    const r = await api("/api/project", { shares: sharePercents(), model: $("swing-model").value });
    if (ticket !== projectionRequest) return;
    state.seats = r.view.seats;
    state.parliament = r.view.parliament;
    state.projected = true;
    $("projection-text").textContent = r.view.text || "";
    $("projection-text").classList.remove("error");
    showHouse();
  } catch (err) {
    if (ticket !== projectionRequest) return;
    $("projection-text").textContent = err.message;
    $("projection-text").classList.add("error");
  }
  savePermalink();
}

// back to the served parliament: the sliders at the base, the title without "projected"
function resetShares() {
  shareState.values = { ...shareState.start };
  shareState.locked.clear();
  showShares();
  projectionRequest++;
  showServed();
}

function showServed() {
  state.seats = null;
  state.parliament = state.served;
  state.projected = false;
  $("projection-text").textContent = "";
  showHouse();
  savePermalink();
}

function showHouse() {
  for (const n of [...state.selected]) if (!state.parliament.parties.some((p) => p.name === n && p.voting_seats > 0)) state.selected.delete(n);
  showTitle();
  drawChips(); drawHemicycle(); refreshAnalysis();
}
