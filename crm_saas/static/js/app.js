/* crm_saas: behaviour every page shares, kept out of the markup so the Content-Security-Policy
   allows scripts from this site only (no inline handlers). */
(function () {
  "use strict";
  // A form with data-confirm asks before it is sent (purging from the recycle bin).
  document.addEventListener("submit", function (e) {
    var question = e.target.dataset && e.target.dataset.confirm;
    if (question && !window.confirm(question)) {
      e.preventDefault();
      e.stopPropagation();
    }
  }, true);
  // A button with class close-dialog closes the dialog it sits in.
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest(".close-dialog");
    if (button && button.closest("dialog")) button.closest("dialog").close();
  });
  // The sidebar folds to its icons on wide screens, and stays as the reader left it (this browser only).
  function foldSidebar(folded) {
    var button = document.querySelector(".app-sidebar-toggle");
    document.body.classList.toggle("sidebar-collapsed", folded);
    if (!button) return;
    button.setAttribute("aria-expanded", folded ? "false" : "true");
    var label = folded ? button.dataset.labelExpand : button.dataset.labelCollapse;
    button.querySelector(".nav-label").textContent = label;
    button.title = label;
  }
  try { if (localStorage.getItem("sidebar-collapsed") === "1") foldSidebar(true); } catch (err) { /* storage off */ }
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest(".app-sidebar-toggle");
    if (!button) return;
    var folded = !document.body.classList.contains("sidebar-collapsed");
    foldSidebar(folded);
    try { localStorage.setItem("sidebar-collapsed", folded ? "1" : "0"); } catch (err) { /* storage off */ }
  });
  // On a phone every table reads as cards (app.css): each cell is labelled with its column's head, once per
  // table, here rather than in every template; a cell that has its own data-label keeps it ("" for none).
  function labelCells(root) {
    var scope = root && root.querySelectorAll ? root : document;
    Array.prototype.forEach.call(scope.querySelectorAll("table.table"), function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
      if (!heads.length) return;
      Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (row) {
        Array.prototype.forEach.call(row.children, function (cell, i) {
          if (!cell.hasAttribute("data-label") && heads[i] && cell.colSpan === 1) cell.setAttribute("data-label", heads[i]);
        });
      });
    });
  }
  labelCells(document);
  document.addEventListener("htmx:afterSettle", function (e) { labelCells(e.detail.elt.parentNode || document); });
  // "/" anywhere outside a field jumps to the global search, as in most web apps; Escape leaves it.
  document.addEventListener("keydown", function (e) {
    var box = document.getElementById("global-search");
    if (!box) return;
    var typing = e.target.closest && e.target.closest("input, textarea, select, [contenteditable]");
    if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      box.focus();
      box.select();
    } else if (e.key === "Escape" && e.target === box) {
      hideSearchResults();
      box.blur();
    }
  });
  // The results under the top bar close when one clicks elsewhere.
  function hideSearchResults() {
    var results = document.querySelector(".app-topbar #global-search-results");
    if (results) results.hidden = true;
  }
  document.addEventListener("click", function (e) {
    if (!(e.target.closest && e.target.closest(".global-search"))) hideSearchResults();
  });
  // A fragment request that fails is not swapped in (base.html's responseHandling); it says why in a toast.
  // The server answers htmx errors with the message as plain text (core/views.py error_page).
  function toast(message) {
    var box = document.getElementById("toasts");
    if (!box || !message) return;
    var item = document.createElement("p");
    item.className = "app-toast";
    item.textContent = message;
    box.appendChild(item);
    setTimeout(function () { item.remove(); }, 8000);
  }
  document.addEventListener("htmx:responseError", function (e) {
    var xhr = e.detail.xhr;
    if (xhr.status === 422 || xhr.status === 503) return;  // swapped: the answer shows its own messages
    var plain = (xhr.getResponseHeader("Content-Type") || "").indexOf("text/plain") === 0;
    toast(plain && xhr.responseText ? xhr.responseText : document.body.dataset.errorGeneric);
  });
  document.addEventListener("htmx:sendError", function () { toast(document.body.dataset.errorNetwork); });
})();
