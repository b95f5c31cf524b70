// Frontdesk help centre: answers as you type in the FAQ search box, and
// sends "Was this helpful?" without leaving the page. Both work without
// script too (the form submits to the results page; the vote form posts).
(function () {
  'use strict';
  var csrf = function () {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute('content') : '';
  };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text) { e.textContent = text; }
    return e;
  }

  // Highlights come from the server as escaped text with <mark> only; they
  // are rebuilt as nodes so that nothing else can become markup.
  function marked(fragment) {
    var span = el('span');
    var parts = String(fragment).split(/(<mark>|<\/mark>)/);
    var inMark = false;
    var tmp = document.createElement('textarea');
    parts.forEach(function (p) {
      if (p === '<mark>') { inMark = true; return; }
      if (p === '</mark>') { inMark = false; return; }
      tmp.innerHTML = p; // decodes entities only: a textarea holds no markup
      var t = document.createTextNode(tmp.value);
      if (inMark) { var m = el('mark'); m.appendChild(t); span.appendChild(m); } else { span.appendChild(t); }
    });
    return span;
  }

  function setupSearch(form) {
    var input = form.querySelector('input[type="search"]');
    var box = form.querySelector('[data-help-results]');
    if (!input || !box) { return; }
    var timer = null, logTimer = null, seq = 0;
    function render(q, data) {
      box.textContent = '';
      if (!q) { return; }
      if (!data.hits.length) {
        var p = el('p', 'muted', 'No articles match yet. ');
        var a = el('a', '', 'Ask us');
        a.href = '/chat?q=' + encodeURIComponent(q);
        p.appendChild(a);
        box.appendChild(p);
        return;
      }
      var status = el('p', 'sr-only', data.total + (data.total === 1 ? ' answer' : ' answers') + ' found');
      box.appendChild(status);
      var ul = el('ul', 'list suggest-list');
      data.hits.slice(0, 6).forEach(function (h) {
        var li = el('li');
        var a = el('a');
        a.href = h.url;
        var t = h.highlights && h.highlights.title ? marked(h.highlights.title[0]) : document.createTextNode(h.title);
        a.appendChild(t);
        li.appendChild(a);
        if (h.summary) { li.appendChild(el('span', 'muted', h.summary)); }
        ul.appendChild(li);
      });
      box.appendChild(ul);
      // The results page may list more than the suggestions match.
      var n = typeof data.all_total === 'number' ? data.all_total : data.total;
      if (n > 0) {
        var all = el('a', 'all', n === 1 ? 'See the result' : 'See all ' + n + ' results');
        all.href = '/help/search?q=' + encodeURIComponent(q);
        box.appendChild(all);
      }
    }
    function fetchResults(q, log) {
      var mine = ++seq;
      var url = '/api/v1/search?as_you_type=1&q=' + encodeURIComponent(q) + (log ? '&log=1' : '');
      return fetch(url, { headers: { 'Accept': 'application/json' }, credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data && mine === seq && input.value.trim() === q) { render(q, data); } })
        .catch(function () { /* the form still works */ });
    }
    input.addEventListener('input', function () {
      var q = input.value.trim();
      clearTimeout(timer);
      clearTimeout(logTimer);
      if (!q) { box.textContent = ''; return; }
      timer = setTimeout(function () { fetchResults(q, false); }, 120);
      // Once the reader pauses, record the question for the content-gap report.
      logTimer = setTimeout(function () { if (input.value.trim() === q && q.length > 2) { fetchResults(q, true); } }, 1500);
    });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Escape') { box.textContent = ''; }
    });
  }

  function setupVote(form) {
    var status = form.querySelector('[data-vote-status]');
    form.addEventListener('submit', function (e) {
      var btn = e.submitter;
      if (!btn || !window.fetch || !window.FormData) { return; }
      e.preventDefault();
      var body = new URLSearchParams(new FormData(form));
      body.set('helpful', btn.value);
      fetch(form.action, { method: 'POST', body: body, credentials: 'same-origin', headers: { 'X-CSRF-Token': csrf(), 'Accept': 'application/json' } })
        .then(function (r) {
          if (!r.ok) { throw new Error('vote failed'); }
          form.querySelectorAll('button, textarea').forEach(function (b) { b.disabled = true; });
          status.textContent = 'Thank you for your feedback.';
        })
        .catch(function () { form.submit(); });
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('[data-help-search]').forEach(setupSearch);
    document.querySelectorAll('[data-vote]').forEach(setupVote);
  });
})();
