// Staff console behaviour. Loaded from this file only: the CSP forbids inline script.
"use strict";
document.documentElement.classList.add("js");
// The header's menu on a phone: the button folds the navigation and the user's box in and out.
document.addEventListener("click", function (event) {
  var toggle = event.target.closest && event.target.closest(".menu-toggle");
  if (!toggle) {
    return;
  }
  var header = toggle.closest(".topbar");
  var open = header.classList.toggle("open");
  toggle.setAttribute("aria-expanded", open ? "true" : "false");
});
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form && form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
