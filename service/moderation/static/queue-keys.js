/* moderato queue, keyboard shortcuts: j/k move between cards, a letter acts on the card in
   hand (a r o s n d f), x selects it, e goes to its note, / opens the filters, ? the help;
   Escape leaves a text field. Keys typed into a field stay there. */
(function () {
  "use strict";
  var m = window.moderato;
  var q = m && m.queue;
  if (!q) { return; }
  var cards = q.cards;
  var current = q.current;
  var setCurrent = q.setCurrent;
  var act = q.act;
  var updateSelected = q.updateSelected;
  var KEYS = { a: "approve", r: "toxic", o: "offtopic", s: "spam", n: "ham", d: "dismiss", f: "feature" };
  var TEXT_INPUTS = /^(text|search|email|url|tel|password|number|date|datetime-local|month|week|time)$/;

  function inView(card) {
    var box = card.getBoundingClientRect();
    return box.bottom > 0 && box.top < (window.innerHeight || document.documentElement.clientHeight);
  }
  function move(delta) {
    var all = cards();
    if (!all.length) { return; }
    var cur = current();
    if (cur && !cur.contains(document.activeElement)) { setCurrent(cur, true); return; }
    var i = all.indexOf(cur);
    var next = i === -1 ? 0 : Math.min(Math.max(i + delta, 0), all.length - 1);
    setCurrent(all[next], true);
  }

  var help = document.getElementById("shortcuts");
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var t = event.target;
    var typing = t && (t.isContentEditable || /^(TEXTAREA|SELECT)$/.test(t.tagName) ||
      (t.tagName === "INPUT" && TEXT_INPUTS.test(t.type)));
    if (typing) {
      if (event.key === "Escape") { t.blur(); var c = current(); if (c) { c.focus(); } }
      return;
    }
    if (help && help.open) { return; }
    var card = current();
    /* CapsLock or Shift must not switch the shortcuts off (found in review) */
    var key = event.key && event.key.length === 1 ? event.key.toLowerCase() : event.key;
    if (key === "j") { move(1); }
    else if (key === "k") { move(-1); }
    else if (KEYS[key]) {
      if (!card) { m.announce("Move to a comment first (j).", "info"); }
      else if (card.classList.contains("conflict")) {
        m.announce("This comment was decided meanwhile (it is " + card.dataset.state + " now): act on it with its buttons, or move on (j).", "info");
      }
      else if (!inView(card)) {
        /* Never act on a card the moderator cannot see (scrolled away from it). */
        setCurrent(card, true);
        m.announce("This is the comment that key acts on: press it again to act.", "info");
      } else {
        /* the card's own button for the key: f is Feature or Unfeature, as the card shows */
        var keyed = card.querySelector('form.act button[name="action"][data-key="' + key + '"]');
        act(card, keyed ? keyed.value : KEYS[key]);
      }
    }
    else if (key === "x") {
      if (card) {
        var box = card.querySelector("input.select");
        if (box) { box.checked = !box.checked; updateSelected(); }
      }
    }
    else if (key === "e") { if (card) { var note = card.querySelector('input[name="note"]'); if (note) { note.focus(); } } }
    else if (key === "/") {
      var filters = document.querySelector("details.filters");
      if (filters) { filters.open = true; var first = filters.querySelector("select, input"); if (first) { first.focus(); } }
    }
    else if (key === "?") { if (help) { help.showModal(); } }
    else { return; }
    event.preventDefault();
  });
})();
