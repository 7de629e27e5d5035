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
// Photos from a phone's camera are several megabytes each: before a form with files goes up,
// each large photo is scaled in the browser to the size the server keeps (2048 px on the
// longer side, JPEG), so that a reply with a few photos stays under the upload cap on a slow
// connection. The server still checks and re-encodes every file by its content.
var PHOTO_SIDE = 2048;
var PHOTO_SHRINK_FROM = 1024 * 1024;

function shrinkPhoto(file) {
  if (!/^image\/(jpeg|png|webp)$/.test(file.type) || file.size < PHOTO_SHRINK_FROM) {
    return Promise.resolve(file);
  }
  return window.createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
    var scale = Math.min(1, PHOTO_SIDE / Math.max(bitmap.width, bitmap.height));
    var canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    return new Promise(function (resolve) {
      canvas.toBlob(function (blob) {
        if (!blob || blob.size >= file.size) {
          resolve(file);
          return;
        }
        var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
        resolve(new File([blob], name, { type: "image/jpeg" }));
      }, "image/jpeg", 0.85);
    });
  }).catch(function () {
    return file;
  });
}

function shrinkInput(input) {
  return Promise.all(Array.prototype.map.call(input.files, shrinkPhoto)).then(function (files) {
    var transfer = new DataTransfer();
    files.forEach(function (file) { transfer.items.add(file); });
    input.files = transfer.files;
  });
}

document.addEventListener("submit", function (event) {
  var form = event.target;
  if (event.defaultPrevented || !form.querySelector || form.getAttribute("data-shrunk")) {
    return;
  }
  var inputs = Array.prototype.filter.call(
    form.querySelectorAll("input[type=file]"),
    function (input) { return input.files && input.files.length; }
  );
  if (!inputs.length || !window.createImageBitmap || !window.DataTransfer) {
    return;
  }
  event.preventDefault();
  form.setAttribute("data-shrunk", "1");
  Promise.all(inputs.map(shrinkInput)).then(function () {
    form.submit();  // no second submit event: the form was checked already
  });
});

// The reply check beside the reply form: scored as the handler types (the server's check, the
// same one recorded when the reply goes out). Without JavaScript the "检查回复" button posts
// the draft and the page comes back with the check.
(function () {
  var box = document.getElementById("reply-check");
  var text = document.getElementById("id_reply_text");
  if (!box || !text || !window.fetch) {
    return;
  }
  var form = text.form;
  var timer = null;
  var asked = 0;

  function show(result) {
    box.className = "reply-check reply-check-" + result.level;
    box.textContent = "";
    var head = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = box.getAttribute("data-label-score") || "答复检查评分";
    var score = document.createElement("span");
    score.className = "reply-check-score";
    score.textContent = " " + result.score;
    strong.appendChild(score);
    head.appendChild(strong);
    head.appendChild(document.createTextNode(" / 100 "));
    var tag = document.createElement("span");
    tag.className = result.ok ? "tag ok" : "tag late";
    tag.textContent = result.ok
      ? box.getAttribute("data-label-ok") || "合格"
      : box.getAttribute("data-label-weak") || "偏弱";
    head.appendChild(tag);
    box.appendChild(head);
    if (result.reasons.length) {
      var list = document.createElement("ul");
      list.className = "reply-check-reasons";
      result.reasons.forEach(function (reason) {
        var item = document.createElement("li");
        item.textContent = reason;
        list.appendChild(item);
      });
      box.appendChild(list);
    }
  }

  function check() {
    var body = new FormData();
    body.append("text", text.value);
    body.append("format", "json");
    body.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    var mine = ++asked;
    fetch(box.getAttribute("data-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (result) {
        if (result && mine === asked) {
          show(result);
        }
      })
      .catch(function () {});
  }

  text.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 600);
  });
  if (text.value) {
    check();
  }
})();
