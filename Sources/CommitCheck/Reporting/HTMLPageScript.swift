/// The page's own script: draws each figure from its embedded data and makes it explorable.
///
/// Inline and self-contained (no library, nothing loaded), so the report opens anywhere offline. It
/// redraws a figure for the range the reader looks at: wheel or `+`/`-` zoom, drag or arrow keys pan,
/// "fit evidence" (`e`) and "fit all" (`a`) reset the range. Labels are placed in priority order
/// (lanes, arrows, evidence, axis, the rest) and one that would overlap an earlier one is hidden, its
/// text still in the mark's hover detail. The key list filters by verdict and group.
enum HTMLPageScript {
    static let source = #"""
(function () {
  "use strict";
  var LANE_H = 54, NARROW_H = 30, TOP = 38, AXIS_H = 30, RIGHT = 16, MAX_SCALE = 150, MIN_SPAN = 1.5;
  var COLORS = {build: "#1e88e5", send: "#fb8c00", "ack-ok": "#43a047", "ack-fail": "#e53935", "ack-unknown": "#9e9e9e",
    fetch: "#00897b", fetched: "#00897b", observed: "#8e24aa", apply: "#8e24aa", "apply-maybe": "#ce93d8",
    "apply-none": "#bdbdbd", read: "#00897b", visible: "#5e35b1", end: "#f4511e", ended: "#7cb342", completed: "#5e35b1"};
  var REASONS = {program: "#1565c0", clock: "#6d4c41", causality: "#2e7d32", fifo: "#ef6c00", observation: "#8e24aa", read: "#00897b",
    transaction: "#5e35b1"};

  function el(ns, name, attrs, parent) {
    var node = document.createElementNS(ns, name);
    for (var key in attrs) node.setAttribute(key, attrs[key]);
    if (parent) parent.appendChild(node);
    return node;
  }

  function overlaps(a, b) {
    return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  }

  function setup(figure, figureNumber) {
    var data = JSON.parse(figure.querySelector("script.figure-data").textContent);
    var svg = figure.querySelector("svg.timeline");
    var NS = svg.namespaceURI;
    var details = figure.querySelector(".details");
    var rangeText = figure.querySelector(".range");
    var lanes = data.lanes.length;
    // Lanes that take part in the evidence are full height; the others narrower.
    var laneTop = [], laneHeight = [], y0 = TOP;
    data.lanes.forEach(function (lane, l) {
      laneTop.push(y0);
      laneHeight.push(lane.evidence ? LANE_H : NARROW_H);
      y0 += laneHeight[l];
    });
    var lanesBottom = y0;
    var height = lanesBottom + AXIS_H;
    svg.setAttribute("height", height);
    var view = [0, 1], pinned = null;

    // The gutter is as wide as the longest lane name, so every name shows in full.
    var probe = el(NS, "text", {"class": "lane-label"}, svg), gutter = 60;
    data.lanes.forEach(function (lane) { probe.textContent = lane.shown; gutter = Math.max(gutter, probe.getComputedTextLength() + 22); });
    svg.removeChild(probe);
    gutter = Math.min(gutter, 380);

    function plotWidth() { return Math.max(200, svg.clientWidth - gutter - RIGHT); }
    function laneY(lane) { return laneTop[lane] + laneHeight[lane] / 2; }
    function clampView(a, b) {
      var full = [data.span[0] - 1, data.span[1] + 1];
      var span = Math.max(b - a, MIN_SPAN);
      span = Math.min(span, (full[1] - full[0]) * 1.5 + 2);
      var mid = (a + b) / 2;
      a = mid - span / 2; b = mid + span / 2;
      if (a < full[0] - span * 0.25) { b += full[0] - span * 0.25 - a; a = full[0] - span * 0.25; }
      if (b > full[1] + span * 0.25) { a -= b - full[1] - span * 0.25; b = full[1] + span * 0.25; }
      return [a, b];
    }
    function fit(range) {
      // Room for a halo and a label at both ends, in pixels as well as in steps.
      var pad = 0.9 + 40 * (range[1] - range[0]) / plotWidth(), a = range[0] - pad, b = range[1] + pad;
      var least = plotWidth() / MAX_SCALE;
      if (b - a < least) { var mid = (a + b) / 2; a = mid - least / 2; b = mid + least / 2; }
      view = clampView(a, b);
      draw();
    }
    function zoom(factor, centre) {
      if (centre === undefined) centre = (view[0] + view[1]) / 2;
      view = clampView(centre - (centre - view[0]) * factor, centre + (view[1] - centre) * factor);
      draw();
    }
    function pan(units) { view = clampView(view[0] + units, view[1] + units); draw(); }

    function show(point) {
      details.textContent = point.d;
      details.classList.add("shown");
    }

    function draw() {
      while (svg.firstChild) svg.removeChild(svg.firstChild);
      var width = svg.clientWidth, scale = plotWidth() / (view[1] - view[0]);
      function X(x) { return gutter + (x - view[0]) * scale; }
      figure.setAttribute("data-view0", view[0].toFixed(3));
      figure.setAttribute("data-view1", view[1].toFixed(3));
      if (rangeText) rangeText.textContent = "showing " + (view[1] - view[0]).toFixed(1) + " of " + (data.span[1] - data.span[0] + 2).toFixed(1) + " steps";

      var defs = el(NS, "defs", {}, svg);
      var clipId = "clip-" + figureNumber;
      el(NS, "rect", {x: gutter, y: 0, width: Math.max(0, width - gutter - RIGHT + 8), height: height}, el(NS, "clipPath", {id: clipId}, defs));
      Object.keys(REASONS).concat(["regression"]).forEach(function (kind) {
        var marker = el(NS, "marker", {id: "head-" + figureNumber + "-" + kind, viewBox: "0 0 10 10", refX: 9, refY: 5,
          markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse"}, defs);
        el(NS, "path", {d: "M0,0 L10,5 L0,10 z", fill: kind === "regression" ? "#c62828" : REASONS[kind]}, marker);
      });

      // Lane stripes and names (names in the gutter, never scrolled away).
      for (var l = 0; l < lanes; l++) {
        var broker = l === lanes - 1;
        el(NS, "rect", {x: 0, y: laneTop[l] + 3, width: width, height: laneHeight[l] - 6,
          fill: broker ? "#f3eefb" : "#f7f7f7", "class": "lane", "data-lane": data.lanes[l].name}, svg);
      }
      var plot = el(NS, "g", {"clip-path": "url(#" + clipId + ")"}, svg);
      var labels = [];
      function label(text, x, y, cls, priority, anchor, title, clip) {
        if (!text) return;
        labels.push({text: text, x: x, y: y, cls: cls, priority: priority, anchor: anchor || "middle", title: title, clip: clip !== false});
      }
      for (l = 0; l < lanes; l++) {
        label(data.lanes[l].shown, 8, laneY(l) + 4, "lane-label" + (l === lanes - 1 ? " broker" : ""), 0, "start", data.lanes[l].name, false);
      }

      var visible = function (x) { var px = X(x); return px > gutter - 40 && px < width + 40; };
      // Cuts: idle time and left-out points.
      data.breaks.forEach(function (cut) {
        if (!visible(cut.x)) return;
        var px = X(cut.x), d = "M" + px + "," + (TOP - 4);
        for (var y = TOP - 4, i = 0; y < lanesBottom; y += 8, i++) d += " L" + (px + (i % 2 ? -4 : 4)) + "," + (y + 8);
        el(NS, "path", {d: d, "class": "cut", stroke: "#9e9e9e", fill: "none", "stroke-width": 1.5}, plot);
        label(cut.label, px, lanesBottom + 24, "cut-label", 3);
      });
      data.omissions.forEach(function (cut) {
        if (!visible(cut.x)) return;
        var px = X(cut.x);
        el(NS, "rect", {x: px - 7, y: TOP, width: 14, height: lanesBottom - TOP, fill: "#eeeeee", "class": "omission"}, plot);
        label(cut.label, px, lanesBottom + 24, "cut-label", 3);
      });
      // Axis ticks.
      data.ticks.forEach(function (tick) {
        if (!visible(tick.x)) return;
        el(NS, "line", {x1: X(tick.x), y1: TOP, x2: X(tick.x), y2: lanesBottom, stroke: "#e6e6e6", "stroke-dasharray": "2,4"}, plot);
        label(tick.label, X(tick.x), lanesBottom + 12, "tick", 4);
      });
      // Connectors: send, apply point, ack.
      data.links.forEach(function (chain) {
        var d = "";
        chain.forEach(function (index, i) { var p = data.points[index]; d += (i ? " L" : "M") + X(p.x) + "," + laneY(p.l); });
        el(NS, "path", {d: d, stroke: "#bdbdbd", "stroke-dasharray": "4,3", fill: "none"}, plot);
      });
      // Arrows: forced steps, then the regression on top.
      data.arrows.forEach(function (arrow, n) {
        var to = data.points[arrow.to], from = arrow.from >= 0 ? data.points[arrow.from] : null;
        var x1 = from ? X(from.x) : gutter + 4, y1 = from ? laneY(from.l) : laneY(to.l);
        var x2 = X(to.x), y2 = laneY(to.l);
        if ((x1 < gutter - 40 && x2 < gutter - 40) || (x1 > width + 40 && x2 > width + 40)) return;
        var regression = arrow.kind === "regression";
        var lift = regression ? 34 : 18 + (n % 3) * 8;
        var mx = (x1 + x2) / 2, my = Math.min(y1, y2) - lift;
        var g = el(NS, "g", {"class": regression ? "regression-arrow" : "forced-arrow", "data-reason": arrow.kind,
          "data-from": from ? from.id : "", "data-to": to.id}, plot);
        el(NS, "path", {d: "M" + x1 + "," + (y1 - 7) + " Q" + mx + "," + my + " " + x2 + "," + (y2 - 7), fill: "none",
          stroke: regression ? "#c62828" : REASONS[arrow.kind] || "#555", "stroke-width": regression ? 3 : 1.8,
          "marker-end": "url(#head-" + figureNumber + "-" + (regression ? "regression" : arrow.kind) + ")"}, g);
        label(arrow.label, mx, (Math.min(y1, y2) + my) / 2 - 2, regression ? "arrow-label" : "reason-label", regression ? 1 : 2);
      });
      // Marks.
      data.points.forEach(function (point, index) {
        if (!visible(point.x)) return;
        var px = X(point.x), py = laneY(point.l);
        var g = el(NS, "g", {"class": "mark " + point.k + (point.e ? " highlighted" : " context"), "data-id": point.id,
          "data-index": index, tabindex: -1}, plot);
        if (point.e) el(NS, "circle", {cx: px, cy: py, r: 11, fill: "#ffd54f", stroke: "#c62828", "stroke-width": 2}, g);
        var colour = COLORS[point.k] || "#616161";
        if (point.k.indexOf("apply") === 0 || point.k === "read") {
          el(NS, "rect", {x: px - 6, y: py - 6, width: 12, height: 12, fill: colour, transform: "rotate(45 " + px + " " + py + ")"}, g);
        } else {
          el(NS, "circle", {cx: px, cy: py, r: 6.5, fill: colour}, g);
        }
        el(NS, "title", {}, g).textContent = point.d;
        g.addEventListener("mouseenter", function () { if (pinned === null) show(point); });
        g.addEventListener("click", function () { pinned = pinned === index ? null : index; show(point); });
        label(point.t, px, py - 14, "label" + (point.e ? " evidence" : ""), point.e ? 2 : 5);
        label(point.b, px, py + 22, "sublabel" + (point.e ? " evidence" : ""), point.e ? 2.5 : 6);
      });

      // Labels in priority order; one that would overlap a placed one is left out.
      var layer = el(NS, "g", {"class": "labels"}, svg), placed = [];
      labels.sort(function (a, b) { return a.priority - b.priority; });
      labels.forEach(function (item) {
        var node = el(NS, "text", {x: item.x, y: item.y, "class": item.cls, "text-anchor": item.anchor}, layer);
        node.textContent = item.text;
        if (item.title) el(NS, "title", {}, node).textContent = item.title;
        var box = node.getBBox();
        var room = {x: box.x - 2, y: box.y, width: box.width + 4, height: box.height};
        var outside = item.clip && (box.x < gutter || box.x + box.width > width - 2);
        if (outside || placed.some(function (other) { return overlaps(room, other); })) { layer.removeChild(node); return; }
        placed.push(room);
      });
    }

    figure.querySelector(".fit-evidence").addEventListener("click", function () { fit(data.window); });
    figure.querySelector(".fit-all").addEventListener("click", function () { fit(data.span); });
    figure.querySelector(".zoom-in").addEventListener("click", function () { zoom(1 / 1.5); });
    figure.querySelector(".zoom-out").addEventListener("click", function () { zoom(1.5); });
    svg.addEventListener("wheel", function (event) {
      event.preventDefault();
      var box = svg.getBoundingClientRect(), scale = plotWidth() / (view[1] - view[0]);
      zoom(Math.exp(event.deltaY * 0.0015), view[0] + (event.clientX - box.left - gutter) / scale);
    }, {passive: false});
    var dragging = null;
    svg.addEventListener("pointerdown", function (event) { dragging = {x: event.clientX, view: view.slice()}; });
    window.addEventListener("pointermove", function (event) {
      if (!dragging) return;
      var scale = plotWidth() / (dragging.view[1] - dragging.view[0]), shift = (dragging.x - event.clientX) / scale;
      if (Math.abs(dragging.x - event.clientX) < 3) return;
      view = clampView(dragging.view[0] + shift, dragging.view[1] + shift);
      draw();
    });
    window.addEventListener("pointerup", function () { dragging = null; });
    figure.addEventListener("keydown", function (event) {
      var span = view[1] - view[0];
      if (event.key === "+" || event.key === "=") zoom(1 / 1.5);
      else if (event.key === "-") zoom(1.5);
      else if (event.key === "ArrowLeft") pan(-span * 0.2);
      else if (event.key === "ArrowRight") pan(span * 0.2);
      else if (event.key === "e") fit(data.window);
      else if (event.key === "a") fit(data.span);
      else return;
      event.preventDefault();
    });
    window.addEventListener("resize", function () { draw(); });
    fit(data.window);
  }

  function filterKeys() {
    var verdict = document.getElementById("verdict-filter").value;
    var group = document.getElementById("group-filter").value.toLowerCase();
    var shown = 0, rows = document.querySelectorAll("#key-list tbody tr");
    rows.forEach(function (row) {
      var ok = (verdict === "all" || row.getAttribute("data-verdict") === verdict)
        && (group === "" || row.getAttribute("data-group").toLowerCase().indexOf(group) >= 0);
      row.hidden = !ok;
      if (ok) shown++;
    });
    document.getElementById("key-count").textContent = shown + " of " + rows.length + " shown";
  }

  function openTarget() {
    var target = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
    if (target && target.tagName === "DETAILS") target.open = true;
    // The figures were drawn after the browser scrolled to the fragment: scroll again.
    if (target) target.scrollIntoView();
  }

  document.querySelectorAll(".figure").forEach(setup);
  var verdictFilter = document.getElementById("verdict-filter");
  if (verdictFilter) {
    verdictFilter.addEventListener("change", filterKeys);
    document.getElementById("group-filter").addEventListener("input", filterKeys);
    filterKeys();
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
  document.body.setAttribute("data-ready", "1");
})();
"""#
}
