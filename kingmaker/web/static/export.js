// Export of the view on show: the seats and the governments table as CSV, the hemicycle (with its
// title and legend) as a standalone SVG, and that SVG drawn on a canvas as PNG. Files are made in
// the browser from what the page holds; nothing is fetched.
"use strict";

// the rules of style.css the hemicycle needs, inlined so the SVG file stands alone
const SVG_STYLE = `
circle { stroke: #444; stroke-width: 0.002; }
line.majority { stroke: #000; stroke-width: 0.006; stroke-dasharray: 0.03 0.015; }
line.working { stroke: #000; stroke-width: 0.006; stroke-dasharray: 0.008 0.012; }
text { font-family: system-ui, sans-serif; fill: #222; }
text.total { font-size: 0.07px; text-anchor: middle; font-weight: 600; }
text.line-label { font-size: 0.035px; }
text.title { font-size: 0.05px; text-anchor: middle; font-weight: 600; }
text.legend { font-size: 0.04px; }`;
const PNG_WIDTH = 1600; // pixels

function csvCell(value) {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvText(rows) { return rows.map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n"; }

function seatsCsv() {
  const rows = [["party", "name", "seats", "colour"]];
  for (const p of legendEntries()) rows.push([p.name, p.full_name || p.name, p.seats, p.colour]);
  return csvText(rows);
}

function governmentsCsv() {
  const rows = [["coalition", "p_forms", "seats", "majority", "range", ...THEORIES, "pivotal"]];
  for (const c of sortedGovernments()) {
    rows.push([c.parties.join("+"), c.probability === null ? "" : c.probability, c.seats, c.majority,
      c.range === null ? "" : c.range, ...THEORIES.map((k) => (c[k] ? 1 : 0)), c.pivotal.join(" ")]);
  }
  return csvText(rows);
}

function viewTitle() { return $("title").textContent; }

// the hemicycle as on the page, plus a title above and a legend below, as one SVG document
function hemicycleSvg() {
  const svg = $("hemicycle").cloneNode(true);
  const [x0, y0, w, h] = svg.getAttribute("viewBox").split(/\s+/).map(Number);
  const entries = legendEntries();
  const perRow = 4, rowH = 0.07, colW = w / perRow;
  const top = y0 - 0.1, legendTop = y0 + h + 0.04;
  const height = legendTop - top + rowH * Math.ceil(entries.length / perRow) + 0.02;
  svg.setAttribute("xmlns", SVG);
  svg.setAttribute("viewBox", `${x0} ${top} ${w} ${height}`);
  svg.setAttribute("width", String(PNG_WIDTH / 2));
  svg.setAttribute("height", String(Math.round((PNG_WIDTH / 2) * (height / w))));
  svg.removeAttribute("id");
  const style = document.createElementNS(SVG, "style");
  style.textContent = SVG_STYLE;
  const background = el("svg:rect", { x: x0, y: top, width: w, height, fill: "#fff" });
  svg.prepend(style, background);
  svg.appendChild(el("svg:text", { class: "title", x: x0 + w / 2, y: top + 0.07 }, viewTitle()));
  entries.forEach((p, i) => {
    const x = x0 + 0.04 + (i % perRow) * colW, y = legendTop + Math.floor(i / perRow) * rowH;
    svg.appendChild(el("svg:rect", { x, y: y - 0.035, width: 0.04, height: 0.04, fill: p.colour, stroke: "#444", "stroke-width": 0.002 }));
    svg.appendChild(el("svg:text", { class: "legend", x: x + 0.06, y }, `${p.name} ${p.seats}`));
  });
  return new XMLSerializer().serializeToString(svg);
}

// the SVG drawn on a canvas (a data: URL, which the page's img-src allows and which keeps the canvas clean)
function hemicyclePng() {
  const text = hemicycleSvg();
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => {
      const canvas = document.createElement("canvas");
      canvas.width = PNG_WIDTH;
      canvas.height = Math.round(PNG_WIDTH * (img.naturalHeight / img.naturalWidth));
      const ctx = canvas.getContext("2d");
      ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("the browser could not make a PNG"))), "image/png");
    };
    img.onerror = () => reject(new Error("the browser could not draw the SVG"));
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
  });
}

function fileStem() {
  const name = (state.parliament.name || "parliament").replace(/[^A-Za-z0-9_-]+/g, "-");
  return `kingmaker-${name}${state.projected ? "-projected" : ""}`;
}

function download(name, blob) {
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: name });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function setupExport() {
  const csv = (text) => new Blob([text], { type: "text/csv;charset=utf-8" });
  $("export-seats").addEventListener("click", () => download(`${fileStem()}-seats.csv`, csv(seatsCsv())));
  $("export-governments").addEventListener("click", () => download(`${fileStem()}-governments.csv`, csv(governmentsCsv())));
  $("export-svg").addEventListener("click", () => download(`${fileStem()}.svg`, new Blob([hemicycleSvg()], { type: "image/svg+xml" })));
  $("export-png").addEventListener("click", async () => {
    try {
      download(`${fileStem()}.png`, await hemicyclePng());
    } catch (err) {
      $("export-note").textContent = err.message;
    }
  });
  setupPermalink();
}
