/* crm_saas: comboboxes (the new-deal form's customer, the person pickers of _macros.html), kept out of the
   markup like app.js so the Content-Security-Policy allows scripts from this site only. */
(function () {
  "use strict";
  // A combobox ([data-combobox]): a text box whose matches (fetched by htmx into its listbox) are chosen by a
  // click, or by the arrow keys and Enter; the choice goes to the hidden input beside it. Typing again clears it,
  // so a name typed but not chosen is refused by the server with the field's message.
  function comboParts(el) {
    var box = el.closest && el.closest("[data-combobox]");
    if (!box) return null;
    return { box: box, input: box.querySelector("[role=combobox]"), value: box.querySelector("input[type=hidden]"),
             list: box.querySelector("[role=listbox]") };
  }
  function comboOpen(parts, open) {
    parts.list.hidden = !open;
    parts.input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) parts.input.removeAttribute("aria-activedescendant");
  }
  function comboSet(parts, value) {
    if (parts.value.value === value) return;
    parts.value.value = value;
    parts.value.dispatchEvent(new Event("change", { bubbles: true }));  // a filter form asks again
  }
  function comboChoose(parts, option) {
    comboSet(parts, option.dataset.value);
    parts.input.value = option.dataset.value === "" ? "" : option.firstChild.textContent.trim();
    comboOpen(parts, false);
  }
  document.addEventListener("htmx:afterSettle", function (e) {
    var parts = comboParts(e.detail.elt);
    if (parts && e.detail.elt.getAttribute("role") === "listbox") comboOpen(parts, document.activeElement === parts.input);
  });
  document.addEventListener("input", function (e) {
    var parts = e.target.getAttribute && e.target.getAttribute("role") === "combobox" && comboParts(e.target);
    if (parts && parts.value.value !== "" && parts.value.value !== "0") comboSet(parts, parts.value.dataset.empty || "");
  });
  // The text box's own change (on leaving it) is not the form's: only a chosen id is.
  document.addEventListener("change", function (e) {
    if (e.target.getAttribute && e.target.getAttribute("role") === "combobox") e.stopPropagation();
  }, true);
  document.addEventListener("mousedown", function (e) {
    var option = e.target.closest && e.target.closest("[role=option][data-value]");
    var parts = option && comboParts(option);
    if (parts) { e.preventDefault(); comboChoose(parts, option); }
  });
  document.addEventListener("keydown", function (e) {
    var parts = e.target.getAttribute && e.target.getAttribute("role") === "combobox" && comboParts(e.target);
    if (!parts) return;
    var options = Array.prototype.slice.call(parts.list.querySelectorAll("[role=option][data-value]"));
    var current = document.getElementById(parts.input.getAttribute("aria-activedescendant") || "");
    var index = options.indexOf(current);
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (!options.length) return;
      e.preventDefault();
      comboOpen(parts, true);
      index = e.key === "ArrowDown" ? Math.min(index + 1, options.length - 1) : Math.max(index - 1, 0);
      options.forEach(function (o, i) { o.setAttribute("aria-selected", i === index ? "true" : "false"); });
      parts.input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else if (e.key === "Enter" && current && !parts.list.hidden) {
      e.preventDefault();
      comboChoose(parts, current);
    } else if (e.key === "Escape") {
      comboOpen(parts, false);
    }
  });
  document.addEventListener("focusout", function (e) {
    var parts = e.target.getAttribute && e.target.getAttribute("role") === "combobox" && comboParts(e.target);
    if (parts) comboOpen(parts, false);
  });
})();
