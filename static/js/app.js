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
  // 团员教育评议 (SPEC-2 EV3): <select data-level> rows; <p data-excellent data-limit="n"> counts the 优秀 live.
  document.addEventListener("change", function (e) {
    if (!e.target.matches("select[data-level]")) return;
    var box = document.querySelector("[data-excellent]");
    if (!box) return;
    var n = Array.prototype.filter.call(document.querySelectorAll("select[data-level]"), function (s) {
      return s.value === "优秀";
    }).length;
    box.querySelector("b").textContent = n;
    box.querySelector(".over-note").hidden = n <= Number(box.getAttribute("data-limit"));
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
  // Searchable pickers (templates/partials/picker.html): Enter in the search box searches, never submits
  // the form; <p data-count="field" data-limit="30"> shows how many of the field's boxes are ticked.
  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && e.target.matches(".picker input[type=search]")) {
      e.preventDefault();
      e.target.dispatchEvent(new Event("search"));
    }
  });
  function countPicked() {
    document.querySelectorAll("[data-count]").forEach(function (el) {
      var box = el.closest(".picker");
      var n = box.querySelectorAll('input[name="' + el.getAttribute("data-count") + '"]:checked').length;
      var over = n > Number(el.getAttribute("data-limit"));
      el.querySelector("b").textContent = n;
      el.classList.toggle("over", over);
      el.querySelector(".over-note").hidden = !over;
    });
  }
  // A box ticked while a search was on its way stays ticked when the answer replaces the list.
  var ticked = null;
  document.addEventListener("htmx:beforeSwap", function (e) {
    var target = e.detail.target;
    ticked = target && target.classList.contains("picker-results")
      ? Array.prototype.map.call(target.querySelectorAll("input:checked"), function (i) { return i.closest("li"); })
      : null;
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    var target = e.detail.target;
    if (ticked && target.classList.contains("picker-results")) {
      ticked.forEach(function (li) {
        var input = li.querySelector("input");
        var same = target.querySelector('input[name="' + input.name + '"][value="' + input.value + '"]');
        if (same) { same.checked = true; return; }
        var list = target.querySelector(".pick-chosen");
        if (!list) {
          list = document.createElement("ul");
          list.className = "pick-list pick-chosen";
          target.insertBefore(list, target.firstChild);
        }
        list.appendChild(li);
      });
    }
    ticked = null;
    countPicked();
  });
  document.addEventListener("change", countPicked);
  // Tree toggles: once a node's children are loaded, mark it open.
  document.addEventListener("htmx:afterRequest", function (e) {
    var el = e.detail.elt;
    if (el && el.classList && el.classList.contains("toggle")) {
      el.disabled = true;
      el.textContent = "▾";
    }
  });
})();
