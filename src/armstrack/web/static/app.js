// armstrack's page: renders the JSON of /api (the same answers as the CLI's --format json).
// Rule: data from the API (article text above all, which is hostile) is only ever inserted with
// DOM APIs as text (el() and text nodes); nothing here assigns innerHTML, and links are made only
// for http(s) URLs and for the page's own #routes.
"use strict";

const TYPE_COLOURS = {
  arms_transfer: "#1f77b4", licensed_production: "#d62728", joint_venture: "#2ca02c",
  co_production: "#9467bd", agreement: "#8c564b", training: "#e377c2", aid: "#ff7f0e",
  facility: "#17becf", procurement_process: "#7f7f7f",
};
const FACT_TYPES = Object.keys(TYPE_COLOURS);
const STATUSES = ["planned", "ongoing", "completed", "reported"];
const UNDIRECTED = new Set(["joint_venture", "co_production", "agreement"]);
const ORG_COLOUR = { background: "#ffd166", border: "#b07d00" };  // organisation nodes, beside blue country dots

// -- small DOM helpers ---------------------------------------------------------------------------

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function route(...parts) {
  return "#" + parts.map(encodeURIComponent).join("/");
}

function link(text, hash) {
  return el("a", { href: hash }, text);
}

function safeUrl(url) {
  // Only absolute http(s) URLs become links: a "javascript:" or "data:" URL stays plain text.
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch (e) {
    return null;
  }
}

function human(type) {
  return (type || "").replace(/_/g, " ");
}

function when(f) {
  if (f.time_start && f.time_end && f.time_end !== f.time_start) return `${f.time_start}–${f.time_end}`;
  return f.time_start || "undated";
}

function badge(text, kind) {
  return el("span", { class: `badge ${kind}-${text}` }, text);
}

function factLabel(f) {
  const names = [...f.systems.map((s) => s.name).filter((name) => !name.endsWith("(generic)")),
                 ...f.participants.filter((p) => p.kind !== "country").map((p) => p.name)];
  const shown = [...new Set(names.length ? names : f.participants.map((p) => p.name))].slice(0, 4);
  return `${human(f.type)}: ${shown.join(", ")}`;
}

async function api(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const message = body && body.error ? body.error.message : `HTTP ${response.status}`;
    throw new Error(message);
  }
  return body;
}

const view = () => document.getElementById("view");
const detail = () => document.getElementById("detail");

function show(target, ...children) {
  target.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
}

function failure(error) {
  return el("p", { class: "error", role: "alert" }, error.message || String(error));
}

// -- views ---------------------------------------------------------------------------------------

async function searchView(q) {
  document.getElementById("search").value = q;
  const data = await api(`/api/search?q=${encodeURIComponent(q)}`);
  const top = data.results[0];
  if (top && top.kind === "country") {
    location.replace(route("profile", top.name));
    return;
  }
  const items = data.results.map((r) => el("li", {},
    r.kind === "country" ? link(r.name, route("profile", r.name)) : link(r.name, route("entity", r.name)),
    ` ${r.kind}`, r.country ? `, ${r.country}` : "", ` — ${r.facts} facts`));
  show(view(), el("h1", {}, `Search: ${q}`),
       items.length ? el("ul", { id: "search-results" }, items) : el("p", {}, "Nothing found."));
}

function factList(facts, id) {
  return el("ul", { class: "facts", id },
    facts.map((f) => el("li", { class: `fact status-${f.status}`, dataset: { factId: f.id } },
      el("button", { type: "button", class: "fact-link", onclick: () => showFact(f.id) },
         `${when(f)} · ${factLabel(f)}`),
      " ", badge(f.status || "reported", "status"),
      f.review !== "unreviewed" ? badge(f.review, "review") : null,
      f.conflicted ? badge("conflict", "flag") : null)));
}

function briefUrl(country, format) {
  // Absolute, like every link the page makes (only #routes and http(s) URLs are links).
  return new URL(`/api/brief/${encodeURIComponent(country)}?format=${format}`, location.href).href;
}

async function profileView(country) {
  const p = await api(`/api/profile/${encodeURIComponent(country)}`);
  const partners = el("table", { class: "partners" },
    el("tr", {}, el("th", {}, "partner"), el("th", {}, "facts"), el("th", {}, "")),
    p.partners.map((x) => el("tr", {},
      el("td", {}, link(x.country, route("profile", x.country))), el("td", {}, x.facts),
      el("td", {}, link(`timeline ${p.country}–${x.country}`, route("timeline", p.country, x.country))))));
  const equipment = el("dl", { class: "equipment" }, Object.entries(p.equipment).map(([origin, systems]) => [
    el("dt", {}, origin), el("dd", {}, systems.map((s) => `${s.system} (${s.facts})`).join(", "))]));
  const orgs = el("ul", { class: "orgs" }, p.organisations.map((o) => el("li", {},
    link(o.name, route("entity", o.name)), o.country ? ` [${o.country}]` : "", ` (${o.facts})`)));
  show(view(), el("article", { id: "profile" },
    el("h1", {}, p.country), el("p", { class: "summary" }, `${p.n_facts} facts · `,
      link("facts", `#facts?country=${encodeURIComponent(p.country)}`), " · ", link("network", "#network"), " ",
      el("a", { class: "button brief", href: briefUrl(p.country, "html"), download: "",
                title: "A self-contained HTML brief to hand on: charts, key facts, citations" }, "Brief"),
      " ", el("a", { class: "brief-pdf", href: briefUrl(p.country, "pdf"), download: "" }, "PDF")),
    el("h2", {}, "Partners"), partners,
    el("h2", {}, "Equipment by origin"), equipment,
    el("h2", {}, "Organisations"), orgs,
    el("h2", {}, "Latest facts"), factList(p.latest, "latest-facts")));
}

function period(iso, end) {
  // An ISO prefix ("2011", "2022-05", "2022-05-13") as the interval it denotes.
  const [y, m, d] = iso.split("-").map(Number);
  if (d) return end ? new Date(Date.UTC(y, m - 1, d + 1)) : new Date(Date.UTC(y, m - 1, d));
  if (m) return end ? new Date(Date.UTC(y, m, 1)) : new Date(Date.UTC(y, m - 1, 1));
  return end ? new Date(Date.UTC(y + 1, 0, 1)) : new Date(Date.UTC(y, 0, 1));
}

function timelineItem(f) {
  const precise = f.time_start.split("-").length === 3 && (!f.time_end || f.time_end === f.time_start);
  const content = el("span", {
    class: "item-label", title: `${when(f)} · ${f.status} · ${factLabel(f)}`,
    dataset: { factId: f.id, start: f.time_start, end: f.time_end || "", status: f.status },
    onclick: () => showFact(f.id),
  }, factLabel(f), f.status === "planned" ? " (planned)" : "");
  const item = { id: f.id, group: f.type, content, start: period(f.time_start, false),
                 className: `status-${f.status}${f.review === "rejected" ? " rejected" : ""}` };
  if (!precise) {
    item.end = period(f.time_end || f.time_start, true);
    item.type = "range";
  } else {
    item.type = "box";
  }
  return item;
}

let timelineWidget = null;
let networkWidget = null;

async function timelineView(a, b) {
  const t = await api(`/api/timeline/${encodeURIComponent(a)}/${encodeURIComponent(b)}`);
  const dated = t.facts.filter((f) => f.time_start);
  const undated = t.facts.filter((f) => !f.time_start);
  const holder = el("div", { id: "timeline-chart" });
  const legend = el("p", { class: "legend" }, STATUSES.map((s) => el("span", { class: `swatch status-${s}` }, s)),
    " Bars span the period the text gives (a year, a month); a box is an exact day.");
  show(view(), el("article", { id: "timeline" },
    el("h1", {}, `${t.countries[0]} – ${t.countries[1]}`),
    el("p", { class: "summary" }, `${t.facts.length} facts · `,
      link(t.countries[0], route("profile", t.countries[0])), " · ", link(t.countries[1], route("profile", t.countries[1]))),
    legend, holder,
    undated.length ? [el("h2", {}, "Undated"), factList(undated, "undated-facts")] : null));
  if (timelineWidget) timelineWidget.destroy();
  const types = FACT_TYPES.filter((type) => dated.some((f) => f.type === type));
  const groups = types.map((type) => ({ id: type, content: el("span", { class: "group-label" }, human(type)) }));
  const items = dated.map(timelineItem);
  const first = Math.min(...items.map((i) => i.start.getTime()));
  const last = Math.max(...items.map((i) => (i.end || i.start).getTime()));
  const span = Math.max(last - first, 365 * 864e5);
  timelineWidget = new vis.Timeline(holder, items, groups, {
    stack: true, orientation: "top", zoomKey: "ctrlKey", margin: { item: 6 },
    // room on the right for the labels of the latest facts, which run past their bars
    start: new Date(first - span * 0.05), end: new Date(last + span * 0.6),
    groupOrder: (x, y) => types.indexOf(x.id) - types.indexOf(y.id),
  });
  timelineWidget.on("select", (props) => { if (props.items.length) showFact(props.items[0]); });
}

async function networkView(params) {
  const type = params.get("type") || "";
  const since = params.get("since") || "";
  const level = params.get("level") === "organization" ? "organization" : "country";
  const query = new URLSearchParams();
  if (type) query.set("type", type);
  if (since) query.set("since", since);
  if (level !== "country") query.set("level", level);
  const n = await api(`/api/network?${query}`);
  const typeSelect = el("select", { name: "type", "aria-label": "fact type" }, el("option", { value: "" }, "all types"),
    FACT_TYPES.map((t) => el("option", { value: t, selected: t === type }, human(t))));
  const sinceInput = el("input", { name: "since", placeholder: "since (2010)", value: since, size: 10 });
  const reload = () => {
    const q = new URLSearchParams();
    if (typeSelect.value) q.set("type", typeSelect.value);
    if (sinceInput.value) q.set("since", sinceInput.value);
    if (levelSelect.value !== "country") q.set("level", levelSelect.value);
    location.hash = `#network?${q}`;
  };
  // countries stand for their organisations; "organisations" draws each participant a fact names
  const levelSelect = el("select", { name: "level", "aria-label": "nodes", onchange: reload },
    el("option", { value: "country", selected: level === "country" }, "countries"),
    el("option", { value: "organization", selected: level === "organization" }, "organisations"));
  const form = el("form", { class: "filters", onsubmit: (e) => { e.preventDefault(); reload(); } },
    levelSelect, typeSelect, sinceInput, el("button", { type: "submit" }, "Show"));
  const legend = el("p", { class: "legend" }, FACT_TYPES.map((t) =>
    el("span", { class: `swatch type-${t}` }, human(t))),
    level === "organization" ? el("span", { class: "swatch node-organization" }, "◆ organisation") : null);
  const holder = el("div", { id: "network-chart", "data-level": level });
  const edgeFacts = el("div", { id: "edge-facts" },
    el("p", { class: "hint" }, "Click an edge to list its facts, a node to open its profile."));
  show(view(), el("article", { id: "network" }, el("h1", {}, "Cooperation network"), form, legend, holder, edgeFacts));
  if (networkWidget) networkWidget.destroy();
  const kindOf = new Map(n.nodes.map((x) => [x.id, x.kind]));
  const nodes = n.nodes.map((x) => ({ id: x.id, label: x.id, value: x.facts, title: `${x.id}: ${x.facts} facts`,
    ...(x.kind === "country" ? {} : { shape: "diamond", color: ORG_COLOUR }) }));
  const edges = n.edges.map((e, i) => ({
    id: i, from: e.source, to: e.target, value: e.weight, color: { color: TYPE_COLOURS[e.type] },
    arrows: UNDIRECTED.has(e.type) ? "" : "to", dashes: UNDIRECTED.has(e.type),
  }));
  networkWidget = new vis.Network(holder, { nodes, edges }, {
    nodes: { shape: "dot", scaling: { min: 6, max: 30 }, font: { size: 14 } },
    edges: { smooth: { type: "continuous" }, scaling: { min: 1, max: 6 } },
    physics: { stabilization: { iterations: 200 }, barnesHut: { springLength: 140 } },
    interaction: { hover: true },
  });
  networkWidget.once("stabilizationIterationsDone", () => {
    networkWidget.setOptions({ physics: false });
    holder.dataset.ready = "true";
  });
  networkWidget.on("click", async (props) => {
    if (props.nodes.length) {
      const id = props.nodes[0];
      location.hash = kindOf.get(id) === "country" ? route("profile", id) : route("entity", id);
    } else if (props.edges.length) {
      const e = n.edges[props.edges[0]];
      const facts = await Promise.all(e.facts.slice(0, 50).map((id) => api(`/api/facts/${id}`)));
      show(edgeFacts, el("h2", {}, `${e.source} → ${e.target}: ${human(e.type)}`), factList(facts, "network-facts"));
    }
  });
}

async function factsView(params) {
  const filters = {};
  for (const key of ["country", "type", "status", "since", "include_rejected", "offset"]) {
    if (params.get(key)) filters[key] = params.get(key);
  }
  const query = new URLSearchParams({ ...filters, limit: "50" });
  const page = await api(`/api/facts?${query}`);
  const field = (name, control) => el("label", {}, `${name} `, control);
  const country = el("input", { name: "country", value: filters.country || "", size: 14 });
  const type = el("select", { name: "type" }, el("option", { value: "" }, "any"),
    FACT_TYPES.map((t) => el("option", { value: t, selected: t === filters.type }, human(t))));
  const status = el("select", { name: "status" }, el("option", { value: "" }, "any"),
    STATUSES.map((s) => el("option", { value: s, selected: s === filters.status }, s)));
  const since = el("input", { name: "since", value: filters.since || "", size: 10, placeholder: "2010" });
  const rejected = el("input", { type: "checkbox", name: "include_rejected", checked: filters.include_rejected === "true" });
  const go = (offset) => {
    const q = new URLSearchParams();
    if (country.value) q.set("country", country.value);
    if (type.value) q.set("type", type.value);
    if (status.value) q.set("status", status.value);
    if (since.value) q.set("since", since.value);
    if (rejected.checked) q.set("include_rejected", "true");
    if (offset) q.set("offset", String(offset));
    location.hash = `#facts?${q}`;
  };
  const form = el("form", { class: "filters", onsubmit: (e) => { e.preventDefault(); go(0); } },
    field("country", country), field("type", type), field("status", status), field("since", since),
    field("include rejected", rejected), el("button", { type: "submit" }, "Filter"));
  const offset = page.offset;
  const pager = el("p", { class: "pager" },
    `${page.total ? offset + 1 : 0}–${offset + page.facts.length} of ${page.total} `,
    offset > 0 ? el("button", { type: "button", onclick: () => go(Math.max(0, offset - page.limit)) }, "previous") : null,
    offset + page.facts.length < page.total ? el("button", { type: "button", onclick: () => go(offset + page.limit) }, "next") : null);
  const rows = page.facts.map((f) => el("tr", { class: `status-${f.status}`, dataset: { factId: f.id } },
    el("td", {}, el("button", { type: "button", class: "fact-link", onclick: () => showFact(f.id) }, f.id)),
    el("td", {}, when(f)), el("td", {}, human(f.type)),
    el("td", {}, f.participants.map((p) => `${p.role}: ${p.name}`).join("; ")),
    el("td", {}, f.systems.map((s) => s.name).join(", ")),
    el("td", {}, badge(f.status || "reported", "status"), f.review !== "unreviewed" ? badge(f.review, "review") : null),
    el("td", {}, `${f.corroboration}×`)));
  show(view(), el("article", { id: "facts" }, el("h1", {}, "Facts"), form, pager,
    el("table", { class: "fact-table" },
      el("tr", {}, ["id", "when", "type", "participants", "systems", "status", "sources"].map((h) => el("th", {}, h))),
      rows)));
}

async function articlesView(params) {
  const offset = Number(params.get("offset") || 0);
  const page = await api(`/api/articles?limit=50&offset=${offset}`);
  const go = (to) => { location.hash = to ? `#articles?offset=${to}` : "#articles"; };
  const pager = el("p", { class: "pager" },
    `${page.articles.length ? offset + 1 : 0}–${offset + page.articles.length} of ${page.total} `,
    offset > 0 ? el("button", { type: "button", onclick: () => go(Math.max(0, offset - page.limit)) }, "previous") : null,
    offset + page.articles.length < page.total ? el("button", { type: "button", onclick: () => go(offset + page.limit) }, "next") : null);
  show(view(), el("article", { id: "articles" }, el("h1", {}, `Articles (${page.total})`), pager,
    el("ul", {}, page.articles.map((a) => el("li", {},
      link(a.id, route("article", a.article_id)), ` — ${a.outlet || "unknown outlet"}`,
      a.published ? `, ${a.published}` : "", ` · ${a.facts} facts`,
      a.story_size > 1 ? ` · story ${a.story} (${a.story_size} copies)` : "", el("br"), el("small", {}, a.preview))))));
}

function markedText(text, spans, className) {
  // The article as text nodes, with <mark> elements around the given [start, end] spans (never markup).
  const holder = el("div", { class: "article-text" });
  let at = 0;
  const ordered = spans.filter((s) => s.span).sort((x, y) => x.span[0] - y.span[0]);
  let first = null;
  for (const s of ordered) {
    const [start, end] = s.span;
    if (start < at) continue; // overlapping evidence: the earlier one wins
    holder.append(document.createTextNode(text.slice(at, start)));
    const mark = el("mark", { class: s.className || className, dataset: { factId: s.id || "" },
                              title: s.title || null, onclick: s.onclick || null }, text.slice(start, end));
    holder.append(mark);
    first = first || mark;
    at = end;
  }
  holder.append(document.createTextNode(text.slice(at)));
  return { holder, first };
}

function articleHead(a) {
  const url = a.url && safeUrl(a.url);
  return el("p", { class: "source-meta" }, a.outlet || "unknown outlet", a.published ? `, ${a.published}` : "",
    " · ", url ? el("a", { href: url, rel: "noopener noreferrer", target: "_blank" }, "original") : (a.url || "no URL"),
    " · ", link(a.id, route("article", a.article_id)));
}

async function articleView(articleId) {
  const a = await api(`/api/articles/${encodeURIComponent(articleId)}`);
  const spans = a.facts.filter((f) => f.id).map((f) => ({
    span: f.span, id: f.id, className: "evidence", title: `${human(f.type)} · ${f.status}`,
    onclick: () => showFact(f.id) }));
  const { holder } = markedText(a.text, spans, "evidence");
  holder.id = "article-text";
  show(view(), el("article", { id: "article" }, el("h1", {}, a.id), articleHead(a),
    el("p", { class: "hint" }, `${a.facts.length} facts; click a highlighted passage to see its fact.`), holder));
}

async function entityView(name) {
  const e = await api(`/api/entities/${encodeURIComponent(name)}`);
  const ent = e.entity;
  show(view(), el("article", { id: "entity" }, el("h1", {}, ent.name),
    el("p", {}, `${ent.kind}`, ent.country ? ` · ${ent.country}` : "", ent.category ? ` · ${ent.category}` : "",
      ` · ${e.n_facts} facts · resolved by ${e.method}: ${e.reason}`),
    ent.country ? el("p", {}, link(`${ent.country} profile`, route("profile", ent.country))) : null,
    el("h2", {}, "Spellings seen in facts"),
    el("ul", {}, e.aliases.map((x) => el("li", {}, `${x.name} — ${x.articles.join(", ")}`))),
    e.known_aliases.length ? el("p", {}, `Known aliases: ${e.known_aliases.join(", ")}`) : null));
}

// -- the fact panel: sources, review state, evidence highlighted in the article ------------------------

async function showFact(id) {
  const target = detail();
  show(target, el("p", { class: "hint" }, "Loading…"));
  try {
    const f = await api(`/api/facts/${encodeURIComponent(id)}`);
    const evidence = el("div", { id: "evidence" });
    const sources = el("ol", { class: "sources" }, f.sources.map((s, i) => el("li", {},
      el("button", { type: "button", onclick: () => showEvidence(evidence, s) }, s.article),
      ` ${s.outlet || ""}${s.published ? ", " + s.published : ""}`,
      s.attributed_to ? ` · per ${s.attributed_to}` : "", ` · says ${s.status}${s.time_start ? " " + s.time_start : ""}`)));
    show(target, el("div", { class: "fact-detail", dataset: { factId: f.id } },
      el("h2", {}, `${human(f.type)} · ${when(f)}`),
      el("p", {}, badge(f.status || "reported", "status"), " ", badge(f.review, "review"),
        ` corroborated by ${f.corroboration} article${f.corroboration === 1 ? "" : "s"}`,
        f.conflicted ? [" · ", badge("conflict", "flag")] : null),
      f.time_text ? el("p", {}, `Time as written: “${f.time_text}”`) : null,
      el("ul", { class: "participants" }, f.participants.map((p) => el("li", {},
        `${p.role}: `, link(p.name, route("entity", p.name)), p.country ? ` (${p.country})` : ""))),
      f.systems.length ? el("p", {}, "Systems: ", f.systems.map((s) => `${s.name} (${s.category || "?"})`).join(", ")) : null,
      f.quantity ? el("p", {}, `Quantity: ${f.quantity}`) : null,
      f.conflicts.length ? el("p", { class: "conflicts" }, "Sources disagree on: ",
        f.conflicts.map((c) => c.field).join(", ")) : null,
      f.corrections.length ? el("p", {}, "Corrected: ", f.corrections.map((c) => `${c.field} = ${c.value}`).join(", ")) : null,
      el("p", { class: "fact-id" }, `fact ${f.id}`),
      await canReview() ? reviewForm(f) : null,
      el("h3", {}, "Sources"), sources, evidence));
    if (f.sources.length) await showEvidence(evidence, f.sources[0]);
  } catch (error) {
    show(target, failure(error));
  }
}

// The review route exists only when the server was started with a token; the OpenAPI document says
// whether it does. The token the analyst types is kept in this variable only (never in storage or the URL).
let reviewRoute = null;
let reviewToken = "";

async function canReview() {
  if (reviewRoute === null) {
    reviewRoute = api("/openapi.json").then((o) => "/api/facts/{fact_id}/review" in o.paths).catch(() => false);
  }
  return reviewRoute;
}

function reviewForm(f) {
  const token = el("input", { type: "password", name: "token", placeholder: "token", size: 12, value: reviewToken,
    "aria-label": "review token", autocomplete: "off" });
  const decision = el("select", { name: "decision", "aria-label": "decision" },
    ["accept", "reject", "correct"].map((d) => el("option", { value: d }, d)));
  const field = el("input", { name: "field", placeholder: "field (time_start)", size: 12, "aria-label": "field" });
  const value = el("input", { name: "value", placeholder: "value", size: 12, "aria-label": "value" });
  const outcome = el("span", { class: "review-outcome", role: "status" });
  return el("form", { class: "review-form", onsubmit: async (e) => {
    e.preventDefault();
    reviewToken = token.value;
    const body = { decision: decision.value, by: "web" };
    if (decision.value === "correct") body.corrections = { [field.value]: value.value };
    const response = await fetch(`/api/facts/${encodeURIComponent(f.id)}/review`, { method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${reviewToken}` },
      body: JSON.stringify(body) });
    const answer = await response.json().catch(() => null);
    if (!response.ok) {
      show(outcome, answer && answer.error ? answer.error.message : `HTTP ${response.status}`);
      return;
    }
    await showFact(answer.fact.id);
  } }, "Review: ", token, " ", decision, " ", field, " = ", value, " ", el("button", { type: "submit" }, "Save"), " ",
  outcome);
}

async function showEvidence(target, source) {
  const a = await api(`/api/articles/${source.article_id}`);
  const own = a.facts.find((x) => x.fact_id === source.fact_id);
  const span = own ? own.span : null;
  const { holder, first } = markedText(a.text, span ? [{ span, id: own.id }] : [], "evidence current");
  holder.id = "evidence-text";
  show(target, el("h3", {}, "Evidence"), articleHead(a),
    span ? null : el("p", { class: "hint" }, `Evidence (not located in the text): ${source.evidence}`), holder);
  if (first) first.scrollIntoView({ block: "center" });
}

// -- routing -------------------------------------------------------------------------------------

async function render() {
  const [path, search] = location.hash.slice(1).split("?");
  let parts;
  try {
    parts = path.split("/").map(decodeURIComponent);
  } catch (error) {
    return show(view(), failure(new Error("malformed address")));
  }
  const params = new URLSearchParams(search || "");
  const routes = {
    search: () => searchView(parts[1] || ""),
    profile: () => profileView(parts[1]),
    timeline: () => timelineView(parts[1], parts[2]),
    network: () => networkView(params),
    facts: () => factsView(params),
    articles: () => articlesView(params),
    article: () => articleView(parts[1]),
    entity: () => entityView(parts[1]),
    fact: () => showFact(parts[1]),
  };
  const handler = routes[parts[0]];
  if (!handler) return;
  try {
    await handler();
  } catch (error) {
    show(view(), failure(error));
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const q = document.getElementById("search").value.trim();
    if (q) location.hash = route("search", q);
  });
  window.addEventListener("hashchange", render);
  render();
});
