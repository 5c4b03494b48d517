// The view's state in the URL's hash, so a reader can share exactly what they see:
//   #with=Con&with=LD&threshold=absolute&sort=-probability&model=uniform&v.Con=46.9&v.Lab=23.7...
// (the coalition chosen, the majority threshold, the governments' sort, minus for descending, and
// the vote shares where a slider moved). Written with replaceState on every change (no history
// entry per click) and read once on load.
"use strict";

const SHARE_PREFIX = "v.";

function readPermalink() {
  const q = new URLSearchParams(location.hash.replace(/^#/, ""));
  const link = { with: q.getAll("with"), threshold: q.get("threshold"), sort: q.get("sort"), model: q.get("model"), shares: null };
  for (const [key, value] of q) {
    if (!key.startsWith(SHARE_PREFIX) || value.trim() === "" || !Number.isFinite(Number(value))) continue;
    link.shares = link.shares || {};
    link.shares[key.slice(SHARE_PREFIX.length)] = Number(value);
  }
  return link;
}

// threshold, coalition and sort from the link (the shares wait for the sliders: setupSliders)
function restoreView(link) {
  const options = [...$("threshold").options].map((o) => o.value);
  if (options.includes(link.threshold)) $("threshold").value = link.threshold;
  const names = new Set(state.parliament.parties.filter((p) => p.voting_seats > 0).map((p) => p.name));
  for (const name of link.with) if (names.has(name)) state.selected.add(name);
  if (link.sort) {
    const key = link.sort.replace(/^-/, "");
    const keys = [...$("government-table").querySelectorAll("th[data-key]")].map((th) => th.dataset.key);
    if (keys.includes(key)) {
      state.sortKey = key;
      state.sortDir = link.sort.startsWith("-") ? -1 : 1;
      state.sortChosen = true;
    }
  }
  const models = [...$("swing-model").options].map((o) => o.value);
  if (models.includes(link.model)) $("swing-model").value = link.model;
}

function permalinkHash() {
  const q = new URLSearchParams();
  const order = state.parliament.parties.map((p) => p.name);
  for (const name of order) if (state.selected.has(name)) q.append("with", name);
  q.set("threshold", threshold());
  if (state.sortChosen) q.set("sort", `${state.sortDir < 0 ? "-" : ""}${state.sortKey}`);
  if (state.projected) {
    q.set("model", $("swing-model").value);
    for (const [party, share] of Object.entries(sharePercents())) q.set(SHARE_PREFIX + party, share.toFixed(1));
  }
  return q.toString();
}

function savePermalink() {
  if (!state.parliament) return;
  const url = `${location.pathname}${location.search}#${permalinkHash()}`;
  history.replaceState(null, "", url);
  $("permalink").value = location.href;
}

function setupPermalink() {
  $("copy-link").addEventListener("click", async () => {
    savePermalink();
    $("permalink").select();
    try {
      await navigator.clipboard.writeText(location.href);
      $("export-note").textContent = "Link copied.";
    } catch (err) {
      $("export-note").textContent = "Copy the selected link.";
    }
  });
  $("permalink").value = location.href;
}
