// What the committee changes from a workshop's panel: progress reports, the milestones'
// actual dates (a merge patch of the version read, `If-Match`), the units a building is
// divided into, and their leases. Each form writes through parkland's own API, then asks the
// page to reload its layers so the map and the strip show the change.

import { getJson, getVersioned, patchJson, postJson } from './api.js';
import { t } from './i18n.js';
import { MILESTONES, el, milestoneName } from './panel.js';

const fmt = (n, digits = 2) => (n == null ? '—' : Number(n).toLocaleString('zh-CN', { maximumFractionDigits: digits }));

/** Today on the user's calendar, as the API writes days. */
const today = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

const input = (name, attrs = {}) => el('input', { name, ...attrs });
const labelled = (label, control) => el('label', { class: 'field' }, label, control);

/** A form whose submit runs `action(values)`, shows the outcome in its own line and, when it
 * worked, calls `done()`. A refusal keeps what was typed. */
function form(id, fields, button, action, done) {
  const f = el('form', { id, class: 'edit' }, ...fields, el('button', { type: 'submit' }, button));
  const result = el('p', { class: 'result', 'aria-live': 'polite' });
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    const submit = f.querySelector('button[type=submit]');
    submit.disabled = true;
    try {
      await action(Object.fromEntries(new FormData(f)));
      result.className = 'result ok';
      result.textContent = t('saved');
      done();
    } catch (err) {
      result.className = 'result error';
      result.textContent = err.message;
    } finally {
      submit.disabled = false;
    }
  });
  return el('div', {}, f, result);
}

/** The committee's forms for one workshop, loaded fresh (with its ETag) into `box`.
 * `changed()` reloads the page's layers and the panel. */
export async function workshopEdits(box, workshopId, changed) {
  const [{ body: w, etag }, units] = await Promise.all([
    getVersioned(`/api/workshops/${workshopId}`),
    getJson(`/api/workshops/${workshopId}/units`),
  ]);
  const p = w.properties;
  box.replaceChildren(
    el(
      'section',
      { class: 'no-print' },
      el('h3', {}, t('reportProgress')),
      // The record as it stands today (the map may show the month picked, see the panel's 截至).
      el('p', { class: 'hint', id: 'progress-now' }, t('progressNow', { p: fmt(p.percent_complete, 1), d: p.as_of })),
      form(
        'progress-form',
        [
          labelled(t('date'), input('date', { type: 'date', required: '', value: today(), max: today() })),
          labelled(t('percentComplete'), input('percent', { type: 'number', required: '', min: String(p.percent_complete ?? 0), max: '100', step: 'any', value: String(p.percent_complete ?? 0) })),
          labelled(t('note'), input('note', { maxlength: '1000' })),
        ],
        t('save'),
        (v) => postJson(`/api/workshops/${workshopId}/progress`, { date: v.date, percent: Number(v.percent), note: v.note || null }),
        changed,
      ),
    ),
    milestoneSection(workshopId, p, etag, changed),
    unitSection(workshopId, units, changed),
  );
}

/** Planned and actual day of each milestone; the actual days are the committee's to record. */
function milestoneSection(workshopId, p, etag, changed) {
  const rows = MILESTONES.map((m) => {
    const [key] = m;
    const actual = input(key, { type: 'date', value: p[`${key}_actual`] ?? '', max: today() });
    return el('tr', {}, el('td', {}, milestoneName(key)), el('td', {}, p[`${key}_planned`] ?? '—'), el('td', {}, actual));
  });
  const table = el(
    'table',
    { class: 'criteria' },
    el('thead', {}, el('tr', {}, ...[t('milestone'), t('planned'), t('actualDay')].map((h) => el('th', {}, h)))),
    el('tbody', {}, ...rows),
  );
  return el(
    'section',
    { class: 'no-print' },
    el('h3', {}, t('milestones')),
    form(
      'milestone-form',
      [table],
      t('save'),
      async (v) => {
        // Only what changed is sent: a merge patch of the version this panel read.
        const milestones = {};
        for (const [key] of MILESTONES) {
          const now = v[key] || null;
          if (now !== (p[`${key}_actual`] ?? null)) milestones[key] = { actual: now };
        }
        if (!Object.keys(milestones).length) return;
        await patchJson(`/api/workshops/${workshopId}`, { properties: { milestones } }, etag);
      },
      changed,
    ),
  );
}

/** The units with their tenants: end a lease, let a vacant unit, divide off a new unit. */
function unitSection(workshopId, units, changed) {
  const list = el('ul', { class: 'units edit-units' });
  for (const u of units) {
    const where = `${u.floor} ${t('floor')} ${u.section || t('wholeFloor')} · ${fmt(u.area_m2)} m²`;
    const li = el('li', { 'data-unit': String(u.id) }, el('div', {}, where));
    if (u.lease) {
      const l = u.lease;
      li.append(
        el('div', { class: 'tenant' }, t('leasedTo', { e: l.enterprise_name, from: l.start_date, to: l.end_date, r: fmt(l.rent_yuan_per_m2_month) })),
        form(
          `end-lease-${l.id}`,
          [labelled(t('lastDay'), input('last_day', { type: 'date', required: '', min: l.start_date, max: l.end_date }))],
          t('endLease'),
          (v) => postJson(`/api/leases/${l.id}/end`, { last_day: v.last_day }),
          changed,
        ),
      );
    } else {
      li.append(
        el('div', { class: u.idle ? 'tenant error' : 'tenant' }, u.vacant_since ? t('vacantSince', { d: u.vacant_since, n: u.vacant_days }) : t('vacant')),
        leaseForm(u, changed),
      );
    }
    list.append(li);
  }
  return el(
    'section',
    { class: 'no-print' },
    el('h3', {}, t('unitsAndLeases')),
    units.length ? list : el('p', { class: 'hint' }, t('noUnits')),
    el('h4', {}, t('addUnit')),
    form(
      'unit-form',
      [
        labelled(t('floorNo'), input('floor', { type: 'number', required: '', min: '1', step: '1' })),
        labelled(t('section'), input('section', { maxlength: '50', placeholder: 'A区' })),
        labelled(t('areaM2'), input('area_m2', { type: 'number', required: '', min: '1', step: 'any' })),
      ],
      t('add'),
      (v) => postJson(`/api/workshops/${workshopId}/units`, { floor: Number(v.floor), section: v.section || null, area_m2: Number(v.area_m2) }),
      changed,
    ),
  );
}

/** Let a vacant unit: the tenant is found in the enterprise directory by name. */
function leaseForm(unit, changed) {
  const listId = `tenants-${unit.id}`;
  const options = el('datalist', { id: listId });
  const tenant = input('tenant', { required: '', list: listId, autocomplete: 'off', placeholder: t('enterpriseName') });
  const found = new Map(); // name → enterprise id, from the directory's answers
  let timer = null;
  tenant.addEventListener('input', () => {
    clearTimeout(timer);
    const q = tenant.value.trim();
    if (q.length < 2) return;
    timer = setTimeout(async () => {
      const page = await getJson(`/api/enterprises?name=${encodeURIComponent(q)}&limit=20`).catch(() => ({ items: [] }));
      for (const e of page.items) found.set(e.name, e.id);
      options.replaceChildren(...page.items.map((e) => el('option', { value: e.name })));
    }, 200);
  });
  return form(
    `lease-form-${unit.id}`,
    [
      labelled(t('tenant'), tenant),
      options,
      labelled(t('startDate'), input('start_date', { type: 'date', required: '' })),
      labelled(t('endDate'), input('end_date', { type: 'date', required: '' })),
      labelled(t('rent'), input('rent', { type: 'number', required: '', min: '0', step: '0.01' })),
    ],
    t('lease'),
    async (v) => {
      let id = found.get(v.tenant.trim());
      if (id == null) {
        const page = await getJson(`/api/enterprises?name=${encodeURIComponent(v.tenant.trim())}&limit=20`);
        id = page.items.find((e) => e.name === v.tenant.trim())?.id;
      }
      if (id == null) throw new Error(t('unknownEnterprise', { e: v.tenant.trim() }));
      await postJson(`/api/units/${unit.id}/leases`, {
        enterprise_id: id,
        start_date: v.start_date,
        end_date: v.end_date,
        rent_yuan_per_m2_month: Number(v.rent),
      });
    },
    changed,
  );
}
