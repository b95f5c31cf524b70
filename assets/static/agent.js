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
  var canned = [], fill = {}, me = '';
  // expand fills a quick reply's placeholders for the open chat.
  function expand(shortcut) {
    for (var i = 0; i < canned.length; i++) {
      if (canned[i].shortcut === shortcut) {
        return canned[i].text.replace(/\{\{\s*([a-z_.]+)\s*\}\}/g, function (m, k) { return fill[k] != null ? fill[k] : m; });
      }
    }
    return null;
  }
  var currentState = '', currentName = '', unread = {}, seenQueued = null, baseTitle = document.title;
  // votes: the customer's votes on the open chat's bot answers, by seq.
  var votes = {};
  // canTransfer: someone else is available to take the open chat.
  var canTransfer = false;

  // Preferences, kept in this browser.
  function pref(id, def) {
    try { var v = localStorage.getItem('fd_agent_' + id); return v == null ? def : v === '1'; } catch (e) { return def; }
  }
  function savePref(id, v) { try { localStorage.setItem('fd_agent_' + id, v ? '1' : '0'); } catch (e) { /* private mode */ } }

  function clock(iso) {
    var d = iso ? new Date(iso) : new Date();
    if (isNaN(d)) { return ''; }
    return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }

  // Alerts: a count in the title, a short tone, a desktop notification;
  // each can be switched off.
  var audio = null;
  function beep() {
    if (!pref('sound', true)) { return; }
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var o = audio.createOscillator(), g = audio.createGain();
      o.frequency.value = 880; g.gain.value = 0.08;
      o.connect(g); g.connect(audio.destination);
      o.start(); o.stop(audio.currentTime + 0.18);
    } catch (e) { /* no audio */ }
  }
  function notify(title, body) {
    beep();
    if (pref('desktop', false) && window.Notification && Notification.permission === 'granted' && document.hidden) {
      try { new Notification(title, { body: body, tag: 'frontdesk-agent' }); } catch (e) { /* not allowed here */ }
    }
  }
  // Case alerts (new cases, customers' replies, escalations): the unread
  // count in the console's header and the navigation, kept current by the
  // socket.
  var caseAlerts = 0;
  function showCaseAlerts(n) {
    caseAlerts = n;
    document.querySelectorAll('[data-alert-count]').forEach(function (b) {
      b.textContent = n + ' new ' + (n === 1 ? 'alert' : 'alerts');
      b.hidden = !n;
    });
    updateTitle();
  }
  function updateTitle() {
    var n = (lastQueue ? lastQueue.queued.length : 0) + Object.keys(unread).length + caseAlerts;
    document.title = (pref('title', true) && n ? '(' + n + ') ' : '') + baseTitle;
  }
  function alertText(text) {
    var a = $('agent-alert');
    a.textContent = text;
    a.hidden = !text;
  }
  function showError(text) {
    var e = $('agent-error');
    e.textContent = text || '';
    e.hidden = !text;
  }
  var stateWords = { queued: 'Waiting in the queue', agent: 'In progress', bot: 'With the assistant', closed: 'Ended' };
  function setState(state) {
    currentState = state;
    $('chat-state').textContent = stateWords[state] || '';
    var ended = state === 'closed';
    ['agent-text', 'agent-send', 'agent-release', 'agent-end', 'agent-transfer', 'agent-transfer-go', 'agent-canned'].forEach(function (id) { $(id).disabled = ended; });
    // Nobody to give the chat to: no button that can only fail.
    $('agent-transfer-go').disabled = ended || !canTransfer;
    if (ended) { $('agent-text').placeholder = 'This chat has ended.'; } else { $('agent-text').placeholder = ''; }
  }

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
      if (current) { send({ type: 'open', conversation_id: current, last_seq: lastSeq }); }
      pending.forEach(function (p) { send(p); });
    };
    ws.onmessage = function (ev) { var f; try { f = JSON.parse(ev.data); } catch (e) { return; } handle(f); };
    ws.onclose = function (ev) {
      if (ws !== me) { return; }
      ws = null;
      if (ev.code === 1008) {
        // Signed out, disabled or given another role: no reconnecting.
        $('agent-conn').textContent = 'You were signed out of the console. Reload the page to sign in again.';
        ['agent-text', 'agent-send', 'agent-status'].forEach(function (id) { $(id).disabled = true; });
        return;
      }
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
    // New arrivals in the queue alert.
    var ids = f.queued.map(function (it) { return it.conversation_id; });
    if (seenQueued) {
      var fresh = f.queued.filter(function (it) { return seenQueued.indexOf(it.conversation_id) < 0; });
      if (fresh.length) { notify('A customer is waiting', fresh[0].customer + ': ' + (fresh[0].subject || 'new chat')); }
    }
    seenQueued = ids;
    var mineIDs = f.mine.map(function (it) { return it.conversation_id; });
    Object.keys(unread).forEach(function (k) { if (mineIDs.indexOf(+k) < 0) { delete unread[k]; } });
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
      li.setAttribute('data-conversation', String(it.conversation_id));
      var b = el('button', { type: 'button', 'class': 'link open-chat' }, it.customer + ': ' + (it.subject || 'chat'));
      b.addEventListener('click', function () { open(it.conversation_id, it.customer); });
      li.appendChild(b);
      if (unread[it.conversation_id]) { li.appendChild(el('span', { 'class': 'unread', 'aria-label': 'unread messages' }, String(unread[it.conversation_id]))); }
      mine.appendChild(li);
    });
    var others = $('others');
    others.textContent = '';
    $('others-h').hidden = others.hidden = !f.supervisor;
    if (f.supervisor) {
      if (!f.others || !f.others.length) { others.appendChild(el('li', { 'class': 'empty' }, 'No other open chats.')); }
      (f.others || []).forEach(function (it) {
        var li = el('li', { 'class': 'queue-item', 'data-conversation': String(it.conversation_id) });
        var d = el('div');
        d.appendChild(el('strong', null, it.customer));
        d.appendChild(el('span', { 'class': 'muted' }, ' with ' + (it.agent_name || 'an agent') + (it.agent_online ? '' : ' (offline)')));
        li.appendChild(d);
        var b = el('button', { type: 'button', 'class': 'small secondary take-over' }, 'Take over');
        b.addEventListener('click', function () { send({ type: 'take_over', conversation_id: it.conversation_id }); });
        li.appendChild(b);
        others.appendChild(li);
      });
    }
    status = f.status || status;
    $('agent-status').value = status;
    updateTitle();
  }

  setInterval(function () {
    var extra = Math.floor((Date.now() - queueAt) / 1000);
    Array.prototype.slice.call(document.querySelectorAll('#queue .wait')).forEach(function (s) {
      s.textContent = ' waiting ' + wait(+s.getAttribute('data-wait') + extra);
    });
  }, 1000);

  function open(id, name) {
    current = id;
    lastSeq = 0;
    votes = {};
    canTransfer = false;
    currentName = name || '';
    delete unread[id];
    showError('');
    $('chat-rating').hidden = true;
    $('chat-h').textContent = 'Chat with ' + (currentName || 'customer');
    setState('');
    if (lastQueue) { renderQueue(lastQueue); }
    $('agent-log').textContent = '';
    $('agent-chat').hidden = false;
    $('agent-info').hidden = false;
    // On a phone the chat is below the queue: bring it into view.
    if (window.matchMedia && window.matchMedia('(max-width: 699px)').matches) { $('agent-chat').scrollIntoView(); }
    send({ type: 'open', conversation_id: id, last_seq: 0 });
  }

  var names = { customer: 'Customer', bot: 'Assistant', agent: 'Agent', system: '' };

  function addMessage(m) {
    if (m.conversation_id !== current) {
      // One of the agent's other chats: mark it unread.
      if (m.author === 'customer') {
        unread[m.conversation_id] = (unread[m.conversation_id] || 0) + 1;
        notify('New message', m.text.slice(0, 120));
        if (lastQueue) { renderQueue(lastQueue); }
      }
      return;
    }
    if (m.seq <= lastSeq) { return; }
    if (m.author === 'customer' && document.hidden) { notify('New message from ' + (currentName || 'the customer'), m.text.slice(0, 120)); }
    // The customer's message ends their typing.
    if (m.author === 'customer') { clearTimeout(handle.t); $('agent-typing').textContent = ''; }
    lastSeq = m.seq;
    var li = el('li', { 'class': 'msg ' + m.author + (m.internal ? ' note' : ''), 'data-seq': String(m.seq) });
    var who = names[m.author];
    if (m.internal) { who = 'Internal note'; }
    var head = el('span', { 'class': 'who' }, (who ? who + ' · ' : '') + clock(m.at));
    li.appendChild(head);
    li.appendChild(el('span', { 'class': 'body' }, m.text));
    $('agent-log').appendChild(li);
    if (m.author === 'bot' && votes[m.seq] != null) { markVote(m.seq, votes[m.seq]); }
    $('agent-log').scrollTop = $('agent-log').scrollHeight;
    if (m.author === 'customer') { send({ type: 'read', conversation_id: current, seq: m.seq }); }
  }

  // markVote shows the customer's vote beside the bot answer seq.
  function markVote(seq, helpful) {
    votes[seq] = helpful;
    var li = $('agent-log').querySelector('li.bot[data-seq="' + seq + '"]');
    if (!li) { return; }
    var v = li.querySelector('.vote-mark') || li.appendChild(el('span'));
    v.className = 'vote-mark ' + (helpful ? 'helpful' : 'not-helpful');
    v.textContent = 'Customer voted: ' + (helpful ? 'helpful' : 'not helpful');
  }

  function renderCustomer(f) {
    var body = $('cust-body');
    body.textContent = '';
    currentName = f.customer ? (f.customer.name || f.customer.email) : 'Guest';
    $('chat-h').textContent = 'Chat with ' + currentName;
    setState(f.state);
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
      var ul = el('ul', { 'class': 'list', id: 'cust-orders' });
      if (!f.orders.length) { ul.appendChild(el('li', { 'class': 'empty' }, 'No orders.')); }
      f.orders.forEach(function (o) {
        var li = el('li');
        if (o.url) { li.appendChild(el('a', { href: o.url }, o.number)); } else { li.appendChild(document.createTextNode(o.number)); }
        li.appendChild(document.createTextNode(' · ' + o.status + ' · ' + o.total + ' · ' + o.placed));
        ul.appendChild(li);
      });
      body.appendChild(ul);
      body.appendChild(el('h3', null, 'Parcels'));
      var pl = el('ul', { 'class': 'list', id: 'cust-parcels' });
      if (!(f.parcels || []).length) { pl.appendChild(el('li', { 'class': 'empty' }, 'No parcels.')); }
      (f.parcels || []).forEach(function (p) {
        var li = el('li');
        li.appendChild(el('a', { href: p.url }, p.carrier + ' ' + p.tracking_number));
        li.appendChild(document.createTextNode(' · ' + p.status + (p.eta ? ' · expected ' + p.eta : '')));
        if (p.order) {
          li.appendChild(document.createTextNode(' · order '));
          li.appendChild(p.order_url ? el('a', { href: p.order_url }, p.order) : document.createTextNode(p.order));
        }
        pl.appendChild(li);
      });
      body.appendChild(pl);
      body.appendChild(el('h3', null, 'Invoices'));
      var il = el('ul', { 'class': 'list', id: 'cust-invoices' });
      if (!(f.invoices || []).length) { il.appendChild(el('li', { 'class': 'empty' }, 'No invoices.')); }
      (f.invoices || []).forEach(function (i) {
        var li = el('li');
        li.appendChild(i.url ? el('a', { href: i.url }, i.number) : document.createTextNode(i.number));
        li.appendChild(document.createTextNode(' · ' + i.status + ' · ' + i.total));
        il.appendChild(li);
      });
      body.appendChild(il);
      body.appendChild(el('h3', null, 'Returns'));
      var rl = el('ul', { 'class': 'list', id: 'cust-returns' });
      if (!(f.returns || []).length) { rl.appendChild(el('li', { 'class': 'empty' }, 'No returns.')); }
      (f.returns || []).forEach(function (r) {
        var li = el('li');
        li.appendChild(el('a', { href: r.url }, r.kind + ' ' + r.number));
        li.appendChild(document.createTextNode(' · ' + r.status + ' · order ' + r.order));
        rl.appendChild(li);
      });
      body.appendChild(rl);
      if (f.cases.length) {
        body.appendChild(el('h3', null, 'Cases'));
        var cl = el('ul', { 'class': 'list' });
        f.cases.forEach(function (c) {
          var li = el('li');
          li.appendChild(c.url ? el('a', { href: c.url }, c.number) : document.createTextNode(c.number));
          li.appendChild(document.createTextNode(' · ' + c.status));
          cl.appendChild(li);
        });
        body.appendChild(cl);
      }
      section(body, 'Past chats', f.chats, 'No other chats.', function (c) {
        return c.date + ' · ' + (c.subject || 'chat') + (c.rating ? ' · rated ' + c.rating + '/5' + (c.comment ? ': “' + c.comment + '”' : '') : '') +
          (c.helpful || c.not_helpful ? ' · bot answers: ' + (c.helpful || 0) + ' helpful, ' + (c.not_helpful || 0) + ' not helpful' : '');
      });
      // The customer's pages open beside the console, so the chat stays
      // connected while the agent reads an order or a parcel.
      Array.prototype.forEach.call(body.querySelectorAll('a[href]'), function (a) {
        a.target = '_blank';
        a.rel = 'noopener';
        a.appendChild(el('span', { 'class': 'sr-only' }, ' (opens in a new tab)'));
      });
    } else {
      body.appendChild(el('p', null, 'Guest (not signed in).'));
    }
    renderTransfer(f.agents);
    setState(f.state);
    var cn = $('agent-canned');
    cn.textContent = '';
    cn.appendChild(el('option', { value: '' }, 'Choose…'));
    canned = f.canned || [];
    var first = f.customer && f.customer.name ? f.customer.name.split(' ')[0] : '';
    fill = {
      'customer.first_name': first || 'there',
      'customer.name': f.customer ? (f.customer.name || f.customer.email) : 'there',
      'order.number': f.orders && f.orders.length ? f.orders[0].number : 'your order',
      'agent.name': me
    };
    canned.forEach(function (c) { cn.appendChild(el('option', { value: c.shortcut }, '/' + c.shortcut + ': ' + c.text)); });
  }

  // renderTransfer fills the transfer list with the agents available now
  // (from the open chat's panel, then from every queue: presence changes
  // send the queue again), keeping the one chosen if still there.
  function renderTransfer(agents) {
    agents = agents || [];
    var tr = $('agent-transfer'), chosen = tr.value;
    tr.textContent = '';
    if (!agents.length) { tr.appendChild(el('option', { value: '' }, 'Nobody else is available')); }
    agents.forEach(function (a) { tr.appendChild(el('option', { value: String(a.id) }, a.name)); });
    if (chosen && agents.some(function (a) { return String(a.id) === chosen; })) { tr.value = chosen; }
    canTransfer = agents.length > 0;
    if (currentState) { setState(currentState); }
  }

  function section(body, title, items, empty, text) {
    body.appendChild(el('h3', null, title));
    var ul = el('ul', { 'class': 'list' });
    if (!items || !items.length) { ul.appendChild(el('li', { 'class': 'empty' }, empty)); }
    (items || []).forEach(function (it) {
      var li = el('li');
      li.appendChild(it.url ? el('a', { href: it.url }, text(it)) : document.createTextNode(text(it)));
      ul.appendChild(li);
    });
    body.appendChild(ul);
  }

  function handle(f) {
    switch (f.type) {
      case 'welcome': me = f.agent_name || ''; break;
      case 'queue':
        renderQueue(f);
        if (current && f.agents) { renderTransfer(f.agents); }
        break;
      case 'claimed': open(f.conversation_id, customerOf(f.conversation_id)); break;
      case 'assigned':
        alertText((f.agent_name || 'Someone') + ' transferred a chat to you.');
        notify('A chat was transferred to you', 'From ' + (f.agent_name || 'another agent'));
        break;
      case 'taken':
        alertText(f.agent_name + ' took over one of your chats.');
        if (f.conversation_id === current) { showError(f.agent_name + ' took over this chat: you can no longer reply.'); setState('closed'); $('chat-state').textContent = 'Taken over by ' + f.agent_name; }
        break;
      case 'conversation': if (f.conversation_id === current) { renderCustomer(f); } break;
      case 'message': addMessage(f); break;
      case 'votes':
        if (f.conversation_id === current) { Object.keys(f.votes || {}).forEach(function (seq) { markVote(+seq, f.votes[seq]); }); }
        break;
      case 'voted': if (f.conversation_id === current) { markVote(f.seq, f.helpful); } break;
      case 'rated':
        // The customer rated the chat (live, from any node).
        if (f.conversation_id === current) {
          var r = $('chat-rating');
          r.textContent = 'Customer rated this chat ' + f.rating + '/5' + (f.comment ? ': “' + f.comment + '”' : '.');
          r.hidden = false;
        }
        break;
      case 'alert':
        showCaseAlerts(f.unread || 0);
        if (f.text) { alertText(f.text); notify('Case alert', f.text); }
        break;
      case 'ack': pending = pending.filter(function (p) { return p.id !== f.id; }); break;
      case 'state':
        if (f.conversation_id === current) { setState(f.state); }
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
      case 'error':
        pending = pending.filter(function (p) { return p.id !== f.id; });
        if (current) { showError(f.message || 'That did not work.'); } else { alertText(f.message || 'That did not work.'); }
        break;
    }
  }

  document.addEventListener('DOMContentLoaded', function () {
    if (!$('agent-console')) { return; }
    $('agent-status').addEventListener('change', function () { status = this.value; send({ type: 'status', status: status }); });
    [['alert-title', 'title', true], ['alert-sound', 'sound', true], ['alert-desktop', 'desktop', false]].forEach(function (p) {
      var box = $(p[0]);
      box.checked = pref(p[1], p[2]);
      box.addEventListener('change', function () {
        savePref(p[1], box.checked);
        if (p[1] === 'desktop' && box.checked && window.Notification && Notification.permission === 'default') {
          Notification.requestPermission().then(function (r) { if (r !== 'granted') { box.checked = false; savePref('desktop', false); } });
        }
        updateTitle();
      });
    });
    $('agent-text').addEventListener('keydown', function (ev) {
      // "/shortcut" then Tab (or Enter) puts the quick reply in.
      var m = /^\/([a-z0-9-]+)$/.exec(this.value.trim());
      if (m && (ev.key === 'Tab' || ev.key === 'Enter') && !ev.shiftKey) {
        var t = expand(m[1]);
        if (t) { ev.preventDefault(); this.value = t; return; }
      }
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); $('agent-form').requestSubmit ? $('agent-form').requestSubmit() : $('agent-send').click(); }
    });
    document.addEventListener('keydown', function (ev) {
      if (ev.altKey && (ev.key === 'c' || ev.key === 'C') && lastQueue && lastQueue.queued.length) {
        ev.preventDefault();
        send({ type: 'claim', conversation_id: lastQueue.queued[0].conversation_id });
      }
    });
    $('agent-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      showError('');
      if (currentState === 'closed') { showError('This chat has ended.'); return; }
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
    $('agent-canned').addEventListener('change', function () {
      var t = this.value && expand(this.value);
      if (t) { $('agent-text').value = t; $('agent-text').focus(); }
      this.value = '';
    });
    $('agent-release').addEventListener('click', function () { send({ type: 'release', conversation_id: current }); });
    $('agent-end').addEventListener('click', function () { send({ type: 'end', conversation_id: current }); });
    // A chat that needs follow-up becomes a case, assigned to this agent.
    $('agent-tocase').addEventListener('click', function () {
      if (!current) return;
      var f = $('agent-tocase-form');
      f.action = '/agent/chats/' + current + '/case';
      f.submit();
    });
    $('agent-transfer-go').addEventListener('click', function () {
      send({ type: 'transfer', conversation_id: current, agent_id: +$('agent-transfer').value });
    });
    connect();
  });
  function customerOf(id) {
    var all = lastQueue ? lastQueue.queued.concat(lastQueue.mine, lastQueue.others || []) : [];
    for (var i = 0; i < all.length; i++) { if (all[i].conversation_id === id) { return all[i].customer; } }
    return '';
  }
})();
