// Staff console behaviour. Loaded from this file only: the CSP forbids inline script.
"use strict";
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form && form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
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
