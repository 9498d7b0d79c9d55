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
    var results = document.querySelector("header #global-search-results");
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
    item.className = "toast";
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
