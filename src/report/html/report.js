(function () {
  "use strict";
  var table = document.getElementById("workload-table");
  var controls = document.getElementById("workload-controls");
  if (!table || !controls) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var texts = rows.map(function (r) { return r.textContent.toLowerCase(); });
  var text = document.getElementById("wf-text");
  var phase = document.getElementById("wf-phase");
  var kind = document.getElementById("wf-kind");
  var gen = document.getElementById("wf-gen");
  var disconnect = document.getElementById("wf-disconnect");
  var count = document.getElementById("wf-count");
  controls.hidden = false;

  function filter() {
    var q = text.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (r, i) {
      var d = r.dataset;
      var ok = (!q || texts[i].indexOf(q) >= 0) &&
        (!phase.value || d.phase === phase.value) &&
        (!kind.value || d.kind === kind.value) &&
        (!gen.value || d.gen === gen.value) &&
        (!disconnect.checked || d.disconnect === "1");
      r.hidden = !ok;
      if (ok) shown++;
    });
    count.textContent = shown + " of " + rows.length + " workloads";
  }
  [text, phase, kind, gen, disconnect].forEach(function (e) {
    e.addEventListener("input", filter);
    e.addEventListener("change", filter);
  });

  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, col) {
    var button = document.createElement("button");
    button.type = "button";
    while (th.firstChild) button.appendChild(th.firstChild);
    th.appendChild(button);
    button.addEventListener("click", function () {
      var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
      var numeric = th.dataset.type === "num";
      var keyed = rows.map(function (r, i) {
        var cell = r.cells[col];
        var v = cell.dataset.v !== undefined ? cell.dataset.v : cell.textContent;
        if (numeric) {
          v = parseFloat(v);
          if (isNaN(v)) v = -Infinity;
        } else {
          v = v.toLowerCase();
        }
        return { v: v, i: i, row: r, text: texts[i] };
      });
      keyed.sort(function (a, b) {
        if (a.v < b.v) return -dir;
        if (a.v > b.v) return dir;
        return a.i - b.i;
      });
      var frag = document.createDocumentFragment();
      keyed.forEach(function (k) { frag.appendChild(k.row); });
      body.appendChild(frag);
      rows = keyed.map(function (k) { return k.row; });
      texts = keyed.map(function (k) { return k.text; });
    });
  });
  filter();
})();
