/* moderato queue: keyboard shortcuts, actions over fetch, selection, and short polling.
   Everything also works without JavaScript (plain forms); this makes it fast.

   Plain scripts, loaded in this order by templates/moderation/_queue_scripts.html and
   sharing one small namespace, moderato.queue (the list, its state, and the functions
   the others call):
     queue-cards.js      the list: the current card; drawing, reloading, removing a card
     queue-actions.js    a card's actions over fetch
     queue-selection.js  checkboxes, "select all" and the bulk form
     queue-keys.js       keyboard shortcuts
     queue-poll.js       the live poll
     queue.js            this one, last: starts the page. */
(function () {
  "use strict";
  var m = window.moderato;
  var q = m && m.queue;
  if (!q) { return; }
  q.setCurrent(q.cards()[0] || null, false);
  q.updateSelected();
  window.moderatoQueue = { poll: q.poll, act: q.act };
})();
