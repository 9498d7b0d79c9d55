/* Kanban moves: Sortable moves the card, the server decides.
 * The card is posted to its move URL; on success the server's card and the
 * out-of-band column heads replace the page's, on refusal the card goes back
 * where it was and the server's reason is shown. The page never shows a
 * state the server did not accept. */
(function () {
  "use strict";

  function csrfToken() {
    var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    return headers["X-CSRFToken"] || "";
  }

  function showMessage(text) {
    var box = document.getElementById("board-message");
    if (!box) return;
    box.textContent = text;
    box.hidden = !text;
  }

  function snapBack(evt) {
    var item = evt.item;
    item.remove();
    var ref = evt.from.children[evt.oldIndex] || null;
    evt.from.insertBefore(item, ref);
  }

  function askLostReason() {
    var dialog = document.getElementById("lost-dialog");
    var input = document.getElementById("lost-reason");
    input.value = "";
    return new Promise(function (resolve) {
      dialog.addEventListener("close", function onClose() {
        dialog.removeEventListener("close", onClose);
        var reason = input.value.trim();
        resolve(dialog.returnValue === "ok" && reason ? reason : null);
      });
      dialog.showModal();
    });
  }

  async function onEnd(evt) {
    if (evt.from === evt.to && evt.oldIndex === evt.newIndex) return;
    showMessage("");
    var card = evt.item;
    var body = new URLSearchParams({ stage_id: evt.to.dataset.stageId, position: String(evt.newIndex) });
    if (evt.to.dataset.stageKind === "lost" && evt.from !== evt.to) {
      var reason = await askLostReason();
      if (reason === null) { snapBack(evt); return; }
      body.set("lost_reason", reason);
    }
    var response;
    try {
      response = await fetch(card.dataset.moveUrl, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
      });
    } catch (err) {
      snapBack(evt);
      showMessage(document.getElementById("board").dataset.networkError || String(err));
      return;
    }
    var html = await response.text();
    if (!response.ok) {
      snapBack(evt);
      var holder = document.createElement("div");
      holder.innerHTML = html;
      showMessage(holder.textContent.trim() || response.statusText);
      return;
    }
    htmx.swap(card, html, { swapStyle: "outerHTML" });
  }

  function init(root) {
    root.querySelectorAll(".board-cards").forEach(function (list) {
      if (list.dataset.sortable) return;
      list.dataset.sortable = "1";
      Sortable.create(list, { group: "board", animation: 150, onEnd: onEnd });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    document.body.addEventListener("htmx:load", function (e) { init(e.target); });
  });
})();
