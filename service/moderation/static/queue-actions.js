/* moderato queue, card actions: a card's buttons (or their keys) act over fetch instead of
   a page load; the card shows the answer, or leaves the list and focus moves on. */
(function () {
  "use strict";
  var m = window.moderato;
  var q = m && m.queue;
  if (!q) { return; }
  var list = q.list;
  var onQueuePage = q.onQueuePage;
  var cards = q.cards;
  var setCurrent = q.setCurrent;
  var author = q.author;
  var usable = q.usable;
  var replaceCard = q.replaceCard;
  var refresh = q.refresh;
  var removeCard = q.removeCard;
  /* Featuring changes no state: the card stays where it is, with focus, showing the flag. */
  var IN_PLACE = { feature: true, unfeature: true };

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
          if (onQueuePage && !stays) { removeCard(card); q.poll(); } /* q.poll: queue-poll.js, loaded later */
          else {
            q.generation += 1; /* a poll sent before this answer would put the old flag back */
            replaceCard(card, res.data.card);
            refreshDetails();
            /* the counts follow a card that stays too ("Featured only (N)" waited up to
               10 s for the next poll after f; found in review) */
            if (onQueuePage) { q.poll(); }
          }
        } else if (res.status === 409) {
          m.announce(errorText(res) + " The card shows its current state.", "conflict");
          /* the counts follow what a colleague did (they waited for the next poll) */
          refresh(card).then(function () { if (onQueuePage) { q.poll(); } });
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

  q.act = act;
})();
