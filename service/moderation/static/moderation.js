/* moderato dashboard: shared helpers (no dependencies). Exposes window.moderato. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  /* fetch with the session cookie and the CSRF header; resolves to {ok, status, data}. */
  function request(method, url, body) {
    var opts = {
      method: method,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrfToken() }
    };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(url, opts).then(function (resp) {
      var type = resp.headers.get("Content-Type") || "";
      var parse = type.indexOf("application/json") === 0 ? resp.json() : resp.text();
      return parse.then(function (data) {
        if (resp.status === 401) {
          window.location.assign("/moderation/login?next=" + encodeURIComponent(location.pathname + location.search));
        }
        return { ok: resp.ok, status: resp.status, data: data };
      });
    });
  }

  /* User text (a name) inside a sentence or a label: its own bidi controls dropped, and
     wrapped in FSI ... PDI, so a right-to-left name cannot reorder the words around it. */
  var BIDI_CONTROLS = /[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g;
  function isolate(text) {
    var clean = String(text == null ? "" : text).replace(BIDI_CONTROLS, "");
    return clean ? "\u2068" + clean + "\u2069" : "";
  }

  /* Say something in the page's polite live region (and show it). */
  /* The live region keeps the last two messages: a poll's note no longer wipes the result
     of the action just taken (found in review); an addition is what screen readers say. */
  function announce(message, kind) {
    var live = document.getElementById("live");
    if (!live) { return; }
    var p = document.createElement("p");
    p.className = "flash flash-" + (kind || "info");
    p.textContent = message;
    live.appendChild(p);
    while (live.children.length > 2) { live.removeChild(live.firstElementChild); }
  }

  /* A page's own messages (after a ban, an undo, a bulk run) sit in a status region that
     was there at load, which screen readers do not read: say them through the live one. */
  document.addEventListener("DOMContentLoaded", function () {
    var said = document.querySelectorAll(".flashes:not(#live) > p.flash");
    if (!said.length) { return; }
    setTimeout(function () {
      Array.prototype.forEach.call(said, function (p) {
        announce(p.textContent, (p.className.match(/flash-(\w+)/) || [0, "info"])[1]);
        p.remove();
      });
    }, 150);
  });

  /* A form sent back with errors: its summary takes focus, so it is read first and its
     links lead to the fields (GOV.UK's error summary). */
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".error-summary[tabindex]");
    if (summary) { summary.focus(); }
  });

  /* Forms with data-confirm ask before submitting. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  window.moderato = {
    csrfToken: csrfToken,
    get: function (url) { return request("GET", url); },
    post: function (url, body) { return request("POST", url, body === undefined ? {} : body); },
    announce: announce,
    isolate: isolate
  };
})();
