// Frontdesk editor: live preview of the article body, rendered and
// sanitized by the server exactly as customers will see it.
(function () {
  'use strict';
  document.addEventListener('DOMContentLoaded', function () {
    var src = document.querySelector('[data-preview-source]');
    var out = document.querySelector('[data-preview]');
    if (!src || !out) { return; }
    var meta = document.querySelector('meta[name="csrf-token"]');
    var timer = null, seq = 0;
    function refresh() {
      var mine = ++seq;
      fetch('/editor/preview', {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'Accept': 'application/json', 'X-CSRF-Token': meta ? meta.content : '' },
        body: JSON.stringify({ markdown: src.value })
      }).then(function (r) { return r.ok ? r.json() : null; })
        .then(function (d) { if (d && mine === seq) { out.innerHTML = d.html; out.setAttribute('data-rendered', String(mine)); } })
        .catch(function () { /* keep the last preview */ });
    }
    src.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(refresh, 250); });
  });
})();
