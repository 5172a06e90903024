/* moderato queue, the cards: the list and what the queue's scripts share (moderato.queue),
   which card is current, and drawing, reloading and removing a card. The first of the
   queue's scripts (see queue.js); the others build on moderato.queue. It calls one
   function of a later script, q.updateSelected (queue-selection.js), once the page runs. */
(function () {
  "use strict";
  var m = window.moderato;
  var list = document.getElementById("cards");
  if (!list || !m) { return; }
  var onQueuePage = list.hasAttribute("data-poll");
  /* Cards acted on here never come back through a poll, and a poll that was sent before an
     action finished is dropped: its answer predates the action (``generation`` counts
     them). After the last card of the page goes, the card that moves up from the next page
     (the poll that follows brings it) is the next one, not the one above (``moveUpAfter``;
     found in review). */
  var handled = {};
  var q = m.queue = {
    list: list, onQueuePage: onQueuePage, handled: handled, generation: 0, moveUpAfter: null
  };

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
     on Reported; otherwise it stays as it is and this resolves to [card, "listed"] (null
     when it could not be reloaded). */
  function refresh(card, unlessListed) {
    var state = card.dataset.state;
    var wasFeatured = !!card.querySelector(".badge.featured");
    return m.get("/moderation/comments/" + encodeURIComponent(card.dataset.id) + "/card").then(function (res) {
      if (!res.ok || typeof res.data !== "string") { return unlessListed ? null : [card, "decided"]; }
      if (unlessListed && stillListed(card, res.data)) { return [card, "listed"]; }
      var fresh = replaceCard(card, res.data, "conflict");
      if (!fresh) { return [card, "decided"]; }
      var box = fresh.querySelector("input.select");
      if (box) { box.checked = false; box.disabled = true; q.updateSelected(); }
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

  function removeCard(card) {
    var all = cards();
    var i = all.indexOf(card);
    var next = all[i + 1] || all[i - 1] || null;
    var wasCurrent = card.classList.contains("current");
    q.moveUpAfter = wasCurrent && !all[i + 1] ? all[i - 1] || null : null;
    handled[card.id] = true;
    q.generation += 1;
    card.remove();
    if (wasCurrent || !current()) { setCurrent(next, wasCurrent); }
    if (!next) { showEmpty(wasCurrent); }
    q.updateSelected();
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

  /* The card in hand follows focus (a click, Tab). */
  list.addEventListener("focusin", function (event) {
    var card = event.target.closest && event.target.closest("li.card");
    if (card) { setCurrent(card, false); }
  });

  q.cards = cards;
  q.current = current;
  q.setCurrent = setCurrent;
  q.homeForms = homeForms;
  q.author = author;
  q.replaceCard = replaceCard;
  q.refresh = refresh;
  q.usable = usable;
  q.removeCard = removeCard;
})();
