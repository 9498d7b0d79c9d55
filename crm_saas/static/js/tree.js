/* Org tree moves: drag a person into someone else's list (or the top list),
 * the server decides. Every person has a list of their people (empty for a
 * leaf), all sharing one Sortable group, so a drop lands under a person.
 * The answer, accepted (200) or refused (422), is the whole tree as stored,
 * which replaces the page's: the page never keeps a move the server refused. */
(function () {
  "use strict";

  function csrfToken() {
    var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    return headers["X-CSRFToken"] || "";
  }

  function showNetworkError(show) {
    var box = document.getElementById("staff-tree-network");
    if (!box) return;
    box.textContent = show ? box.dataset.message : "";
    box.hidden = !show;
  }

  function snapBack(evt) {
    var item = evt.item;
    item.remove();
    evt.from.insertBefore(item, evt.from.children[evt.oldIndex] || null);
  }

  async function onEnd(evt) {
    // Order among colleagues is by name, not stored: a reorder changes nothing.
    if (evt.from === evt.to) {
      if (evt.oldIndex !== evt.newIndex) snapBack(evt);
      return;
    }
    showNetworkError(false);
    var body = new URLSearchParams({ superior_id: evt.to.dataset.superiorId || "" });
    var response;
    try {
      response = await fetch(evt.item.dataset.moveUrl, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
      });
    } catch (err) {
      snapBack(evt);
      showNetworkError(true);
      return;
    }
    var html = await response.text();
    if (response.status !== 200 && response.status !== 422) {
      snapBack(evt);
      showNetworkError(true);
      return;
    }
    htmx.swap(document.getElementById("staff-tree"), html, { swapStyle: "outerHTML" });
    init(document);
  }

  function init(root) {
    var tree = root.querySelector ? root.querySelector("#staff-tree") : null;
    if (root.id === "staff-tree") tree = root;
    if (!tree || !tree.dataset.movable) return;
    tree.querySelectorAll("ul.staff-tree-list").forEach(function (list) {
      if (list.dataset.sortable) return;
      list.dataset.sortable = "1";
      Sortable.create(list, {
        group: "staff-tree", animation: 150, draggable: ".staff-node", forceFallback: true,
        fallbackOnBody: true, swapThreshold: 0.65, emptyInsertThreshold: 12,
        filter: "select, option, button, input", preventOnFilter: false,
        onStart: function () { tree.classList.add("dragging"); },
        onEnd: function (evt) { tree.classList.remove("dragging"); onEnd(evt); },
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    document.body.addEventListener("htmx:load", function (e) { init(e.target); });
  });
})();
