// Frontdesk configurator: updates option states, reasons and the price in
// place through the JSON API as the customer chooses. The page works
// without it (the form reloads with the choices in the query).
const root = document.getElementById('configurator');
if (root) { init(root); }

function init(root) {
  const slug = root.dataset.product;
  const version = Number(root.dataset.version);
  let choices = JSON.parse(root.dataset.choices || '[]');
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
  const form = document.getElementById('cfg-form');
  const status = document.getElementById('cfg-status');
  const dialog = document.getElementById('cfg-repair');
  let seq = 0;
  let pending = null; // the repair offered in the dialog

  const say = (msg) => { status.textContent = msg || ''; };

  async function api(action, body) {
    const res = await fetch('/api/v1/configurator/' + encodeURIComponent(slug) + '/' + action, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(Object.assign({ version: version, choices: choices }, body)),
    });
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (!res.ok) {
      const err = new Error((data && data.error && data.error.message) || 'Something went wrong. Please try again.');
      err.code = data && data.error && data.error.code;
      throw err;
    }
    return data;
  }

  function box(id) { return document.getElementById('opt-' + id); }

  function apply(state) {
    choices = state.choices || [];
    let newlyOff = 0;
    for (const o of state.options) {
      const input = box(o.id);
      if (!input) { continue; }
      const wrap = input.closest('.opt');
      const wasOff = wrap.classList.contains('off');
      const off = !o.available;
      const forced = !!o.forced && !o.chosen;
      input.checked = !!(o.chosen || o.forced);
      if (off || forced) { input.setAttribute('aria-disabled', 'true'); } else { input.removeAttribute('aria-disabled'); }
      wrap.classList.toggle('on', input.checked);
      wrap.classList.toggle('off', off);
      wrap.classList.toggle('forced', forced);
      if (off && !wasOff) { newlyOff++; }
      document.getElementById('why-' + o.id).textContent = (off || forced) ? (o.reason || '') : '';
    }
    document.getElementById('cfg-total').textContent = state.total;
    const lines = document.getElementById('cfg-lines');
    lines.replaceChildren(line('Base price', state.base), ...state.lines.map((l) => line(l.label, l.amount)));
    const hidden = document.getElementById('cfg-quote-choices');
    if (hidden) { hidden.value = JSON.stringify(choices); }
    const q = choices.map((c) => (c.exclude ? 'x=' : 'o=') + encodeURIComponent(c.option)).join('&');
    history.replaceState(null, '', location.pathname + (q ? '?' + q : ''));
    return newlyOff;
  }

  function line(label, amount) {
    const li = document.createElement('li');
    const a = document.createElement('span');
    const b = document.createElement('span');
    a.textContent = label;
    b.textContent = amount;
    li.append(a, ' ', b);
    return li;
  }

  async function update(next, msg) {
    const my = ++seq;
    try {
      const state = await api('evaluate', { choices: next });
      if (my !== seq) { return; }
      const off = apply(state);
      say(msg || (off ? off + (off === 1 ? ' option is' : ' options are') + ' no longer available; each says why.' : ''));
    } catch (err) {
      if (my === seq) { say(err.message); }
    }
  }

  // insist asks for the smallest change that allows want; changes inside
  // the same group (switching a radio) apply at once, others are offered.
  async function insist(want, input) {
    const my = ++seq;
    let r;
    try {
      r = await api('repair', { want: want });
    } catch (err) {
      if (my === seq) { say(err.message); }
      return;
    }
    if (my !== seq) { return; }
    const group = input.closest('fieldset');
    const local = r.drop.every((d) => {
      const other = box(d.option);
      return group && other && group.contains(other) && input.type === 'radio';
    });
    if (local) {
      update(r.choices, (want.exclude ? 'Removed ' : 'Chose ') + r.name + '.');
      return;
    }
    pending = r;
    const verb = want.exclude ? 'To leave out ' : 'To choose ';
    document.getElementById('cfg-repair-text').textContent = verb + r.name + ', these earlier choices have to change:';
    const ul = document.getElementById('cfg-repair-drop');
    ul.replaceChildren(...r.drop.map((d) => {
      const li = document.createElement('li');
      li.textContent = (d.exclude ? 'Allow ' : 'Remove ') + d.name;
      return li;
    }));
    document.getElementById('cfg-repair-reason').textContent = r.reason || '';
    document.getElementById('cfg-repair-apply').textContent = (want.exclude ? 'Change them and leave out ' : 'Change them and choose ') + r.name;
    if (typeof dialog.showModal === 'function') { dialog.showModal(); } else { dialog.setAttribute('open', ''); }
  }

  function closeDialog() {
    if (typeof dialog.close === 'function') { dialog.close(); } else { dialog.removeAttribute('open'); }
  }

  document.getElementById('cfg-repair-apply').addEventListener('click', () => {
    const r = pending;
    pending = null;
    closeDialog();
    if (r) { update(r.choices, 'Changed ' + r.drop.map((d) => d.name).join(', ') + ' so that ' + r.name + ' fits.'); }
  });
  document.getElementById('cfg-repair-cancel').addEventListener('click', () => {
    pending = null;
    closeDialog();
    say('Kept your choices.');
  });

  form.addEventListener('click', (ev) => {
    const input = ev.target.closest('input[id^="opt-"]');
    if (!input) { return; }
    const id = input.value;
    const wrap = input.closest('.opt');
    if (wrap.classList.contains('off')) {
      ev.preventDefault();
      insist({ option: id }, input);
      return;
    }
    if (wrap.classList.contains('forced')) {
      ev.preventDefault();
      if (input.type === 'checkbox') { insist({ option: id, exclude: true }, input); }
      return;
    }
    let next = choices.filter((c) => c.option !== id);
    if (input.type === 'radio') {
      const siblings = form.querySelectorAll('input[name="' + CSS.escape(input.name) + '"]');
      const ids = new Set(Array.from(siblings, (s) => s.value));
      next = next.filter((c) => c.exclude || !ids.has(c.option) || c.option === id);
      next.push({ option: id });
    } else if (input.checked) {
      next.push({ option: id });
    }
    update(next);
  });
  form.addEventListener('submit', (ev) => { ev.preventDefault(); });

  document.getElementById('cfg-complete').addEventListener('click', () => complete(false));
  document.getElementById('cfg-defaults').addEventListener('click', () => complete(true));
  document.getElementById('cfg-reset').addEventListener('click', () => update([], 'Started over.'));

  async function complete(useDefaults) {
    const my = ++seq;
    say('Completing…');
    try {
      const state = await api('complete', { use_defaults: useDefaults });
      if (my !== seq) { return; }
      apply(state);
      say(useDefaults ? 'Completed with our recommendations, then the lowest price.' : 'Completed with the lowest-priced valid configuration.');
    } catch (err) {
      if (my === seq) { say(err.message); }
    }
  }
}
