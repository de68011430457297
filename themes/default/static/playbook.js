// playbook's default theme script: colour scheme switch, list filters with the state in
// the URL, a random prompt, and "/" to focus search. Everything it touches is also
// readable without it: filters and buttons stay hidden until this script shows them.
(function () {
  "use strict";
  var root = document.documentElement;

  // --- Colour scheme switch -------------------------------------------------------
  var toggle = document.getElementById("theme-toggle");
  function current() {
    var t = root.getAttribute("data-theme");
    if (t) return t;
    return window.matchMedia && matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  function paint() {
    if (!toggle) return;
    var dark = current() === "dark";
    toggle.setAttribute("aria-pressed", dark ? "true" : "false");
    toggle.querySelector(".theme-label").textContent = dark ? "Dark" : "Light";
  }
  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var next = current() === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { localStorage.setItem("playbook-theme", next); } catch (e) { /* not saved */ }
      paint();
    });
    paint();
  }

  // --- "/" focuses the search box, never while typing in a field --------------------
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var el = document.activeElement;
    var tag = el && el.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (el && el.isContentEditable)) return;
    var box = document.getElementById("site-search");
    if (box) { e.preventDefault(); box.focus(); }
  });

  // --- List filters ---------------------------------------------------------------
  var form = document.getElementById("filters");
  var list = document.getElementById("cards");
  var status = document.getElementById("filter-status");
  if (form && list) {
    var cards = Array.prototype.slice.call(list.querySelectorAll("li.card"));
    var noun = list.getAttribute("data-noun") || "pages";
    var names = ["role", "event", "tag", "difficulty"];
    form.hidden = false;
    // On a phone the filters start folded, so the first cards show above the fold;
    // a shared URL with filters opens them.
    var box = form.querySelector("details");
    if (box && window.matchMedia && matchMedia("(max-width: 40rem)").matches && !location.search) {
      box.open = false;
    }

    function selected() {
      var s = {};
      names.forEach(function (n) {
        s[n] = Array.prototype.slice.call(form.querySelectorAll('input[name="' + n + '"]:checked'))
          .map(function (i) { return i.value; });
      });
      var d = form.querySelector('select[name="minutes"]');
      s.minutes = d && d.value ? d.value : "";
      return s;
    }
    function matches(card, s) {
      for (var i = 0; i < names.length; i++) {
        var want = s[names[i]];
        if (!want.length) continue;
        var have = (card.getAttribute("data-" + names[i]) || "").split(" ");
        if (!want.some(function (w) { return have.indexOf(w) >= 0; })) return false;
      }
      if (s.minutes) {
        var lo = parseInt(card.getAttribute("data-min") || "", 10);
        if (isNaN(lo)) return false;
        var limit = parseInt(s.minutes, 10);
        if (limit > 0 ? lo > limit : lo <= -limit) return false;
      }
      return true;
    }
    function apply(push) {
      var s = selected();
      var shown = 0;
      cards.forEach(function (c) {
        var ok = matches(c, s);
        c.hidden = !ok;
        if (ok) shown++;
      });
      status.textContent = shown === cards.length
        ? cards.length + " " + noun
        : shown + " of " + cards.length + " " + noun;
      if (push) {
        var params = new URLSearchParams();
        names.forEach(function (n) { s[n].forEach(function (v) { params.append(n, v); }); });
        if (s.minutes) params.set("minutes", s.minutes);
        var q = params.toString();
        history.replaceState(null, "", location.pathname + (q ? "?" + q : "") + location.hash);
      }
    }
    // Restore the state a shared URL carries.
    var params = new URLSearchParams(location.search);
    names.forEach(function (n) {
      params.getAll(n).forEach(function (v) {
        var box = form.querySelector('input[name="' + n + '"][value="' + CSS.escape(v) + '"]');
        if (box) box.checked = true;
      });
    });
    var sel = form.querySelector('select[name="minutes"]');
    if (sel && params.get("minutes")) sel.value = params.get("minutes");
    form.addEventListener("change", function () { apply(true); });
    form.addEventListener("reset", function () { setTimeout(function () { apply(true); }, 0); });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    apply(false);
  }

  // --- Random prompt ---------------------------------------------------------------
  var random = document.getElementById("random-prompt");
  if (random && list) {
    random.hidden = false;
    random.addEventListener("click", function () {
      var visible = Array.prototype.slice.call(list.querySelectorAll("li.card:not([hidden]) > a"));
      if (!visible.length) return;
      location.href = visible[Math.floor(Math.random() * visible.length)].href;
    });
  }
})();
