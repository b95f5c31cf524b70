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

// Import: upload with a progress bar and show the result (or every broken
// line) without leaving the page. Without script the form posts and the
// server renders the same result.
(function () {
  'use strict';
  document.addEventListener('DOMContentLoaded', function () {
    var form = document.querySelector('form[data-import]');
    var out = document.querySelector('[data-import-result]');
    if (!form || !out || !window.FormData || !window.XMLHttpRequest) { return; }
    var box = form.querySelector('[data-import-progress]');
    var bar = box ? box.querySelector('progress') : null;
    var button = form.querySelector('button[type=submit]');
    function show(cls, text, lines) {
      out.textContent = '';
      var p = document.createElement('p');
      p.className = 'flash ' + cls;
      p.textContent = text;
      out.appendChild(p);
      if (lines && lines.length) {
        var ul = document.createElement('ul');
        ul.className = 'line-errors';
        lines.forEach(function (l) {
          var li = document.createElement('li');
          li.textContent = 'Line ' + l.line + ': ' + l.message;
          ul.appendChild(li);
        });
        out.appendChild(ul);
      }
    }
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open('POST', form.action);
      xhr.setRequestHeader('Accept', 'application/json');
      if (box) { box.hidden = false; }
      if (bar) { bar.value = 0; }
      button.disabled = true;
      show('', 'Uploading…');
      xhr.upload.addEventListener('progress', function (e) {
        if (e.lengthComputable && bar) { bar.value = Math.round(100 * e.loaded / e.total); }
      });
      xhr.upload.addEventListener('load', function () {
        if (bar) { bar.value = 100; }
        show('', 'Checking and importing…');
      });
      xhr.addEventListener('loadend', function () {
        button.disabled = false;
        var d = null;
        try { d = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        if (xhr.status === 200 && d) {
          show('ok', 'Imported ' + d.file + ': ' + d.created + ' new, ' + d.updated + ' updated, ' + d.unchanged + ' unchanged.');
        } else if (d && (d.error || d.lines)) {
          var msg = typeof d.error === 'string' ? d.error : (d.error && d.error.message) || 'The import failed.';
          show('error', msg, d.lines);
        } else {
          show('error', xhr.status ? 'The import failed (' + xhr.status + '). Nothing was imported.' : 'The upload failed. Check your connection and try again.');
        }
      });
      xhr.send(new FormData(form));
    });
  });
})();
