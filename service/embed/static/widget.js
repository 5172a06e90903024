/* moderato widget: the thread and its form, in a Shadow DOM. Plain JavaScript, no dependencies.
   Called with CSS (our stylesheet), STRINGS (the catalogue: strings.json) and CONFIG (field
   names, length limits and poll delays, from the server's own constants). */
"use strict";
var d = document;
var L = CONFIG.limits;
var SAFE = { P: 1, BR: 1, EM: 1, STRONG: 1, CODE: 1, PRE: 1, BLOCKQUOTE: 1, UL: 1, OL: 1, LI: 1, A: 1 };
var DROP = /^(SCRIPT|STYLE|TEMPLATE|IFRAME|OBJECT|EMBED|NOSCRIPT|SVG|MATH|IMG|VIDEO|AUDIO|FORM|INPUT|TEXTAREA|SELECT|BUTTON|LINK|META|TITLE)$/;
var CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
var CONTROL_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/; // tab and newline allowed
var EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
var FIELDS = ["name", "email", "url", "text"];
var LABELS = { name: "name", email: "email", url: "website", text: "comment" };
var sheet = null;

function pick(tag) {
  tag = String(tag || "").toLowerCase().replace(/_/g, "-");
  if (STRINGS[tag]) return tag;
  tag = tag.split("-")[0];
  return STRINGS[tag] ? tag : "en";
}

/* A name in a sentence or a label: without the invisible direction controls (an override
   or a stray PDI would reorder or end the isolate early), in FSI … PDI, as the dashboard's
   isolate() does (service/bidi.py: the same characters). */
var BIDI = /[\u200b\u200e\u200f\u061c\u2060\u202a-\u202e\u2066-\u2069\ufeff]/g;
function isolate(v) {
  v = String(v == null ? "" : v).replace(BIDI, "");
  return v && "\u2068" + v + "\u2069";
}

function translator(code) {
  var s = Object.assign({}, STRINGS.en, STRINGS[code]);
  return function (key, params) {
    return String(s[key] || key).replace(/\{(\w+)\}/g, function (m, k) {
      return params && k in params ? (k === "name" ? isolate(params[k]) : params[k]) : m;
    });
  };
}

/* Build an element: attributes by setAttribute, text by textContent, never HTML strings. */
function h(tag, attrs, kids) {
  var el = d.createElement(tag);
  Object.keys(attrs || {}).forEach(function (k) {
    var v = attrs[k];
    if (v == null || v === false) return;
    if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = v;
    else el.setAttribute(k, v === true ? "" : v);
  });
  (kids || []).forEach(function (c) {
    if (c != null) el.appendChild(typeof c === "string" ? d.createTextNode(c) : c);
  });
  return el;
}

/* Count and trim exactly as the server does: code points, CRLF -> LF. */
function count(s) {
  return Array.from(s).length;
}
function clean(s, multiline) {
  s = s.trim();
  return multiline ? s.replace(/\r\n?/g, "\n").trim() : s;
}

function okUrl(u, loose) {
  if (/\s/.test(u) || CONTROL.test(u)) return false;
  try {
    var p = new URL(u);
    return p.protocol === "http:" || p.protocol === "https:" || (loose && p.protocol === "mailto:");
  } catch (x) {
    return false;
  }
}

/* Mirror of service/validation.py: every failing field at once, by stable code. */
function validate(v) {
  var e = {};
  function check(name, value, limit, control) {
    if (!value) e[name] = "required";
    else if (count(value) > limit) e[name] = "too_long";
    else if (control.test(value)) e[name] = "control_characters";
  }
  check("name", v.name, L.name, CONTROL);
  if (!v.email) e.email = "required";
  else if (count(v.email) > L.email) e.email = "too_long";
  else if (!EMAIL.test(v.email)) e.email = "invalid_email";
  if (v.url && count(v.url) > L.url) e.url = "too_long";
  else if (v.url && !okUrl(v.url)) e.url = "invalid_url";
  check("text", v.text, L.text, CONTROL_TEXT);
  return e;
}

/* Defence in depth: the server already sanitises `html`; rebuild it from an allow-list anyway,
   parsing in an inert <template> (no script runs, no image loads). */
var TT;
try {
  TT = window.trustedTypes && trustedTypes.createPolicy("moderato-html", { createHTML: String });
} catch (x) {
  console.error("moderato: trusted-types needs moderato-html", x);
}
function sanitize(html) {
  var t = d.createElement("template");
  t.innerHTML = TT ? TT.createHTML(html) : html;
  var out = d.createDocumentFragment();
  copy(t.content, out);
  return out;
}
function copy(from, to) {
  Array.prototype.forEach.call(from.childNodes, function (n) {
    if (n.nodeType === 3) to.appendChild(d.createTextNode(n.data));
    if (n.nodeType !== 1) return;
    /* SVG, MathML: dropped whole */
    if (n.namespaceURI !== "http://www.w3.org/1999/xhtml") return;
    if (SAFE[n.tagName]) {
      var el = d.createElement(n.tagName.toLowerCase());
      if (n.tagName === "A") {
        var href = (n.getAttribute("href") || "").trim();
        if (okUrl(href, true)) el.setAttribute("href", href);
        el.setAttribute("rel", "nofollow ugc noopener");
      }
      copy(n, el);
      to.appendChild(el);
    } else if (!DROP.test(n.tagName)) copy(n, to);
  });
}

function adopt(root) {
  try {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
    }
    root.adoptedStyleSheets = [sheet];
  } catch (x) {
    root.appendChild(h("style", { text: CSS }));
  }
}

var KEYS = ["base", "site", "thread", "lang", "theme", "order", "title", "headingLevel"];
function mount(host, cfg) {
  var was = host.__moderato;
  if (was && KEYS.every(function (k) { return was[k] === cfg[k]; })) return;
  /* the thread this one replaces stops: its requests on their way are aborted, and their
     answers (a linked comment's page) can no longer draw or take focus */
  if (host.__moderatoEnd) host.__moderatoEnd();
  var halt = new AbortController();
  host.__moderato = M.last = cfg;
  M.base = cfg.base;
  var code = pick(cfg.lang);
  var t = translator(code);
  var dir = CONFIG.rtl.indexOf(code) >= 0 ? "rtl" : "ltr";
  var theme = /^(light|dark)$/.test(cfg.theme) ? cfg.theme : "auto";
  /* data-heading-level: the thread's heading level (2 to 5, else 2), its form's one below,
     so that the thread fits the page's outline */
  var level = /^[2-5]$/.test(cfg.headingLevel) ? +cfg.headingLevel : 2;
  var root;
  try {
    root = host.shadowRoot || host.__moderatoRoot || host.attachShadow({ mode: "open" });
  } catch (x) {
    root = host.appendChild(h("div")).attachShadow({ mode: "open" });
  }
  host.__moderatoRoot = root;  /* a host that takes no shadow root reuses its div */
  root.replaceChildren();
  adopt(root);
  /* dates in the page's tag (en-GB) */
  function dates(tags) {
    try { return new Intl.DateTimeFormat(tags, { dateStyle: "medium", timeStyle: "short" }); } catch (x) { return null; }
  }
  var tag = String(cfg.lang || "");
  var when = (tag.toLowerCase().indexOf(code) === 0 && dates([tag, code])) || dates(code) ||
    { format: function (dt) { return dt.toISOString(); } };
  /* landmark names apart, several threads on a page: "Comments: <data-title>", "Comments 2" */
  /* the lowest number no thread still on the page has: an SPA that replaces its container
     keeps "Comments", not "Comments 4" */
  var n = host.__moderatoN;
  if (!n) {
    var used = {};
    M.hosts = (M.hosts || []).filter(function (x) { return x.isConnected && x !== host; });
    M.hosts.forEach(function (x) { used[x.__moderatoN] = 1; });
    for (n = 1; used[n]; n++);
    host.__moderatoN = n;
    M.hosts.push(host);
  }
  function named(key) {
    var l = t(key);
    /* the title isolated, as a name is: a left-to-right title in "التعليقات: …" keeps its place */
    return cfg.title ? t("named", { label: l, title: isolate(cfg.title) }) : n > 1 ? l + " " + n : l;
  }
  var S = { reports: {}, reported: {}, items: [], own: [], cursor: null, order: cfg.order, parent: null, fresh: null, busy: false, loaded: false, total: null, closed: null, feat: false, ft: 0, seq: 0, hunt: 1, was: d.activeElement };
  /* a hashchange (the module's one listener calls it) looks for its comment now, or when
     the list on its way has come; focus moves to it only if the reader has not moved it
     meanwhile (S.was: where it was when the search began) */
  host.__moderatoHash = function () { S.hunt = 1; S.was = root.activeElement || d.activeElement; if (!S.fly) seek(); };
  host.__moderatoEnd = function () { S.seq = -1; halt.abort(); };
  var tok = { p: null, value: null, at: 0, ttl: 0 };
  var F = {};

  function api(path, params) {
    return cfg.base + path + (params ? "?" + new URLSearchParams(params) : "");
  }
  function getJSON(url) {
    return fetch(url, { credentials: "omit", cache: "no-cache", signal: halt.signal }).then(function (r) {
      if (r.ok) return r.json();
      return r.json().catch(function () { return {}; }).then(function (b) {
        var e = new Error(r.status);
        e.code = b && b.error && b.error.code;
        e.cursor = !!(b && b.error && b.error.fields && b.error.fields.cursor);
        throw e;
      });
    });
  }

  /* ---- the thread ---- */
  var title = h("h" + level, { id: "m-title", text: t("comments") });
  /* a reader's own sort, view or "Load more" ends the search for a linked comment: focus
     stays where they are (it was pulled to the comment once found; found in review) */
  var sort = h("select", { id: "m-sort", onchange: function () { S.order = sort.value; S.hunt = 0; S.say = 1; load(false); } }, [
    h("option", { value: "oldest", text: t("oldest") }),
    h("option", { value: "newest", text: t("newest") }),
  ]);
  sort.value = S.order;
  /* "Featured (N)": shows only the comments a moderator featured, or all again */
  var featBtn = h("button", { type: "button", class: "btn2", "aria-pressed": "false", hidden: true,
    onclick: function () { S.feat = !S.feat; S.hunt = 0; featBtn.setAttribute("aria-pressed", S.feat); load(false); } });
  var listStatus = h("div", { class: "status", role: "status" });
  var list = h("ol", { class: "list" });
  var more = h("button", { type: "button", class: "btn2", hidden: true, onclick: function () { S.hunt = 0; load(true); }, text: t("more") });
  /* a link opened a later page: the way back to the first */
  var first = h("button", { type: "button", class: "btn2", hidden: true, onclick: function () { S.hunt = 0; load(false); }, text: t("first_page") });

  function avatar(c) {
    var n = parseInt(String(c.avatar || "").slice(0, 2), 16);
    var first = Array.from(String(c.author_name).trim())[0] || "?";
    return h("span", { class: "av av" + (isNaN(n) ? 0 : n % 8), "aria-hidden": "true", text: first.toUpperCase() });
  }

  /* "edited", and when: in words a screen reader reads (hidden from sight) and the title a
     mouse shows (an aria-label on <time> is not its name everywhere) */
  function edited(at) {
    var dt = new Date(at);
    if (!at || isNaN(dt)) return null;
    var label = t("edited_at", { time: when.format(dt) });
    return h("time", { class: "edited", datetime: at, title: label }, [
      h("span", { "aria-hidden": "true", text: t("edited") }), h("span", { class: "vh", text: label })]);
  }

  function item(node) {
    var c = node.c;
    var byId = "m-by-" + c.id;
    var name = c.author_url && okUrl(c.author_url)
      ? h("a", { href: c.author_url, rel: "nofollow ugc noopener", text: c.author_name })
      : c.author_name;
    var stamp = new Date(c.created_at);
    var art = h("article", { class: "card" + (c.own ? " own" : "") + (c.id === S.fresh ? " new" : ""), "aria-labelledby": byId }, [
      h("div", { class: "meta" }, [
        avatar(c),
        h("span", { class: "by", id: byId, dir: "auto" }, [name]),
        h("time", { datetime: c.created_at, text: isNaN(stamp) ? "" : when.format(stamp) }),
        edited(c.edited_at),
        c.featured ? h("span", { class: "feat", text: t("featured") }) : null,
      ]),
      c.own
        ? h("div", { class: "body plain", dir: "auto", text: c.text })
        : h("div", { class: "body", dir: "auto" }, [sanitize(c.html)]),
      c.own
        ? h("p", { class: "badge", text: t("awaiting") })
        : h("div", { class: "acts" }, [
            S.closed ? null : h("button", { type: "button", class: "link reply", "aria-label": t("reply_to_name", { name: c.author_name }),
              onclick: function () { startReply(c); }, text: t("reply") }),
            S.reported[c.id]
              ? h("span", { class: "badge", text: t("report_done") })
              : h("button", { type: "button", class: "link report", "aria-expanded": S.reports[c.id] ? "true" : "false",
                  "aria-label": t("report_name", { name: c.author_name }), onclick: function () { toggleReport(c); }, text: t("report") }),
          ]),
    ]);
    if (S.reports[c.id]) art.appendChild(S.reports[c.id]);
    var li = h("li", { id: "m-c-" + c.id }, [art]);
    if (node.kids.length) li.appendChild(h("ol", { class: "replies" }, node.kids.map(item)));
    return li;
  }

  /* ---- reporting a comment to the moderators ---- */
  var REASONS = ["spam", "abusive", "off_topic", "other"];
  function toggleReport(c) {
    if (S.reports[c.id]) return closeReport(c.id);
    var group = "m-r-" + c.id;
    var note = h("textarea", { id: group + "-note", maxlength: "500", rows: "2" });
    var status = h("p", { class: "status", role: "status", id: group + "-status", tabindex: "-1" });
    var send = h("button", { type: "submit", class: "btn2", text: t("report_send") });
    var reasons = h("fieldset", { role: "radiogroup", "aria-required": "true", "aria-describedby": group + "-status" },
      [h("legend", { text: t("report_why") })].concat(REASONS.map(function (r) {
        return h("label", { class: "opt1" }, [h("input", { type: "radio", name: group, value: r, required: true }), " " + t("report_" + r)]);
      })));
    var form = h("form", { class: "reportf", novalidate: true, onkeydown: function (ev) {
      if (ev.key === "Escape") { ev.preventDefault(); closeReport(c.id); }
    } }, [
      reasons,
      h("label", { for: group + "-note", text: t("report_note") }),
      note,
      h("div", { class: "replying" }, [send, h("button", { type: "button", class: "link", onclick: function () { closeReport(c.id); }, text: t("report_cancel") })]),
      status,
    ]);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var chosen = form.querySelector("input:checked");
      reasons.setAttribute("aria-invalid", chosen ? "false" : "true");
      if (!chosen) { status.textContent = t("report_pick"); form.querySelector("input").focus(); return; }
      if (send.getAttribute("aria-disabled") === "true") return;
      send.setAttribute("aria-disabled", "true");
      status.textContent = t("sending"); // not the last try's "Choose a reason."
      var body = new URLSearchParams({ reason: chosen.value, note: note.value });
      fetch(api("api/v1/comments/" + encodeURIComponent(c.id) + "/reports"), { method: "POST", body: body, credentials: "omit", headers: { Accept: "application/json" } })
        .then(function (r) {
          if (r.status === 202) {
            S.reported[c.id] = true;
            delete S.reports[c.id];
            render();
            var li = root.getElementById("m-c-" + c.id);
            var done = li && li.querySelector(":scope > article .badge");
            listStatus.textContent = t("report_thanks");
            if (done) { done.setAttribute("tabindex", "-1"); done.focus(); }
            return;
          }
          return r.json().catch(function () { return {}; }).then(function (b) {
            var code = b && b.error && b.error.code;
            var fields = (b && b.error && b.error.fields) || {};
            if (code === "validation_failed" && fields.note) code = fields.note.code;
            var own = { comment_not_found: "report_gone", rate_limited: "report_err_rate", origin_not_allowed: "report_err_origin" }[code];
            var said = code ? message("", code) : "";
            status.textContent = code === "rate_limited" ? later(own, r.headers.get("Retry-After"))
              : own ? t(own) : said && said !== "err_" + code ? said : t("err_generic");
          });
        })
        .catch(function () { status.textContent = t("report_err_network"); })
        .then(function () { send.setAttribute("aria-disabled", "false"); });
    });
    S.reports[c.id] = form;
    render();
    form.querySelector("input").focus();
  }
  function closeReport(id) {
    delete S.reports[id];
    render();
    var li = root.getElementById("m-c-" + id);
    var again = li && li.querySelector(":scope > article .report");
    if (again) again.focus();
  }

  /* Focus inside the list survives a re-render: the same control of the same comment. */
  function focusSpot(active) {
    if (!active || !list.contains(active)) return null;
    var li = active.closest("li[id]");
    var cls = (active.getAttribute("class") || "").split(" ");
    return li && { id: li.id, cls: cls.filter(function (c) { return c === "reply" || c === "report"; })[0] || cls[0] };
  }
  function focusComment(id, cls) {
    var li = root.getElementById(id);
    var target = li && ((cls && li.querySelector(":scope > article ." + cls)) || li.querySelector(":scope > article"));
    if (!target) return false;
    if (target.tagName === "ARTICLE") target.setAttribute("tabindex", "-1");
    target.focus();
    return true;
  }

  function render() {
    var active = root.activeElement;
    var spot = focusSpot(active);
    var sel = active && active.tagName === "TEXTAREA" ? [active.selectionStart, active.selectionEnd] : null;
    var all = S.items.concat(S.feat ? [] : S.own);
    var byId = {};
    var top = [];
    all.forEach(function (c) { byId[c.id] = { c: c, kids: [] }; });
    all.forEach(function (c) {
      var p = !S.feat && c.parent && byId[c.parent]; // the picks stand alone
      if (p) p.kids.push(byId[c.id]);
      else if (c.own && S.order === "newest") top.unshift(byId[c.id]);
      else top.push(byId[c.id]);
    });
    Object.keys(byId).forEach(function (k) {
      byId[k].kids.sort(function (a, b) { return a.c.created_at < b.c.created_at ? -1 : 1; });
    });
    list.replaceChildren.apply(list, top.map(item));
    if (S.ed) S.ed(); // the edit chunk's buttons and editors, on the reader's own comments
    title.textContent = t("comments_count", { count: S.total != null ? S.total : S.items.length });
    if (S.loaded) listStatus.textContent = all.length ? "" : t(S.closed ? "no_comments_closed" : "no_comments");
    more.hidden = !S.cursor;
    first.hidden = !S.first;
    featBtn.hidden = !S.ft && !S.feat;
    featBtn.textContent = t("featured_n", { count: S.ft });
    featBtn.setAttribute("aria-pressed", S.feat);
    /* a closed thread: its comments stay, the form and the replies go */
    if (S.closed) S.parent = null;
    replying.hidden = !S.parent;
    replyingText.id = S.parent ? "m-re" : "";
    respond.hidden = !!(S.closed || S.broken);
    closedNote.hidden = !S.closed;
    closedNote.textContent = S.closed ? t("closed") + (S.closed.message ? " " + S.closed.message : "") : "";
    var at = S.parent && root.getElementById("m-c-" + S.parent.id);
    if (at) at.insertBefore(respond, at.children[1] || null);
    else wrap.appendChild(respond);
    if (active && root.activeElement !== active && wrap.contains(active)) {
      active.focus();
      if (sel) active.setSelectionRange(sel[0], sel[1]);
    } else if (!(spot && !active.isConnected && focusComment(spot.id, spot.cls))) {
      lost(active);
    }
  }
  /* the focused control went with a redraw ("Try again", say): focus stays in the thread,
     on its heading, not on the page's <body> */
  function lost(el) {
    if (el && !el.isConnected) {
      title.tabIndex = -1;
      title.focus();
    }
  }

  /* only the shape of our ids: a WordPress-era #comment-123 is not asked for */
  function linked() {
    return (/^#comment-([\w-]{16,40})$/.exec(location.hash) || [])[1];
  }
  /* #comment-<id> (a feed entry's or a mail's link) reaches into the shadow root, on load
     and on each hashchange: the comment is marked, scrolled to and focused (screen readers
     land on it); one not shown is asked for once (`asked`): the server answers the page
     of the whole thread that holds it. An id not found does nothing, and other loads
     (sort, view, "Load more") leave focus where it is. */
  function seek(asked) {
    var id = linked();
    var go = id && root.getElementById("m-c-" + id);
    if (!go && id && id !== asked) return load(false, id);
    S.hunt = 0;
    var now = root.activeElement || d.activeElement;
    if (go) {
      S.fresh = id;
      render();
      /* not while the reader is elsewhere (typing in the page's search box, found in review);
         the heading is where a redraw put focus (lost), not the reader */
      if (now === S.was || now === d.body || now === title) {
        focusComment(go.id);
        root.getElementById(go.id).scrollIntoView();
      }
    }
  }

  /* only the latest request's answer counts: a sort or view switched while "Load more"
     was on its way must not mix two lists (found in review) */
  function load(append, id) {
    var n = ++S.seq;
    S.fly = 1;
    var params = { site: cfg.site, thread: cfg.thread, order: S.order, by: "conversation" };
    if (append && S.cursor) params.cursor = S.cursor;
    /* a linked comment: the page of the whole thread that holds it (the Featured view
       lists only the picks, and a picks' page would not show its conversation) */
    if (id) params.comment = id;
    else if (S.feat) params.featured = 1;
    if (!append) {
      var was = root.activeElement;
      listStatus.replaceChildren(t("loading"));
      lost(was);
    }
    return getJSON(api("api/v1/comments", params)).then(
      function (body) {
        if (n !== S.seq) return;
        S.fly = 0;
        /* the form's token once the thread has come: a page the site refuses gets that
           refusal and nothing else (no CORS error in its console; found in review) */
        token();
        var from = root.activeElement;
        var at = body.located;
        /* a link to no comment of the thread changes nothing once the thread is shown
           (but "Loading comments…" goes) */
        if (at && !at.found && S.loaded) {
          render();
          return seek(id);
        }
        if (id) S.feat = false;
        if (!append) S.first = at && !at.first_page;
        /* a reply whose parent was taken down meanwhile becomes a root and may come again */
        var had = {};
        S.items.forEach(function (c) { had[c.id] = 1; });
        S.items = append ? S.items.concat(body.items.filter(function (c) { return !had[c.id]; })) : body.items;
        S.cursor = body.next_cursor;
        S.total = body.total;
        S.ft = body.featured_total;
        S.closed = body.thread_state && body.thread_state.closed ? body.thread_state : null;
        S.loaded = true;
        render();
        if (S.hunt) return seek(id);
        if (append) listStatus.textContent = t("more_loaded", { count: body.items.length });
        /* a new sort is said once its list has come ("Loading comments…" then silence
           told a screen reader nothing; left in session 15, done in 16) */
        else if (S.say && body.items.length) listStatus.textContent = t(S.order);
        S.say = 0;
        // The last page hides "Load more", the first page its own button: focus goes to
        // the first comment the page brought.
        if (from && from.hidden && body.items.length) focusComment("m-c-" + body.items[0].id, null);
      },
      function (e) {
        if (n !== S.seq) return;
        S.fly = 0;
        var code = e && e.code;
        if (e && e.cursor) return load(false); // a cursor of another list: start again
        if (code === "origin_not_allowed" || code === "site_not_found" || code === "validation_failed") {
          broken(code);  // a setup mistake: retrying will not help
          return;
        }
        listStatus.replaceChildren(t("load_error") + " ",
          h("button", { type: "button", class: "link", onclick: function () { load(append); }, text: t("retry") }));
      }
    );
  }

  /* ---- the form ---- */
  function field(name, input, required, extra) {
    var err = h("p", { class: "err", id: "m-" + name + "-err" });
    input.id = "m-" + name;
    input.name = name;
    /* the comment's box is described by its counter and, replying, by "Replying to …" */
    input.setAttribute("aria-describedby", err.id + (extra ? " " + extra.id + " m-re" : ""));
    if (required) {
      input.required = true;
      input.setAttribute("aria-required", "true");
    }
    F[name] = { input: input, err: err };
    return h("div", { class: "field" }, [
      h("label", { for: input.id }, [
        t(LABELS[name]) + " ",
        required ? h("span", { class: "req", "aria-hidden": "true", text: "*" }) : h("span", { class: "opt", text: "(" + t("optional") + ")" }),
      ]),
      input,
      extra,
      err,
    ]);
  }
  var counter = h("p", { class: "count", id: "m-text-count" });
  function updateCount() {
    counter.textContent = t("chars", { count: count(clean(F.text.input.value, true)), max: L.text });
  }
  var hp = h("input", { id: "m-hp", name: CONFIG.honeypotField, type: "text", tabindex: "-1", autocomplete: "off" });
  /* reply notifications: in the form only once the token's answer says mail is configured */
  var notify = h("input", { type: "checkbox", id: "m-notify", "aria-describedby": "m-notify-hint" });
  var notifyRow = h("div", { class: "field" }, [
    h("label", { class: "opt1" }, [notify, " " + t("notify")]),
    h("span", { class: "opt", id: "m-notify-hint", text: t("notify_hint") }),
  ]);
  var summary = h("div", { class: "summary", role: "alert" });
  var submit = h("button", { type: "submit", class: "btn", text: t("submit") });
  var closedNote = h("p", { class: "closed", dir: "auto", hidden: true });
  var done = h("p", { class: "status", role: "status" });
  var replyingText = h("span");
  var replying = h("p", { class: "replying", hidden: true }, [
    replyingText,
    h("button", { type: "button", class: "link", onclick: cancelReply, text: t("cancel_reply") }),
  ]);
  var form = h("form", { novalidate: true, "aria-label": named("leave_reply"), onsubmit: onSubmit, onfocusin: token,
    onkeydown: function (ev) { if (ev.key === "Escape" && S.parent) cancelReply(); } }, [
    h("p", { class: "note" }, [t("privacy") + " " + t("required_note") + " ", h("span", { class: "req", text: "*" })]),
    summary,
    field("name", h("input", { type: "text", autocomplete: "name", dir: "auto" }), true),
    field("email", h("input", { type: "email", autocomplete: "email", dir: "ltr" }), true),
    field("url", h("input", { type: "url", autocomplete: "url", dir: "ltr" }), false),
    field("text", h("textarea", { rows: "6", dir: "auto", oninput: updateCount }), true, counter),
    h("div", { class: "hp", "aria-hidden": "true" }, [h("label", { for: "m-hp", text: t("honeypot") }), hp]),
    h("p", {}, [submit]),
  ]);
  var respond = h("div", { class: "respond", id: "m-respond" }, [
    h("h" + (level + 1), { id: "m-form-title", text: t("leave_reply") }),
    replying,
    form,
    done,
  ]);
  updateCount();

  function startReply(c) {
    S.parent = c;
    /* the name in a <bdi>: a right-to-left name in a left-to-right sentence (or the reverse)
       keeps its own direction, and brackets stay where they belong */
    var parts = t("in_reply_to").split("{name}");
    replyingText.replaceChildren(parts[0], h("bdi", { text: c.author_name }), parts[1] || "");
    render();
    F.text.input.focus();
  }
  function cancelReply() {
    var id = S.parent && S.parent.id;
    S.parent = null;
    render();
    var back = id && root.getElementById("m-c-" + id);
    if (back) back.querySelector(".reply").focus();
  }

  /* the page's setup is wrong: no form to fill in vain, a hint in the console */
  function broken(code) {
    S.broken = true;
    respond.hidden = true;
    listStatus.replaceChildren(t(code === "origin_not_allowed" ? "err_origin_not_allowed" : "err_setup"));
    if (window.console) console.warn("moderato: " + ({
      origin_not_allowed: "add " + location.origin + " to the site's origins (moderato sites update --add-origin)",
      site_not_found: "there is no site " + JSON.stringify(cfg.site) + " (data-site)",
      validation_failed: "the thread id is not valid (data-thread, or the canonical URL: at most " + L.thread + " characters)",
    })[code]);
  }

  /* A signed token from the server; its age at submission proves a person took their time. */
  function token() {
    if (S.broken) return Promise.resolve(null);
    var fresh = tok.value && Date.now() - tok.at < tok.ttl * 500;
    if (tok.p && (fresh || !tok.value)) return tok.p;
    tok.p = getJSON(api("embed/token", { site: cfg.site, thread: cfg.thread })).then(
      function (b) {
        tok.value = b.token;
        tok.at = Date.now();
        tok.ttl = b.expires_in;
        if (b.notify) F.email.input.parentNode.after(notifyRow);
        else notifyRow.remove();
        return tok.value;
      },
      function () {
        tok.p = null;
        return tok.value;
      }
    );
    return tok.p;
  }

  function message(name, code) {
    return t("err_" + code, { limit: L[name] || "" });
  }

  function showErrors(errors) {
    var first = null;
    var general = [];
    FIELDS.forEach(function (name) {
      var f = F[name];
      var code = errors[name];
      f.err.textContent = code ? message(name, code) : "";
      if (code) f.input.setAttribute("aria-invalid", "true");
      else f.input.removeAttribute("aria-invalid");
      if (code && !first) first = f.input;
    });
    Object.keys(errors).forEach(function (name) {
      if (!F[name]) general.push(message(name, errors[name]));
    });
    var n = Object.keys(errors).length - general.length;
    summary.textContent = (n ? t("fix_fields", { count: n }) + " " : "") + general.join(" ");
    if (first) first.focus();
    return n + general.length > 0;
  }

  function values() {
    return {
      name: clean(F.name.input.value),
      email: clean(F.email.input.value),
      url: clean(F.url.input.value),
      text: clean(F.text.input.value, true),
    };
  }

  function busy(on) {
    S.busy = on;
    submit.setAttribute("aria-disabled", on ? "true" : "false");
    submit.textContent = t(on ? "sending" : "submit");
  }

  function onSubmit(ev) {
    ev.preventDefault();
    if (S.busy) return;
    var v = values();
    done.textContent = "";
    if (showErrors(validate(v))) return;
    busy(true);
    var parent = S.parent;
    token()
      .then(function (value) {
        /* the page's URL: the dashboard's link to a thread named by a slug (found in review) */
        var body = new URLSearchParams({ site: cfg.site, thread: cfg.thread, name: v.name, email: v.email, url: v.url, text: v.text, permalink: location.href.split("#")[0] });
        if (parent) body.set("parent", parent.id);
        if (notify.isConnected && notify.checked) { body.set("notify_replies", "1"); body.set("lang", code); }
        if (value) body.set(CONFIG.tokenField, value);
        if (hp.value) body.set(CONFIG.honeypotField, hp.value);
        return fetch(api("api/v1/comments"), { method: "POST", body: body, credentials: "omit", headers: { Accept: "application/json" } });
      })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (b) { answered(r.status, b, v, parent, r.headers.get("Retry-After"), r.headers.get("Date")); });
      })
      .catch(function () { summary.textContent = t("err_network"); })
      .then(function () { busy(false); });
  }

  function answered(status, b, v, parent, wait, at) {
    var err = b.error || {};
    if (status === 202 && b.id) {
      /* one token per comment: the next one starts its own fill time */
      tok.value = null;
      tok.p = null;
      token();
      var mine = { id: b.id, own: true, parent: parent && parent.id, author_name: v.name, created_at: new Date().toISOString(), text: v.text };
      S.own.push(mine);
      keep(b.id, mine);
      if (b.edit_token) edits(b, at);
      F.text.input.value = "";
      updateCount();
      showErrors({});
      S.parent = null;
      done.textContent = t("awaiting");
      render();
      poll(b.id, 0);
    } else if (status === 422 && err.fields) {
      var codes = {};
      Object.keys(err.fields).forEach(function (k) { codes[k] = err.fields[k].code; });
      showErrors(codes);
    } else {
      var key = "err_" + (status === 429 ? "rate_limited" : err.code);
      summary.textContent = status === 429 ? later(key, wait) : STRINGS.en[key] ? t(key) : t("err_generic");
    }
  }

  /* A 429's Retry-After worded by the browser: "in 40 seconds", "in 2 minutes" (i18n.wait_text) */
  function later(key, wait) {
    var m = wait > 59;
    return wait > 0 ? t(key + "_wait", { when: new Intl.RelativeTimeFormat(code).format(m ? Math.ceil(wait / 60) : +wait, m ? "minute" : "second") }) : t(key);
  }

  /* Poll the new comment's status briefly: show it in place once the moderator says published. */
  function poll(id, i) {
    if (i >= CONFIG.pollDelays.length) return;
    setTimeout(function () {
      getJSON(api("api/v1/comments/" + encodeURIComponent(id))).then(
        function (b) {
          if (b.status === "published" && b.comment) published(id, b.comment);
          else if (b.status === "pending") poll(id, i + 1);
        },
        function () { poll(id, i + 1); }
      );
    }, CONFIG.pollDelays[i]);
  }

  /* The reader's own comments awaiting moderation outlive a reload, in this browser, for a
     week: without them a reader who came back saw nothing and wrote it again. Each is
     asked once; decided or gone, it leaves (a published one is in the thread). */
  var KEEP = "moderato:own:" + cfg.site + ":" + cfg.thread;
  /* Every write re-reads the list and changes one id (another tab's comments stay); what
     is older than a week, or not a comment, goes; an empty list removes the key. */
  function stored() {
    var v;
    try { v = JSON.parse(localStorage.getItem(KEEP)); } catch (e) { /* no storage */ }
    return Array.isArray(v) ? v.filter(function (o) {
      return o && typeof o.id === "string" && typeof o.text === "string" && new Date() - new Date(o.created_at) < 6048e5;
    }) : [];
  }
  function keep(id, o) {
    var list = stored().filter(function (x) { return x.id !== id; }).concat(o ? [o] : []);
    try { list.length ? localStorage.setItem(KEEP, JSON.stringify(list)) : localStorage.removeItem(KEEP); } catch (e) { /* no storage */ }
  }
  function drop(id) {
    S.own = S.own.filter(function (o) { return o.id !== id; });
    keep(id);
    render();
  }
  /* Until edit_until the reader may edit or delete their own comments: the 202's tokens
     are kept in this browser (moderato:edit:<site>:<thread>; the edit chunk drops them as
     their windows end), and the edit UI is a chunk the loader fetches only then (M.edit;
     docs/embed.md, "Editing your comment"). */
  var EK = "moderato:edit:" + cfg.site + ":" + cfg.thread;
  var X = { root: root, S: S, keep: keep, render: render, cfg: cfg, h: h, m: {}, k: EK };
  /* edit_until on this browser's clock: the window left by the server's (its answer's
     Date), as a clock ahead of the server's by more than the window never showed the
     buttons (found in review). The token is stored at once, not by the chunk once loaded:
     a reload before the chunk ran lost the reader's Edit (a flaky test, session 16). */
  function edits(b, at) {
    var o;
    if (b) X.m[b.id] = [b.edit_token, new Date(Date.now() + Date.parse(b.edit_until) - (Date.parse(at) || Date.now())).toISOString()];
    try { if (b) { o = JSON.parse(localStorage[EK] || "{}"); o[b.id] = X.m[b.id]; localStorage[EK] = JSON.stringify(o); } } catch (e) { /* no storage, or not ours: the chunk's to mend */ }
    try { (b || localStorage[EK]) && M.edit(X); } catch (e) { /* no storage, or a loader from before the chunk */ }
  }
  function restore() {
    edits();
    S.own = stored();
    keep("");
    S.own.forEach(function (o) {
      getJSON(api("api/v1/comments/" + encodeURIComponent(o.id))).then(
        function (b) { if (b.status !== "pending" && b.status !== "held") drop(o.id); },
        function (e) { if (e.message === "404") drop(o.id); }
      );
    });
  }

  function published(id, c) {
    S.own = S.own.filter(function (o) { return o.id !== id; });
    keep(id);
    var fresh = !S.items.some(function (x) { return x.id === c.id; });
    if (fresh && S.total != null) S.total += 1;
    /* a new comment is not featured: the featured view does not list it */
    if (fresh && !S.feat) {
      if (S.order === "newest" && !c.parent) S.items.unshift(c);
      else S.items.push(c);
    }
    S.fresh = c.id;
    done.textContent = t("published");
    render();
  }

  var wrap = h("section", { class: "m", lang: code, dir: dir, "aria-label": named("comments") }, [
    h("div", { class: "head" }, [title, featBtn, h("span", { class: "sort" }, [h("label", { for: "m-sort", text: t("sort") }), sort])]),
    listStatus,
    first,
    list,
    more,
    h("p", { class: "note" }, [h("a", { href: api("feed/thread.atom", { site: cfg.site, thread: cfg.thread }), type: "application/atom+xml", text: t("feed") })]),
    closedNote,
    respond,
  ]);
  /* auto follows the page, live: the first opaque background above the thread, else the
     reader's system setting where the page's color-scheme allows dark (docs/embed.md) */
  var dark = theme === "auto" && window.matchMedia ? matchMedia("(prefers-color-scheme: dark)") : null;
  function pageDark() {
    for (var e = host; e; e = e.parentElement || e.getRootNode().host) {
      var c = getComputedStyle(e).backgroundColor.match(/^rgba?\(([\d.]+), ([\d.]+), ([\d.]+)(, [\d.]+)?/);
      if (c && !(c[4] && c[4].slice(2) < 0.5)) return c[1] * 2 + c[2] * 7 + +c[3] < 1280;
    }
    /* the canvas: dark where the page allows only dark, or dark and light for a dark reader */
    var cs = getComputedStyle(d.documentElement).colorScheme + " " + (d.querySelector("meta[name=color-scheme]") || {}).content;
    return /dark/.test(cs) && (dark.matches || !/light/.test(cs));
  }
  function paint() {
    wrap.classList.toggle("dark", theme === "dark" || (!!dark && pageDark()));
  }
  if (host.__moderatoSeen) host.__moderatoSeen();
  if (dark) {
    var seen = new MutationObserver(paint);
    [d.documentElement, d.body].forEach(function (n) { if (n) seen.observe(n, { attributes: true }); });
    dark.addEventListener("change", paint);
    var stop = (host.__moderatoSeen = function () { seen.disconnect(); dark.removeEventListener("change", paint); });
    /* an app that swaps its container leaves hosts behind: stop their listeners */
    M.live = (M.live || []).filter(function (x) { return (x[0].isConnected && x[0].__moderatoSeen === x[1]) || x[1](); });
    M.live.push([host, stop]);
  }
  root.appendChild(wrap);
  paint();
  host.setAttribute("data-moderato-ready", "1");
  if (!cfg.thread.trim() || count(cfg.thread.trim()) > L.thread) return broken("validation_failed");
  restore();
  load(false, linked());
}

/* Moderato.render({thread, site, lang, theme, order, target, title, headingLevel}): docs/embed.md */
function render(opts) {
  opts = opts || {};
  var host = typeof opts.target === "string" ? d.getElementById(opts.target)
    : opts.target || d.querySelector("[data-moderato]") || d.getElementById("moderato-thread");
  if (!host) return;
  /* omitted settings are kept: the host's own, else the last thread's (a container the app
     built anew had fallen back to the default site) */
  var was = host.__moderato || M.last || { base: M.base, site: "default", lang: d.documentElement.lang || "en", theme: "auto", order: "oldest" };
  var canonical = d.querySelector('link[rel="canonical"]');
  var cfg = {};
  KEYS.forEach(function (k) { cfg[k] = opts[k] != null && k !== "base" ? String(opts[k]) : was[k]; });
  if (opts.thread == null) cfg.thread = (canonical && canonical.href) || location.origin + location.pathname;
  cfg.order = cfg.order === "newest" ? "newest" : "oldest";
  host.setAttribute("data-moderato", "1");
  mount(host, cfg);
}

var M = (window.Moderato = window.Moderato || { q: [] });
M.mount = mount;
M.render = render;
/* one listener for the page: each thread still on it looks for the new #comment-<id> */
addEventListener("hashchange", function () {
  (M.hosts || []).forEach(function (x) { if (x.isConnected) x.__moderatoHash(); });
});
(M.q || []).forEach(function (args) { mount(args[0], args[1]); });
M.q = [];
(M.rq || []).forEach(render);
M.rq = [];
