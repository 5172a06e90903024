/* moderato queue, the live poll: every few seconds (and when the tab shows again) the
   counts, the pager, and the list follow the queue: new comments and cards moving up slot
   in, cards a colleague decided are marked in red, and a colleague's feature or unfeature,
   or new reports, show on the card in place. */
(function () {
  "use strict";
  var m = window.moderato;
  var q = m && m.queue;
  if (!q) { return; }
  var list = q.list;
  var onQueuePage = q.onQueuePage;
  var handled = q.handled;
  var cards = q.cards;
  var current = q.current;
  var setCurrent = q.setCurrent;
  var homeForms = q.homeForms;
  var author = q.author;
  var refresh = q.refresh;
  var usable = q.usable;
  var selectAll = q.selectAll;
  var POLL_MS = 10000;
  /* Trailing cards found still listed, pushed onto the next page by new arrivals: reloaded
     once, not on every poll while they stay on screen (by card id, until the poll's page
     holds them again). A colleague's decision on one meanwhile shows when the moderator
     acts on it (a 409 marks it in red) or when it is back on the page. */
  var pushedDown = {};

  /* Put the fresh card's part (``selector``) in place of the card's own, where ``place``
     puts a new one; remove the card's when the fresh card has none. */
  function swapPart(card, fresh, selector, place) {
    var mine = card.querySelector(selector);
    var theirs = fresh.querySelector(selector);
    if (mine && theirs) { mine.replaceWith(theirs); }
    else if (theirs) { place(theirs); }
    else if (mine) { mine.remove(); }
  }

  /* A card on screen that changed in place (a poll's copy has another data-version): a
     colleague featured or unfeatured it, or readers reported it. Its badge and Feature
     button follow at once, in place: no redraw, so focus, a typed note, the selection and
     an open ban form stay. Its reports follow too, but not on the card in hand (current,
     or holding focus): "Keep" closes the reports the card showed, and a list that grew
     under the moderator's key would close some unread. Returns "featured", "unfeatured"
     or "" (no change to the flag). */
  function sync(card, fresh) {
    if (card.dataset.version === fresh.dataset.version || !usable(card) || handled[card.id]) { return ""; }
    if (card.dataset.state !== fresh.dataset.state) { return ""; }
    var was = !!card.querySelector(".badge.featured");
    var meta = card.querySelector(".meta");
    swapPart(card, fresh, ".meta .badge.featured", function (badge) { if (meta) { meta.appendChild(badge); } });
    var button = card.querySelector('form.act button[data-key="f"]');
    var pick = fresh.querySelector('form.act button[data-key="f"]');
    if (button && pick) {
      button.value = pick.value; /* its accessible name is its text: "Unfeature f" */
      while (button.firstChild) { button.removeChild(button.firstChild); }
      while (pick.firstChild) { button.appendChild(pick.firstChild); }
    }
    var inHand = card.classList.contains("current") || card.contains(document.activeElement);
    var form = card.querySelector("form.act");
    var text = card.querySelector(".text");
    var sameReports = (card.querySelector("div.reports") || {}).textContent === (fresh.querySelector("div.reports") || {}).textContent;
    if (!inHand && form && text) {
      swapPart(card, fresh, "div.reports", function (box) { text.after(box); });
      swapPart(card, fresh, 'form.act input[name="reports_seen"]', function (input) { form.appendChild(input); });
      swapPart(card, fresh, 'form.act button[value="dismiss"]', function (keep) { form.appendChild(keep); });
    }
    if (!inHand || sameReports) { card.dataset.version = fresh.dataset.version; }
    var now = !!card.querySelector(".badge.featured");
    return was === now ? "" : (now ? "featured" : "unfeatured");
  }

  /* Short polling: live counts, and comments slotted into the list: new ones on the first
     page, and on any page the ones that move up as cards are acted on. */
  function poll() {
    if (!onQueuePage || document.visibilityState === "hidden") { return Promise.resolve(); }
    var sentAt = q.generation;
    return m.get(list.getAttribute("data-poll")).then(function (res) {
      if (!res.ok || !res.data || !res.data.counts) { return; }
      if (sentAt !== q.generation) { return; } /* stale: the poll after the action catches up */
      Object.keys(res.data.counts).forEach(function (q) {
        Array.prototype.forEach.call(document.querySelectorAll('.count[data-queue="' + q + '"]'), function (el) {
          el.textContent = res.data.counts[q];
        });
      });
      var queueName = list.getAttribute("data-queue");
      if (queueName && res.data.counts[queueName] != null) {
        document.title = document.title.replace(/\(\d+\)/, "(" + res.data.counts[queueName] + ")");
      }
      var total = document.getElementById("page-total");
      if (total) { total.textContent = res.data.total; }
      var matching = document.getElementById("matching-count");
      if (matching) { matching.textContent = res.data.total; }
      var noun = document.getElementById("matching-noun"); /* "All 1 comments" read wrong */
      if (noun) { noun.textContent = res.data.total === 1 ? "comment" : "comments"; }
      var picks = document.getElementById("featured-count");
      if (picks && res.data.featured_count != null) { picks.textContent = res.data.featured_count; }
      var nextLink = document.querySelector('.pager a[rel="next"]');
      if (nextLink && res.data.next) { nextLink.setAttribute("href", res.data.next); }
      if (nextLink) { nextLink.hidden = !res.data.next; } /* the queue emptied: no next page */
      var firstPage = list.getAttribute("data-first-page") === "true";
      /* Cards on screen the queue no longer holds: another moderator decided them. Marked
         as conflicts, inert (found in review). A card with a later card still listed left
         the queue; so did a trailing one when the page listed is the last. A trailing card
         with later pages may instead have been pushed onto the next page by new arrivals:
         it is reloaded and marked only if it left the list (the last card of a page, or
         the only one, was never marked; found in review). */
      var inQueue = {};
      (res.data.ids || []).forEach(function (id) { inQueue[id] = true; });
      var gone = [];
      var trailing = [];
      var seenLater = false;
      cards().slice().reverse().forEach(function (c) {
        if (inQueue[c.dataset.id]) { seenLater = true; delete pushedDown[c.id]; }
        else if (!usable(c) || handled[c.id]) { return; }
        else if (seenLater || !res.data.next) { gone.push(c); }
        else if (!pushedDown[c.id]) { trailing.push(c); }
      });
      var refreshed = Promise.all(gone.map(function (c) { return refresh(c, false); })
        .concat(trailing.map(function (c) { return refresh(c, true); })))
        .then(function (outcomes) {
          return outcomes.filter(function (o) {
            if (o && o[1] === "listed") { pushedDown[o[0].id] = true; }
            return o && o[1] !== "listed";
          });
        });
      var tpl = document.createElement("template");
      tpl.innerHTML = res.data.html;
      var arrived = 0;
      var added = 0;
      var anchor = null;
      var flagged = [];
      Array.prototype.forEach.call(tpl.content.querySelectorAll("li.card"), function (fresh) {
        var existing = document.getElementById(fresh.id);
        if (existing) {
          anchor = existing;
          var change = sync(existing, fresh);
          if (change) { flagged.push([existing, change]); }
          return;
        }
        if (handled[fresh.id]) { return; }
        homeForms(fresh);
        fresh.classList.add("new");
        if (anchor) { anchor.after(fresh); } else { list.prepend(fresh); arrived += 1; }
        anchor = fresh;
        added += 1;
      });
      if (added) {
        var empty = document.getElementById("empty");
        if (empty) { empty.remove(); }
        var cur = current();
        if (q.moveUpAfter && cur === q.moveUpAfter && q.moveUpAfter.nextElementSibling) {
          setCurrent(q.moveUpAfter.nextElementSibling, true);
        } else if (!cur) { setCurrent(cards()[0], false); }
        if (selectAll) { selectAll.checked = false; } /* the new cards are not selected */
      }
      q.moveUpAfter = null;
      /* Only comments that arrived ahead of the page are news; a card moving up from the
         next page after an action is not (it overwrote the action's message). */
      return refreshed.then(function (outcomes) {
        sayRange();
        var said = [];
        if (arrived && firstPage) { said.push(arrived + " new comment" + (arrived === 1 ? "" : "s") + " arrived."); }
        var decided = outcomes.filter(function (o) { return o[1] === "decided"; }).length;
        if (decided) {
          said.push(decided + " comment" + (decided === 1 ? " was" : "s were") + " decided by someone else (marked in red).");
        }
        /* On "Featured only" a colleague's unfeature takes the card out of the list: said as
           what it is, not as a decision (it read "decided by someone else"). */
        var unfeatured = outcomes.filter(function (o) { return o[1] === "unfeatured"; });
        if (unfeatured.length === 1) {
          said.push("Someone else unfeatured the comment by " + author(unfeatured[0][0]) + " (marked in red).");
        } else if (unfeatured.length) {
          said.push(unfeatured.length + " comments were unfeatured by someone else (marked in red).");
        }
        if (flagged.length === 1) {
          said.push("Someone else " + flagged[0][1] + " the comment by " + author(flagged[0][0]) + ".");
        } else if (flagged.length) {
          said.push(flagged.length + " comments were featured or unfeatured by someone else.");
        }
        if (said.length) { m.announce(said.join(" "), "info"); }
      });
    }).catch(function () { /* offline for a moment: the next poll catches up */ });
  }

  /* The pager says what is on the page now (it kept the load's "1–25"; found in review),
     once the cards decided elsewhere are marked (counted before, it read "1–2 of 1"). */
  function sayRange() {
    var range = document.getElementById("page-range");
    if (!range) { return; }
    var start = Number(range.getAttribute("data-start")) || 0;
    var shownNow = cards().filter(function (c) { return !c.classList.contains("conflict"); }).length;
    range.textContent = shownNow ? (start + 1) + "–" + (start + shownNow) + " of " : "";
  }

  if (onQueuePage) {
    window.setInterval(poll, Number(list.getAttribute("data-interval")) || POLL_MS);
    document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") { poll(); } });
  }

  q.poll = poll;
})();
