/* moderato edit chunk: Edit and Delete on the reader's own comments while their edit window
   is open (docs/embed.md, "Editing your comment"). The loader fetches it only for a reader
   who has such a comment (M.edit); each thread's widget hands over X: its shadow root, its
   state (S), render, keep (its store of the reader's comments awaiting moderation), its
   settings (cfg), its element builder (h), the tokens it was given (m: id ->
   [token, edit_until]) and their storage key (k). The chunk
   keeps the tokens in localStorage (moderato:edit:<site>:<thread>) until their windows
   end. Called with STRINGS (the edit_* strings and the text's field errors) and CONFIG
   (the text's length limit, the poll delays). Plain JavaScript, no dependencies. */
"use strict";
var M = window.Moderato;
var CONTROL_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/; // tab and newline allowed

function init(X) {
  if (X.on) return X.render(); // a new comment of the same thread: draw its buttons
  var h = X.h; // the widget's element builder (attributes, text, children; never HTML)
  X.on = 1;
  var S = X.S;
  var root = X.root;
  var code = root.querySelector("section.m").getAttribute("lang"); // the widget's language
  var key = X.k; // the widget's store of tokens (it writes a new one at once)
  var api = X.cfg.base + "api/v1/comments/";
  var s = Object.assign({}, STRINGS.en, STRINGS[code]);
  var ui = {}; // comment id -> { form } (its editor) or { ask } (its delete confirmation)
  var timer = null;
  var clock;
  try {
    clock = new Intl.DateTimeFormat(code, { timeStyle: "short" });
  } catch (e) {
    clock = { format: function (dt) { return dt.toISOString().slice(11, 16) + " UTC"; } };
  }

  function t(key, params) {
    return String(s[key] || key).replace(/\{(\w+)\}/g, function (m, k) {
      return params && k in params ? params[k] : m;
    });
  }
  /* in the thread's live region; the form's own ("Your comment is awaiting moderation.",
     "… is published.") is about the comment as it was, and goes (found in review) */
  function say(text) {
    var live = root.querySelector("div.status[role=status]");
    var form = root.querySelector("#m-respond > .status");
    if (live) live.textContent = text;
    if (form) form.textContent = "";
  }
  /* the heading's count is of published comments: one edited (waiting again) or deleted
     leaves it, one published again comes back */
  function count(n) {
    if (S.total != null) S.total = Math.max(0, S.total + n);
  }
  function article(id) {
    var li = root.getElementById("m-c-" + id);
    return li && li.querySelector(":scope > article");
  }
  function focus(id, cls) {
    var a = article(id);
    var el = a && (a.querySelector(":scope > .mine ." + cls) || a);
    if (!el) return;
    if (el === a) a.setAttribute("tabindex", "-1");
    el.focus();
  }
  function find(id) {
    return S.items.concat(S.own).filter(function (c) { return c.id === id; })[0];
  }

  /* The tokens whose window is still open: this page's and those the browser keeps
     (another tab's too), written back; expired ones go (``gone``: one that no longer
     works), and the key with the last of them. */
  function live(gone) {
    var now = new Date();
    var all = {};
    var out = {};
    try {
      all = JSON.parse(localStorage.getItem(key)) || {};
    } catch (e) { /* no storage, or not ours */ }
    all = Object.assign(typeof all === "object" && !Array.isArray(all) ? all : {}, X.m);
    delete all[gone];
    Object.keys(all).forEach(function (id) {
      var v = all[id];
      if (Array.isArray(v) && typeof v[0] === "string" && new Date(v[1]) > now) out[id] = v;
    });
    X.m = out;
    try {
      if (Object.keys(out).length) localStorage.setItem(key, JSON.stringify(out));
      else localStorage.removeItem(key);
    } catch (e) { /* no storage */ }
    return out;
  }
  function forget(id) {
    delete X.m[id];
    delete ui[id];
    live(id);
  }

  /* After every render of the thread: the buttons, an open editor or confirmation, on each
     of the reader's comments still in its window; a timer redraws at the next window's end. */
  function decorate() {
    var m = live();
    var next = Infinity;
    clearTimeout(timer);
    Object.keys(m).forEach(function (id) {
      var until = new Date(m[id][1]);
      next = Math.min(next, until - new Date());
      var a = article(id);
      if (!a) return;
      /* the reader's own comment: Delete, not Report */
      var report = a.querySelector(":scope > .acts > .report");
      if (report) report.remove();
      var open = ui[id] || {};
      if (open.form && !S.closed) {
        var body = a.querySelector(":scope > .body");
        if (body) body.hidden = true; // edited in place
        a.appendChild(open.form);
        return;
      }
      /* a closed thread takes no new words, edits included; deleting stays allowed */
      a.appendChild(open.ask || h("div", { class: "acts mine" }, [
        S.closed ? null : h("button", { type: "button", class: "edit link", "aria-label": t("edit_edit_name"),
          onclick: function () { edit(id); }, text: t("edit_edit") }),
        h("button", { type: "button", class: "del link", "aria-label": t("edit_delete_name"),
          onclick: function () { ask(id); }, text: t("edit_delete") }),
        h("span", { class: "note", text: t("edit_until", { time: clock.format(until) }) }),
      ]));
    });
    if (next < Infinity) timer = setTimeout(X.render, Math.min(next + 100, 2147483647));
  }

  function close(id, cls) {
    delete ui[id];
    X.render();
    focus(id, cls);
  }
  function escape(id, cls) {
    return function (ev) {
      if (ev.key !== "Escape") return;
      ev.preventDefault();
      close(id, cls);
    };
  }

  function call(method, id, body) {
    var headers = { Accept: "application/json", "Moderato-Edit-Token": (X.m[id] || [""])[0] };
    if (body) headers["Content-Type"] = "application/json";
    return fetch(api + encodeURIComponent(id), {
      method: method, credentials: "omit", headers: headers, body: body && JSON.stringify(body),
    });
  }

  /* A refusal: a bad text goes to ``field``; a token that no longer works (the window
     closed, the comment was decided or is gone) takes the buttons away and says why;
     anything else goes to ``said``. */
  function refused(r, id, field, said) {
    return r.json().catch(function () { return {}; }).then(function (b) {
      var e = (b && b.error) || {};
      var f = e.fields && e.fields.text;
      if (r.status === 422 && f && field) return field(f.code);
      var over = { edit_window_closed: "edit_closed", invalid_edit_token: "edit_closed",
        not_editable: "edit_gone", comment_not_found: "edit_gone" }[e.code];
      if (e.code === "edit_conflict") return said(t("edit_conflict")); // another tab saved first
      /* rejected: no more edits, but the author may still withdraw one the classifier
         rejected (Delete stays; the server answers for one a moderator rejected) */
      if (e.code === "not_editable" && field) return said(t("edit_not_editable"));
      if (over) {
        forget(id);
        X.render();
        say(t(over));
        return focus(id, "edit");
      }
      var wait = r.headers.get("Retry-After");
      said(r.status === 429 ? later(wait) : e.code === "thread_closed" ? t("err_thread_closed") : t("err_generic"));
    });
  }
  function later(wait) {
    var m = wait > 59;
    return wait > 0
      ? t("edit_err_rate_wait", { when: new Intl.RelativeTimeFormat(code).format(m ? Math.ceil(wait / 60) : +wait, m ? "minute" : "second") })
      : t("edit_err_rate");
  }

  /* ---- editing in place ---- */
  function edit(id) {
    var c = find(id);
    if (!c) return;
    var fid = "m-e-" + id;
    var err = h("p", { class: "err", id: fid + "-err" });
    var area = h("textarea", { id: fid, rows: "4", dir: "auto", "aria-describedby": err.id, "aria-required": "true" });
    area.value = c.text;
    var save = h("button", { type: "submit", class: "btn2", text: t("edit_save") });
    var form = h("form", { class: "reportf", novalidate: true, onkeydown: escape(id, "edit") }, [
      h("div", { class: "field" }, [h("label", { for: fid, text: t("edit_label") }), area, err]),
      h("div", { class: "replying" }, [save,
        h("button", { type: "button", class: "link", onclick: function () { close(id, "edit"); }, text: t("edit_cancel") })]),
    ]);
    function wrong(code) {
      err.textContent = t("err_" + code, { limit: CONFIG.limit });
      area.setAttribute("aria-invalid", "true");
      area.focus();
    }
    function said(text) {
      err.textContent = text;
      area.focus();
    }
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (save.getAttribute("aria-disabled") === "true") return;
      /* the server's checks, mirrored: trimmed, CRLF as LF, code points counted */
      var text = area.value.trim().replace(/\r\n?/g, "\n").trim();
      var code = !text ? "required" : Array.from(text).length > CONFIG.limit ? "too_long"
        : CONTROL_TEXT.test(text) ? "control_characters" : "";
      if (code) return wrong(code);
      save.setAttribute("aria-disabled", "true");
      save.textContent = t("edit_saving");
      /* the revision this text is: another tab's edit since is a 409, not overwritten */
      call("PATCH", id, { text: text, revision: c.revision || 0 })
        .then(function (r) {
          if (r.status === 202 || r.status === 200)
            return r.json().then(function (b) { saved(id, text, r.status, b.revision); });
          return refused(r, id, wrong, said);
        })
        .catch(function () { said(t("edit_err_network")); })
        .then(function () {
          save.setAttribute("aria-disabled", "false");
          save.textContent = t("edit_save");
        });
    });
    ui[id] = { form: form };
    X.render();
    area.focus();
  }

  /* An edit accepted: the comment waits for moderation again, in its place, in the reader's
     own words; it outlives a reload meanwhile, and comes back once published. */
  function saved(id, text, status, revision) {
    delete ui[id];
    if (status === 200) {
      X.render();
      say(t("edit_unchanged"));
      return focus(id, "edit");
    }
    var c = find(id);
    if (!c.own) count(-1);
    var mine = { id: id, own: true, parent: c.parent, author_name: c.author_name, created_at: c.created_at, text: text, revision: revision };
    var swap = function (x) { return x.id === id ? mine : x; };
    S.items = S.items.map(swap);
    S.own = S.own.map(swap);
    X.keep(id, mine);
    X.render();
    say(t("edit_saved"));
    focus(id, "edit");
    poll(id, 0);
  }
  function poll(id, i) {
    if (i >= CONFIG.pollDelays.length) return;
    setTimeout(function () {
      fetch(api + encodeURIComponent(id), { credentials: "omit", cache: "no-cache" })
        .then(function (r) { return r.json(); })
        .then(function (b) {
          if (b.status === "pending") return poll(id, i + 1);
          if (b.status !== "published" || !b.comment) return; // held: it waits for a moderator
          X.keep(id);
          S.own = S.own.filter(function (o) { return o.id !== id; });
          var at = S.items.map(function (x) { return x.id; }).indexOf(id);
          if (at < 0 || S.items[at].own) count(1);
          if (at < 0) S.items.push(b.comment);
          else S.items[at] = b.comment;
          X.render();
          say(t("edit_published"));
        }, function () { poll(id, i + 1); });
    }, CONFIG.pollDelays[i]);
  }

  /* ---- deleting, after a confirmation ---- */
  function ask(id) {
    var q = h("p", { id: "m-d-" + id, tabindex: "-1", text: t("edit_confirm") });
    var yes = h("button", { type: "button", class: "btn2", text: t("edit_confirm_yes"),
      onclick: function () { remove(id, q, yes); } });
    ui[id] = { ask: h("div", { class: "reportf mine", role: "group", "aria-labelledby": q.id, onkeydown: escape(id, "del") }, [
      q,
      h("div", { class: "replying" }, [yes,
        h("button", { type: "button", class: "link", onclick: function () { close(id, "del"); }, text: t("edit_cancel") })]),
    ]) };
    X.render();
    q.focus();
  }
  function remove(id, q, yes) {
    if (yes.getAttribute("aria-disabled") === "true") return;
    yes.setAttribute("aria-disabled", "true");
    function said(text) {
      yes.setAttribute("aria-disabled", "false");
      q.textContent = text;
      q.focus();
    }
    call("DELETE", id).then(function (r) {
      if (!r.ok) return refused(r, id, null, said);
      forget(id);
      S.items = S.items.filter(function (c) {
        if (c.id === id && !c.own) count(-1);
        return c.id !== id;
      });
      S.own = S.own.filter(function (o) { return o.id !== id; });
      X.keep(id);
      X.render();
      say(t("edit_deleted"));
      var heading = root.getElementById("m-title");
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }, function () { said(t("edit_err_network")); });
  }

  S.ed = decorate;
  X.render();
}

M.edit = init; // the loader's M.edit fetched this file; later threads come straight here
(M.eq || []).forEach(init);
M.eq = [];
