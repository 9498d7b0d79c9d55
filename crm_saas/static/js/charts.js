/* crm_saas: the charts of the dashboard and the reports (Apache ECharts, vendored), and the scope filter bar's
   small behaviour; kept out of the markup so the Content-Security-Policy allows scripts from this site only.

   Every [data-chart] element carries its chart as JSON: {title, type (line|bar|funnel|pie), categories,
   series: [{name, data, kind (int|money)}], urls: [the list behind each category, or null]}. Clicking a bar, a
   point, a slice (or anywhere in a category's column) opens that list. Charts are drawn again after an htmx swap
   and follow their box's size. Tooltips are drawn on the canvas (richText): no inline style for the policy to
   refuse. */
(function () {
  "use strict";
  var HEIGHT = 300;
  var charts = [];

  function number(value) {
    var n = Number(value);
    return isNaN(n) ? 0 : n;
  }

  function formatter(kind) {
    return function (value) {
      return number(value).toLocaleString(undefined, kind === "money" ? { minimumFractionDigits: 2, maximumFractionDigits: 2 } : {});
    };
  }

  function cartesian(spec) {
    var first = spec.series[0] || { name: "", data: [], kind: "int" };
    var horizontal = spec.type === "bar";  // names read better down the side, on a phone too
    var category = { type: "category", data: spec.categories, inverse: horizontal, axisLabel: { hideOverlap: true } };
    var value = { type: "value", axisLabel: { formatter: formatter(first.kind) } };
    var series = [{
      name: first.name, type: spec.type === "line" ? "line" : "bar", data: first.data.map(number),
      symbolSize: 8, showAllSymbol: true, barMaxWidth: 32, cursor: "pointer", tooltip: { valueFormatter: formatter(first.kind) }
    }];
    var option = {
      tooltip: { trigger: "axis", renderMode: "richText", confine: true },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : [value],
      series: series
    };
    var second = spec.series[1];
    if (spec.type === "line" && second) {  // the count beside the amount, on an axis of its own
      option.yAxis.push({ type: "value", minInterval: 1, splitLine: { show: false } });
      series.push({ name: second.name, type: "bar", yAxisIndex: 1, data: second.data.map(number), barMaxWidth: 16,
                    itemStyle: { opacity: 0.35 }, tooltip: { valueFormatter: formatter(second.kind) } });
    } else if (second) {  // every series of a bar chart; one counted in another unit gets an axis of its own
      var axes = horizontal ? [value] : option.yAxis;
      spec.series.slice(1).forEach(function (more) {
        var index = 0;
        if (more.kind !== first.kind) {
          if (axes.length === 1) axes.push({ type: "value", splitLine: { show: false }, axisLabel: { formatter: formatter(more.kind) } });
          index = 1;
        }
        var bar = { name: more.name, type: "bar", data: more.data.map(number), barMaxWidth: 32, cursor: "pointer",
                    tooltip: { valueFormatter: formatter(more.kind) } };
        bar[horizontal ? "xAxisIndex" : "yAxisIndex"] = index;
        series.push(bar);
      });
      if (horizontal) option.xAxis = axes;
    }
    if (second) {
      option.legend = { top: 0 };
      option.grid.top = 32;
    }
    return option;
  }

  function funnel(spec) {
    var first = spec.series[0];
    var data = spec.categories.map(function (name, i) { return { name: name, value: number(first.data[i]) }; });
    var top = Math.max.apply(null, data.map(function (d) { return d.value; }).concat([1]));
    return {
      tooltip: { trigger: "item", renderMode: "richText", confine: true },
      series: [{
        name: first.name, type: "funnel", sort: "none", left: "5%", right: "5%", top: 8, bottom: 8, gap: 2,
        min: 0, max: top, minSize: "24%", maxSize: "100%", cursor: "pointer",
        label: { show: true, position: "inside", formatter: "{b}: {c}" }, data: data
      }]
    };
  }

  function pie(spec) {
    var first = spec.series[0];
    return {
      tooltip: { trigger: "item", renderMode: "richText", confine: true },
      series: [{ name: first.name, type: "pie", radius: ["35%", "70%"], cursor: "pointer",
                 data: spec.categories.map(function (name, i) { return { name: name, value: number(first.data[i]) }; }) }]
    };
  }

  function open(spec, index) {
    var url = spec.urls && spec.urls[index];
    if (url) window.location.assign(url);
  }

  function draw(el) {
    var spec;
    try { spec = JSON.parse(el.dataset.chart); } catch (err) { return; }
    release(el);
    // ECharts draws in a box of its own, made here: the element the server sent keeps its attributes as sent
    // (see ``release``).
    var box = document.createElement("div");
    box.className = "chart-canvas";
    box.style.height = (Number(el.dataset.height) || HEIGHT) + "px";
    el.appendChild(box);
    var chart = window.echarts.init(box, null, { renderer: "canvas" });
    var kind = spec.type === "funnel" ? funnel : spec.type === "pie" ? pie : cartesian;
    chart.setOption(kind(spec));
    if (kind === cartesian) {
      // Anywhere in a category's column (not just on a small point or a short bar) opens its list.
      chart.getZr().on("click", function (e) {
        var at = [e.offsetX, e.offsetY];
        if (!chart.containPixel("grid", at)) return;
        var index = spec.type === "bar" ? chart.convertFromPixel({ yAxisIndex: 0 }, at)[1]
                                        : chart.convertFromPixel({ xAxisIndex: 0 }, at)[0];
        if (typeof index === "number" && index >= 0 && index < spec.categories.length) open(spec, Math.round(index));
      });
    } else {
      chart.on("click", function (params) { open(spec, params.dataIndex); });
    }
    var observer = window.ResizeObserver ? new ResizeObserver(function () { chart.resize(); }) : null;
    if (observer) observer.observe(box);
    charts.push({ el: el, box: box, chart: chart, observer: observer });
  }

  // Let go of the charts in ``root`` (or of those no longer in the page) and of their boxes. The element the
  // server sent is never styled by script: htmx carries a same-id element's attributes over a swap, and an
  // inline style set back as an attribute is refused by the Content-Security-Policy.
  function release(root) {
    charts = charts.filter(function (c) {
      if (root ? !root.contains(c.el) : document.contains(c.el)) return true;
      if (c.observer) c.observer.disconnect();
      c.chart.dispose();
      if (c.box.parentNode) c.box.parentNode.removeChild(c.box);
      return false;
    });
  }

  function drawAll(root) {
    if (!window.echarts) return;
    release(null);
    var scope = root && root.querySelectorAll ? root : document;
    var found = Array.prototype.slice.call(scope.querySelectorAll("[data-chart]"));
    if (scope.matches && scope.matches("[data-chart]")) found.push(scope);
    found.forEach(draw);
  }

  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () { charts.forEach(function (c) { c.chart.resize(); }); }, 100);
  });
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.shouldSwap && e.detail.target) release(e.detail.target);
  });
  document.addEventListener("htmx:afterSettle", function (e) { drawAll(e.detail.elt); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  else drawAll(document);

  // The scope filter bar (reports/_scope_filters.html), before htmx reads the form (capture phase): a calendar
  // range chosen means the current one ("This week"), so the dates go; a province chosen drops the old city.
  document.addEventListener("change", function (e) {
    var form = e.target.closest && e.target.closest("[data-scope-filters]");
    if (!form) return;
    if (e.target.name === "range" && e.target.value !== "custom") {
      Array.prototype.forEach.call(form.querySelectorAll("[name=from], [name=to]"), function (input) { input.value = ""; });
    } else if (e.target.name === "province") {
      var city = form.querySelector("[name=city]");
      if (city) city.value = "";
    }
  }, true);
})();
