// Draws the sequence diagram from the model embedded in the page. No network,
// no library: the page is one self-contained file.
(function () {
  "use strict";
  var M = JSON.parse(document.getElementById("model").textContent);
  var LANE = 300, GUT = 150, TOP = 64, ROW = 18, CUT = 44;
  var S = {
    view: "window", fold: true, time: false, zoom: 1, proc: "",
    nodes: M.nodes.map(function () { return true; }),
    forced: {}
  };
  var esc = function (s) {
    return String(s).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  };
  var cut = function (s, n) {
    s = String(s);
    return s.length > n ? s.slice(0, n - 1) + "\u2026" : s;
  };
  var ms = function (us) { return (us / 1000).toFixed(3) + " ms"; };
  var actorOf = function (r) { return r.actor == null ? null : M.actors[r.actor]; };

  // Rows the filters remove entirely (no gap marker stands for them).
  function filtered(i) {
    var r = M.rows[i];
    if (r.node != null && !S.nodes[r.node]) return true;
    if (S.fold && r.inner) return true;
    return false;
  }
  function procRows() {
    if (!S.proc) return null;
    var keep = {}, hit = function (i) {
      var a = actorOf(M.rows[i]);
      return a && (a.name.indexOf(S.proc) >= 0 || a.pid.indexOf(S.proc) >= 0);
    };
    M.rows.forEach(function (r, i) { if (r.actor == null || hit(i)) keep[i] = true; });
    M.arrows.forEach(function (a) {
      if (a.to == null) return;
      if (hit(a.from) || hit(a.to)) { keep[a.from] = true; keep[a.to] = true; }
    });
    return keep;
  }
  function byView(i) {
    var r = M.rows[i];
    if (S.forced[i] || S.view === "all") return true;
    return S.view === "chain" ? r.chain : r.shown;
  }

  function layout() {
    var keep = procRows(), y = TOP, items = [], pos = {}, gap = null;
    var close = function () {
      if (gap) { gap.y = (y += ROW); items.push(gap); gap = null; }
    };
    // Runs shorter than this are shown rather than collapsed.
    var MIN_GAP = 3, hidden = [];
    var flush = function (upto) {
      if (hidden.length >= MIN_GAP) {
        var a = hidden[0], b = hidden[hidden.length - 1];
        gap = { gap: true, a: a, b: b, n: hidden.length, s0: M.rows[a].step, s1: M.rows[b].step };
        close();
      } else {
        hidden.forEach(function (h) { place(h); });
      }
      hidden = [];
    };
    var place = function (i) {
      y += ROW;
      if (S.time) y = Math.max(y, TOP + ROW + M.rows[i].t / 1000 * 4);
      pos[i] = y;
      items.push({ row: i, y: y });
    };
    for (var i = 0; i < M.rows.length; i++) {
      if (filtered(i) || (keep && !keep[i])) continue;
      if (!byView(i)) { hidden.push(i); continue; }
      flush();
      place(i);
    }
    flush();
    return { items: items, pos: pos, height: y + 2 * ROW };
  }

  function draw() {
    var L = layout(), lanes = [], x = {};
    M.nodes.forEach(function (n, k) {
      if (S.nodes[k]) { x[k] = GUT + lanes.length * LANE + LANE / 2; lanes.push(k); }
    });
    var W = GUT + Math.max(lanes.length, 1) * LANE + 40, H = L.height, out = [];
    var xs = function (r) { return r.node == null ? null : x[r.node]; };
    out.push('<svg xmlns="http://www.w3.org/2000/svg" width="' + W * S.zoom + '" height="' + H * S.zoom +
      '" viewBox="0 0 ' + W + " " + H + '" font-family="monospace" font-size="11">');
    out.push('<defs><marker id="ah" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" ' +
      'orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="context-stroke"/></marker></defs>');
    // Faults in force.
    M.bands.forEach(function (b) {
      var ys = L.items.filter(function (it) { return it.row != null && it.row >= b.from && it.row <= b.to; });
      if (!ys.length) return;
      var y0 = ys[0].y - ROW / 2, y1 = ys[ys.length - 1].y + ROW / 2;
      out.push('<rect class="band" x="' + GUT + '" y="' + y0 + '" width="' + (W - GUT - 20) + '" height="' +
        (y1 - y0) + '"><title>' + esc(b.label) + "</title></rect>");
    });
    // Lanes: one per node.
    lanes.forEach(function (k) {
      out.push('<g class="lane"><rect x="' + (x[k] - LANE / 2 + 6) + '" y="8" width="' + (LANE - 12) +
        '" height="24"/><text x="' + x[k] + '" y="25" text-anchor="middle">' + esc(M.nodes[k]) +
        '</text><line x1="' + x[k] + '" y1="32" x2="' + x[k] + '" y2="' + H + '"/></g>');
    });
    // Arrows first, rows over them. A send whose arrow is drawn needs no text.
    var drawn = {};
    M.arrows.forEach(function (a) {
      var f = M.rows[a.from], y1 = L.pos[a.from], y2 = a.to == null ? undefined : L.pos[a.to];
      var x1 = xs(f), t = a.to == null ? null : M.rows[a.to], x2 = t ? xs(t) : x[a.dest];
      if (y1 === undefined && y2 === undefined) return;
      if (x1 == null && x2 == null) return;
      var cls = "arrow k-" + a.kind + (a.chain ? " chain" : "") + (a.status ? " s-" + a.status : "");
      var label = a.label + (a.status === "timeout" ? "  \u25f7 timeout" : a.status === "retry" ? "  \u21bb retry" : "");
      if (a.status === "abandoned") label = "abandoned reply: " + a.label;
      var tip = "<title>" + esc(a.full + (a.status ? " [" + a.status + "]" : "")) + "</title>";
      if (y1 !== undefined && y2 !== undefined && x1 != null && x2 != null) {
        var d = x1 === x2
          ? "M" + x1 + " " + y1 + " C" + (x1 + 50) + " " + y1 + " " + (x1 + 50) + " " + y2 + " " + x2 + " " + y2
          : "M" + x1 + " " + y1 + " L" + x2 + " " + y2;
        var lx = x1 === x2 ? x1 + 40 : x1 + (x2 - x1) * 0.6, ly = y1 + (y2 - y1) * 0.6 - 3;
        drawn[a.from] = true;
        out.push('<g class="' + cls + '"><path d="' + d + '" marker-end="url(#ah)"/>' + tip +
          '<text x="' + lx + '" y="' + ly + '" text-anchor="middle">' + esc(cut(label, CUT)) + "</text></g>");
      } else if (y1 !== undefined && x1 != null && x2 != null) {
        // Never arrived, or its arrival is hidden: a stub towards the target.
        var sx = x1 + (x2 - x1) * 0.4 + (x2 === x1 ? 40 : 0);
        var end = a.status === "dropped" ? " \u2717" : a.status === "held" ? " \u2016" : " \u2026";
        out.push('<g class="' + cls + ' stub"><path d="M' + x1 + " " + y1 + " L" + sx + " " + (y1 + 6) + '"/>' + tip +
          '<text x="' + sx + '" y="' + (y1 + 10) + '">' + esc(cut(label, CUT) + end) + "</text></g>");
      } else if (y2 !== undefined && x2 != null && x1 != null) {
        var bx = x2 + (x1 - x2) * 0.4 + (x2 === x1 ? 40 : 0);
        out.push('<g class="' + cls + ' stub"><path d="M' + bx + " " + (y2 - 6) + " L" + x2 + " " + y2 +
          '" marker-end="url(#ah)"/>' + tip + '<text x="' + bx + '" y="' + (y2 - 8) + '">\u2026 ' +
          esc(cut(label, CUT)) + "</text></g>");
      }
    });
    L.items.forEach(function (it) {
      if (it.gap) {
        out.push('<g class="gap" data-a="' + it.a + '" data-b="' + it.b + '"><rect x="4" y="' + (it.y - ROW / 2 + 2) +
          '" width="' + (W - 24) + '" height="' + (ROW - 4) + '"/><text x="' + (GUT + 8) + '" y="' + (it.y + 4) +
          '">\u22ef ' + it.n + " hidden event" + (it.n > 1 ? "s" : "") + " (steps " + it.s0 + "\u2013" + it.s1 +
          ") \u00b7 click to show</text></g>");
        return;
      }
      var r = M.rows[it.row], y = it.y, a = actorOf(r), cx = xs(r);
      var cls = "row" + (r.chain ? " chain" : "") + (r.mark ? " m-" + r.mark : "");
      var o = '<g class="' + cls + '"' + (it.row === M.focus ? ' id="focus"' : "") + ">";
      if (r.mark === "fail") {
        o += '<rect class="failbar" x="4" y="' + (y - ROW / 2) + '" width="' + (W - 24) + '" height="' + ROW + '"/>';
      }
      o += '<text class="gut" x="6" y="' + (y + 4) + '">' + r.step + "  " + esc(ms(r.t)) + "</text>";
      var sym = { timeout: "\u25f7 ", abandoned: "\u21af ", retry: "\u21bb ", drop: "\u2717 ", held: "\u2016 ", busy: "\u23f8 ", resumed: "\u25b6 ",
        crash: "\u2715 ", fail: "\u2716 " }[r.mark] || "";
      var who = a ? a.name + ": " : "";
      var tip = "<title>" + esc((a ? a.name + " " + a.pid + ": " : "") + r.text) + "</title>";
      if (cx == null) {
        if (r.mark === "conn") {
          o += '<line class="conn" x1="' + GUT + '" y1="' + y + '" x2="' + (W - 20) + '" y2="' + y + '"/>';
        }
        o += '<text class="wide" x="' + (GUT + 4) + '" y="' + (y - 3) + '">' + esc(r.text) + "</text>" + tip;
      } else {
        o += '<circle cx="' + cx + '" cy="' + y + '" r="3"/>' + '<text x="' + (cx + 7) + '" y="' + (y + 4) + '">' +
          esc(r.text && !(drawn[it.row] && !r.mark) ? sym + cut(who + r.text, CUT) : "") + "</text>" + tip;
      }
      out.push(o + "</g>");
    });
    out.push("</svg>");
    document.getElementById("diagram").innerHTML = out.join("\n");
    // The lanes' names stay in view in the sticky bar.
    document.getElementById("lanes").innerHTML = lanes.map(function (k) {
      return '<span style="left:' + (x[k] * S.zoom - 60) + 'px">' + esc(M.nodes[k]) + "</span>";
    }).join("");
  }

  // Controls.
  var nodesBox = document.getElementById("nodes");
  M.nodes.forEach(function (n, k) {
    var l = document.createElement("label"), c = document.createElement("input");
    c.type = "checkbox"; c.checked = true;
    c.onchange = function () { S.nodes[k] = c.checked; draw(); };
    l.appendChild(c); l.appendChild(document.createTextNode(" " + n + " "));
    nodesBox.appendChild(l);
  });
  var list = document.getElementById("actors");
  M.actors.forEach(function (a) {
    var o = document.createElement("option"); o.value = a.name; list.appendChild(o);
  });
  var on = function (id, ev, f) { document.getElementById(id).addEventListener(ev, f); };
  document.querySelectorAll("input[name=view]").forEach(function (r) {
    r.addEventListener("change", function () { S.view = r.value; S.forced = {}; draw(); });
  });
  on("fold", "change", function (e) { S.fold = e.target.checked; draw(); });
  on("time", "change", function (e) { S.time = e.target.checked; draw(); });
  on("proc", "input", function (e) { S.proc = e.target.value.trim(); draw(); });
  var zoom = function (f) {
    S.zoom = Math.min(4, Math.max(0.1, S.zoom * f));
    document.getElementById("zoomv").textContent = Math.round(S.zoom * 100) + "%";
    draw();
  };
  on("zin", "click", function () { zoom(1.25); });
  on("zout", "click", function () { zoom(0.8); });
  on("tofail", "click", function () {
    var f = document.getElementById("focus");
    if (f) f.scrollIntoView({ block: "center" });
  });
  on("diagram", "click", function (e) {
    var g = e.target.closest ? e.target.closest("g.gap") : null;
    if (!g) return;
    for (var i = +g.dataset.a; i <= +g.dataset.b; i++) S.forced[i] = true;
    draw();
  });
  draw();
  var f = document.getElementById("focus");
  if (f && location.hash !== "#top") f.scrollIntoView({ block: "center" });
})();
