// Applies the reader's saved colour scheme before the page paints (no flash of the wrong
// scheme). Loaded in <head> as an external file so a strict CSP needs no 'unsafe-inline'.
(function () {
  try {
    var t = localStorage.getItem("playbook-theme");
    if (t === "light" || t === "dark") document.documentElement.setAttribute("data-theme", t);
  } catch (e) { /* storage may be disabled: follow the system scheme */ }
})();
