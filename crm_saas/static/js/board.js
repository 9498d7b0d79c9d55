/* Kanban moves: Sortable moves the card, the server decides.
 * The card is posted to its move URL (built from the board's URL templates) with the card above it (after_id), its
 * version and the board's filters; on success the server's card and the
 * out-of-band column heads replace the page's, on refusal the card goes back
 * where it was and the server's reason is shown. A 409 means someone moved
 * the card first: the board reloads as the server holds it. The page never
 * shows a state the server did not accept. */
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

  function reloadBoard() {
    var board = document.getElementById("board");
    var query = board.dataset.query ? "?" + board.dataset.query : "";
    return htmx.ajax("GET", window.location.pathname + query, { target: "#board", swap: "outerHTML" });
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

  // The URLs of a card, from the board's templates (pipeline/_board.html): cards carry only their ids.
  function cardUrl(kind, card) {
    return document.getElementById("board").dataset[kind]
      .replace("{id}", card.dataset.dealId).replace("{customer}", card.dataset.customerId);
  }

  function cardAbove(card) {
    var prev = card.previousElementSibling;
    while (prev && !prev.dataset.dealId) prev = prev.previousElementSibling;
    return prev ? prev.dataset.dealId : "";
  }

  async function onEnd(evt) {
    if (evt.from === evt.to && evt.oldIndex === evt.newIndex) return;
    showMessage("");
    var card = evt.item;
    var body = new URLSearchParams({
      stage_id: evt.to.dataset.stageId, after_id: cardAbove(card), version: card.dataset.version,
    });
    if (evt.to.dataset.stageKind === "lost" && evt.from !== evt.to) {
      var reason = await askLostReason();
      if (reason === null) { snapBack(evt); return; }
      body.set("lost_reason", reason);
    }
    var query = document.getElementById("board").dataset.query;
    var response;
    try {
      response = await fetch(cardUrl("moveUrl", card) + (query ? "?" + query : ""), {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
      });
    } catch (err) {
      snapBack(evt);
      showMessage(String(err));
      return;
    }
    var html = await response.text();
    if (!response.ok) {
      snapBack(evt);
      var holder = document.createElement("div");
      holder.innerHTML = html;
      showMessage(holder.textContent.trim() || response.statusText);
      if (response.status === 409) reloadBoard();
      return;
    }
    htmx.swap(card, html, { swapStyle: "outerHTML" });
  }

  // The keyboard's way (and a phone's): a card's "Move…" button asks for the stage in a dialog, then the card
  // goes to the top of that column through the same request a drag makes; focus comes back to the card.
  function moveFromMenu(card) {
    var dialog = document.getElementById("move-dialog");
    var select = document.getElementById("move-stage");
    var from = card.closest(".board-cards");
    select.value = from.dataset.stageId;
    dialog.addEventListener("close", async function onClose() {
      dialog.removeEventListener("close", onClose);
      var to = document.querySelector('.board-cards[data-stage-id="' + select.value + '"]');
      if (dialog.returnValue !== "ok" || !to || to === from) { card.querySelector(".move-card").focus(); return; }
      var oldIndex = Array.prototype.indexOf.call(from.children, card);
      to.insertBefore(card, to.firstElementChild);
      await onEnd({ item: card, from: from, to: to, oldIndex: oldIndex, newIndex: 0 });
      var now = document.getElementById(card.id);
      if (now) now.querySelector(".move-card").focus();
    });
    dialog.showModal();
  }

  function init(root) {
    root.querySelectorAll(".board-cards").forEach(function (list) {
      if (list.dataset.sortable) return;
      list.dataset.sortable = "1";
      Sortable.create(list, { group: "board", animation: 150, filter: ".more-cards, button, a", preventOnFilter: false,
                              onEnd: onEnd });
    });
  }

  // The board takes the window's height below where it starts; the CSS reads --board-top (board.html's toolbar,
  // filters and first-run list above it vary in height).
  function fitBoard() {
    var board = document.getElementById("board");
    if (!board) return;
    var top = board.getBoundingClientRect().top + window.scrollY;
    document.documentElement.style.setProperty("--board-top", Math.round(top) + "px");
  }

  // On a phone the board shows one column at a time: the stage tab of the column in sight is marked as current
  // (swiping moves it); the tabs themselves are links to the columns.
  function watchStageTabs() {
    var tabs = document.querySelector(".board-tabs");
    if (!tabs || !window.IntersectionObserver) return;
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        Array.prototype.forEach.call(tabs.querySelectorAll("a"), function (tab) {
          if (tab.getAttribute("href") === "#" + entry.target.id) tab.setAttribute("aria-current", "true");
          else tab.removeAttribute("aria-current");
        });
      });
    }, { threshold: 0.6 });
    Array.prototype.forEach.call(document.querySelectorAll("#board .board-column"), function (column) {
      observer.observe(column);
    });
    return observer;
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    fitBoard();
    var stageTabs = watchStageTabs();
    document.body.addEventListener("htmx:afterSettle", function (e) {
      if (e.target.id === "board" && stageTabs) { stageTabs.disconnect(); stageTabs = watchStageTabs(); }
    });
    window.addEventListener("resize", fitBoard);
    document.body.addEventListener("htmx:afterSettle", fitBoard);
    document.body.addEventListener("htmx:load", function (e) { init(e.target); });
    // The quick-add follow-up form opens in a dialog, which closes once the follow-up is saved.
    document.body.addEventListener("htmx:afterSwap", function (e) {
      if (e.target.id === "follow-up-dialog-body") {
        var dialog = document.getElementById("follow-up-dialog");
        if (!dialog.open) dialog.showModal();
      }
    });
    document.body.addEventListener("click", function (e) {
      var button = e.target.closest && e.target.closest(".move-card, .quick-follow-up");
      if (!button) return;
      var card = button.closest(".deal-card");
      if (button.classList.contains("move-card")) {
        moveFromMenu(card);
      } else {
        htmx.ajax("GET", cardUrl("followUpUrl", card), { target: "#follow-up-dialog-body", swap: "innerHTML" });
      }
    });
    // A follow-up saved (HX-Trigger "activity-added", with its deal): that deal's card asks for itself again.
    document.body.addEventListener("activity-added", function (e) {
      var dialog = document.getElementById("follow-up-dialog");
      if (dialog && dialog.open) setTimeout(function () { dialog.close(); }, 600);
      var card = e.detail && e.detail.deal_id && document.getElementById("deal-" + e.detail.deal_id);
      if (card) htmx.ajax("GET", cardUrl("cardUrl", card), { target: card, swap: "outerHTML" });
    });
  });
})();
