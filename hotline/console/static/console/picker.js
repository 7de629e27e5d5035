// Searchable pickers: a <select data-filter> gets a search box above it that hides the options
// not containing the typed text (units of the tree, catalogue leaves). Progressive
// enhancement: without this file the <select> works as it is. No CDN, no inline script.
"use strict";
(function () {
  var en = (document.documentElement.lang || "").indexOf("en") === 0;
  function enhance(select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "picker-search";
    box.placeholder = select.getAttribute("data-filter") || (en ? "Type to filter" : "输入关键字筛选");
    box.setAttribute("aria-label", box.placeholder);
    box.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var needle = box.value.trim().toLowerCase();
      var first = null;
      Array.prototype.forEach.call(select.querySelectorAll("option"), function (option) {
        var match = !needle || !option.value || option.textContent.toLowerCase().indexOf(needle) !== -1 ||
          option.value.toLowerCase().indexOf(needle) !== -1;
        option.hidden = !match;
        if (match && option.value && first === null) { first = option; }
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        group.hidden = !Array.prototype.some.call(group.children, function (o) { return !o.hidden; });
      });
      // A single choice follows the first match, so typing and submitting picks it.
      if (!select.multiple && first !== null && needle) {
        var current = select.options[select.selectedIndex];
        if (!current || current.hidden || !current.value) { select.value = first.value; }
      }
    });
  }
  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-filter]"), enhance);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
