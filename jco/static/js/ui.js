/*
 * ui.js - small progressive enhancements for every page (static file: CSP script-src 'self').
 * Without it every page still works: the navigation stays open and tables stay tables.
 *
 * 1. The header's menu button (phones): it shows and hides the navigation and says so
 *    with aria-expanded.
 * 2. Tables on narrow screens become stacked rows (CSS); each cell is labelled with its
 *    column's header through data-label, read from the table's own <thead>.
 * 3. Buttons and links marked data-confirm ask before they act (Remove, Delete, Revoke). With
 *    data-confirm-if="selector" the button asks only when its form holds a match (a ticked
 *    "Remove" box), so saving a list without removing anything asks nothing.
 * 4. Buttons marked data-copy="ID" copy that element's text (the calendar address).
 */
(function () {
  "use strict";

  function setUpMenu() {
    var button = document.querySelector(".menu-toggle");
    var menu = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!button || !menu) { return; }
    button.hidden = false;
    document.documentElement.classList.add("has-menu-toggle");
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") === "true";
      button.setAttribute("aria-expanded", open ? "false" : "true");
      menu.classList.toggle("is-open", !open);
    });
  }

  function labelCells() {
    document.querySelectorAll("table").forEach(function (table) {
      var heads = table.querySelectorAll("thead tr:last-child th");
      if (!heads.length) { return; }
      var labels = Array.prototype.map.call(heads, function (th) {
        var hidden = th.querySelector(".visually-hidden");
        return (th.getAttribute("data-label") || th.textContent || (hidden && hidden.textContent) || "").trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.children, function (cell) {
          if (!cell.hasAttribute("data-label") && labels[column]) {
            cell.setAttribute("data-label", labels[column]);
          }
          column += cell.colSpan || 1;
        });
      });
      table.classList.add("is-labelled");
    });
  }

  function confirmActions() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var trigger = event.submitter || form.querySelector("[data-confirm]");
      var message = (trigger && trigger.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
      var condition = trigger && trigger.getAttribute("data-confirm-if");
      if (message && condition && !form.querySelector(condition)) { return; }
      if (message && !window.confirm(message)) { event.preventDefault(); }
    });
  }

  function copyButtons() {
    if (!navigator.clipboard) { return; }
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(source.textContent.trim()).then(function () {
          button.textContent = button.getAttribute("data-copied") || "Copied";
        });
      });
    });
  }

  function start() { setUpMenu(); labelCells(); confirmActions(); copyButtons(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
