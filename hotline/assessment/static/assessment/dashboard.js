/* The leaders' dashboard: reads the JSON of #dashboard[data-src] and draws it with ECharts
   (served by the platform from npm, see Makefile `assets`). Every number is a link to its
   tickets: cards and tables are <a> elements, a click on a bar, slice or region follows the
   URL the server put beside its value. No inline script or style (CSP). */
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  if (!root || !window.echarts) { return; }
  var L = {};
  var charts = [];
  var TOOLTIP = { trigger: "item", renderMode: "richText" };

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function link(url, text) { return el("a", { href: url }, text); }
  function pct(v) { return v === null || v === undefined ? "—" : v + "%"; }
  function title(id, key, extra) {
    var h = document.getElementById("t-" + id);
    if (h) { h.textContent = (L[key || id] || key || id) + (extra || ""); }
  }
  function chart(id, option, onClick) {
    var node = document.getElementById(id);
    if (!node) { return null; }
    var c = window.echarts.init(node, null, { renderer: "canvas" });
    c.setOption(option);
    if (onClick) {
      c.on("click", function (p) {
        var url = onClick(p);
        if (url) { window.location.href = url; }
      });
    }
    charts.push(c);
    return c;
  }
  function table(id, head, rows) {
    var box = document.getElementById(id);
    if (!box) { return; }
    box.textContent = "";
    if (!rows.length) { box.appendChild(el("p", { "class": "muted" }, L.none)); return; }
    var t = el("table", { "class": "tickets dash-table" });
    var tr = el("tr");
    head.forEach(function (h) { tr.appendChild(el("th", { scope: "col", "class": h[1] || "" }, h[0])); });
    t.appendChild(el("thead")).appendChild(tr);
    var body = el("tbody");
    rows.forEach(function (cells) {
      var r = el("tr");
      cells.forEach(function (c, i) {
        var td = el("td", { "class": head[i][1] || "" });
        if (c instanceof Node) { td.appendChild(c); } else { td.textContent = c === null || c === undefined ? "—" : String(c); }
        r.appendChild(td);
      });
      body.appendChild(r);
    });
    t.appendChild(body);
    box.appendChild(t);
  }

  function figures(d) {
    var box = document.getElementById("dash-figures");
    Object.keys(d.figures.counts).forEach(function (m) {
      var f = d.figures.counts[m];
      var a = el("a", { "class": "dash-figure", href: f.url, "data-metric": m });
      a.appendChild(el("span", { "class": "v" }, f.value));
      a.appendChild(el("span", { "class": "k" }, L[m] || m));
      box.appendChild(a);
    });
    // a rate leads to the tickets of its numerator
    var numerator = { completion_rate: "replied", on_time_rate: "replied_on_time", satisfaction_rate: "satisfied" };
    Object.keys(numerator).forEach(function (r) {
      var div = el("a", { "class": "dash-figure", "data-rate": r, href: d.figures.counts[numerator[r]].url });
      div.appendChild(el("span", { "class": "v" }, pct(d.figures.rates[r])));
      div.appendChild(el("span", { "class": "k" }, L[r] || r));
      box.appendChild(div);
    });
  }

  function volume(d, weekly) {
    var v = d.volume;
    var axis = weekly ? v.weeks : v.days;
    var series = (weekly ? v.weekly_series : v.series).map(function (s) {
      return { name: s.name, type: "bar", stack: "all", data: s.data };
    });
    title("volume", null, weekly ? " · " + L.weekly : "");
    var c = chart("chart-volume", {
      tooltip: { trigger: "item", renderMode: "richText" },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 36, bottom: 40 },
      xAxis: { type: "category", data: axis, axisLabel: { formatter: function (x) { return x.slice(5); } } },
      yAxis: { type: "value", minInterval: 1 },
      series: series
    }, function (p) { return p.data && p.data.url; });
    return c;
  }

  function pie(id, rows) {
    chart(id, {
      tooltip: TOOLTIP,
      legend: { bottom: 0, type: "scroll" },
      series: [{ type: "pie", radius: ["35%", "65%"], top: -20,
        data: rows.map(function (r) { return { name: r.name, value: r.value, url: r.url }; }) }]
    }, function (p) { return p.data && p.data.url; });
  }

  function categories(rows) {
    rows = rows.slice(0, 15);
    chart("chart-categories", {
      tooltip: TOOLTIP,
      grid: { left: 40, right: 16, top: 16, bottom: 90 },
      xAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { rotate: 35, interval: 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: rows.map(function (r) { return { value: r.value, url: r.url }; }) }]
    }, function (p) { return p.data && p.data.url; });
  }

  function trend(rows) {
    chart("chart-trend", {
      tooltip: TOOLTIP,
      legend: { top: 0 },
      grid: { left: 44, right: 44, top: 36, bottom: 30 },
      xAxis: { type: "category", data: rows.map(function (r) { return r.month; }) },
      yAxis: [{ type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
              { type: "value", minInterval: 1 }],
      series: [
        { name: L.received, type: "bar", yAxisIndex: 1, data: rows.map(function (r) { return { value: r.received, url: r.urls.received }; }) },
        { name: L.on_time_rate, type: "line", data: rows.map(function (r) { return { value: r.on_time_rate, url: r.urls.replied_on_time }; }) },
        { name: L.satisfaction_rate, type: "line", data: rows.map(function (r) { return { value: r.satisfaction_rate, url: r.urls.satisfied }; }) }
      ]
    }, function (p) { return p.data && p.data.url; });
  }

  function regionMap(d) {
    var m = d.map;
    if (!m.regions.length) { document.getElementById("chart-map").textContent = L.none; return; }
    window.echarts.registerMap("hotline-scope", m.geojson);
    var metrics = ["received", "overdue", "on_time_rate", "satisfaction_rate"];
    var c = chart("chart-map", {}, function (p) {
      var metric = c.__metric === "overdue" ? "overdue" : "received";
      return p.data && p.data.urls && p.data.urls[metric];
    });
    function draw(metric) {
      c.__metric = metric;
      var values = m.regions.map(function (r) { return r[metric]; }).filter(function (x) { return x !== null; });
      var max = values.length ? Math.max.apply(null, values) : 1;
      var min = values.length ? Math.min.apply(null, values) : 0;
      var bad = metric === "overdue";
      c.setOption({
        tooltip: TOOLTIP,
        visualMap: { min: min, max: max === min ? min + 1 : max, calculable: true, left: 0, bottom: 0,
          inRange: { color: bad ? ["#fef3c7", "#b91c1c"] : ["#dbeafe", "#1e3a8a"] } },
        series: [{ type: "map", map: "hotline-scope", roam: false, nameProperty: "name",
          layoutCenter: ["55%", "50%"], layoutSize: "100%",
          label: { show: true, fontSize: 11, formatter: function (p) { var r = p.data; return r ? r.label + "\n" + (r.value === null ? "—" : r.value) : ""; } },
          data: m.regions.map(function (r) { return { name: r.name, value: r[metric], label: r.label, urls: r.urls }; }) }]
      }, { replaceMerge: ["series"] });
      Array.prototype.forEach.call(document.querySelectorAll("#map-metrics button"), function (b) {
        b.setAttribute("aria-pressed", b.getAttribute("data-metric") === metric ? "true" : "false");
      });
    }
    var bar = document.getElementById("map-metrics");
    metrics.forEach(function (metric) {
      var b = el("button", { type: "button", "data-metric": metric }, L[metric] || metric);
      b.addEventListener("click", function () { draw(metric); });
      bar.appendChild(b);
    });
    draw("received");
  }

  function unitRows(rows, valueKey) {
    return rows.map(function (r) {
      return [r.rank, link(r.urls.received, r.name), r.score, valueKey === "overdue" ? link(r.urls.overdue, r.overdue) : link(r.urls.received, r.received)];
    });
  }

  function overdue(rows) {
    var top = rows.slice(0, 10).reverse();
    // No unit has an overdue ticket: the table says so; an empty chart would only be axes.
    document.getElementById("chart-overdue").hidden = !rows.length;
    if (!rows.length) {
      table("table-overdue", [], []);
      return;
    }
    chart("chart-overdue", {
      tooltip: TOOLTIP,
      grid: { left: 150, right: 24, top: 8, bottom: 24 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: top.map(function (r) { return r.name; }), axisLabel: { width: 140, overflow: "truncate" } },
      series: [{ type: "bar", data: top.map(function (r) { return { value: r.overdue, url: r.urls.overdue }; }), itemStyle: { color: "#b91c1c" } }]
    }, function (p) { return p.data && p.data.url; });
    table("table-overdue", [[L.rank, "n"], [L.unit], [L.score, "n"], [L.overdue, "n"]], unitRows(rows, "overdue"));
  }

  function hotspots(d) {
    var box = document.getElementById("hotspots");
    box.className = "hotspots";
    Object.keys(d.hotspots).forEach(function (days) {
      var sec = el("div", { "data-window": days });
      var at = d.hotspots[days].length ? d.hotspots[days][0].computed_at : null;
      // The worker's snapshot (every 10 minutes): say when it was taken.
      sec.appendChild(el("h3", {}, L.last_days.replace("{n}", days) +
        (at ? " · " + L.as_of + " " + at.slice(11, 16) : "")));
      var id = "hot-" + days;
      sec.appendChild(el("div", { id: id, "class": "tablewrap" }));
      box.appendChild(sec);
      table(id, [["#", "n"], [L.topic], [L.place], [L.heat, "n"], [L.growth, "n"], [L.tickets, "n"], [L.examples]],
        d.hotspots[days].map(function (s) {
          var ex = el("span");
          s.examples.forEach(function (e, i) {
            if (i) { ex.appendChild(document.createTextNode(" ")); }
            var a = link("/console/tickets/" + encodeURIComponent(e.number) + "/", e.number);
            a.setAttribute("title", e.title);
            a.className = "mono";
            ex.appendChild(a);
          });
          return [s.rank, s.topic, s.place || "—", s.heat, s.growth, link(s.url, s.count), ex];
        }));
    });
  }

  function warnings(d) {
    var box = document.getElementById("warnings");
    ["red", "yellow"].forEach(function (level) {
      var w = d.warnings[level];
      var p = el("p");
      p.appendChild(el("span", { "class": "warn-" + level }, L["warning_" + level] + "："));
      p.appendChild(link(w.url, w.value));
      box.appendChild(p);
    });
  }

  function draw(d) {
    L = d.labels;
    ["channels", "kinds", "categories", "trend", "map", "top_overdue", "best", "worst", "warnings", "hotspots"].forEach(function (k) { title(k); });
    document.getElementById("map-note").textContent = L.map_note;
    figures(d);
    var vc = volume(d, false);
    var toggle = el("button", { type: "button", id: "volume-weekly", "aria-pressed": "false" }, L.weekly);
    toggle.addEventListener("click", function () {
      var weekly = toggle.getAttribute("aria-pressed") !== "true";
      toggle.setAttribute("aria-pressed", weekly ? "true" : "false");
      toggle.textContent = weekly ? L.daily : L.weekly;
      charts.splice(charts.indexOf(vc), 1);
      vc.dispose();
      vc = volume(d, weekly);
    });
    document.getElementById("t-volume").after(toggle);
    pie("chart-channels", d.breakdowns.channels);
    pie("chart-kinds", d.breakdowns.kinds);
    categories(d.breakdowns.categories);
    trend(d.trend);
    regionMap(d);
    overdue(d.top_overdue);
    table("table-best", [[L.rank, "n"], [L.unit], [L.score, "n"], [L.received, "n"]], unitRows(d.ranking.best));
    table("table-worst", [[L.rank, "n"], [L.unit], [L.score, "n"], [L.received, "n"]], unitRows(d.ranking.worst));
    warnings(d);
    hotspots(d);
    root.setAttribute("aria-busy", "false");
    root.setAttribute("data-ready", "true");
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  fetch(root.getAttribute("data-src"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(draw)
    .catch(function (e) {
      root.setAttribute("aria-busy", "false");
      root.insertBefore(el("p", { "class": "message error", role: "alert" }, (L.loading_failed || "error") + " (" + e.message + ")"), root.firstChild);
    });
})();
