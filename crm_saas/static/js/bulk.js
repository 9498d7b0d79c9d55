/* The customer list's selection (bulk/_bar.html): count what is ticked, tick a whole page, widen to "all N
   matching" (scope=filter, sent with the list's filters), open an action's dialog once htmx has loaded it. */
(function () {
  "use strict";
  function bar() { return document.getElementById("bulk-selection"); }
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#customer-results .row-select input[name=ids]")); }
  function scope() { var b = bar(); return b && b.querySelector("[data-bulk-scope]"); }
  function show(selector, on) { var el = bar() && bar().querySelector(selector); if (el) el.hidden = !on; }

  function refresh() {
    var b = bar();
    if (!b) return;
    var boxes = rows(), ticked = boxes.filter(function (box) { return box.checked; }).length;
    var all = scope().value === "filter";
    var count = all ? Number(b.dataset.total) : ticked;
    Array.prototype.forEach.call(document.querySelectorAll("[data-bulk-count]"), function (el) {
      el.textContent = count.toLocaleString();
    });
    Array.prototype.forEach.call(b.querySelectorAll("[data-bulk-action]"), function (button) { button.disabled = count === 0; });
    var page = document.querySelector("#customer-results [data-bulk-page]");
    if (page) {
      page.checked = boxes.length > 0 && ticked === boxes.length;
      page.indeterminate = ticked > 0 && ticked < boxes.length;
    }
    show("[data-bulk-all]", !all && boxes.length > 0 && ticked === boxes.length);
    show("[data-bulk-all-on]", all);
  }

  document.addEventListener("change", function (e) {
    if (!bar() || !e.target.closest) return;
    if (e.target.matches("[data-bulk-page]")) {
      rows().forEach(function (box) { box.checked = e.target.checked; });
      if (!e.target.checked) scope().value = "ids";
      refresh();
    } else if (e.target.closest(".row-select")) {
      if (!e.target.checked) scope().value = "ids";  // one row off: the selection is the ticked rows again
      refresh();
    }
  });
  document.addEventListener("click", function (e) {
    if (!e.target.closest) return;
    if (e.target.closest("[data-bulk-all]")) {
      rows().forEach(function (box) { box.checked = true; });
      scope().value = "filter";
      refresh();
    } else if (e.target.closest("[data-bulk-clear]")) {
      rows().forEach(function (box) { box.checked = false; });
      scope().value = "ids";
      refresh();
    }
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    var dialog = document.getElementById("bulk-dialog");
    if (dialog && e.detail.target === dialog) {
      refresh();
      if (!dialog.open) dialog.showModal();
      var first = dialog.querySelector("select, input:not([type=hidden]), textarea");
      if (first) first.focus();
    }
  });
  // An export answers its progress bar elsewhere on the page: the dialog closes once it is sent.
  document.addEventListener("htmx:afterRequest", function (e) {
    var dialog = document.getElementById("bulk-dialog");
    if (dialog && dialog.open && dialog.contains(e.detail.elt) && e.detail.successful) dialog.close();
  });
  document.addEventListener("htmx:afterSettle", refresh);
  document.addEventListener("DOMContentLoaded", refresh);
})();
