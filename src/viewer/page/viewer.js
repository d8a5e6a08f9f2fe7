// The wire viewer's page, plain JavaScript run by the browser: gRPC calls as the frames of
// PROTOCOL-HTTP2 (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md). Data comes from
// src/viewer/http.ts: /api/calls, /api/calls/:id, and Server-Sent Events on /events.
"use strict";

const state = { calls: new Map(), selected: 0, event: -1, view: null, refetch: 0 };
const $ = (sel) => document.querySelector(sel);

/** Builds an element: h("td", { class: "x" }, "text", child, …). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

function links(list) {
  if (!list || list.length === 0) return null;
  return h("div", { class: "links" }, list.map((l) => h("a", { href: l.href, target: "_blank", rel: "noopener" }, l.label)));
}

function statusClass(c) {
  if (c.status === undefined) return c.done ? "st-err" : "st-open";
  return c.status === 0 ? "st-ok" : "st-err";
}

function statusText(c) {
  if (c.status !== undefined) return c.statusName;
  return c.done ? "no status" : "…";
}

// ---- the call list ----------------------------------------------------------------------------

function matches(c) {
  const m = $("#f-method").value.trim().toLowerCase();
  const s = $("#f-status").value;
  const side = $("#f-side").value;
  if (m && !c.path.toLowerCase().includes(m)) return false;
  if (side && c.side !== side) return false;
  if (s === "ok" && c.status !== 0) return false;
  if (s === "error" && !(c.status !== undefined && c.status !== 0) && !(c.done && c.status === undefined)) return false;
  if (s === "open" && c.done) return false;
  return true;
}

function renderList() {
  const body = $("#calls tbody");
  const rows = [...state.calls.values()].filter(matches).sort((a, b) => b.id - a.id);
  body.replaceChildren(
    ...rows.map((c) =>
      h(
        "tr",
        { class: `call${c.id === state.selected ? " selected" : ""}`, "data-id": c.id, "data-side": c.side, onclick: () => select(c.id, -1) },
        h("td", {}, h("span", { class: "tag" }, c.tag)),
        h("td", { class: "method", title: c.path }, h("span", { class: "svc" }, c.path.replace(/^\/(?:[^/]*\.)?([^/.]*\/).*$/, "$1")), c.path.replace(/^.*\//, "")),
        h("td", { class: "kind", title: c.kind || "" }, (c.kind || "").replace(" streaming", "").replace(/^(server|client)$/, "$1 stream")),
        h("td", { class: `status ${statusClass(c)}`, title: c.statusMessage || "" }, statusText(c)),
        h("td", { class: "ms" }, c.durationMs === undefined ? "" : c.durationMs.toFixed(1)),
        h("td", { class: "msgs" }, `↑${c.sent} ↓${c.received}`),
        h("td", { class: "peer", title: c.side === "client" ? "the server this client called" : "the client that called" }, `${c.side === "client" ? "→ " : "← "}${c.peer || ""}`),
      ),
    ),
  );
  $("#empty").hidden = state.calls.size > 0;
}

// ---- one call ---------------------------------------------------------------------------------

async function select(id, event) {
  state.selected = id;
  state.event = event;
  history.replaceState(null, "", `#call=${id}${event >= 0 ? `&event=${event}` : ""}`);
  renderList();
  await fetchCall();
}

async function fetchCall() {
  const id = state.selected;
  if (!id) return;
  const res = await fetch(`/api/calls/${id}`);
  if (!res.ok) {
    $("#call-head").replaceChildren(h("p", { class: "hint" }, await res.text()));
    return;
  }
  const view = await res.json();
  if (id !== state.selected) return;
  state.view = view;
  renderCall();
}

function renderCall() {
  const c = state.view;
  const stream = c.streamId === undefined ? "" : ` · HTTP/2 stream ${c.streamId}`;
  const conn = c.conn === undefined ? "" : ` · ${c.conn}`;
  $("#call-head").replaceChildren(
    h("h2", {}, `${c.tag} ${c.path}`),
    h(
      "div",
      { class: "meta" },
      `${c.side === "client" ? "seen by the client" : "seen by the server"}${c.kind ? ` · ${c.kind}` : ""}${c.peer ? ` · peer ${c.peer}` : ""}${stream}${conn} · `,
      h("span", { class: statusClass(c) }, statusText(c)),
      c.statusMessage ? ` ${c.statusMessage}` : "",
      c.durationMs === undefined ? "" : ` · ${c.durationMs.toFixed(2)} ms`,
      c.droppedEvents ? ` · ${c.droppedEvents} later events not kept` : "",
    ),
    links(c.links),
  );
  renderDiagram(c);
  if (state.event < 0 || state.event >= c.events.length) state.event = c.events.findIndex((e) => e.kind === "DATA");
  renderDetail();
}

function renderDiagram(c) {
  const rows = c.events.map((e, i) => {
    const local = e.from === "local";
    const dir = local ? "local" : e.from === "client" ? "to-server" : "to-client";
    return h(
      "div",
      { class: `event ${dir} k-${e.kind}${i === state.event ? " selected" : ""}`, "data-kind": e.kind, "data-from": e.from, "data-index": i, onclick: () => pickEvent(i) },
      h("div", { class: "t" }, `+${e.t.toFixed(2)} ms`),
      h("div", { class: "lane" }),
      local
        ? h("div", { class: "arrow" }, h("span", { class: "label" }, e.label))
        : h("div", { class: "arrow", title: e.text || e.label }, h("div", { class: "line" }), h("div", { class: "head" }), h("span", { class: "label" }, e.label)),
      h("div", { class: "lane" }),
    );
  });
  $("#diagram").replaceChildren(h("div", { class: "lanes" }, h("div", {}, "time"), h("div", {}, "client"), h("div", {}, ""), h("div", {}, "server")), ...rows);
}

function pickEvent(i) {
  state.event = i;
  history.replaceState(null, "", `#call=${state.selected}&event=${i}`);
  for (const el of document.querySelectorAll("#diagram .event")) el.classList.toggle("selected", Number(el.dataset.index) === i);
  renderDetail();
}

function renderDetail() {
  const e = state.view && state.view.events[state.event];
  const out = $("#detail");
  if (!e) return out.replaceChildren();
  const parts = [h("h3", {}, `${e.label}  (${e.from === "local" ? "note" : `${e.from} → ${e.from === "client" ? "server" : "client"}`}, +${e.t.toFixed(3)} ms)`), links(e.links)];
  if (e.text) parts.push(h("p", { class: "mono" }, e.text));
  if (e.headers) parts.push(headersTable(e.headers));
  if (e.message) parts.push(messageView(e.message));
  out.replaceChildren(...parts.filter(Boolean));
}

// ---- metadata ---------------------------------------------------------------------------------

function headersTable(headers) {
  return h(
    "table",
    { class: "headers" },
    headers.map((m) =>
      h(
        "tr",
        { "data-header": m.name },
        h("td", { class: "name" }, m.name),
        h(
          "td",
          { class: "value" },
          m.value,
          m.note ? h("div", { class: "note" }, m.note) : null,
          links(m.links),
          m.decoded ? h("div", { class: "bin" }, bytesView(m.decoded, null)) : null,
        ),
      ),
    ),
  );
}

// ---- a message --------------------------------------------------------------------------------

function messageView(m) {
  const flag = m.compressed ? "1: compressed with grpc-encoding" : "0: not compressed";
  const parts = [
    h(
      "div",
      { class: "prefix" },
      h("span", { class: "box mono", title: "the 5-byte Length-Prefixed-Message prefix" }, m.prefix.match(/../g).join(" ")),
      h("span", {}, h("b", {}, "Compressed-Flag "), `(1 byte) = ${flag}`),
      h("span", {}, h("b", {}, "Message-Length "), `(4 bytes, big endian) = 0x${m.prefix.slice(2)} = ${m.length} bytes`),
    ),
  ];
  if (m.kept < m.length) parts.push(h("p", { class: "hint" }, `only the first ${m.kept} of ${m.length} bytes were kept (the viewer's cap per message)`));
  if (m.body && !m.compressed) parts.push(bytesView(m.body, m.prefix));
  else if (m.body) parts.push(h("h3", {}, "on the wire (compressed)"), bytesView(m.body, m.prefix));
  if (m.plain) parts.push(h("h3", {}, "the message before compression / after decompression"), bytesView(m.plain, null));
  return h("div", { class: "message" }, parts);
}

/** Hex of `d.hex` (after the 5 prefix bytes when `prefix` is given) beside the field tree; hovering one highlights the other. */
function bytesView(d, prefix) {
  const base = prefix ? 5 : 0;
  const all = (prefix || "") + d.hex;
  const n = all.length / 2;
  const spans = [];
  const rows = [];
  for (let off = 0; off < n; off += 16) {
    const row = h("div", { class: "row" }, h("span", { class: "off" }, off.toString(16).padStart(4, "0")));
    for (let i = off; i < Math.min(off + 16, n); i++) {
      const b = h("span", { class: `byte${i < base ? " pre" : ""}`, "data-off": i - base }, all.slice(i * 2, i * 2 + 2));
      spans.push(b);
      row.append(b, " ");
    }
    rows.push(row);
  }
  const hex = h("div", { class: "hex" }, rows);
  const lines = [];
  const tree = h("div", { class: "fields" }, d.typeName ? h("div", { class: "ftype" }, d.typeName) : h("div", { class: "ftype" }, "no schema: decoded raw"), fieldList(d.fields, lines));
  if (d.error) tree.append(h("div", { class: "err" }, d.error));
  const clear = () => {
    for (const s of spans) s.classList.remove("hl", "hl-tag");
    for (const l of lines) l.el.classList.remove("hl");
  };
  const light = (f) => {
    clear();
    for (const s of spans) {
      const o = Number(s.dataset.off);
      if (o >= f.start && o < f.end) s.classList.add(o < f.valueStart ? "hl-tag" : "hl");
    }
    const line = lines.find((l) => l.f === f);
    if (line) line.el.classList.add("hl");
  };
  for (const l of lines) {
    l.el.addEventListener("mouseenter", (ev) => (ev.stopPropagation(), light(l.f)));
    l.el.addEventListener("mouseleave", clear);
  }
  for (const s of spans) {
    const o = Number(s.dataset.off);
    if (o < 0) continue;
    s.addEventListener("mouseenter", () => {
      // The innermost field holding this byte.
      let best = null;
      for (const l of lines) if (o >= l.f.start && o < l.f.end && (!best || l.f.end - l.f.start <= best.end - best.start)) best = l.f;
      if (best) light(best);
    });
    s.addEventListener("mouseleave", clear);
  }
  return h("div", { class: "msg" }, hex, tree);
}

function fieldList(fields, lines) {
  return h(
    "ul",
    {},
    fields.map((f) => {
      const line = h(
        "span",
        { class: "field-line", "data-field": f.field, "data-name": f.name || "", "data-start": f.start, "data-end": f.end },
        h("span", { class: "num" }, `${f.field} `),
        f.name ? h("span", { class: "fname" }, f.name) : null,
        " ",
        h("span", { class: "ftype" }, `${f.type} · ${f.wireType}`),
        ": ",
        h("span", { class: f.children && f.children.length ? "fval nested" : "fval" }, f.value),
      );
      lines.push({ f, el: line });
      if (!f.children || f.children.length === 0) return h("li", {}, line);
      return h("li", {}, h("details", { open: true }, h("summary", {}, line), fieldList(f.children, lines)));
    }),
  );
}

// ---- live updates -----------------------------------------------------------------------------

function merge(list) {
  for (const c of list) state.calls.set(c.id, c);
  renderList();
  if (list.some((c) => c.id === state.selected)) {
    clearTimeout(state.refetch);
    state.refetch = setTimeout(fetchCall, 150);
  }
}

function connect() {
  const es = new EventSource("/events");
  es.addEventListener("open", () => {
    $("#live").textContent = "live";
    $("#live").classList.remove("off");
    fetch("/api/calls").then((r) => r.json()).then(merge);
  });
  es.addEventListener("calls", (ev) => merge(JSON.parse(ev.data)));
  es.addEventListener("error", () => {
    $("#live").textContent = "reconnecting…";
    $("#live").classList.add("off");
  });
}

for (const id of ["#f-method", "#f-status", "#f-side"]) $(id).addEventListener("input", renderList);
const wanted = new URLSearchParams(location.hash.slice(1));
if (wanted.get("call")) select(Number(wanted.get("call")), wanted.get("event") === null ? -1 : Number(wanted.get("event")));
connect();
