// Frontdesk agent console over /ws/agent (docs/chat-protocol.md): the live
// queue with waits, claiming, the transcript with the customer beside it,
// replies, notes, canned responses, transfer, hand-back and close.
(function () {
  'use strict';

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) { Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); }); }
    if (text != null) { e.textContent = text; }
    return e;
  }
  function uid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function wait(s) {
    if (s < 60) { return s + ' s'; }
    return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  }

  var ws = null, attempt = 0, current = 0, lastSeq = 0, status = 'away', pending = [], queueAt = 0, lastQueue = null;

  function send(f) {
    if (ws && ws.readyState === 1) { ws.send(JSON.stringify(f)); return true; }
    return false;
  }

  function connect() {
    $('agent-conn').textContent = attempt ? 'Reconnecting…' : 'Connecting…';
    ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/agent');
    var me = ws;
    ws.onopen = function () {
      attempt = 0;
      $('agent-conn').textContent = 'Connected';
      send({ type: 'status', status: status });
      if (current) { send({ type: 'open', conversation_id: current, last_seq: lastSeq }); }
      pending.forEach(function (p) { send(p); });
    };
    ws.onmessage = function (ev) { var f; try { f = JSON.parse(ev.data); } catch (e) { return; } handle(f); };
    ws.onclose = function () {
      if (ws !== me) { return; }
      ws = null;
      var delay = Math.min(15000, 500 * Math.pow(2, attempt++));
      $('agent-conn').textContent = 'Offline. Reconnecting in ' + Math.ceil(delay / 1000) + ' s…';
      setTimeout(connect, delay);
    };
  }

  function renderQueue(f) {
    lastQueue = f;
    queueAt = Date.now();
    var q = $('queue'), mine = $('mine');
    q.textContent = '';
    mine.textContent = '';
    var extra = Math.floor((Date.now() - queueAt) / 1000);
    if (!f.queued.length) { q.appendChild(el('li', { 'class': 'empty' }, 'Nobody is waiting.')); }
    f.queued.forEach(function (it) {
      var li = el('li', { 'class': 'queue-item', 'data-conversation': String(it.conversation_id) });
      var d = el('div');
      d.appendChild(el('strong', null, it.customer));
      d.appendChild(el('span', { 'class': 'muted' }, ' ' + (it.subject || '(no message yet)')));
      d.appendChild(el('span', { 'class': 'muted wait', 'data-wait': String(it.wait_seconds) }, ' waiting ' + wait(it.wait_seconds + extra)));
      li.appendChild(d);
      var b = el('button', { type: 'button', 'class': 'small claim' }, 'Claim');
      b.addEventListener('click', function () { send({ type: 'claim', conversation_id: it.conversation_id }); });
      li.appendChild(b);
      q.appendChild(li);
    });
    if (!f.mine.length) { mine.appendChild(el('li', { 'class': 'empty' }, 'No open chats.')); }
    f.mine.forEach(function (it) {
      var li = el('li', { 'class': 'queue-item' });
      var b = el('button', { type: 'button', 'class': 'link open-chat' }, it.customer + ': ' + (it.subject || 'chat'));
      b.addEventListener('click', function () { open(it.conversation_id); });
      li.appendChild(b);
      mine.appendChild(li);
    });
    $('agent-status').value = f.status || status;
  }

  setInterval(function () {
    var extra = Math.floor((Date.now() - queueAt) / 1000);
    Array.prototype.slice.call(document.querySelectorAll('#queue .wait')).forEach(function (s) {
      s.textContent = ' waiting ' + wait(+s.getAttribute('data-wait') + extra);
    });
  }, 1000);

  function open(id) {
    current = id;
    lastSeq = 0;
    $('agent-log').textContent = '';
    $('agent-chat').hidden = false;
    $('agent-info').hidden = false;
    send({ type: 'open', conversation_id: id, last_seq: 0 });
  }

  var names = { customer: 'Customer', bot: 'Assistant', agent: 'Agent', system: '' };

  function addMessage(m) {
    if (m.conversation_id !== current || m.seq <= lastSeq) { return; }
    lastSeq = m.seq;
    var li = el('li', { 'class': 'msg ' + m.author + (m.internal ? ' note' : ''), 'data-seq': String(m.seq) });
    var who = names[m.author];
    if (m.internal) { who = 'Internal note'; }
    if (who) { li.appendChild(el('span', { 'class': 'who' }, who)); }
    li.appendChild(el('span', { 'class': 'body' }, m.text));
    $('agent-log').appendChild(li);
    $('agent-log').scrollTop = $('agent-log').scrollHeight;
    if (m.author === 'customer') { send({ type: 'read', conversation_id: current, seq: m.seq }); }
  }

  function renderCustomer(f) {
    var body = $('cust-body');
    body.textContent = '';
    $('chat-h').textContent = 'Chat ' + f.conversation_id + ' (' + f.state + ')';
    if (f.customer) {
      var p = el('p');
      var a = el('a', { href: f.customer.url }, f.customer.name || f.customer.email);
      p.appendChild(a);
      body.appendChild(p);
      body.appendChild(el('p', { 'class': 'muted' }, f.customer.email + ' · customer since ' + f.customer.since));
      if (f.customer.value) {
        var v = f.customer.value;
        body.appendChild(el('p', null, v.segment + ' · ' + v.active + ' chance still active · lifetime value ' + v.clv));
      }
      body.appendChild(el('h3', null, 'Recent orders'));
      var ul = el('ul', { 'class': 'list' });
      if (!f.orders.length) { ul.appendChild(el('li', { 'class': 'empty' }, 'No orders.')); }
      f.orders.forEach(function (o) { ul.appendChild(el('li', null, o.number + ' · ' + o.status + ' · ' + o.total + ' · ' + o.placed)); });
      body.appendChild(ul);
      if (f.cases.length) {
        body.appendChild(el('h3', null, 'Cases'));
        var cl = el('ul', { 'class': 'list' });
        f.cases.forEach(function (c) { cl.appendChild(el('li', null, c.number + ' · ' + c.status)); });
        body.appendChild(cl);
      }
    } else {
      body.appendChild(el('p', null, 'Guest (not signed in).'));
    }
    var tr = $('agent-transfer');
    tr.textContent = '';
    f.agents.forEach(function (a) { tr.appendChild(el('option', { value: String(a.id) }, a.name)); });
    var cn = $('agent-canned');
    cn.textContent = '';
    cn.appendChild(el('option', { value: '' }, 'Choose…'));
    f.canned.forEach(function (c) { cn.appendChild(el('option', { value: c }, c)); });
  }

  function handle(f) {
    switch (f.type) {
      case 'queue': renderQueue(f); break;
      case 'claimed': open(f.conversation_id); break;
      case 'conversation': if (f.conversation_id === current) { renderCustomer(f); } break;
      case 'message': addMessage(f); break;
      case 'ack': pending = pending.filter(function (p) { return p.id !== f.id; }); break;
      case 'state':
        if (f.conversation_id === current) { $('chat-h').textContent = 'Chat ' + f.conversation_id + ' (' + f.state + ')'; }
        break;
      case 'typing':
        if (f.conversation_id === current && f.author === 'customer') {
          $('agent-typing').textContent = 'The customer is typing…';
          clearTimeout(handle.t);
          handle.t = setTimeout(function () { $('agent-typing').textContent = ''; }, 4000);
        }
        break;
      case 'read':
        if (f.conversation_id === current && f.author === 'customer') { $('agent-typing').textContent = 'Seen by the customer.'; }
        break;
      case 'error': $('agent-conn').textContent = f.message || 'Error.'; break;
    }
  }

  document.addEventListener('DOMContentLoaded', function () {
    if (!$('agent-console')) { return; }
    $('agent-status').addEventListener('change', function () { status = this.value; send({ type: 'status', status: status }); });
    $('agent-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var text = $('agent-text').value.trim();
      if (!text || !current) { return; }
      var f = { type: 'send', conversation_id: current, id: uid(), text: text, internal: $('agent-internal').checked };
      pending.push(f);
      send(f);
      $('agent-text').value = '';
      $('agent-internal').checked = false;
    });
    var lastTyping = 0;
    $('agent-text').addEventListener('input', function () {
      if (Date.now() - lastTyping > 2000 && current) { lastTyping = Date.now(); send({ type: 'typing', conversation_id: current }); }
    });
    $('agent-canned').addEventListener('change', function () { if (this.value) { $('agent-text').value = this.value; $('agent-text').focus(); } });
    $('agent-release').addEventListener('click', function () { send({ type: 'release', conversation_id: current }); });
    $('agent-end').addEventListener('click', function () { send({ type: 'end', conversation_id: current }); });
    $('agent-transfer-go').addEventListener('click', function () {
      send({ type: 'transfer', conversation_id: current, agent_id: +$('agent-transfer').value });
    });
    connect();
  });
  void lastQueue;
})();
