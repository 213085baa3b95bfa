/**
 * The report's script, inlined in `report.html`: sortable tables, and the
 * interactive world map (tooltip on hover, details on click, zoom with the
 * wheel, the buttons or a double click, pan by dragging, find an IP).
 *
 * It reads its data from `<script type="application/json" id="jailbook-data">`
 * and builds every element that shows data with `textContent`, never
 * `innerHTML`, so log text stays text. It loads nothing.
 *
 * @module
 */

/** JavaScript of report.html (a classic script, run at the end of the body). */
export const REPORT_SCRIPT = String.raw`
(function () {
  "use strict";
  var SVG_NS = "http://www.w3.org/2000/svg";
  var dataNode = document.getElementById("jailbook-data");
  var data = {};
  try {
    data = JSON.parse((dataNode && dataNode.textContent) || "{}");
  } catch (error) {
    data = {};
  }
  var numberFormat = new Intl.NumberFormat("en-US");

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function when(iso) {
    return typeof iso === "string" ? iso.slice(0, 19).replace("T", " ") + " UTC" : "unknown";
  }

  // ---------------------------------------------------------------- tables
  function cellValue(cell, numeric) {
    var raw = cell.getAttribute("data-value");
    var text = raw !== null ? raw : (cell.textContent || "");
    if (numeric) {
      var n = Number(text);
      return Number.isFinite(n) ? n : -Infinity;
    }
    return text.toLowerCase();
  }

  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    if (!table.tHead || !table.tBodies[0]) return;
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    headers.forEach(function (th, index) {
      var button = th.querySelector("button");
      if (!button) return;
      button.addEventListener("click", function () {
        var numeric = th.getAttribute("data-type") === "number";
        var current = th.getAttribute("aria-sort");
        var ascending = current === "descending" ? true : current === "ascending" ? false : !numeric;
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var keyed = rows.map(function (row, position) {
          return { row: row, key: cellValue(row.cells[index], numeric), position: position };
        });
        keyed.sort(function (a, b) {
          var order = a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
          return (ascending ? order : -order) || a.position - b.position;
        });
        keyed.forEach(function (entry) { body.appendChild(entry.row); });
      });
    });
  });

  // ------------------------------------------------------------------- map
  var figure = document.getElementById("map-figure");
  var svg = figure && figure.querySelector("svg");
  var dots = svg && svg.querySelector('g[aria-label="dot"]');
  var mapData = data.map;
  if (!svg || !dots || !mapData) return;

  var byIp = new Map();
  mapData.rows.forEach(function (row) {
    var record = {};
    mapData.columns.forEach(function (column, i) { record[column] = row[i]; });
    byIp.set(record.ip, record);
  });

  var wrap = figure.querySelector(".map-wrap");
  var tooltip = document.getElementById("map-tooltip");
  var panel = document.getElementById("map-details");
  var plot = dots.parentNode;
  var zoomLayer = document.createElementNS(SVG_NS, "g");
  zoomLayer.setAttribute("class", "jb-zoom");
  while (plot.firstChild) zoomLayer.appendChild(plot.firstChild);
  plot.appendChild(zoomLayer);
  var box = zoomLayer.getBBox();
  var defs = document.createElementNS(SVG_NS, "defs");
  var clip = document.createElementNS(SVG_NS, "clipPath");
  clip.setAttribute("id", "jb-map-clip");
  var clipRect = document.createElementNS(SVG_NS, "rect");
  clipRect.setAttribute("x", String(box.x));
  clipRect.setAttribute("y", String(box.y));
  clipRect.setAttribute("width", String(box.width));
  clipRect.setAttribute("height", String(box.height));
  clip.appendChild(clipRect);
  defs.appendChild(clip);
  svg.insertBefore(defs, svg.firstChild);
  plot.setAttribute("clip-path", "url(#jb-map-clip)");

  var circles = Array.prototype.slice.call(dots.querySelectorAll("circle[data-ip]"));
  var radius = circles.map(function (circle) { return Number(circle.getAttribute("r")) || 1; });
  var circleOf = new Map();
  circles.forEach(function (circle) {
    // our tooltip replaces the browser's
    var title = circle.querySelector("title");
    if (title) title.remove();
    circleOf.set(circle.getAttribute("data-ip"), circle);
  });

  var scale = 1, tx = 0, ty = 0, frame = 0;
  var MIN_SCALE = 1, MAX_SCALE = 40;

  function clamp() {
    var minX = (box.x + box.width) * (1 - scale), maxX = box.x * (1 - scale);
    var minY = (box.y + box.height) * (1 - scale), maxY = box.y * (1 - scale);
    tx = Math.min(maxX, Math.max(minX, tx));
    ty = Math.min(maxY, Math.max(minY, ty));
  }

  function draw() {
    frame = 0;
    zoomLayer.setAttribute("transform", "translate(" + tx + " " + ty + ") scale(" + scale + ")");
    for (var i = 0; i < circles.length; i++) {
      circles[i].setAttribute("r", String(radius[i] / scale));
    }
    var level = document.getElementById("map-zoom-level");
    if (level) level.textContent = scale.toFixed(scale < 10 ? 1 : 0) + "×";
  }

  function schedule() {
    clamp();
    if (!frame) frame = requestAnimationFrame(draw);
  }

  function localPoint(clientX, clientY) {
    var matrix = plot.getScreenCTM();
    if (!matrix) return { x: 0, y: 0 };
    var point = new DOMPoint(clientX, clientY).matrixTransform(matrix.inverse());
    return { x: point.x, y: point.y };
  }

  function zoomAt(point, factor) {
    var next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale * factor));
    var worldX = (point.x - tx) / scale, worldY = (point.y - ty) / scale;
    scale = next;
    tx = point.x - worldX * scale;
    ty = point.y - worldY * scale;
    schedule();
  }

  function centre() {
    return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  }

  svg.addEventListener("wheel", function (event) {
    event.preventDefault();
    zoomAt(localPoint(event.clientX, event.clientY), Math.exp(-event.deltaY * 0.0015));
  }, { passive: false });

  svg.addEventListener("dblclick", function (event) {
    event.preventDefault();
    zoomAt(localPoint(event.clientX, event.clientY), event.shiftKey ? 0.5 : 2);
  });

  var drag = null;
  svg.addEventListener("pointerdown", function (event) {
    if (event.button !== 0) return;
    drag = {
      x: event.clientX,
      y: event.clientY,
      tx: tx,
      ty: ty,
      moved: false,
      target: event.target && event.target.closest ? event.target.closest("circle[data-ip]") : null,
      pointer: event.pointerId,
    };
  });

  svg.addEventListener("pointermove", function (event) {
    if (drag && event.pointerId === drag.pointer) {
      var dx = event.clientX - drag.x, dy = event.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) > 4) {
        drag.moved = true;
        svg.classList.add("dragging");
        try { svg.setPointerCapture(event.pointerId); } catch (error) { /* not capturable */ }
        hideTooltip();
      }
      if (drag.moved) {
        var matrix = plot.getScreenCTM();
        var unit = matrix ? matrix.a : 1;
        tx = drag.tx + dx / unit;
        ty = drag.ty + dy / unit;
        schedule();
        return;
      }
    }
    var circle = event.target && event.target.closest ? event.target.closest("circle[data-ip]") : null;
    if (circle) showTooltip(circle, event);
    else hideTooltip();
  });

  function endDrag(event) {
    if (!drag || event.pointerId !== drag.pointer) return;
    var wasClick = !drag.moved;
    var target = drag.target;
    drag = null;
    svg.classList.remove("dragging");
    if (wasClick && event.type === "pointerup") {
      if (target) select(target.getAttribute("data-ip"), false);
    }
  }
  svg.addEventListener("pointerup", endDrag);
  svg.addEventListener("pointercancel", endDrag);
  svg.addEventListener("pointerleave", function () { if (!drag) hideTooltip(); });

  function place(record) {
    var parts = [];
    if (record.city) parts.push(record.city);
    if (record.country_name || record.country) {
      parts.push((record.country_name || record.country) + (record.country ? " (" + record.country + ")" : ""));
    }
    return parts.length ? parts.join(", ") : "unknown place";
  }

  function network(record) {
    if (record.asn === null || record.asn === undefined) return record.organization || "unknown network";
    return "AS" + record.asn + (record.organization ? " " + record.organization : "");
  }

  function showTooltip(circle, event) {
    var record = byIp.get(circle.getAttribute("data-ip"));
    if (!record || !tooltip || !wrap) return;
    tooltip.replaceChildren(
      element("strong", record.ip),
      element("span", place(record)),
      document.createElement("br"),
      element("span", numberFormat.format(record.attempts) + " attempts, " +
        numberFormat.format(record.bans) + " bans"),
    );
    tooltip.hidden = false;
    var area = wrap.getBoundingClientRect();
    var left = event.clientX - area.left + 14, top = event.clientY - area.top + 14;
    if (left + tooltip.offsetWidth > area.width) left = Math.max(0, left - tooltip.offsetWidth - 28);
    if (top + tooltip.offsetHeight > area.height) top = Math.max(0, top - tooltip.offsetHeight - 28);
    tooltip.style.left = left + "px";
    tooltip.style.top = top + "px";
  }

  function hideTooltip() {
    if (tooltip) tooltip.hidden = true;
  }

  var selected = null;
  function select(ip, focusMap) {
    var record = byIp.get(ip);
    if (selected) selected.classList.remove("selected");
    selected = circleOf.get(ip) || null;
    if (!panel) return;
    if (!record || !selected) {
      panel.replaceChildren(element("p", ip + " is not on the map (no location, or not among the IPs drawn).", "muted"));
      return;
    }
    selected.classList.add("selected");
    // draw it last so it is on top
    selected.parentNode.appendChild(selected);
    var list = document.createElement("dl");
    function row(label, value, className) {
      list.appendChild(element("dt", label));
      list.appendChild(element("dd", value, className));
    }
    row("Place", place(record));
    row("Network", network(record));
    row("Subnet", record.subnet || "unknown");
    row("Attempts", numberFormat.format(record.attempts));
    row("Bans", numberFormat.format(record.bans));
    row("First seen", when(record.first_seen));
    row("Last seen", when(record.last_seen));
    row("User names tried", numberFormat.format(record.users_tried || 0));
    row("Logged in", record.logged_in ? "yes" : "no", record.banned_and_logged_in ? "flag" : "");
    if (record.banned_and_logged_in) row("Note", "banned, and also logged in successfully", "flag");
    panel.replaceChildren(element("h3", record.ip), list);
    if (focusMap) {
      var cx = Number(selected.getAttribute("cx")), cy = Number(selected.getAttribute("cy"));
      var c = centre();
      scale = Math.max(scale, 4);
      tx = c.x - cx * scale;
      ty = c.y - cy * scale;
      schedule();
      figure.scrollIntoView({ block: "start" });
    }
  }

  function button(id, action) {
    var node = document.getElementById(id);
    if (node) node.addEventListener("click", action);
  }
  button("map-zoom-in", function () { zoomAt(centre(), 2); });
  button("map-zoom-out", function () { zoomAt(centre(), 0.5); });
  button("map-reset", function () { scale = 1; tx = 0; ty = 0; schedule(); });

  var find = document.getElementById("map-find");
  if (find) {
    find.addEventListener("submit", function (event) {
      event.preventDefault();
      var input = find.querySelector("input");
      var ip = input ? input.value.trim() : "";
      if (ip) select(ip, true);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("button.ip-link"), function (node) {
    node.addEventListener("click", function () { select(node.getAttribute("data-ip"), true); });
  });

  draw();
})();
`;
