// The intake screen: the caller's earlier tickets when the phone field changes, open tickets
// like the text being typed. Progressive enhancement: without this file the form's "look up"
// button asks the server for the same panels. No inline script (CSP); nothing typed or
// received is inserted as HTML.
"use strict";
(function () {
  var form = document.getElementById("intake-form");
  if (!form || !window.fetch) { return; }
  var phone = form.querySelector("[name=citizen_phone]");
  var title = form.querySelector("[name=title]");
  var content = form.querySelector("[name=content]");
  var historyList = document.getElementById("caller-history-list");
  var similarList = document.getElementById("similar-list");
  var lang = document.documentElement.lang || "zh-hans";
  var en = lang.indexOf("en") === 0;
  var text = {
    none: en ? "No earlier tickets from this number." : "该号码没有历史工单。",
    noSimilar: en ? "No similar open tickets." : "没有相似的在办工单。",
    failed: en ? "Could not look this up; use the button below the form." : "查询失败，请使用表单下方的按钮。"
  };

  function el(tag, className, value) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (value !== undefined) { node.textContent = value; }
    return node;
  }

  function show(list, items, render, emptyText) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (!items.length) { list.appendChild(el("li", "muted", emptyText)); return; }
    items.forEach(function (item) { list.appendChild(render(item)); });
  }

  function row(item, extra) {
    var li = el("li");
    var link = el("a", "mono", item.number);
    link.href = item.url;
    li.appendChild(link);
    li.appendChild(document.createTextNode(" "));
    extra.forEach(function (node) { li.appendChild(node); li.appendChild(document.createTextNode(" ")); });
    li.appendChild(el("br"));
    li.appendChild(document.createTextNode(item.title || ""));
    return li;
  }

  function load(url, params, done, list) {
    var query = Object.keys(params).map(function (k) {
      return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]);
    }).join("&");
    fetch(url + "?" + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) { done(data.items || []); })
      .catch(function () { show(list, [], null, text.failed); });
  }

  var lastPhone = "";
  function history() {
    var value = phone.value.trim();
    if (value === lastPhone) { return; }
    lastPhone = value;
    if (value.replace(/\D/g, "").length < 5) { return; }
    load(form.dataset.historyUrl, { phone: value }, function (items) {
      show(historyList, items, function (t) {
        var li = row(t, [el("span", "status", t.status_label)]);
        li.appendChild(el("span", "muted", " " + t.registered_at + (t.unit_name ? " · " + t.unit_name : "")));
        return li;
      }, text.none);
    }, historyList);
    similar();
  }

  var timer = null;
  function similar() {
    var body = (title ? title.value : "") + (content ? content.value : "");
    if (body.trim().length < 6) { return; }
    load(form.dataset.similarUrl, {
      title: title ? title.value : "", content: content ? content.value.slice(0, 2000) : "", phone: phone ? phone.value : ""
    }, function (items) {
      show(similarList, items, function (t) {
        var li = row(t, [el("span", "tag", t.kind_label + " " + t.score + "%"), el("span", "status", t.status_label)]);
        li.appendChild(el("span", "muted", " " + t.reasons.join("、")));
        return li;
      }, text.noSimilar);
    }, similarList);
  }
  function later() { clearTimeout(timer); timer = setTimeout(similar, 600); }

  if (phone) { phone.addEventListener("change", history); phone.addEventListener("blur", history); }
  if (title) { title.addEventListener("input", later); }
  if (content) { content.addEventListener("input", later); }
})();
