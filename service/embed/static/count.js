/* moderato comment counts: one tag on an index page fills every element marked
   data-moderato-count with its thread's published comments ("3 comments"). Threads go
   in batches of at most 100 and about 3 KB of query (full article URLs as thread ids
   made one request too long for the server: 414, found in review).
   The attribute's value is the thread; left empty on a link, the thread is the link's
   address without query or fragment (what the embed takes on the article itself when
   the page names no thread and has no canonical link). An element whose count cannot
   be read keeps its own text. Moderato.counts() runs it again (pages that add links). */
"use strict";
var d = document;
var me = d.currentScript || d.querySelector('script[src*="/embed/count.js"]');
if (!me) return;
var ds = me.dataset;
var site = ds.site || "default";
var lang = pick(ds.lang || d.documentElement.lang || "en");
var BATCH = 100; // threads per request: the API's limit
var MAX_QUERY = 3000; // characters of query per request: servers refuse long request lines
var API = new URL("../api/v1/counts", me.src).href; // beside /embed/, as embed.js finds the API

function pick(tag) {
  var wanted = String(tag).trim().replace("_", "-").toLowerCase();
  if (STRINGS[wanted]) return wanted;
  var primary = wanted.split("-")[0];
  return STRINGS[primary] ? primary : "en";
}

function label(n) {
  var own = STRINGS[lang];
  var en = STRINGS.en;
  var cat = n === 0 ? "zero" : new Intl.PluralRules(lang).select(n);
  var text = own["count_" + cat] || own.count_other || en["count_" + cat] || en.count_other;
  return text.replace("{count}", n.toLocaleString(lang));
}

function threadOf(el) {
  var named = el.getAttribute("data-moderato-count");
  if (named) return named.trim();
  if (!el.href) return "";
  var url = new URL(el.href, d.baseURI);
  return url.origin + url.pathname;
}

function fill(els, counts) {
  els.forEach(function (el) {
    var n = counts[threadOf(el)];
    if (typeof n !== "number") return;
    el.textContent = label(n);
    el.setAttribute("data-moderato-count-value", String(n));
  });
}

function run() {
  var els = Array.prototype.slice.call(d.querySelectorAll("[data-moderato-count]"));
  var threads = [];
  els.forEach(function (el) {
    var t = threadOf(el);
    if (t && threads.indexOf(t) < 0) threads.push(t);
  });
  var q = null;
  var n = 0;
  threads.forEach(function (t) {
    var one = "&thread=" + encodeURIComponent(t);
    if (q && (n === BATCH || q.length + one.length > MAX_QUERY)) {
      send(q);
      q = null;
    }
    if (!q) {
      q = "site=" + encodeURIComponent(site);
      n = 0;
    }
    q += one;
    n += 1;
  });
  if (q) send(q);

  function send(query) {
    fetch(API + "?" + query, { credentials: "omit" })
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (body) {
        if (body && body.counts) fill(els, body.counts);
      })
      .catch(function () {}); // counts are a nicety: the links keep their own text
  }
}

var M = (window.Moderato = window.Moderato || { q: [] });
M.counts = run;
if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", run);
else run();
