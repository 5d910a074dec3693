/* Small behaviours, wired by data attributes so the Content-Security-Policy can forbid inline script. */
(function () {
  "use strict";
  // <select data-autosubmit>: submit its form on change.
  document.addEventListener("change", function (e) {
    if (e.target.matches("[data-autosubmit]")) e.target.form.submit();
  });
  // <form data-confirm="...">: ask before submitting.
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
  });
  // <button data-move="up|down"> inside an <li>: reorder the list (组织排序).
  document.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-move]");
    if (!btn) return;
    var li = btn.closest("li");
    if (btn.getAttribute("data-move") === "up" && li.previousElementSibling) {
      li.parentNode.insertBefore(li, li.previousElementSibling);
    } else if (btn.getAttribute("data-move") === "down" && li.nextElementSibling) {
      li.parentNode.insertBefore(li.nextElementSibling, li);
    }
  });
  // Tree toggles: once a node's children are loaded, mark it open.
  document.addEventListener("htmx:afterRequest", function (e) {
    var el = e.detail.elt;
    if (el && el.classList && el.classList.contains("toggle")) {
      el.disabled = true;
      el.textContent = "▾";
    }
  });
})();
