// folio's history viewer: sign in, find a document, read its timeline, see any version,
// compare two, see who wrote what, download files, and (editors) revert.
//
// It talks to the same REST API as every client, with the same credentials (a bearer
// token from a username and password, or an API key). Every string from the server is
// rendered as text by Preact (never as HTML), and the page's Content-Security-Policy
// allows only its own script and style.

import { h, render } from "preact";
import { useEffect, useState } from "preact/hooks";
import htm from "htm";

const html = htm.bind(h);

// ---- the API -------------------------------------------------------------------------

/** A failed call, with the problem+json detail. */
class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem?.code;
  }
}

function client(session) {
  const headers = (extra = {}) => {
    const out = { ...extra };
    if (session.token) out.authorization = `Bearer ${session.token}`;
    if (session.key) out["x-api-key"] = session.key;
    return out;
  };
  const call = async (method, path, body, extra) => {
    const response = await fetch(path, {
      method,
      headers: headers(body ? { "content-type": "application/json", ...extra } : extra),
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) {
      let problem = null;
      try {
        problem = await response.json();
      } catch (_) {
        /* not JSON */
      }
      throw new ApiError(response.status, problem);
    }
    return response;
  };
  return {
    get: async (path) => (await call("GET", path)).json(),
    post: async (path, body, extra) => (await call("POST", path, body, extra)).json(),
    file: async (path) => call("GET", path),
  };
}

const q = (params) =>
  Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== "")
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join("&");

/** What a JWT says about its holder (the role decides whether revert is offered). */
function claims(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part));
  } catch (_) {
    return {};
  }
}

/** Saves a fetched file under its name. */
async function download(api, path, fallbackName) {
  const response = await api.file(path);
  const disposition = response.headers.get("content-disposition") || "";
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] || fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// ---- sign in -----------------------------------------------------------------------

function SignIn({ onSession }) {
  const [mode, setMode] = useState("password");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [key, setKey] = useState("");
  const [error, setError] = useState("");
  const submit = async (event) => {
    event.preventDefault();
    setError("");
    try {
      if (mode === "password") {
        const response = await fetch("/v1/auth/token", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ username, password }),
        });
        const body = await response.json().catch(() => ({}));
        if (!response.ok) throw new ApiError(response.status, body);
        const c = claims(body.access_token);
        onSession({ token: body.access_token, who: c.sub || username, role: c.role });
      } else {
        const session = { key, who: "API key", role: null };
        await client(session).get("/v1/documents?limit=1");
        onSession(session);
      }
    } catch (e) {
      setError(e.message);
    }
  };
  return html`
    <main class="signin">
      <h1>folio</h1>
      <p class="muted">History viewer</p>
      <div class="tabs">
        <button type="button" class=${mode === "password" ? "on" : ""} onClick=${() => setMode("password")}>Username</button>
        <button type="button" class=${mode === "key" ? "on" : ""} onClick=${() => setMode("key")}>API key</button>
      </div>
      <form onSubmit=${submit}>
        ${mode === "password"
          ? html`
              <label>Username <input id="username" autocomplete="username" value=${username} onInput=${(e) => setUsername(e.target.value)} /></label>
              <label>Password <input id="password" type="password" autocomplete="current-password" value=${password} onInput=${(e) => setPassword(e.target.value)} /></label>`
          : html`<label>API key <input id="api-key" type="password" value=${key} onInput=${(e) => setKey(e.target.value)} /></label>`}
        <button id="sign-in" type="submit">Sign in</button>
      </form>
      ${error && html`<p class="error" role="alert">${error}</p>`}
    </main>`;
}

// ---- documents -----------------------------------------------------------------------

function Documents({ api }) {
  const [query, setQuery] = useState("");
  const [items, setItems] = useState(null);
  const [error, setError] = useState("");
  useEffect(() => {
    let live = true;
    const timer = setTimeout(async () => {
      try {
        const page = await api.get(`/v1/documents?${q({ q: query, limit: 100 })}`);
        if (live) setItems(page.items);
      } catch (e) {
        if (live) setError(e.message);
      }
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query]);
  return html`
    <section>
      <h2>Documents</h2>
      <input id="search" type="search" placeholder="Search titles" value=${query} onInput=${(e) => setQuery(e.target.value)} />
      ${error && html`<p class="error" role="alert">${error}</p>`}
      ${items === null
        ? html`<p class="muted">Loading…</p>`
        : items.length === 0
          ? html`<p class="muted">No documents.</p>`
          : html`<table class="list" id="documents">
              <thead><tr><th>Title</th><th>Version</th><th>Updated</th><th>Created by</th></tr></thead>
              <tbody>
                ${items.map(
                  (d) => html`<tr key=${d.id}>
                    <td><a href=${`#/documents/${encodeURIComponent(d.id)}`}>${d.title}</a></td>
                    <td>${d.version}</td><td>${d.updated_at}</td><td>${d.created_by}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`}
    </section>`;
}

// ---- a document ------------------------------------------------------------------------

/** Every event of a document (pages of 200), oldest first. */
async function allHistory(api, id, filters) {
  const items = [];
  let cursor = "";
  for (let page = 0; page < 50; page += 1) {
    const got = await api.get(`/v1/documents/${id}/history?${q({ limit: 200, cursor, actor: filters.actor, type: filters.type })}`);
    items.push(...got.items);
    if (!got.next_cursor) break;
    cursor = got.next_cursor;
  }
  return items;
}

/** A paragraph's text with its commented and suggested ranges marked and its note
 * references numbered. `marks`: {id, start, end, title, cls}. */
function Marked({ block, marks, notes }) {
  const chars = [...(block.text || "")];
  const cuts = new Set([0, chars.length]);
  for (const m of marks) cuts.add(m.start).add(m.end);
  for (const n of notes) cuts.add(n.offset).add(n.offset + 1);
  const points = [...cuts].filter((c) => c >= 0 && c <= chars.length).sort((a, b) => a - b);
  const out = [];
  // A mark over no text (a comment whose text was deleted, an insertion proposed there).
  const pointsAt = (at) => {
    for (const m of marks.filter((m) => m.start === m.end && m.start === at)) {
      out.push(html`<mark class=${`${m.cls} point`} data-id=${m.id} title=${m.title}>\u2038</mark>`);
    }
  };
  for (let i = 0; i + 1 < points.length; i += 1) {
    const [from, to] = [points[i], points[i + 1]];
    pointsAt(from);
    const note = notes.find((n) => n.offset === from && to === from + 1);
    const on = marks.filter((m) => m.start <= from && to <= m.end && m.start < m.end);
    const text = chars.slice(from, to).join("");
    if (note) {
      out.push(html`<sup class="note-ref" data-note=${note.id}>${note.kind === "endnote" ? `e${note.number}` : note.number}</sup>`);
    } else if (on.length > 0) {
      const cls = on.some((m) => m.cls === "suggested") ? "suggested" : "commented";
      out.push(html`<mark class=${cls} data-id=${on.map((m) => m.id).join(" ")} title=${on.map((m) => m.title).join("\n")}>${text}</mark>`);
    } else {
      out.push(text);
    }
  }
  pointsAt(chars.length);
  return out;
}

function Block({ block, marks = [], notes = [] }) {
  const mine = marks.filter((m) => m.block_id === block.id);
  const refs = notes.filter((n) => n.block_id === block.id);
  const text = mine.length || refs.length ? html`<${Marked} block=${block} marks=${mine} notes=${refs} />` : block.text;
  switch (block.type) {
    case "heading":
      return h(`h${Math.min(Math.max(block.level || 1, 1), 6)}`, null, text);
    case "table":
      return html`<table class="doc">${(block.rows || []).map((row) => html`<tr>${row.map((cell) => html`<td>${cell}</td>`)}</tr>`)}</table>`;
    case "list":
      return html`<ul>${(block.items || []).map((item) => html`<li class=${`level${item.level || 0}`}>${item.text}</li>`)}</ul>`;
    case "page_break":
      return html`<hr class="page" />`;
    default:
      return html`<p>${text}</p>`;
  }
}

/** One comment thread: the root, its replies, and (for editors, at the latest version)
 * reply, resolve and reopen. */
function Thread({ api, id, thread, editable, onChanged, onError }) {
  const [reply, setReply] = useState("");
  const act = async (command) => {
    try {
      const done = await api.post(`/v1/documents/${id}/commands`, command);
      setReply("");
      onChanged(done.version);
    } catch (e) {
      onError(e.message);
    }
  };
  return html`<li class=${`thread${thread.resolved ? " resolved" : ""}`} id=${`thread-${thread.id}`}>
    <p class="anchor">${thread.anchor_deleted ? html`<em>(its text was deleted)</em>` : html`“${thread.anchor_text}”`}${thread.resolved ? html` <span class="label">resolved</span>` : ""}</p>
    <p><strong>${thread.author}</strong> <span class="muted">${thread.created_at}</span><br />${thread.text}</p>
    ${thread.replies.map((r) => html`<p class="reply" key=${r.id}><strong>${r.author}</strong> <span class="muted">${r.created_at}</span><br />${r.text}</p>`)}
    ${editable &&
    html`<div class="actions">
      <textarea id=${`reply-${thread.id}`} rows="2" placeholder="Reply" value=${reply} onInput=${(e) => setReply(e.target.value)}></textarea>
      <button id=${`reply-${thread.id}-send`} disabled=${!reply.trim()} onClick=${() => act({ type: "reply_to_comment", comment_id: thread.id, text: reply })}>Reply</button>
      ${thread.resolved
        ? html`<button id=${`reopen-${thread.id}`} onClick=${() => act({ type: "reopen_comment", comment_id: thread.id })}>Reopen</button>`
        : html`<button id=${`resolve-${thread.id}`} onClick=${() => act({ type: "resolve_comment", comment_id: thread.id })}>Resolve</button>`}
    </div>`}
  </li>`;
}

/** The open suggestions, each with accept and reject for editors at the latest version,
 * and accept or reject all of one author's. */
function Suggestions({ api, id, suggestions, editable, onChanged, onError }) {
  const act = async (command) => {
    try {
      const done = await api.post(`/v1/documents/${id}/commands`, command);
      onChanged(done.version);
    } catch (e) {
      onError(e.message);
    }
  };
  const authors = [...new Set(suggestions.map((s) => s.author))];
  const what = (s) =>
    s.kind === "delete_text" || s.kind === "delete_block"
      ? html`delete <del>${s.current_text}</del>`
      : s.kind === "format_text"
        ? html`format “${s.current_text}”`
        : s.current_text
          ? html`<del>${s.current_text}</del> → <ins>${s.text}</ins>`
          : html`<ins>${s.text}</ins>`;
  return html`<aside id="suggestions" class="comments">
    <h3>Suggestions</h3>
    ${suggestions.length === 0
      ? html`<p class="muted">No open suggestions.</p>`
      : html`<ul>
          ${suggestions.map(
            (s) => html`<li key=${s.id} class=${`suggestion ${s.status}`} id=${`suggestion-${s.id}`}>
              <p><strong>${s.author}</strong> <span class="muted">${s.created_at} · ${s.kind}${s.status === "stale" ? " · stale" : ""}</span><br />${what(s)}${s.reason ? html`<br /><em>${s.reason}</em>` : ""}</p>
              ${editable &&
              html`<div class="actions">
                ${s.status === "open" && html`<button id=${`accept-${s.id}`} onClick=${() => act({ type: "accept_suggestion", suggestion_id: s.id })}>Accept</button>`}
                <button id=${`reject-${s.id}`} onClick=${() => act({ type: "reject_suggestion", suggestion_id: s.id })}>Reject</button>
              </div>`}
            </li>`,
          )}
        </ul>
        ${editable &&
        authors.map(
          (a) => html`<p class="actions" key=${a}>
            <button class="accept-all" data-author=${a} onClick=${() => act({ type: "accept_all_suggestions", author: a })}>Accept all by ${a}</button>
            <button class="reject-all" data-author=${a} onClick=${() => act({ type: "reject_all_suggestions", author: a })}>Reject all by ${a}</button>
          </p>`,
        )}`}
  </aside>`;
}

function Version({ api, id, version, editable, onChanged }) {
  const [content, setContent] = useState(null);
  const [review, setReview] = useState({ comments: [], notes: [], suggestions: [] });
  const [error, setError] = useState("");
  useEffect(() => {
    setContent(null);
    setError("");
    Promise.all([
      api.get(`/v1/documents/${id}/content?${q({ version })}`),
      api.get(`/v1/documents/${id}/comments?${q({ version })}`),
      api.get(`/v1/documents/${id}/notes?${q({ version })}`),
      api.get(`/v1/documents/${id}/suggestions?${q({ version })}`),
    ]).then(([c, comments, notes, suggestions]) => {
      const pending = suggestions.suggestions.filter((s) => s.status === "open" || s.status === "stale");
      setReview({ comments: comments.comments, notes: notes.notes, suggestions: pending });
      setContent(c);
    }, (e) => setError(e.message));
  }, [id, version]);
  if (error) return html`<p class="error" role="alert">${error}</p>`;
  if (!content) return html`<p class="muted">Loading…</p>`;
  const { comments, notes, suggestions } = review;
  const marks = [
    ...comments.map((t) => ({ id: t.id, block_id: t.block_id, start: t.start, end: t.end, title: `${t.author}: ${t.text}`, cls: "commented" })),
    ...suggestions
      .filter((s) => s.start !== undefined && s.start !== null)
      .map((s) => ({ id: s.id, block_id: s.block_id, start: s.start, end: s.end, title: `${s.author} suggests ${s.kind}: ${s.text}`, cls: "suggested" })),
  ];
  return html`<div class="with-comments">
    <article class="document" id="version-view" data-version=${content.version}>
      ${content.blocks.map((b) => html`<${Block} key=${b.id} block=${b} marks=${marks} notes=${notes} />`)}
      ${notes.length > 0 &&
      html`<section id="notes" class="notes"><hr /><ol>
        ${notes.map((n) => html`<li key=${n.id} data-note=${n.id}><sup>${n.kind === "endnote" ? `e${n.number}` : n.number}</sup> ${n.text}</li>`)}
      </ol></section>`}
    </article>
    <div class="side">
      <aside id="comments" class="comments">
        <h3>Comments</h3>
        ${comments.length === 0
          ? html`<p class="muted">No comments.</p>`
          : html`<ul>${comments.map((t) => html`<${Thread} key=${t.id} api=${api} id=${id} thread=${t} editable=${editable} onChanged=${onChanged} onError=${setError} />`)}</ul>`}
      </aside>
      <${Suggestions} api=${api} id=${id} suggestions=${suggestions} editable=${editable} onChanged=${onChanged} onError=${setError} />
    </div>
  </div>`;
}

function who(by) {
  if (!by) return "";
  const actor = by.proposed_by ? `${by.proposed_by} (proposed; accepted by ${by.actor})` : by.actor;
  return `${actor}, ${by.at}${by.reason ? ` (${by.reason})` : ""} — v${by.version} ${by.type}`;
}

function Spans({ spans, by }) {
  return spans.map((s) =>
    s.op === "insert"
      ? html`<ins title=${who(by)}>${s.text}</ins>`
      : s.op === "delete"
        ? html`<del title=${who(by)}>${s.text}</del>`
        : html`<span>${s.text}</span>`,
  );
}

function Diff({ api, id, from, to }) {
  const [diff, setDiff] = useState(null);
  const [error, setError] = useState("");
  useEffect(() => {
    setDiff(null);
    setError("");
    api.get(`/v1/documents/${id}/diff?${q({ from, to })}`).then(setDiff, (e) => setError(e.message));
  }, [id, from, to]);
  if (error) return html`<p class="error" role="alert">${error}</p>`;
  if (!diff) return html`<p class="muted">Loading…</p>`;
  return html`<article class="document diff" id="diff-view">
    <p class="muted">From version ${diff.from} to version ${diff.to}: ${diff.blocks.length} block(s) changed.</p>
    ${diff.title && html`<p class="change">Title: <del>${diff.title.from}</del> <ins>${diff.title.to}</ins></p>`}
    ${diff.blocks.map(({ text = [], cells = [], ...b }) => ({ ...b, text, cells })).map(
      (b) => html`<div key=${b.block_id} class=${`change ${b.change}`} title=${who(b.by)}>
        <span class="tag">${b.change}${b.moved && b.change !== "moved" ? " + moved" : ""}${b.formatting_changed ? " (formatting)" : ""}</span>
        ${b.change === "added"
          ? html`<ins>${b.text.map((s) => s.text).join("")}</ins>`
          : b.change === "removed"
            ? html`<del>${b.text.map((s) => s.text).join("")}</del>`
            : html`<${Spans} spans=${b.text} by=${b.by} />`}
        ${b.cells.length > 0 &&
        html`<ul class="cells">${b.cells.map((c) => html`<li>row ${c.row + 1}, column ${c.col + 1}: <del>${c.from}</del> <ins>${c.to}</ins></li>`)}</ul>`}
        ${b.by && html`<span class="by">${who(b.by)}</span>`}
      </div>`,
    )}
  </article>`;
}

const palette = ["#fde68a", "#bfdbfe", "#c7f9cc", "#fbcfe8", "#ddd6fe", "#fed7aa", "#a5f3fc"];

function Blame({ api, id, version }) {
  const [blame, setBlame] = useState(null);
  const [error, setError] = useState("");
  useEffect(() => {
    setBlame(null);
    setError("");
    api.get(`/v1/documents/${id}/blame?${q({ version })}`).then(setBlame, (e) => setError(e.message));
  }, [id, version]);
  if (error) return html`<p class="error" role="alert">${error}</p>`;
  if (!blame) return html`<p class="muted">Loading…</p>`;
  const changes = new Map(blame.changes.map((c) => [c.version, c]));
  // An accepted suggestion's words are its proposer's.
  const author = (c) => c?.proposed_by || c?.actor;
  const actors = [];
  for (const c of blame.changes) if (!actors.includes(author(c))) actors.push(author(c));
  const colour = (version) => palette[actors.indexOf(author(changes.get(version))) % palette.length];
  return html`<article class="document blame" id="blame-view">
    <p class="legend">${actors.map((a) => html`<span class="swatch" style=${{ background: palette[actors.indexOf(a) % palette.length] }}>${a}</span> `)}</p>
    ${blame.blocks.map(
      (b) => html`<div key=${b.block_id} class="blamed">
        <span class="by">v${b.last} ${author(changes.get(b.last)) ?? ""}</span>
        <p>${(b.ranges || []).map((r) => html`<span class="range" style=${{ background: colour(r.version) }} title=${who(changes.get(r.version))}>${r.text}</span>`)}</p>
      </div>`,
    )}
  </article>`;
}

function DocumentView({ api, session, id }) {
  const [summary, setSummary] = useState(null);
  const [events, setEvents] = useState([]);
  const [filters, setFilters] = useState({ actor: "", type: "" });
  const [error, setError] = useState("");
  const [panel, setPanel] = useState({ mode: "version", version: null, from: null, to: null });
  const [confirming, setConfirming] = useState(null);
  const [notice, setNotice] = useState("");
  const [reload, setReload] = useState(0);
  // The newest version this page wrote: reads wait for it (the read model may lag).
  const [written, setWritten] = useState(0);
  const canRevert = session.role !== "viewer";

  useEffect(() => {
    setError("");
    api.get(`/v1/documents/${id}?${q({ min_version: written || undefined })}`).then(
      (s) => {
        setSummary(s);
        setPanel((p) => (p.version ? p : { ...p, version: s.version, from: Math.max(1, s.version - 1), to: s.version }));
      },
      (e) => setError(e.status === 404 ? "Document not found." : e.message),
    );
  }, [id, reload]);
  useEffect(() => {
    allHistory(api, id, filters).then(setEvents, (e) => setError(e.status === 404 ? "Document not found." : e.message));
  }, [id, filters.actor, filters.type, reload]);

  if (error) return html`<section><p class="error" role="alert" id="doc-error">${error}</p><a href="#/">Back to documents</a></section>`;
  if (!summary) return html`<p class="muted">Loading…</p>`;

  const v = panel.version;
  const startRevert = async () => {
    setNotice("");
    try {
      const preview = await api.post(`/v1/documents/${id}/commands?dry_run=true`, { type: "revert_to_version", version: v });
      setConfirming({ version: v, events: preview.events.length });
    } catch (e) {
      setNotice(e.message);
    }
  };
  const revert = async () => {
    try {
      const done = await api.post(
        `/v1/documents/${id}/commands`,
        { type: "revert_to_version", version: confirming.version },
        { "x-folio-reason": `reverted to version ${confirming.version} in the history viewer` },
      );
      setNotice(done.events.length ? `Reverted to version ${confirming.version}: now version ${done.version}.` : "Nothing to revert: the content is already that version's.");
      setConfirming(null);
      setWritten(done.version);
      setPanel({ mode: "version", version: done.version, from: confirming.version, to: done.version });
      setReload((n) => n + 1);
    } catch (e) {
      setNotice(e.message);
      setConfirming(null);
    }
  };

  const types = [...new Set(events.map((e) => e.type))];
  return html`<section class="doc-view">
    <p><a href="#/">← Documents</a></p>
    <h2 id="doc-title">${summary.title}</h2>
    <p class="muted">Version ${summary.version} · ${summary.stats?.words ?? 0} words · created ${summary.created_at} by ${summary.created_by}</p>
    <div class="columns">
      <div class="timeline">
        <h3>Timeline</h3>
        <div class="filters">
          <input id="filter-actor" placeholder="Actor" value=${filters.actor} onChange=${(e) => setFilters({ ...filters, actor: e.target.value })} />
          <select id="filter-type" value=${filters.type} onChange=${(e) => setFilters({ ...filters, type: e.target.value })}>
            <option value="">Every event</option>
            ${types.map((t) => html`<option value=${t}>${t}</option>`)}
          </select>
        </div>
        <table class="list" id="timeline">
          <thead><tr><th>v</th><th>Event</th><th>Who, when, why</th><th title="compare from">A</th><th title="compare to">B</th></tr></thead>
          <tbody>
            ${events.map(
              (e) => html`<tr key=${e.sequence} class=${e.sequence === v ? "current" : ""} data-version=${e.sequence}>
                <td><button class="link" onClick=${() => setPanel({ ...panel, mode: panel.mode === "diff" ? "version" : panel.mode, version: e.sequence })}>${e.sequence}</button></td>
                <td>${e.type}${e.command ? html`<br /><span class="muted">${e.command}</span>` : ""}${(e.labels || []).map((l) => html` <span class="label">${l}</span>`)}</td>
                <td>${e.actor}<br /><span class="muted">${e.at}</span>${e.reason ? html`<br /><em>${e.reason}</em>` : ""}</td>
                <td><input type="radio" name="from" aria-label=${`compare from ${e.sequence}`} checked=${panel.from === e.sequence} onClick=${() => setPanel({ ...panel, from: e.sequence, mode: "diff" })} /></td>
                <td><input type="radio" name="to" aria-label=${`compare to ${e.sequence}`} checked=${panel.to === e.sequence} onClick=${() => setPanel({ ...panel, to: e.sequence, mode: "diff" })} /></td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <div class="panel">
        <div class="toolbar">
          <button id="show-version" class=${panel.mode === "version" ? "on" : ""} onClick=${() => setPanel({ ...panel, mode: "version" })}>Version ${v}</button>
          <button id="show-diff" class=${panel.mode === "diff" ? "on" : ""} onClick=${() => setPanel({ ...panel, mode: "diff" })}>Compare ${panel.from} → ${panel.to}</button>
          <button id="show-blame" class=${panel.mode === "blame" ? "on" : ""} onClick=${() => setPanel({ ...panel, mode: "blame" })}>Who wrote what</button>
          <span class="spacer"></span>
          <button id="download-docx" onClick=${() => download(api, `/v1/documents/${id}/docx?${q({ version: v })}`, "document.docx").catch((e) => setNotice(e.message))}>Download v${v} (.docx)</button>
          <button id="download-redline" onClick=${() => download(api, `/v1/documents/${id}/diff?${q({ from: panel.from, to: panel.to, format: "docx" })}`, "redline.docx").catch((e) => setNotice(e.message))}>Download redline (.docx)</button>
          ${canRevert && html`<button id="revert" class="danger" onClick=${startRevert}>Revert to v${v}</button>`}
        </div>
        ${confirming &&
        html`<div class="confirm" id="confirm-revert" role="dialog">
          <p>Revert the document to the content of version ${confirming.version}? This appends ${confirming.events} event(s); the history is kept.</p>
          <button id="confirm-revert-yes" class="danger" onClick=${revert}>Revert</button>
          <button onClick=${() => setConfirming(null)}>Cancel</button>
        </div>`}
        ${notice && html`<p class="notice" role="status" id="notice">${notice}</p>`}
        ${panel.mode === "version" &&
        html`<${Version}
          api=${api}
          id=${id}
          version=${v}
          editable=${canRevert && v === Math.max(summary.version, written)}
          onChanged=${(version) => {
            setWritten(version);
            setPanel({ ...panel, version });
            setReload((n) => n + 1);
          }}
        />`}
        ${panel.mode === "diff" && html`<${Diff} api=${api} id=${id} from=${panel.from} to=${panel.to} />`}
        ${panel.mode === "blame" && html`<${Blame} api=${api} id=${id} version=${v} />`}
      </div>
    </div>
  </section>`;
}

// ---- the app ---------------------------------------------------------------------------

function route() {
  const m = /^#\/documents\/([^/]+)$/.exec(window.location.hash);
  return m ? { document: decodeURIComponent(m[1]) } : {};
}

function App() {
  const [session, setSession] = useState(() => {
    try {
      return JSON.parse(sessionStorage.getItem("folio-session")) || null;
    } catch (_) {
      return null;
    }
  });
  const [where, setWhere] = useState(route());
  useEffect(() => {
    const on = () => setWhere(route());
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  const signIn = (s) => {
    sessionStorage.setItem("folio-session", JSON.stringify(s));
    setSession(s);
  };
  const signOut = () => {
    sessionStorage.removeItem("folio-session");
    setSession(null);
  };
  if (!session) return html`<${SignIn} onSession=${signIn} />`;
  const api = client(session);
  return html`<div>
    <header>
      <a href="#/" class="brand">folio</a>
      <span class="muted" id="signed-in">${session.who}${session.role ? ` (${session.role})` : ""}</span>
      <button id="sign-out" onClick=${signOut}>Sign out</button>
    </header>
    <main>
      ${where.document ? html`<${DocumentView} key=${where.document} api=${api} session=${session} id=${where.document} />` : html`<${Documents} api=${api} />`}
    </main>
  </div>`;
}

render(html`<${App} />`, document.getElementById("app"));
