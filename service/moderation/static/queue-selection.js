/* moderato queue, bulk selection: the cards' checkboxes, "select all", the count of
   selected cards, and the bulk form's question before it acts on them. */
(function () {
  "use strict";
  var m = window.moderato;
  var q = m && m.queue;
  if (!q) { return; }
  var list = q.list;
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

  q.selectAll = selectAll;
  q.updateSelected = updateSelected;
})();
