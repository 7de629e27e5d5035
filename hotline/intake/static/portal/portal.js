// The citizen portal's only script (served from our own origin; the CSP allows no inline script).
// Counts the photos chosen and refuses a tenth or an oversized one before upload; disables a
// form's submit button once sent, so a double tap does not send it twice. The pages work without it.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.getElementById("id_photos");
    var count = document.getElementById("photo-count");
    if (input && count) {
      input.addEventListener("change", function () {
        var max = parseInt(input.dataset.max || "9", 10);
        var maxBytes = parseInt(input.dataset.maxMb || "8", 10) * 1024 * 1024;
        var files = Array.prototype.slice.call(input.files || []);
        var big = files.filter(function (f) { return f.size > maxBytes; });
        var maxTotal = parseInt(input.dataset.maxTotalMb || "10", 10) * 1024 * 1024;
        var total = files.reduce(function (sum, f) { return sum + f.size; }, 0);
        if (files.length > max) {
          count.textContent = "最多选择 " + max + " 张照片，请重新选择";
          input.value = "";
        } else if (total > maxTotal) {
          count.textContent = "照片合计超过 " + input.dataset.maxTotalMb + " MB，请少选几张";
          input.value = "";
        } else if (big.length) {
          count.textContent = big[0].name + " 超过 " + input.dataset.maxMb + " MB，请重新选择";
          input.value = "";
        } else {
          count.textContent = files.length ? "已选择 " + files.length + " 张照片" : "";
        }
      });
    }
    Array.prototype.forEach.call(document.querySelectorAll("form[data-once]"), function (form) {
      form.addEventListener("submit", function (event) {
        var button = event.submitter;
        if (form.dataset.sent === "1") { event.preventDefault(); return; }
        if (button && button.value === "submit" || button && button.id === "rate-submit") {
          form.dataset.sent = "1";
          window.setTimeout(function () { button.disabled = true; }, 0);
        }
      });
    });
  });
})();
