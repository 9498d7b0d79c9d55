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
})();
