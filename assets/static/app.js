// Frontdesk: progressive enhancement shared by every page. Pages work
// without it; it adds the mobile menu and the browser's time zone.
(function () {
  'use strict';
  document.documentElement.classList.add('js');
  document.addEventListener('DOMContentLoaded', function () {
    var toggle = document.querySelector('.menu-toggle');
    var nav = document.getElementById('nav');
    if (toggle && nav) {
      toggle.addEventListener('click', function () {
        var open = nav.classList.toggle('open');
        toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
      });
    }
    var tz = '';
    try { tz = Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (e) { /* old browser */ }
    document.querySelectorAll('[data-browser-tz]').forEach(function (el) { el.value = tz; });
    document.querySelectorAll('[data-tz-default]').forEach(function (el) {
      if (!el.value && tz) { el.placeholder = tz + ' (your browser)'; }
    });
  });
})();
