// Customer analytics and exports: while an analysis or export runs, show
// its progress and reload the page when it is done. Without script the page still works: the
// figures are from the last finished analysis and a reload shows the new.
(function () {
  "use strict";
  var box = document.getElementById("refit-status");
  if (!box || box.getAttribute("data-running") !== "true") return;
  var bar = document.getElementById("refit-progress");
  var text = box.querySelector("[data-progress-text]");
  function poll() {
    fetch(box.getAttribute("data-poll") || "/reports/customers/status", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) return;
        if (!s.running) { window.location.reload(); return; }
        var pct = Math.round(s.progress * 100);
        if (bar) bar.value = pct;
        if (text) text.textContent = pct + "%";
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
