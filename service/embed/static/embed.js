/* moderato loader: find our script tag, read its data-* settings, load the widget bundle
   (content-hashed, cached for a year) once, and mount a thread. No globals besides Moderato. */
"use strict";
var d = document;
var me = d.currentScript;
if (!me) {
  var tags = d.querySelectorAll("script[data-site][src]");
  me = tags[tags.length - 1];
}
if (!me) return;
var ds = me.dataset;
var base = new URL(".", me.src).href; // where embed.js lives, with its trailing slash
var target = d.getElementById(ds.target || "moderato-thread");
var inHead = !d.body || !d.body.contains(me);
/* docs/embed.md, "Single-page apps" */
if (target && (target.getAttribute("data-moderato") ? !(ds.target || inHead) : target.shadowRoot)) target = null;
if (!target) {
  target = d.createElement("div");
  if (!inHead) me.parentNode.insertBefore(target, me.nextSibling);
}
target.setAttribute("data-moderato", "1");
var canonical = d.querySelector('link[rel="canonical"]');
var config = {
  base: base,
  site: ds.site || "default",
  thread: ds.thread || (canonical && canonical.href) || location.origin + location.pathname,
  lang: ds.lang || d.documentElement.lang || "en",
  theme: ds.theme || "auto",
  order: ds.order === "newest" ? "newest" : "oldest",
  title: ds.title,
  headingLevel: ds.headingLevel
};
/* data-loading="lazy": neither the bundle nor the thread is fetched until the thread's
   element is within a screen's height of the viewport, or the reader follows a link to a
   comment, or the page calls Moderato.render; a link to a comment, or a browser without
   IntersectionObserver, loads at once (docs/embed.md, "Lazy loading"). While it waits,
   `lazy` is the IntersectionObserver constructor and `seen` the observer; now() ends it. */
var lazy = ds.loading == "lazy" && !/^#comment-/.test(location.hash) && window.IntersectionObserver, seen;
function now() {
  if (lazy) {
    lazy = 0;
    if (seen) seen.disconnect(), go();
    bundle();
  }
}
var M = (window.Moderato = window.Moderato || { q: [] });
/* calls made before the bundle arrives wait for it (and end a lazy wait: they are explicit) */
M.render = M.render || function (o) { (M.rq = M.rq || []).push(o); now(); };
function go() {
  if (!target.isConnected) d.body.appendChild(target);
  if (lazy) {
    (seen = new lazy(function (e) { if (e.pop().isIntersecting) now(); }, { rootMargin: "100%" })).observe(target);
    addEventListener("hashchange", function () { if (/^#comment-/.test(location.hash)) now(); });
  } else if (M.mount) M.mount(target, config);
  else M.q.push([target, config]);
}
if (d.body) go();
else d.addEventListener("DOMContentLoaded", go);
if (!lazy) bundle();
function bundle() {
  if (M.mount || M.loading) return;
  M.loading = true;
  /* pages enforcing Trusted Types allow our policy by name (docs/embed.md); it blesses
     only our own two files' URLs: the widget bundle and its edit chunk */
  var url = base + WIDGET, chunk = base + EDIT, tt;
  try {
    if (window.trustedTypes)
      tt = trustedTypes.createPolicy("moderato", {
        createScriptURL: function (u) {
          if (u !== url && u !== chunk) throw new TypeError(u);
          return u;
        },
      });
  } catch (x) {
    console.error("moderato: trusted-types needs moderato moderato-html", x);
  }
  /* a script added by script runs async */
  function add(u, fail) {
    var s = d.createElement("script");
    s.src = tt ? tt.createScriptURL(u) : u;
    s.onerror = fail;
    (d.head || d.body).appendChild(s);
  }
  /* the widget asks for the edit chunk when the reader has a comment to edit; threads that
     ask before it runs wait in M.eq (the chunk then answers M.edit itself). A chunk that
     fails to load (offline, say) is asked for again by the reader's next click on the
     page, or the widget's next call, not only after a reload. */
  var asked;
  function load() {
    asked = 1;
    add(chunk, function () {
      this.remove();
      asked = 0;
      d.addEventListener("click", function () { if (!asked) load(); }, { once: true, capture: true });
    });
  }
  M.eq = [];
  M.edit = function (x) {
    if (M.eq.indexOf(x) < 0) M.eq.push(x);
    if (!asked) load();
  };
  add(url);
}
