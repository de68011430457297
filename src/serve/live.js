(function () {
  "use strict";
  var overlay = null;
  function hide() { if (overlay) { overlay.remove(); overlay = null; } }
  function show(errors) {
    hide();
    overlay = document.createElement("div");
    overlay.id = "playbook-error-overlay";
    overlay.setAttribute("role", "alertdialog");
    overlay.setAttribute("aria-label", "Build errors");
    var s = overlay.style;
    s.position = "fixed"; s.inset = "0"; s.zIndex = "2147483647"; s.overflow = "auto";
    s.background = "rgba(20,24,28,.94)"; s.color = "#f6f8fa"; s.padding = "2rem";
    s.font = "14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace";
    var h = document.createElement("p");
    var count = errors.length + (errors.length === 1 ? " error" : " errors");
    // The page served while no build has succeeded yet says so on its <body>.
    var nothingYet = document.body && document.body.hasAttribute("data-playbook-no-site");
    h.textContent = nothingYet
      ? "playbook: the build failed (" + count + "), so there is no site to show yet. This page reloads when you fix the file."
      : "playbook: the last edit broke the build (" + count + "). The page below is the last good build; it reloads when you fix the file.";
    h.style.font = "600 16px/1.4 system-ui, sans-serif"; h.style.marginTop = "0";
    overlay.appendChild(h);
    errors.forEach(function (e) {
      var pre = document.createElement("pre");
      pre.className = "playbook-diagnostic";
      pre.textContent = e;
      pre.style.whiteSpace = "pre-wrap"; pre.style.background = "#2b1c1c";
      pre.style.borderLeft = "4px solid #ff6b6b"; pre.style.padding = "1rem"; pre.style.margin = "0 0 1rem";
      overlay.appendChild(pre);
    });
    var close = document.createElement("button");
    close.type = "button"; close.textContent = "Hide until the next build";
    close.addEventListener("click", hide);
    overlay.appendChild(close);
    (document.body || document.documentElement).appendChild(overlay);
  }
  function swapCss() {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    Array.prototype.forEach.call(links, function (l) {
      var url = new URL(l.href);
      url.searchParams.set("playbook-reload", Date.now());
      var fresh = l.cloneNode();
      fresh.href = url.toString();
      fresh.addEventListener("load", function () { l.remove(); });
      l.after(fresh);
    });
  }
  var source = new EventSource("/__playbook/events");
  source.addEventListener("reload", function () { location.reload(); });
  source.addEventListener("css", function () { hide(); swapCss(); });
  source.addEventListener("errors", function (e) { show(JSON.parse(e.data)); });
  window.__playbookLive = source;
})();
