// Frontdesk chat widget: a launcher on every page (or inline on /chat).
// Speaks the protocol in docs/chat-protocol.md over /ws/chat: resumes by
// the last sequence seen, queues sends while offline and resends them with
// the same client ids, so nothing is lost and nothing is doubled.
(function () {
  'use strict';

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
  function load(key, def) {
    try { var v = localStorage.getItem(key); return v ? JSON.parse(v) : def; } catch (e) { return def; }
  }
  function save(key, v) { try { localStorage.setItem(key, JSON.stringify(v)); } catch (e) { /* private mode */ } }

  function Chat(root, floating, question) {
    this.root = root;
    this.floating = floating;
    this.conv = 0;
    this.lastSeq = 0;
    this.pending = load('fd_chat_pending', []); // [{id, text}] not yet acknowledged
    this.ws = null;
    this.attempt = 0;
    this.timer = null;
    this.started = false;
    // active: this visitor has a conversation going (kept across pages, so
    // that its messages keep arriving while the panel is closed).
    this.active = load('fd_chat_active', false);
    this.build(question);
  }

  Chat.prototype.build = function (question) {
    var self = this;
    var box = el('section', { 'class': 'fd-chat' + (this.floating ? ' floating' : ''), id: 'fd-chat', 'aria-labelledby': 'fd-chat-title' });
    var head = el('div', { 'class': 'fd-chat-head' });
    head.appendChild(el('h2', { id: 'fd-chat-title' }, 'Chat with us'));
    this.connEl = el('span', { 'class': 'fd-conn', id: 'fd-conn', role: 'status' }, 'Not connected');
    head.appendChild(this.connEl);
    if (this.floating) {
      var close = el('button', { type: 'button', 'class': 'secondary small', id: 'fd-close' }, 'Close');
      close.addEventListener('click', function () { self.toggle(false); });
      head.appendChild(close);
    }
    box.appendChild(head);
    this.stateEl = el('p', { 'class': 'muted typing', id: 'fd-state', 'aria-live': 'polite' }, '');
    box.appendChild(this.stateEl);
    this.log = el('ol', { 'class': 'chat-log', id: 'fd-log', 'aria-live': 'polite', 'aria-label': 'Chat messages', tabindex: '0' });
    box.appendChild(this.log);
    this.typingEl = el('p', { 'class': 'typing muted', id: 'fd-typing', 'aria-live': 'polite' }, '');
    box.appendChild(this.typingEl);
    this.extra = el('div', { 'class': 'fd-extra', id: 'fd-extra' });
    box.appendChild(this.extra);
    var form = el('form', { 'class': 'chat-form', id: 'fd-form' });
    form.appendChild(el('label', { 'for': 'fd-text', 'class': 'sr-only' }, 'Your message'));
    this.text = el('textarea', { id: 'fd-text', rows: '2', maxlength: '4000', placeholder: 'Ask a question…' });
    if (question) { this.text.value = question; }
    form.appendChild(this.text);
    var actions = el('div', { 'class': 'chat-actions' });
    actions.appendChild(el('button', { type: 'submit', id: 'fd-send' }, 'Send'));
    var person = el('button', { type: 'button', 'class': 'secondary', id: 'fd-person' }, 'Talk to a person');
    person.addEventListener('click', function () { self.frame({ type: 'handoff' }); });
    actions.appendChild(person);
    form.appendChild(actions);
    form.addEventListener('submit', function (ev) { ev.preventDefault(); self.submit(); });
    this.text.addEventListener('keydown', function (ev) {
      if (ev.key === 'Enter' && !ev.shiftKey) { ev.preventDefault(); self.submit(); }
    });
    var lastTyping = 0;
    this.text.addEventListener('input', function () {
      var now = Date.now();
      if (now - lastTyping > 2000) { lastTyping = now; self.frame({ type: 'typing' }); }
    });
    box.appendChild(form);
    this.box = box;
    if (this.floating) {
      box.hidden = true;
      box.addEventListener('keydown', function (ev) {
        if (ev.key === 'Escape') { ev.preventDefault(); self.toggle(false); }
      });
      this.launch = el('button', { type: 'button', 'class': 'fd-launch', id: 'fd-launch', 'aria-expanded': 'false', 'aria-controls': 'fd-chat' }, 'Chat with us');
      this.launch.addEventListener('click', function () { self.toggle(box.hidden); });
      this.root.appendChild(this.launch);
    }
    this.root.appendChild(box);
    this.pending.forEach(function (p) { self.showPending(p); });
    window.addEventListener('online', function () { if (self.started) { self.reconnectNow(); } });
  };

  Chat.prototype.toggle = function (open) {
    this.box.hidden = !open;
    if (this.launch) {
      this.launch.setAttribute('aria-expanded', open ? 'true' : 'false');
      this.launch.hidden = open;
    }
    try { sessionStorage.setItem('fd_chat_open', open ? '1' : '0'); } catch (e) { /* ignore */ }
    if (open) {
      this.unread(false);
      this.start();
      this.text.focus();
    } else {
      if (this.launch) { this.launch.focus(); }
      if (!this.needed()) { this.stop(); }
    }
  };

  // needed says whether the widget should hold a socket: while the panel is
  // open, while the visitor has a conversation going, or while a message
  // waits to be sent. Otherwise a page view costs the server no socket.
  Chat.prototype.needed = function () {
    return !this.floating || !this.box.hidden || this.active || this.pending.length > 0;
  };

  // setActive records whether a conversation is going; a closed panel with
  // none lets its socket go.
  Chat.prototype.setActive = function (active) {
    if (active !== this.active) {
      this.active = active;
      save('fd_chat_active', active);
    }
    if (!this.needed()) { this.stop(); }
  };

  // stop closes the socket and stops reconnecting, until start.
  Chat.prototype.stop = function () {
    if (!this.started) { return; }
    this.started = false;
    clearTimeout(this.timer);
    this.attempt = 0;
    var ws = this.ws;
    this.ws = null;
    if (ws) { try { ws.close(1000); } catch (e) { /* closing */ } }
    this.setConn('Not connected', false);
  };

  // unread marks the launcher while messages came with the panel closed.
  Chat.prototype.unread = function (on) {
    if (!this.launch) { return; }
    this.launch.classList.toggle('fd-unread', on);
    this.launch.textContent = on ? 'Chat with us (new message)' : 'Chat with us';
  };

  Chat.prototype.start = function () {
    if (this.started) { return; }
    this.started = true;
    var self = this;
    fetch('/chat/visitor', { credentials: 'same-origin' }).then(function () { self.connect(); }, function () { self.retry(); });
  };

  Chat.prototype.setConn = function (text, offline) {
    this.connEl.textContent = text;
    this.connEl.className = 'fd-conn' + (offline ? ' offline' : '');
  };

  Chat.prototype.connect = function () {
    var self = this;
    this.setConn(this.attempt ? 'Reconnecting…' : 'Connecting…', false);
    var ws;
    try { ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/chat'); } catch (e) { this.retry(); return; }
    this.ws = ws;
    ws.onopen = function () {
      self.attempt = 0;
      self.setConn('Connected', false);
      ws.send(JSON.stringify({ type: 'hello', conversation_id: self.conv, last_seq: self.lastSeq }));
    };
    ws.onmessage = function (ev) {
      var f;
      try { f = JSON.parse(ev.data); } catch (e) { return; }
      self.handle(f);
    };
    ws.onclose = function () {
      if (self.ws === ws) { self.ws = null; if (self.started) { self.retry(); } }
    };
    ws.onerror = function () { try { ws.close(); } catch (e) { /* closing */ } };
  };

  Chat.prototype.retry = function () {
    var self = this;
    clearTimeout(this.timer);
    var delay = Math.min(15000, 500 * Math.pow(2, this.attempt)) * (0.75 + Math.random() / 2);
    this.attempt++;
    this.setConn('Offline. Reconnecting in ' + Math.ceil(delay / 1000) + ' s…', true);
    this.timer = setTimeout(function () { self.connect(); }, delay);
  };

  Chat.prototype.reconnectNow = function () {
    if (this.ws) { return; }
    clearTimeout(this.timer);
    this.connect();
  };

  // frame sends a best-effort frame now, if connected.
  Chat.prototype.frame = function (f) {
    if (this.ws && this.ws.readyState === 1) { this.ws.send(JSON.stringify(f)); return true; }
    return false;
  };

  Chat.prototype.submit = function () {
    var text = this.text.value.trim();
    if (!text) { return; }
    this.text.value = '';
    var p = { id: uid(), text: text };
    this.pending.push(p);
    save('fd_chat_pending', this.pending);
    this.showPending(p);
    this.frame({ type: 'send', id: p.id, text: p.text });
    this.start();
  };

  Chat.prototype.showPending = function (p) {
    var li = el('li', { 'class': 'msg customer pending', 'data-client-id': p.id });
    li.appendChild(el('span', { 'class': 'who' }, 'You · sending…'));
    li.appendChild(document.createTextNode(p.text));
    this.log.appendChild(li);
    this.scroll();
  };

  Chat.prototype.scroll = function () { this.log.scrollTop = this.log.scrollHeight; };

  Chat.prototype.handle = function (f) {
    var self = this;
    switch (f.type) {
      case 'welcome':
        if (f.conversation_id && f.conversation_id !== this.conv) {
          this.conv = f.conversation_id;
          this.lastSeq = 0;
          Array.prototype.slice.call(this.log.querySelectorAll('li:not(.pending)')).forEach(function (li) { li.remove(); });
        }
        this.showState(f);
        this.pending.forEach(function (p) { self.frame({ type: 'send', id: p.id, text: p.text }); });
        this.setActive(!!f.conversation_id && f.state !== 'closed');
        break;
      case 'started':
        // Another tab of this visitor started a conversation: follow it.
        if (f.conversation_id !== this.conv) {
          this.conv = f.conversation_id;
          this.lastSeq = 0;
          Array.prototype.slice.call(this.log.querySelectorAll('li:not(.pending)')).forEach(function (li) { li.remove(); });
        }
        this.showState(f);
        this.setActive(f.state !== 'closed');
        break;
      case 'message':
        // The agent's message ends their typing.
        if (f.author === 'agent') { clearTimeout(this.typingTimer); this.typingEl.textContent = ''; }
        this.addMessage(f);
        break;
      case 'ack':
        this.pending = this.pending.filter(function (p) { return p.id !== f.id; });
        save('fd_chat_pending', this.pending);
        if (f.conversation_id && f.conversation_id !== this.conv) { this.conv = f.conversation_id; }
        this.setActive(true);
        break;
      case 'state':
        this.showState(f);
        if (f.state === 'closed') { clearTimeout(this.typingTimer); this.typingEl.textContent = ''; }
        if (f.conversation_id === this.conv) { this.setActive(f.state !== 'closed'); }
        break;
      case 'typing':
        if (f.author === 'agent') {
          this.typingEl.textContent = 'The agent is typing…';
          clearTimeout(this.typingTimer);
          this.typingTimer = setTimeout(function () { self.typingEl.textContent = ''; }, 4000);
        }
        break;
      case 'read':
        if (f.author === 'agent') {
          Array.prototype.slice.call(this.log.querySelectorAll('li.customer')).forEach(function (li) {
            if (+li.getAttribute('data-seq') <= f.seq && !li.querySelector('.seen')) { li.appendChild(el('span', { 'class': 'seen' }, 'Seen')); }
          });
        }
        break;
      case 'partial': this.partial(f); break;
      case 'case':
        this.extra.textContent = '';
        this.extra.appendChild(el('p', { role: 'status' }, 'Thank you. Your case number is ' + f.number + '.'));
        break;
      case 'voted':
        // With an id: the answer to this tab's vote (thank); without: the
        // vote as every tab of the chat hears it.
        if (f.conversation_id === this.conv) { this.markVote(f.seq, f.helpful, !!f.id); }
        break;
      case 'votes':
        if (f.conversation_id === this.conv && f.votes) {
          Object.keys(f.votes).forEach(function (seq) { self.markVote(+seq, f.votes[seq], false); });
        }
        break;
      case 'rated':
        // With an id: the answer to this tab's rating (thank); without:
        // the rating as every tab of the chat hears it, this one's too.
        if (f.id) {
          this.ratedHere = f.conversation_id;
        } else if (f.conversation_id === this.ratedHere) {
          break;
        }
        this.extra.textContent = '';
        this.extra.appendChild(el('p', { role: 'status' }, f.id ? 'Thank you for your rating.' : 'You rated this chat ' + f.rating + ' out of 5.'));
        break;
      case 'error':
        this.stateEl.textContent = f.message || 'Something went wrong.';
        if (f.code === 'rate_limited' && f.id) { /* stays pending; resent on reconnect */ }
        break;
    }
  };

  Chat.prototype.showState = function (f) {
    var s = '';
    if (f.state === 'queued') { s = 'Waiting for a person' + (f.queue_position ? ': you are number ' + f.queue_position + ' in the queue.' : '.'); }
    if (f.state === 'agent') { s = 'You are chatting with ' + (f.agent_name || 'an agent') + '.'; this.agentName = f.agent_name || ''; }
    if (f.state === 'closed') { s = 'This chat has ended.'; }
    if (f.state === 'bot') { s = 'Our assistant answers from our help articles.'; }
    if (f.type === 'welcome' && f.staffed === false && (!f.state || f.state === 'bot')) {
      s += (s ? ' ' : '') + (f.reason === 'closed' ? 'Our team is offline right now.' : 'No one is available right now.');
    }
    this.stateEl.textContent = s;
  };

  Chat.prototype.partial = function (f) {
    var li = this.log.querySelector('li[data-stream="' + f.stream + '"]');
    if (!li) {
      li = el('li', { 'class': 'msg bot streaming', 'data-stream': f.stream });
      li.appendChild(el('span', { 'class': 'who' }, 'Assistant'));
      li.appendChild(el('span', { 'class': 'body' }, ''));
      this.log.appendChild(li);
    }
    li.querySelector('.body').textContent += f.text;
    this.scroll();
  };

  var names = { customer: 'You', bot: 'Assistant', agent: 'Agent', system: '' };

  Chat.prototype.addMessage = function (m) {
    if (m.conversation_id !== this.conv) {
      this.conv = m.conversation_id;
      this.lastSeq = 0;
    }
    if (m.seq <= this.lastSeq) { return; }
    this.lastSeq = m.seq;
    var self = this;
    if (m.author === 'bot') {
      Array.prototype.slice.call(this.log.querySelectorAll('li.streaming')).forEach(function (li) { li.remove(); });
    }
    if (m.id) {
      var p = this.log.querySelector('li.pending[data-client-id="' + m.id + '"]');
      if (p) { p.remove(); }
    }
    var li = el('li', { 'class': 'msg ' + m.author, 'data-seq': String(m.seq) });
    var who = names[m.author];
    if (m.author === 'agent' && this.agentName) { who = this.agentName; }
    var at = m.at ? new Date(m.at) : null;
    var time = at && !isNaN(at) ? at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '';
    if (who || time) { li.appendChild(el('span', { 'class': 'who' }, (who ? who + (time ? ' · ' : '') : '') + time)); }
    li.appendChild(el('span', { 'class': 'body' }, m.text));
    var meta = m.meta || {};
    if (meta.links && meta.links.length) {
      var ul = el('ul', { 'class': 'links', 'aria-label': 'Sources' });
      meta.links.forEach(function (l) {
        var a = el('a', { href: l.url }, l.title);
        var item = el('li');
        item.appendChild(a);
        ul.appendChild(item);
      });
      li.appendChild(ul);
    }
    // A bot answer (not an offer of a person) can be voted on: the
    // support report counts only chats whose answers helped.
    if (m.author === 'bot' && !meta.offer) { li.appendChild(this.voteButtons(m.seq)); }
    this.log.appendChild(li);
    if (m.author === 'agent' && !this.box.hidden) { this.frame({ type: 'read', seq: m.seq }); }
    if (this.box.hidden && m.author !== 'customer') { this.unread(true); }
    if (meta.offer) { this.offer(meta.offer, m.seq); }
    this.scroll();
    // Offers from older messages are replaced by newer ones.
    if (!meta.offer && m.author !== 'customer') { this.extra.textContent = ''; }
    void self;
  };

  // voteButtons: "Helpful? Yes / No" under the answer seq.
  Chat.prototype.voteButtons = function (seq) {
    var self = this;
    var g = el('div', { 'class': 'vote', role: 'group', 'aria-label': 'Was this answer helpful?' });
    g.appendChild(el('span', { 'aria-hidden': 'true' }, 'Helpful?'));
    [['Yes', true], ['No', false]].forEach(function (b) {
      var btn = el('button', { type: 'button', 'class': 'small secondary', 'aria-pressed': 'false', 'data-helpful': String(b[1]) }, b[0]);
      btn.addEventListener('click', function () {
        self.frame({ type: 'vote', id: uid(), conversation_id: self.conv, seq: seq, helpful: b[1] });
      });
      g.appendChild(btn);
    });
    g.appendChild(el('span', { 'class': 'vote-thanks', role: 'status' }));
    return g;
  };

  // markVote shows the vote on answer seq as pressed (thank: say thanks).
  Chat.prototype.markVote = function (seq, helpful, thank) {
    var li = this.log.querySelector('li[data-seq="' + seq + '"]');
    var g = li && li.querySelector('.vote');
    if (!g) { return; }
    Array.prototype.slice.call(g.querySelectorAll('button')).forEach(function (b) {
      b.setAttribute('aria-pressed', String(b.getAttribute('data-helpful') === String(helpful)));
    });
    if (thank) {
      g.querySelector('.vote-thanks').textContent = helpful ? 'Thanks!' : 'Thanks. You can ask for a person.';
    }
  };

  Chat.prototype.offer = function (kind, seq) {
    var self = this;
    this.extra.textContent = '';
    if (kind === 'person') {
      var b = el('button', { type: 'button', 'class': 'secondary', id: 'fd-offer-person' }, 'Talk to a person');
      b.addEventListener('click', function () { self.frame({ type: 'handoff' }); });
      this.extra.appendChild(b);
    }
    if (kind === 'leave_message') {
      var f = el('form', { id: 'fd-leave', 'aria-label': 'Leave a message' });
      f.appendChild(el('label', { 'for': 'fd-leave-email' }, 'Your email'));
      f.appendChild(el('input', { id: 'fd-leave-email', type: 'email', required: '', autocomplete: 'email' }));
      f.appendChild(el('label', { 'for': 'fd-leave-name' }, 'Your name (optional)'));
      f.appendChild(el('input', { id: 'fd-leave-name', autocomplete: 'name' }));
      f.appendChild(el('label', { 'for': 'fd-leave-text' }, 'Your message'));
      f.appendChild(el('textarea', { id: 'fd-leave-text', rows: '3', required: '' }));
      f.appendChild(el('button', { type: 'submit', id: 'fd-leave-send' }, 'Leave message'));
      f.addEventListener('submit', function (ev) {
        ev.preventDefault();
        self.frame({ type: 'leave_message', id: uid(), email: f.querySelector('#fd-leave-email').value, name: f.querySelector('#fd-leave-name').value, text: f.querySelector('#fd-leave-text').value });
      });
      this.extra.appendChild(f);
    }
    if (kind === 'rating') {
      var r = el('form', { id: 'fd-rate', 'aria-label': 'Rate this chat' });
      var fs = el('fieldset', { 'class': 'rating' });
      fs.appendChild(el('legend', null, 'How did we do? (1 = poor, 5 = great)'));
      for (var i = 1; i <= 5; i++) {
        var lab = el('label', { 'class': 'check' });
        lab.appendChild(el('input', { type: 'radio', name: 'fd-rating', value: String(i), required: '' }));
        lab.appendChild(document.createTextNode(' ' + i));
        fs.appendChild(lab);
      }
      r.appendChild(fs);
      r.appendChild(el('label', { 'for': 'fd-rate-comment' }, 'Comment (optional)'));
      r.appendChild(el('textarea', { id: 'fd-rate-comment', rows: '2' }));
      r.appendChild(el('button', { type: 'submit', id: 'fd-rate-send' }, 'Send rating'));
      r.addEventListener('submit', function (ev) {
        ev.preventDefault();
        var c = r.querySelector('input[name="fd-rating"]:checked');
        self.frame({ type: 'rate', id: uid(), conversation_id: self.conv, rating: c ? +c.value : 0, comment: r.querySelector('#fd-rate-comment').value });
      });
      this.extra.appendChild(r);
    }
    void seq;
  };

  // Signing out: what this browser kept for the chat (unsent messages, the
  // open panel) must not pass to the next person using it.
  document.addEventListener('submit', function (ev) {
    var action = ev.target && ev.target.getAttribute && ev.target.getAttribute('action');
    if (action === '/logout') {
      try {
        localStorage.removeItem('fd_chat_pending');
        localStorage.removeItem('fd_chat_active');
        sessionStorage.removeItem('fd_chat_open');
      } catch (e) { /* private mode */ }
    }
  }, true);

  document.addEventListener('DOMContentLoaded', function () {
    var inline = document.getElementById('chat-standalone');
    if (inline) {
      var c = new Chat(inline, false, inline.getAttribute('data-question'));
      c.start();
      window.fdChat = c;
      return;
    }
    var host = el('div', { id: 'fd-chat-host' });
    document.body.appendChild(host);
    var w = new Chat(host, true, '');
    window.fdChat = w;
    var open = false;
    try { open = sessionStorage.getItem('fd_chat_open') === '1'; } catch (e) { /* ignore */ }
    if (open) {
      w.toggle(true);
    } else if (w.needed()) {
      // A conversation going: follow it with the panel closed.
      w.start();
    }
  });
})();
