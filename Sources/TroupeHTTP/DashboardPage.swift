/// The dashboard served at `GET /`: one self-contained HTML page (inline CSS and JavaScript, no
/// external resources) that subscribes to `GET /events` (server-sent ``MeshSnapshot``s), draws
/// the mesh as SVG with links coloured by injected faults, the per-node counters, the recent
/// orders, and — for a clicked order — its correlation timeline as an SVG sequence diagram
/// across the services (from `GET /orders/{id}`). Its buttons call `POST /faults?scope=mesh`,
/// `DELETE /faults?scope=mesh`, `POST /dlq/all/replay?scope=mesh` and `POST /orders`.
///
/// Elements tests and scripts rely on: `#events-handled` (events handled across the mesh),
/// `body[data-snapshots]` (snapshots received), `#nodes`, `#orders`, `#mesh-svg`.
enum DashboardPage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Troupe dashboard</title>
<style>
  :root { --bg:#0f1419; --panel:#182028; --line:#2b3742; --text:#d8dee4; --dim:#8b98a5; --ok:#3fb950; --warn:#d29922; --bad:#f85149; --accent:#58a6ff; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background:var(--bg); color:var(--text); }
  header { display:flex; align-items:center; gap:16px; padding:10px 18px; border-bottom:1px solid var(--line); }
  header h1 { font-size:18px; margin:0; }
  #status { font-size:12px; padding:2px 8px; border-radius:10px; background:var(--line); }
  #status.live { background:#1f3d29; color:var(--ok); }
  #status.down { background:#4a1d1d; color:var(--bad); }
  .totals { display:flex; gap:18px; margin-left:auto; font-size:13px; color:var(--dim); }
  .totals b { color:var(--text); font-size:15px; }
  main { display:grid; grid-template-columns: 520px 1fr; gap:14px; padding:14px 18px; }
  section { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:12px; }
  section h2 { font-size:13px; text-transform:uppercase; letter-spacing:.06em; color:var(--dim); margin:0 0 8px; }
  #mesh svg { width:100%; height:330px; }
  .node circle { fill:#22303c; stroke:var(--accent); stroke-width:2; }
  .node.down circle { stroke:var(--bad); stroke-dasharray:4 3; }
  .node text { fill:var(--text); font-size:13px; text-anchor:middle; }
  .node text.sub { fill:var(--dim); font-size:11px; }
  .link { stroke-width:4; }
  .link.ok { stroke:var(--ok); } .link.degraded { stroke:var(--warn); } .link.partitioned { stroke:var(--bad); stroke-dasharray:8 6; }
  .link.disconnected { stroke:#55606b; stroke-dasharray:2 6; }
  .linklabel { fill:var(--bad); font-size:11px; text-anchor:middle; }
  table { width:100%; border-collapse:collapse; font-variant-numeric: tabular-nums; }
  th, td { text-align:right; padding:4px 8px; border-bottom:1px solid var(--line); }
  th:first-child, td:first-child { text-align:left; }
  th { color:var(--dim); font-weight:500; font-size:12px; }
  .buttons { display:flex; flex-wrap:wrap; gap:8px; margin-top:10px; }
  button { background:#21262d; color:var(--text); border:1px solid var(--line); border-radius:6px; padding:6px 10px; cursor:pointer; font:inherit; }
  button:hover { border-color:var(--accent); }
  button.danger { border-color:#6e2b2b; } button.good { border-color:#2b5e38; }
  #faults { font-size:12px; color:var(--warn); min-height:16px; margin-top:6px; }
  #orders { max-height:300px; overflow:auto; }
  #orders tr { cursor:pointer; } #orders tr:hover td { background:#1f2a35; }
  #orders tr.selected td { background:#23354a; }
  .pending { color:var(--warn); } .confirmed { color:var(--ok); } .cancelled { color:var(--bad); }
  #sequence svg { width:100%; }
  #sequence .lifeline { stroke:#3a4754; stroke-dasharray:4 4; }
  #sequence .head rect { fill:#22303c; stroke:var(--accent); }
  #sequence .head text, #sequence .msg text { fill:var(--text); font-size:12px; }
  #sequence .msg line { stroke:var(--accent); stroke-width:1.5; marker-end:url(#arrow); }
  #sequence .msg.retry line { stroke:var(--warn); }
  #sequence .time { fill:var(--dim); font-size:11px; }
  #log { font:12px ui-monospace, monospace; color:var(--dim); min-height:16px; }
  .wide { grid-column: 1 / -1; }
</style>
</head>
<body data-snapshots="0">
<header>
  <h1>Troupe</h1>
  <span id="status">connecting…</span>
  <span id="served"></span>
  <div class="totals">
    <span>events handled <b id="events-handled">0</b></span>
    <span>events/s <b id="events-rate">0</b></span>
    <span>orders <b id="orders-count">0</b> <span id="orders-summary"></span></span>
    <span>DLQ <b id="dlq-total">0</b></span>
  </div>
</header>
<main>
  <section id="mesh">
    <h2>Mesh</h2>
    <svg id="mesh-svg" viewBox="0 0 500 330" role="img" aria-label="mesh"></svg>
    <div id="faults"></div>
    <div class="buttons">
      <button class="danger" id="btn-partition" title="Cut payment off from every node, both ways">Partition payment</button>
      <button class="danger" id="btn-flaky" title="20% loss and 30ms jitter on every link">Flaky network</button>
      <button class="good" id="btn-clear">Clear faults</button>
      <button id="btn-replay">Replay DLQ</button>
      <button id="btn-order">Place an order</button>
    </div>
    <div id="log"></div>
  </section>
  <section>
    <h2>Nodes</h2>
    <table id="nodes">
      <thead><tr><th>node</th><th>events/s</th><th>handled</th><th>outbox</th><th>DLQ</th><th>redeliveries</th><th>duplicates suppressed</th><th>links</th></tr></thead>
      <tbody></tbody>
    </table>
    <h2 style="margin-top:14px">Recent orders <span style="text-transform:none;letter-spacing:0">(click one for its timeline)</span></h2>
    <div id="orders"><table><thead><tr><th>order</th><th>state</th><th>reason</th><th>took</th></tr></thead><tbody></tbody></table></div>
  </section>
  <section id="sequence" class="wide">
    <h2>Correlation timeline <span id="sequence-title" style="text-transform:none;letter-spacing:0"></span></h2>
    <div id="sequence-body" style="color:var(--dim)">Select an order.</div>
  </section>
</main>
<script>
"use strict";
const SERVICES = ["order", "inventory", "payment", "notification"];
const svgNS = "http://www.w3.org/2000/svg";
const state = { previous: null, snapshots: 0, selected: null };
const $ = (id) => document.getElementById(id);
function el(name, attrs, text) {
  const node = document.createElementNS(svgNS, name);
  for (const key in attrs || {}) node.setAttribute(key, attrs[key]);
  if (text !== undefined) node.textContent = text;
  return node;
}
function sortNodes(nodes) {
  const rank = (n) => { const i = SERVICES.indexOf(n.service); return i < 0 ? 99 : i; };
  return nodes.slice().sort((a, b) => rank(a) - rank(b) || a.nodeID.localeCompare(b.nodeID));
}
function log(text) { $("log").textContent = new Date().toLocaleTimeString() + "  " + text; }

function drawMesh(snapshot) {
  const svg = $("mesh-svg");
  svg.replaceChildren();
  const nodes = sortNodes(snapshot.nodes);
  const cx = 250, cy = 165, r = 115;
  const pos = {};
  nodes.forEach((n, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(nodes.length, 1);
    pos[n.nodeID] = { x: cx + r * Math.cos(angle) * 1.35, y: cy + r * Math.sin(angle) };
  });
  for (const link of snapshot.links) {
    const a = pos[link.a], b = pos[link.b];
    if (!a || !b) continue;
    const cls = link.condition !== "ok" ? link.condition : (link.connected ? "ok" : "disconnected");
    const line = el("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: "link " + cls, "data-link": link.a + "-" + link.b });
    const title = el("title", {}, link.a + " ↔ " + link.b + ": " + (link.faults.length ? link.faults.join("; ") : (link.connected ? "connected" : "not connected")));
    line.appendChild(title);
    svg.appendChild(line);
    if (link.condition !== "ok") {
      svg.appendChild(el("text", { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 - 4, class: "linklabel" }, link.condition === "partitioned" ? "✂" : "≈"));
    }
  }
  for (const n of nodes) {
    const p = pos[n.nodeID];
    const g = el("g", { class: "node" + (n.reachable && (n.connectedMembers || []).length > 0 ? "" : " down"), transform: `translate(${p.x},${p.y})` });
    g.appendChild(el("circle", { r: 34 }));
    g.appendChild(el("text", { y: -2 }, n.nodeID));
    const rate = rates[n.nodeID] || 0;
    const isolated = n.reachable && snapshot.nodes.length > 1 && (n.connectedMembers || []).length === 0;
    g.appendChild(el("text", { y: 14, class: "sub" }, !n.reachable ? "unreachable" : isolated ? "cut off" : `${rate.toFixed(0)} ev/s`));
    svg.appendChild(g);
  }
}

let rates = {};
function computeRates(snapshot) {
  const prev = state.previous;
  const next = {};
  for (const n of snapshot.nodes) {
    const handled = n.statistics ? n.statistics.handled : 0;
    let rate = 0;
    if (prev) {
      const before = prev.nodes.find((p) => p.nodeID === n.nodeID);
      const dt = (snapshot.atMicros - prev.atMicros) / 1e6;
      if (before && before.statistics && dt > 0) rate = Math.max(0, (handled - before.statistics.handled) / dt);
    }
    next[n.nodeID] = rate;
  }
  rates = next;
}

function drawNodes(snapshot) {
  const body = $("nodes").tBodies[0];
  body.replaceChildren();
  let handled = 0, dlq = 0, total = 0;
  for (const n of sortNodes(snapshot.nodes)) {
    const s = n.statistics || {};
    handled += s.handled || 0; dlq += s.deadLetterDepth || 0; total += rates[n.nodeID] || 0;
    const tr = document.createElement("tr");
    tr.id = "node-" + n.nodeID;
    const cells = [n.nodeID + (n.reachable ? "" : " (unreachable)"), (rates[n.nodeID] || 0).toFixed(0), s.handled ?? "–", s.outboxDepth ?? "–",
      s.deadLetterDepth ?? "–", s.redelivered ?? "–", s.duplicatesSuppressed ?? "–", (n.connectedMembers || []).length];
    cells.forEach((value, i) => { const td = document.createElement("td"); td.textContent = value; td.className = ["name", "rate", "handled", "outbox", "dlq", "redeliveries", "duplicates", "links"][i]; tr.appendChild(td); });
    body.appendChild(tr);
  }
  $("events-handled").textContent = handled;
  $("events-rate").textContent = total.toFixed(0);
  $("dlq-total").textContent = dlq;
  const faults = new Set();
  for (const n of snapshot.nodes) {
    const plan = n.faults || {};
    for (const f of plan.links || []) faults.add(describeLinkFault(f));
    for (const f of plan.nodes || []) faults.add(describeNodeFault(f));
  }
  $("faults").textContent = faults.size ? "Faults in force: " + Array.from(faults).join(" · ") : "No faults injected.";
}

function describeLinkFault(f) {
  const parts = [];
  if (f.partition) parts.push("partition");
  if (f.drop) parts.push(`drop ${Math.round(f.drop * 100)}%`);
  if (f.duplicate) parts.push(`duplicate ${Math.round(f.duplicate * 100)}%`);
  if (f.corrupt) parts.push(`corrupt ${Math.round(f.corrupt * 100)}%`);
  if (f.ackLoss) parts.push(`ack loss ${Math.round(f.ackLoss * 100)}%`);
  if (f.delayMillis || f.jitterMillis) parts.push(`delay ${f.delayMillis || 0}±${f.jitterMillis || 0} ms`);
  if (f.reorderWindowMillis) parts.push(`reorder ${f.reorderWindowMillis} ms`);
  if (f.bandwidthBytesPerSecond) parts.push(`${f.bandwidthBytesPerSecond} B/s`);
  return `${parts.join(", ") || "no-op"} ${f.from || "*"}${f.bothWays ? "↔" : "→"}${f.to || "*"}`;
}
function describeNodeFault(f) {
  const parts = [];
  if (f.handlerFailure) parts.push(`handler failures ${Math.round(f.handlerFailure * 100)}%`);
  if (f.slowHandlerMillis) parts.push(`slow handlers ${f.slowHandlerMillis} ms`);
  if (f.pauseMillis) parts.push(`paused ${f.pauseMillis} ms`);
  if (f.clockSkewMillis) parts.push(`clock skew ${f.clockSkewMillis} ms`);
  return `${parts.join(", ") || "no-op"} on ${f.node || "*"}`;
}

function drawOrders(snapshot) {
  const body = $("orders").querySelector("tbody");
  body.replaceChildren();
  const counts = snapshot.orderCounts || {};
  const total = (counts.pending || 0) + (counts.confirmed || 0) + (counts.cancelled || 0);
  $("orders-count").textContent = total;
  $("orders-summary").textContent = `${counts.confirmed || 0} confirmed · ${counts.cancelled || 0} cancelled · ${counts.pending || 0} pending`;
  for (const o of snapshot.orders) {
    const tr = document.createElement("tr");
    tr.dataset.order = o.orderID;
    if (o.orderID === state.selected) tr.className = "selected";
    const took = o.placedAtMicros && o.terminalAtMicros ? ((o.terminalAtMicros - o.placedAtMicros) / 1000).toFixed(0) + " ms" : "";
    for (const [text, cls] of [[o.orderID, ""], [o.status, o.status], [o.reason || "", ""], [took, ""]]) {
      const td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; tr.appendChild(td);
    }
    tr.addEventListener("click", () => showOrder(o.orderID));
    body.appendChild(tr);
  }
}

async function showOrder(orderID) {
  state.selected = orderID;
  $("sequence-title").textContent = "— " + orderID;
  try {
    const response = await fetch("/orders/" + encodeURIComponent(orderID));
    const details = await response.json();
    if (!response.ok) throw new Error(details.error ? details.error.message : response.statusText);
    $("sequence-title").textContent = `— ${orderID} · ${details.status} · correlation ${details.correlationID || "?"}`;
    drawSequence(details.timeline || []);
  } catch (error) {
    $("sequence-body").textContent = "Could not load the timeline: " + error.message;
  }
}

function drawSequence(rows) {
  const target = $("sequence-body");
  target.replaceChildren();
  if (!rows.length) { target.textContent = "No archived events for this order yet."; return; }
  const participants = SERVICES.slice();
  for (const r of rows) if (!participants.includes(r.nodeID)) participants.push(r.nodeID);
  const publisher = {};
  for (const r of rows) if (r.direction === "published" && !publisher[r.event.eventID]) publisher[r.event.eventID] = r.nodeID;
  const messages = rows.filter((r) => r.direction === "handled").sort((a, b) => a.atMicros - b.atMicros);
  const start = rows[0].atMicros;
  const width = 1000, colWidth = width / participants.length, top = 40, step = 34;
  const height = top + 20 + messages.length * step + 10;
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, id: "sequence-svg" });
  const defs = el("defs");
  const marker = el("marker", { id: "arrow", markerWidth: 10, markerHeight: 8, refX: 9, refY: 4, orient: "auto" });
  marker.appendChild(el("path", { d: "M0,0 L10,4 L0,8 z", fill: "#58a6ff" }));
  defs.appendChild(marker); svg.appendChild(defs);
  const x = (name) => colWidth * participants.indexOf(name) + colWidth / 2;
  for (const p of participants) {
    svg.appendChild(el("line", { x1: x(p), y1: top, x2: x(p), y2: height - 4, class: "lifeline" }));
    const head = el("g", { class: "head" });
    head.appendChild(el("rect", { x: x(p) - 60, y: 6, width: 120, height: 26, rx: 5 }));
    head.appendChild(el("text", { x: x(p), y: 24, "text-anchor": "middle" }, p));
    svg.appendChild(head);
  }
  messages.forEach((m, i) => {
    const from = publisher[m.event.eventID] || m.event.source;
    const y = top + 26 + i * step;
    const g = el("g", { class: "msg" + (m.event.attempt > 1 ? " retry" : "") });
    const x1 = x(from), x2 = x(m.nodeID);
    if (x1 === x2) {
      g.appendChild(el("path", { d: `M${x1},${y - 8} h40 v14 h-36`, fill: "none", stroke: "#58a6ff", "marker-end": "url(#arrow)" }));
    } else {
      g.appendChild(el("line", { x1: x1, y1: y, x2: x2 + (x2 > x1 ? -4 : 4), y2: y }));
    }
    const label = m.event.type + (m.event.attempt > 1 ? ` (attempt ${m.event.attempt})` : "");
    g.appendChild(el("text", { x: (x1 + x2) / 2 + (x1 === x2 ? 70 : 0), y: y - 6, "text-anchor": "middle" }, label));
    g.appendChild(el("text", { x: 6, y: y + 4, class: "time" }, "+" + ((m.atMicros - start) / 1000).toFixed(1) + " ms"));
    svg.appendChild(g);
  });
  target.appendChild(svg);
}

function render(snapshot) {
  computeRates(snapshot);
  state.snapshots += 1;
  document.body.dataset.snapshots = String(state.snapshots);
  $("served").textContent = "served by " + snapshot.servedBy;
  drawMesh(snapshot);
  drawNodes(snapshot);
  drawOrders(snapshot);
  state.previous = snapshot;
}

async function call(method, path, body) {
  try {
    const response = await fetch(path, { method, headers: body ? { "Content-Type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined });
    const text = await response.text();
    log(`${method} ${path} → ${response.status} ${text.slice(0, 160)}`);
  } catch (error) {
    log(`${method} ${path} failed: ${error.message}`);
  }
}
$("btn-partition").onclick = () => call("POST", "/faults?scope=mesh", { links: [{ from: "payment", to: "*", bothWays: true, partition: true }] });
$("btn-flaky").onclick = () => call("POST", "/faults?scope=mesh", { links: [{ from: "*", to: "*", drop: 0.2, jitterMillis: 30 }] });
$("btn-clear").onclick = () => call("DELETE", "/faults?scope=mesh");
$("btn-replay").onclick = () => call("POST", "/dlq/all/replay?scope=mesh");
$("btn-order").onclick = () => call("POST", "/orders", { customerID: "ada", sku: "widget", quantity: 1 });

// ?stopAfter=N closes the stream after N snapshots (headless browsers wait for the network
// to go idle before they dump the page or take a screenshot).
// ?order=ID opens that order's timeline once the stream paused.
const autoOpen = new URLSearchParams(location.search).get("order");
const stopAfter = Number(new URLSearchParams(location.search).get("stopAfter") || 0);
function connect() {
  const source = new EventSource("/events");
  source.addEventListener("open", () => { $("status").textContent = "live"; $("status").className = "live"; });
  source.addEventListener("snapshot", (event) => {
    render(JSON.parse(event.data));
    if (stopAfter > 0 && state.snapshots >= stopAfter) {
      source.close();
      $("status").textContent = `paused after ${state.snapshots} snapshots`;
      if (autoOpen) showOrder(autoOpen);
    }
  });
  source.addEventListener("error", () => { $("status").textContent = "reconnecting…"; $("status").className = "down"; });
}
connect();
</script>
</body>
</html>
"""#
}
