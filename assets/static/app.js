// Frontdesk: progressive enhancement shared by every page. Pages work
// without it; it adds the mobile menu, the browser's time zone, and makes
// big photos smaller before they are uploaded.
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
    document.querySelectorAll('form[data-upload-limit]').forEach(shrinkPhotosOnSubmit);
    foldOnPhones();
  });

  // Folds (details[data-fold-narrow]) are open in the page, so that
  // without JavaScript every field shows; on a phone they close unless a
  // field in them is in use ("keep"), and a wider window opens them again
  // (CSS hides their summary there).
  function foldOnPhones() {
    var folds = document.querySelectorAll('details[data-fold-narrow]');
    if (!folds.length || !window.matchMedia) { return; }
    var narrow = window.matchMedia('(max-width: 719px)');
    folds.forEach(function (d) { if (narrow.matches && d.getAttribute('data-fold-narrow') !== 'keep') { d.open = false; } });
    var wide = function () { if (!narrow.matches) { folds.forEach(function (d) { d.open = true; }); } };
    if (narrow.addEventListener) { narrow.addEventListener('change', wide); }
  }

  // Photos: a phone picture (3-5 MB) would not fit the request limit, so
  // before a form with files is sent, big JPEG, PNG and WebP pictures are
  // redrawn as JPEG with a long side of at most 2000 px. Other files are
  // sent as they are. If the whole still does not fit, the form says so
  // next to the file field instead of sending.
  var PHOTO_TYPES = { 'image/jpeg': true, 'image/png': true, 'image/webp': true };
  var MAX_SIDE = 2000;
  var SHRINK_OVER = 300 * 1024;
  var QUALITY = 0.85;

  function decode(file) {
    return createImageBitmap(file, { imageOrientation: 'from-image' }).catch(function () {
      return createImageBitmap(file);
    });
  }

  // shrinkPhoto resolves to a smaller JPEG of file, or to file itself when
  // it is no picture, small already, or cannot be decoded here.
  function shrinkPhoto(file) {
    if (!PHOTO_TYPES[file.type] || !window.createImageBitmap) { return Promise.resolve(file); }
    return decode(file).then(function (bmp) {
      var long = Math.max(bmp.width, bmp.height);
      if (file.size <= SHRINK_OVER && long <= MAX_SIDE) { bmp.close(); return file; }
      var scale = Math.min(1, MAX_SIDE / long);
      var canvas = document.createElement('canvas');
      canvas.width = Math.max(1, Math.round(bmp.width * scale));
      canvas.height = Math.max(1, Math.round(bmp.height * scale));
      var g = canvas.getContext('2d');
      g.fillStyle = '#fff'; // transparent PNG areas become white, not black
      g.fillRect(0, 0, canvas.width, canvas.height);
      g.drawImage(bmp, 0, 0, canvas.width, canvas.height);
      bmp.close();
      return new Promise(function (resolve) { canvas.toBlob(resolve, 'image/jpeg', QUALITY); }).then(function (blob) {
        if (!blob || (blob.size >= file.size && long <= MAX_SIDE)) { return file; }
        var name = file.name.replace(/\.[^.]*$/, '') + '.jpg';
        return new File([blob], name, { type: 'image/jpeg', lastModified: file.lastModified });
      });
    }).catch(function () { return file; });
  }

  // requestSize estimates the multipart body the form will send.
  function requestSize(form) {
    var n = 0;
    new FormData(form).forEach(function (v, k) {
      n += 200 + k.length;
      n += typeof v === 'string' ? new Blob([v]).size : v.size + v.name.length + v.type.length;
    });
    return n;
  }

  function megabytes(n) { return (n / 1e6).toFixed(1) + ' MB'; }

  // note shows (or with text '' removes) a message after a file field.
  function note(input, kind, text) {
    var id = input.id + '-' + kind;
    var el = document.getElementById(id);
    if (!text) {
      if (el) { el.remove(); }
      if (kind === 'size') { input.removeAttribute('aria-invalid'); }
      return;
    }
    if (!el) {
      el = document.createElement('p');
      el.id = id;
      if (kind === 'size') {
        el.className = 'form-error';
        el.setAttribute('role', 'alert');
        input.setAttribute('aria-invalid', 'true');
        var by = input.getAttribute('aria-describedby');
        if (!by || by.split(' ').indexOf(id) < 0) { input.setAttribute('aria-describedby', by ? by + ' ' + id : id); }
      } else {
        el.className = 'hint';
        el.setAttribute('role', 'status');
      }
      input.insertAdjacentElement('afterend', el);
    }
    el.textContent = text;
  }

  function shrinkPhotosOnSubmit(form) {
    var limit = function () { return parseInt(form.getAttribute('data-upload-limit'), 10) || 0; };
    var inputs = Array.prototype.slice.call(form.querySelectorAll('input[type=file]'));
    var ready = false;
    var busy = false;
    inputs.forEach(function (input) {
      input.addEventListener('change', function () { note(input, 'size', ''); });
    });
    form.addEventListener('submit', function (ev) {
      if (ready) { ready = false; return; }
      var withFiles = inputs.filter(function (i) { return i.files && i.files.length; });
      if (!withFiles.length || !window.DataTransfer) { return; }
      ev.preventDefault();
      if (busy) { return; }
      busy = true;
      var submitter = ev.submitter;
      var buttons = form.querySelectorAll('button[type=submit], input[type=submit]');
      buttons.forEach(function (b) { b.disabled = true; });
      var last = withFiles[withFiles.length - 1];
      note(last, 'size', '');
      note(last, 'progress', 'Preparing photos…');
      Promise.all(withFiles.map(function (input) {
        var files = Array.prototype.slice.call(input.files);
        return Promise.all(files.map(shrinkPhoto)).then(function (out) {
          if (out.every(function (f, i) { return f === files[i]; })) { return; }
          var dt = new DataTransfer();
          out.forEach(function (f) { dt.items.add(f); });
          input.files = dt.files;
        });
      })).then(function () {
        busy = false;
        buttons.forEach(function (b) { b.disabled = false; });
        note(last, 'progress', '');
        var size = requestSize(form);
        var max = limit();
        if (max > 0 && size > max) {
          note(last, 'size', 'Your files come to ' + megabytes(size) + ' together, even with the photos made smaller; we can take ' +
            megabytes(max) + ' in one message. Please leave out a file or choose a smaller one.');
          last.focus();
          return;
        }
        ready = true;
        if (form.requestSubmit) {
          form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
        } else {
          ready = false;
          form.submit();
        }
      });
    });
  }
})();
