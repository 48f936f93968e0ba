/* Portfolio tables (dashboard, customer index): sort by a column, filter by facets and text, and
   keep the state in the URL's hash so that a link can be shared and survives a reload.
   Sort and filter keys are data-* attributes the generator wrote on each row's marker
   (span.hb-row); nothing is parsed from the text shown. Plain JS: works from file:// and over
   http, and is re-run by Material's `document$` on every page load (instant navigation). */
(function () {
  "use strict";
  var FACETS = ["phase", "deployment", "industry", "sla", "status"];

  function readState() {
    var state = {};
    var hash = window.location.hash.replace(/^#/, "");
    if (hash.indexOf("=") < 0) return state;
    hash.split("&").forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at > 0) state[decodeURIComponent(pair.slice(0, at))] = decodeURIComponent(pair.slice(at + 1));
    });
    return state;
  }

  function writeState(state) {
    var parts = Object.keys(state).filter(function (k) { return state[k]; }).map(function (k) {
      return encodeURIComponent(k) + "=" + encodeURIComponent(state[k]);
    });
    var url = window.location.href.replace(/#.*$/, "") + (parts.length ? "#" + parts.join("&") : "");
    try { window.history.replaceState(window.history.state, "", url); } catch (e) { /* opaque origin */ }
  }

  function compare(a, b, key) {
    var x = a.marker.getAttribute("data-" + key) || "", y = b.marker.getAttribute("data-" + key) || "";
    if (x === "" || y === "") return x === y ? 0 : (x === "" ? 1 : -1);  // unknown values last
    var nx = Number(x), ny = Number(y);
    if (!isNaN(nx) && !isNaN(ny)) return nx - ny;
    return x < y ? -1 : (x > y ? 1 : 0);
  }

  // Each cell gets its column's name (shown beside it when a row becomes a card on a phone);
  // cells of minor columns are marked so that the card can leave them out.
  function label(table) {
    var heads = [].slice.call(table.querySelectorAll("thead th"));
    heads.forEach(function (th, column) {
      var col = th.querySelector(".hb-col");
      var name = th.textContent.trim();
      [].slice.call(table.querySelectorAll("tbody tr")).forEach(function (tr) {
        var td = tr.children[column];
        if (!td) return;
        td.setAttribute("data-label", name);
        if (col && col.hasAttribute("data-minor")) td.classList.add("hb-minor");
      });
    });
    return heads;
  }

  function init(box) {
    if (box.getAttribute("data-ready")) return;
    box.setAttribute("data-ready", "1");
    var form = box.querySelector("form.hb-filter");
    var count = box.querySelector(".hb-count");
    var tables = [].slice.call(box.querySelectorAll("table"));
    var rows = [];
    tables.forEach(function (table) {
      var heads = label(table);
      heads.forEach(function (th) {
        var col = th.querySelector(".hb-col");
        if (!col || !col.getAttribute("data-sort")) return;
        // The header cell keeps its role (and carries aria-sort); a button inside it is what is pressed.
        var button = document.createElement("button");
        button.type = "button";
        button.className = "hb-sort-button";
        while (th.firstChild) button.appendChild(th.firstChild);
        th.appendChild(button);
        th.classList.add("hb-sortable");
        th.setAttribute("data-sort", col.getAttribute("data-sort"));
        button.addEventListener("click", function () {
          var key = th.getAttribute("data-sort");
          form.elements.sort.value = form.elements.sort.value === key ? "-" + key : key;
          apply(true);
        });
      });
      [].slice.call(table.querySelectorAll("tbody tr")).forEach(function (tr, index) {
        var marker = tr.querySelector(".hb-row");
        if (marker) rows.push({tr: tr, marker: marker, body: tr.parentNode, index: index});
      });
    });

    function matches(row, state) {
      for (var i = 0; i < FACETS.length; i++) {
        var want = state[FACETS[i]];
        if (!want) continue;
        var have = (row.marker.getAttribute("data-" + FACETS[i]) || "").split(" ");
        if (have.indexOf(want) < 0) return false;
      }
      var words = (state.q || "").toLowerCase().split(/\s+/).filter(Boolean);
      var text = (row.marker.getAttribute("data-text") || "").toLowerCase();
      return words.every(function (w) { return text.indexOf(w) >= 0; });
    }

    function apply(remember) {
      var state = {};
      FACETS.concat(["q", "sort"]).forEach(function (name) {
        var field = form.elements[name];
        if (field && field.value) state[name] = field.value.trim();
      });
      var sort = state.sort || "", desc = sort.charAt(0) === "-", key = sort.replace(/^-/, "");
      var ordered = rows.slice().sort(function (a, b) {
        if (!key) return a.index - b.index;
        var c = compare(a, b, key);
        if (desc && c !== 0 && a.marker.getAttribute("data-" + key) && b.marker.getAttribute("data-" + key)) c = -c;
        return c || a.index - b.index;
      });
      var shown = 0;
      ordered.forEach(function (row) {
        var ok = matches(row, state);
        row.tr.hidden = !ok;
        if (ok) shown++;
        row.body.appendChild(row.tr);
      });
      [].slice.call(box.querySelectorAll(".hb-group")).forEach(function (group) {
        group.hidden = !group.querySelector("tbody tr:not([hidden])");
      });
      [].slice.call(box.querySelectorAll("th[data-sort]")).forEach(function (th) {
        var on = th.getAttribute("data-sort") === key;
        th.setAttribute("aria-sort", on ? (desc ? "descending" : "ascending") : "none");
      });
      if (count) count.textContent = count.getAttribute("data-template")
        .replace("{shown}", shown).replace("{total}", rows.length);
      if (remember) writeState(state);
    }

    var initial = readState();
    FACETS.concat(["q", "sort"]).forEach(function (name) {
      var field = form.elements[name];
      if (field && initial[name]) field.value = initial[name];
    });
    form.addEventListener("input", function () { apply(true); });
    form.addEventListener("change", function () { apply(true); });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.addEventListener("reset", function () { setTimeout(function () { apply(true); }, 0); });
    apply(false);
  }

  function start() {
    [].slice.call(document.querySelectorAll(".hb-cards table")).forEach(label);
    [].slice.call(document.querySelectorAll(".hb-portfolio")).forEach(init);
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(start);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
