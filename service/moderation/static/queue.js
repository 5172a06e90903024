/* moderato queue: keyboard shortcuts, actions over fetch, selection, and short polling.
   Everything also works without JavaScript (plain forms); this makes it fast. */
(function () {
  "use strict";
  var m = window.moderato;
  var list = document.getElementById("cards");
  if (!list || !m) { return; }
  var onQueuePage = list.hasAttribute("data-poll");
  var KEYS = { a: "approve", r: "toxic", o: "offtopic", s: "spam", n: "ham", d: "dismiss", f: "feature" };
  /* Featuring changes no state: the card stays where it is, with focus, showing the flag. */
  var IN_PLACE = { feature: true, unfeature: true };
  var POLL_MS = 10000;
  /* Cards acted on here never come back through a poll, and a poll that was sent before an
     action finished is dropped: its answer predates the action. */
  var handled = {};
  var generation = 0;
  var TEXT_INPUTS = /^(text|search|email|url|tel|password|number|date|datetime-local|month|week|time)$/;

  function cards() {
    return Array.prototype.filter.call(list.children, function (el) {
      return el.classList && el.classList.contains("card");
    });
  }
  function current() { return list.querySelector("li.card.current"); }
  function setCurrent(card, focus) {
    cards().forEach(function (c) { if (c !== card) { c.classList.remove("current"); } });
    if (!card) { return; }
    card.classList.add("current");
    if (focus) {
      card.focus();
      card.scrollIntoView({ block: "nearest" });
    }
  }
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

  function errorText(res) {
    var err = res.data && res.data.error;
    if (!err) { return "Something went wrong (" + res.status + "); nothing changed."; }
    var text = err.message;
    if (err.fields) {
      text += " " + Object.keys(err.fields).map(function (k) { return k + ": " + err.fields[k].message; }).join(" ");
    }
    return text;
  }

  function setBusy(card, busy) {
    card.toggleAttribute("aria-busy", busy);
    Array.prototype.forEach.call(card.querySelectorAll("form.act button"), function (b) { b.disabled = busy; });
  }

  /* A card drawn by /poll or /card names those as its forms' way back: a ban from it went
     to the Bans page, out of the filtered queue (found in review). Back to this page. */
  function homeForms(card) {
    if (!onQueuePage) { return; }
    Array.prototype.forEach.call(card.querySelectorAll('form input[name="next"]'), function (input) {
      input.value = window.location.pathname + window.location.search;
    });
  }

  /* The author's name for a sentence: isolated (a right-to-left name cannot reorder the
     sentence), without the tags the card shows for hidden controls, as the server's are. */
  function author(card) {
    var name = card.querySelector(".author");
    if (!name) { return "this comment"; }
    var copy = name.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll(".ctl"), function (tag) { tag.remove(); });
    return m.isolate(copy.textContent.trim()) || "this comment";
  }

  function replaceCard(card, html, extraClass) {
    var tpl = document.createElement("template");
    tpl.innerHTML = html.trim();
    var fresh = tpl.content.firstElementChild;
    if (!fresh) { return null; }
    homeForms(fresh);
    if (extraClass) { fresh.classList.add(extraClass); }
    var wasCurrent = card.classList.contains("current");
    card.replaceWith(fresh);
    if (wasCurrent) { setCurrent(fresh, true); }
    return fresh;
  }

  /* A card someone else took out of the list: shown as it is now, in red, and inert to keys
     and to the selection (it no longer belongs here: a key meant for the next card, or a
     bulk action, would undo a colleague's work; found in review). Resolves to the card on
     screen and what happened: "unfeatured" when the comment kept its state and lost its
     flag (it left "Featured only"), else "decided". With ``unlessListed`` (a trailing card
     the poll's page does not hold while later pages exist: new arrivals may have pushed it
     to the next page) the card is reloaded first and marked only when it left the list:
     its state changed, it lost its flag on "Featured only", or its reports were answered
     on Reported; otherwise it stays as it is and this resolves to null. */
  function refresh(card, unlessListed) {
    var state = card.dataset.state;
    var wasFeatured = !!card.querySelector(".badge.featured");
    return m.get("/moderation/comments/" + encodeURIComponent(card.dataset.id) + "/card").then(function (res) {
      if (!res.ok || typeof res.data !== "string") { return unlessListed ? null : [card, "decided"]; }
      if (unlessListed && stillListed(card, res.data)) { return null; }
      var fresh = replaceCard(card, res.data, "conflict");
      if (!fresh) { return [card, "decided"]; }
      var box = fresh.querySelector("input.select");
      if (box) { box.checked = false; box.disabled = true; updateSelected(); }
      var unfeatured = wasFeatured && fresh.dataset.state === state && !fresh.querySelector(".badge.featured");
      return [fresh, unfeatured ? "unfeatured" : "decided"];
    }, function () { return unlessListed ? null : [card, "decided"]; });
  }
  /* Tell whether the reloaded card (``html``) still belongs to this list. */
  function stillListed(card, html) {
    var tpl = document.createElement("template");
    tpl.innerHTML = html.trim();
    var fresh = tpl.content.firstElementChild;
    if (!fresh || fresh.dataset.state !== card.dataset.state) { return false; }
    var poll = list.getAttribute("data-poll") || "";
    if (/[?&]featured=1(&|$)/.test(poll) && !fresh.querySelector(".badge.featured")) { return false; }
    if (list.getAttribute("data-queue") === "reported" && !fresh.querySelector("div.reports")) { return false; }
    return true;
  }
  function usable(card) { return !card.hasAttribute("aria-busy") && !card.classList.contains("conflict"); }

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

  /* The comment's own page: its history and labels follow the action just taken. */
  function refreshDetails() {
    var box = document.getElementById("details");
    if (!box) { return; }
    fetch(window.location.pathname, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (resp) { return resp.ok ? resp.text() : null; })
      .then(function (html) {
        var fresh = html && new DOMParser().parseFromString(html, "text/html").getElementById("details");
        if (fresh) { box.replaceWith(document.importNode(fresh, true)); }
      })
      .catch(function () { /* the history shows on the next visit */ });
  }

  /* After the last card of the page goes, the card that moves up from the next page (the
     poll that follows brings it) is the next one, not the one above (found in review). */
  var moveUpAfter = null;
  function removeCard(card) {
    var all = cards();
    var i = all.indexOf(card);
    var next = all[i + 1] || all[i - 1] || null;
    var wasCurrent = card.classList.contains("current");
    moveUpAfter = wasCurrent && !all[i + 1] ? all[i - 1] || null : null;
    handled[card.id] = true;
    generation += 1;
    card.remove();
    if (wasCurrent || !current()) { setCurrent(next, wasCurrent); }
    if (!next) { showEmpty(wasCurrent); }
    updateSelected();
  }

  /* The last card is gone: say so where the list was, and keep focus on the page. */
  function showEmpty(focus) {
    var empty = document.getElementById("empty");
    if (!empty) {
      empty = document.createElement("p");
      empty.id = "empty";
      empty.className = "empty muted";
      empty.tabIndex = -1;
      empty.textContent = "Nothing left on this page. New comments appear on their own.";
      list.after(empty);
    }
    if (focus) { empty.focus(); }
  }

  /* A feature or unfeature keeps the card where it is, except an unfeature on a "Featured
     only" list: the card leaves it (kept, the next poll took it for a colleague's
     decision, "marked in red"; found in review). */
  function inPlace(actionName) {
    return !!IN_PLACE[actionName] && !(actionName === "unfeature" && !!list &&
      /[?&]featured=1(&|$)/.test(list.getAttribute("data-poll") || ""));
  }

  function act(card, actionName) {
    if (!card) { return; }
    if (card.hasAttribute("aria-busy")) {
      m.announce("Still saving the decision on this comment; that key did nothing.", "info");
      return;
    }
    var form = card.querySelector("form.act");
    var button = form && form.querySelector('button[name="action"][value="' + actionName + '"]');
    if (!button) {
      m.announce("That action does not apply to this comment (" + card.dataset.state + ").", "info");
      return;
    }
    var note = form.querySelector('input[name="note"]');
    var seen = form.querySelector('input[name="reports_seen"]');
    var body = { action: actionName, expected: card.dataset.state, note: note ? note.value : "" };
    if (seen) { body.reports_seen = seen.value; }
    var revision = form.querySelector('input[name="revision"]'); // the text the card shows
    if (revision) { body.revision = revision.value; }
    setBusy(card, true);
    /* On to the next card at once: keys pressed while this one saves act there, not
       nowhere (they were dropped; found in review). */
    if (onQueuePage && !inPlace(actionName) && card.classList.contains("current")) {
      var after = cards().slice(cards().indexOf(card) + 1).filter(usable)[0];
      if (after) { setCurrent(after, true); }
    }
    m.post(form.getAttribute("action"), body)
      .then(function (res) {
        if (res.ok) {
          m.announce(res.data.message, "success");
          /* Keeping a comment leaves it in Published, and in Reported while newer reports wait. */
          var stays = inPlace(actionName) ||
            (actionName === "dismiss" && (res.data.remaining || !/\/reported\//.test(list.getAttribute("data-poll") || "")));
          if (onQueuePage && !stays) { removeCard(card); poll(); }
          else {
            generation += 1; /* a poll sent before this answer would put the old flag back */
            replaceCard(card, res.data.card);
            refreshDetails();
          }
        } else if (res.status === 409) {
          m.announce(errorText(res) + " The card shows its current state.", "conflict");
          refresh(card);
        } else {
          setBusy(card, false);
          card.classList.add("failed");  /* focus has moved on: the card says it (review) */
          m.announce(errorText(res) + " (" + author(card) + ")", "error");
        }
      })
      .catch(function () {
        setBusy(card, false);
        card.classList.add("failed");
        m.announce("The network failed; nothing changed for " + author(card) + ". Try again.", "error");
      });
  }

  /* Card forms: act over fetch instead of a page load; Enter in the note field does nothing. */
  list.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("act")) { return; }
    event.preventDefault();
    var submitter = event.submitter;
    if (!submitter || submitter.name !== "action" || document.activeElement === form.querySelector('input[name="note"]')) {
      m.announce("Choose an action button (or its key) to act on this comment.", "info");
      return;
    }
    act(form.closest("li.card"), submitter.value);
  });

  list.addEventListener("focusin", function (event) {
    var card = event.target.closest && event.target.closest("li.card");
    if (card) { setCurrent(card, false); }
  });

  /* Selection for bulk actions. */
  var bulkForm = document.getElementById("bulk-form");
  var selectAll = document.getElementById("select-all");
  function selected() { return list.querySelectorAll("input.select:checked:not(:disabled)"); }
  function updateSelected() {
    var label = document.getElementById("selected-count");
    if (label) { label.textContent = selected().length + " selected"; }
  }
  list.addEventListener("change", function (event) {
    if (event.target.classList.contains("select")) { updateSelected(); }
  });
  if (selectAll) {
    selectAll.addEventListener("change", function () {
      Array.prototype.forEach.call(list.querySelectorAll("input.select:not(:disabled)"), function (box) { box.checked = selectAll.checked; });
      updateSelected();
    });
  }
  if (bulkForm) {
    bulkForm.addEventListener("submit", function (event) {
      var n = selected().length;
      var title = event.submitter ? event.submitter.textContent.trim() : "this action";
      if (!n) {
        event.preventDefault();
        m.announce("Select comments first (x, or the checkboxes).", "info");
      } else if (!window.confirm(title + ": " + n + " selected comment" + (n === 1 ? "" : "s") + "?")) {
        event.preventDefault();
      }
    });
  }

  /* Keyboard shortcuts. */
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

  /* Short polling: live counts, and comments slotted into the list: new ones on the first
     page, and on any page the ones that move up as cards are acted on. */
  function poll() {
    if (!onQueuePage || document.visibilityState === "hidden") { return Promise.resolve(); }
    var sentAt = generation;
    return m.get(list.getAttribute("data-poll")).then(function (res) {
      if (!res.ok || !res.data || !res.data.counts) { return; }
      if (sentAt !== generation) { return; } /* stale: the poll after the action catches up */
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
        if (inQueue[c.dataset.id]) { seenLater = true; }
        else if (!usable(c) || handled[c.id]) { return; }
        else if (seenLater || !res.data.next) { gone.push(c); }
        else { trailing.push(c); }
      });
      var refreshed = Promise.all(gone.map(function (c) { return refresh(c, false); })
        .concat(trailing.map(function (c) { return refresh(c, true); })))
        .then(function (outcomes) { return outcomes.filter(Boolean); });
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
        if (moveUpAfter && cur === moveUpAfter && moveUpAfter.nextElementSibling) {
          setCurrent(moveUpAfter.nextElementSibling, true);
        } else if (!cur) { setCurrent(cards()[0], false); }
        if (selectAll) { selectAll.checked = false; } /* the new cards are not selected */
      }
      moveUpAfter = null;
      /* the pager says what is on the page now (it kept the load's "1–25"; found in review) */
      var range = document.getElementById("page-range");
      if (range) {
        var start = Number(range.getAttribute("data-start")) || 0;
        var shownNow = cards().filter(function (c) { return !c.classList.contains("conflict"); }).length;
        range.textContent = shownNow ? (start + 1) + "–" + (start + shownNow) + " of " : "";
      }
      /* Only comments that arrived ahead of the page are news; a card moving up from the
         next page after an action is not (it overwrote the action's message). */
      return refreshed.then(function (outcomes) {
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

  if (onQueuePage) {
    window.setInterval(poll, Number(list.getAttribute("data-interval")) || POLL_MS);
    document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") { poll(); } });
  }
  setCurrent(cards()[0] || null, false);
  updateSelected();
  window.moderatoQueue = { poll: poll, act: act };
})();
