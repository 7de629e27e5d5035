// The knowledge panel (console/knowledge/_panel.html): searches GET /api/v1/knowledge with
// the console's session and shows published articles. Text only: nothing from the server is
// inserted as HTML. "引用此文章" fills any input[name=article] on the page (the direct answer's
// optional article) and dispatches a "knowledge:choose" event with the article's id.
(function () {
  "use strict";

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function setup(panel) {
    var api = panel.getAttribute("data-kb-api");
    var form = panel.querySelector(".kb-search");
    var input = panel.querySelector("input[name=q]");
    var status = panel.querySelector(".kb-status");
    var results = panel.querySelector(".kb-results");
    var article = panel.querySelector(".kb-article");

    function fetchJson(url) {
      return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
    }

    function choose(item) {
      document.querySelectorAll("input[name=article]").forEach(function (field) { field.value = item.id; });
      panel.dispatchEvent(new CustomEvent("knowledge:choose", { bubbles: true, detail: { id: item.id, title: item.title } }));
      status.textContent = panel.getAttribute("data-kb-used") + "：" + item.title;
    }

    function show(id) {
      fetchJson(api + "/" + id).then(function (item) {
        article.hidden = false;
        article.querySelector(".kb-title").textContent = item.title;
        article.querySelector(".kb-meta").textContent = item.category_name + " · v" + item.version;
        article.querySelector(".kb-body").textContent = item.body;
        var old = article.querySelector("button.kb-use");
        if (old) old.remove();
        var use = el("button", "kb-use", panel.getAttribute("data-kb-use"));
        use.type = "button";
        use.addEventListener("click", function () { choose(item); });
        article.appendChild(use);
      }).catch(function () { status.textContent = panel.getAttribute("data-kb-error"); });
    }

    function search(q) {
      var url = api + "?page_size=8&q=" + encodeURIComponent(q);
      fetchJson(url).then(function (data) {
        results.replaceChildren();
        article.hidden = true;
        status.textContent = data.count ? "" : panel.getAttribute("data-kb-empty");
        data.items.forEach(function (item) {
          var li = el("li");
          var link = el("a", "kb-link", item.title);
          link.href = "#";
          link.addEventListener("click", function (e) { e.preventDefault(); show(item.id); });
          li.appendChild(link);
          li.appendChild(el("div", "kb-meta", item.category_name + " · " + item.excerpt));
          results.appendChild(li);
        });
      }).catch(function () { status.textContent = panel.getAttribute("data-kb-error"); });
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (input.value.trim()) search(input.value.trim());
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-kb-panel]").forEach(setup);
  });
})();
