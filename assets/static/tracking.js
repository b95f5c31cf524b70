// Live tracking: the shipment page (an account's, or a guest's signed link)
// follows server-sent events and adds new tracking events to the timeline,
// newest first, without a reload.
(function () {
  'use strict';
  var card = document.querySelector('[data-live-shipment]');
  if (!card || !window.EventSource) { return; }
  var list = document.querySelector('[data-timeline]');
  var state = card.querySelector('[data-live-state]');
  var es = new EventSource(card.getAttribute('data-live-shipment'));
  es.onopen = function () { if (state) { state.textContent = 'Live: updates appear here as they arrive.'; } };
  es.onerror = function () { if (state) { state.textContent = 'Reconnecting for live updates…'; } };
  es.addEventListener('signed_out', function () {
    es.close();
    if (state) { state.textContent = 'You were signed out, so live updates stopped. Sign in again to follow this parcel.'; }
  });
  es.addEventListener('tracking', function (msg) {
    var ev;
    try { ev = JSON.parse(msg.data); } catch (e) { return; }
    // The server sends every label and time already in the page's words
    // and format, so a live row reads as it will after a reload.
    card.querySelector('[data-status]').textContent = ev.shipment_label;
    card.querySelector('[data-explain]').textContent = ev.explain;
    var etaLine = card.querySelector('[data-eta-line]');
    if (etaLine && ev.eta) {
      etaLine.querySelector('[data-eta]').textContent = ev.eta;
      etaLine.hidden = false;
    }
    var empty = list.querySelector('[data-empty]');
    if (empty) { empty.remove(); }
    var li = document.createElement('li');
    li.className = 'fresh';
    li.setAttribute('data-at', ev.at);
    li.setAttribute('data-status', ev.status);
    var when = document.createElement('span'); when.className = 'when'; when.textContent = ev.when;
    var what = document.createElement('span'); what.className = 'what';
    var badge = document.createElement('span'); badge.className = 'badge'; badge.textContent = ev.status_label;
    what.appendChild(badge); what.appendChild(document.createTextNode(' ' + ev.message));
    li.appendChild(when); li.appendChild(what);
    if (ev.place) { var where = document.createElement('span'); where.className = 'where muted'; where.textContent = ev.place; li.appendChild(where); }
    // Keep newest first even when events arrive out of order.
    var before = null;
    list.querySelectorAll('li[data-at]').forEach(function (other) {
      if (!before && other.getAttribute('data-at') < ev.at) { before = other; }
    });
    list.insertBefore(li, before);
  });
})();
