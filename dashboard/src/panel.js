// The side panel: what one parcel, plot or workshop is, with the figures the committee asks
// about first. Everything is written with textContent, never innerHTML, so names from the
// register cannot inject markup.

import { getJson, postJson } from './api.js';
import { language, t } from './i18n.js';

const fmt = (n, digits = 2) =>
  n == null ? '—' : Number(n).toLocaleString('zh-CN', { maximumFractionDigits: digits });

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c ?? '');
  return e;
}

/** A definition list from [label, value] rows, skipping empty values. */
function facts(rows) {
  const dl = el('dl', { class: 'facts' });
  for (const [k, v] of rows) {
    if (v == null || v === '') continue;
    dl.append(el('dt', {}, k), el('dd', {}, v));
  }
  return dl;
}

const areaText = (p) => `${fmt(p.area_m2)} m² · ${fmt(p.area_mu)} ${t('mu')}`;

function section(title, ...content) {
  return el('section', {}, el('h3', {}, title), ...content);
}

/** The panel for a parcel of the register (signed in): its record, contract and watch results. */
export async function parcelPanel(body, parcelId, layers) {
  const [parcel, supplies] = await Promise.all([
    getJson(`/api/parcels/${parcelId}`),
    getJson(`/api/parcels/${parcelId}/supplies`),
  ]);
  const p = parcel.properties;
  const idle = layers.find('idle-land', parcelId);
  const underused = layers.find('underused-land', parcelId);
  const rated = layers.find('mu-performance', parcelId);
  const workshops = layers.all('workshops').filter((w) => w.properties.parcel_id === parcelId);
  const supply = supplies.find((s) => s.in_force) ?? null;
  // The supply's detail carries the 标准地 达产复核: due, overdue or done with its verdict.
  const detail = supply ? await getJson(`/api/supplies/${supply.id}`) : null;

  // The server words every verdict in both languages: Chinese in the field, English beside it.
  const en = language() === 'en';
  const why = [
    en ? idle?.properties.explanation_en : idle?.properties.explanation,
    en ? underused?.properties.reason_en : underused?.properties.reason,
  ].filter(Boolean);
  const rows = [
    [t('code'), p.code],
    [t('name'), p.name],
    [t('area'), areaText(p)],
    [t('landUse'), `${p.land_use_name ?? ''} (${p.land_use})`],
    [t('status'), [p.status_name, idle?.properties.idle_status_name, underused?.properties.class_name].filter(Boolean).join(' · ')],
  ];
  const out = [el('h2', {}, p.name || p.code), facts(rows)];
  if (why.length) out.push(section(t('why'), ...why.map((w) => el('p', { class: 'why' }, w))));
  if (supply) {
    // Both figures are the contract's: its total investment over its land, and the intensity
    // indicator it commits to (标准地). What was actually invested is the 亩均 evaluation's.
    const contracted = supply.total_investment_yuan && supply.land_area_mu
      ? supply.total_investment_yuan / 10000 / supply.land_area_mu
      : null;
    const indicator = supply.indicators?.investment_intensity_wan_per_mu;
    out.push(
      section(
        t('supplyContract'),
        facts([
          [t('enterprise'), supply.enterprise_name],
          [t('contract'), `${supply.contract_no} (${supply.method_name})`],
          [
            t('intensity'),
            `${fmt(contracted)} 万元/亩（${t('totalInvestment', { v: fmt(supply.total_investment_yuan / 10000, 0) })}）${indicator != null ? '，' + t('indicator', { v: fmt(indicator) }) : ''}`,
          ],
          [
            t('deadlines'),
            [
              supply.agreed_start && `${t('start')} ${supply.agreed_start}`,
              supply.agreed_completion && `${t('completion')} ${supply.agreed_completion}`,
              supply.agreed_production && `${t('production')} ${supply.agreed_production}`,
            ].filter(Boolean).join(' · '),
          ],
          [t('idleClock'), idle ? `${idle.properties.rule_name}：${idle.properties.deadline}` : null],
          [t('capacityReview'), reviewText(detail?.capacity_review)],
        ]),
      ),
    );
  }
  if (rated) {
    const r = rated.properties;
    out.push(
      section(
        t('performance'),
        el('p', {}, r.class ? t('score', { c: r.class_name, s: fmt(r.score), r: r.rank }) : (language() === 'en' ? r.not_rated_reason_en : r.not_rated_reason) ?? '—'),
      ),
    );
  }
  if (workshops.length) {
    out.push(
      section(
        t('workshopsHere'),
        facts(workshops.map((w) => [w.properties.name, `${w.properties.deadline_status_name} · ${occupancyText(w.properties)}`])),
      ),
    );
  }
  out.push(
    section(
      t('planning'),
      facts([
        [t('far'), `${fmt(p.far_min)} – ${fmt(p.far_max)}`],
      ]),
    ),
  );
  out.push(
    historySection(`/api/parcels/${parcelId}/history`, t('history'), (h) =>
      h.features.map((f) => {
        const v = f.properties;
        return `${t('version', { n: v.version })} · ${v.change_name || v.change} · ${v.changed_at.slice(0, 10)} · ${who(v.changed_by)}${v.note ? ' · ' + v.note : ''}`;
      }),
    ),
  );
  body.replaceChildren(...out);
}

/** The 达产复核 in one line: 未到期 (due date), 到期未复核 (days overdue), 已复核 (met or the
 * indicators missed, and the penalty owed). */
function reviewText(r) {
  if (!r) return null;
  if (r.state === 'not_due') return `${r.state_name}（${t('dueOn', { d: r.due })}）`;
  if (r.state === 'overdue') return `${r.state_name}（${t('overdueDays', { n: r.overdue_days })}）`;
  const missed = r.indicators.filter((i) => i.met === false).map((i) => `${i.name} ${fmt(i.measured)}/${fmt(i.agreed)}`);
  const verdict = missed.length ? missed.join('、') : t('allMet');
  const owed = r.penalty_yuan ? ` · ${t('penaltyOwed', { v: fmt(r.penalty_yuan / 10000) })}` : '';
  return `${r.state_name} ${r.reviewed_on}：${verdict}${owed}`;
}

/** Who made a change: a user's name, or the command line (`cli:<account>`) in words. */
const who = (by) => (by.startsWith('cli:') ? t('byCli', { u: by.slice(4) === 'unknown' ? '' : by.slice(4) }) : by);

/** A button that loads a record's history into the panel, each entry a line. */
function historySection(url, title, lines, buttonLabel = t('showHistory')) {
  const list = el('ol', { class: 'history' });
  const button = el('button', { type: 'button', id: 'show-history' }, buttonLabel);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const entries = lines(await getJson(url));
      list.replaceChildren(...(entries.length ? entries : [t('noHistory')]).map((l) => el('li', {}, l)));
    } catch (e) {
      list.replaceChildren(el('li', { class: 'error' }, t('loadFailed', { m: e.message })));
      button.disabled = false;
    }
  });
  return section(title, button, list);
}

/** A workshop's occupancy, or that it has no units to let yet. */
const occupancyText = (w) =>
  w.occupancy_pct == null
    ? t('noUnits')
    : t('occupancyOf', { p: fmt(w.occupancy_pct, 1) }) + (w.idle_units ? t('idleUnits', { u: w.idle_units }) : '');

/** The construction milestones in the order they happen, with their names. */
export const MILESTONES = [
  ['approval', '立项审批', 'Approval'],
  ['start', '开工', 'Start'],
  ['topping_out', '主体封顶', 'Topping out'],
  ['completion', '竣工', 'Completion'],
  ['acceptance', '竣工验收', 'Acceptance'],
  ['handover', '交付使用', 'Handover'],
];
export const milestoneName = (key) => {
  const m = MILESTONES.find(([k]) => k === key);
  return m ? m[language() === 'en' ? 2 : 1] : key;
};

/** The panel for a workshop: its deadline and its occupancy. */
export function workshopPanel(body, feature) {
  const w = feature.properties;
  const late = w.days_late != null ? t('daysLate', { n: w.days_late }) : w.days_left != null ? t('daysLeft', { n: w.days_left }) : '';
  body.replaceChildren(
    el('h2', {}, w.name),
    facts([
      [t('status'), `${w.deadline_status_name}${late ? '，' + late : ''}`],
      [t('deadline'), `${w.deadline ?? '—'}（${milestoneName(w.deadline_milestone)}）`],
      [t('progress'), `${fmt(w.percent_complete, 0)}%`],
      [t('floorArea'), `${fmt(w.floor_area_m2)} m² · ${w.storeys} 层`],
      [t('occupancy'), occupancyText(w)],
      [t('owner'), w.owner_name],
      [t('responsible'), [w.responsible_unit, w.responsible_person].filter(Boolean).join(' ')],
      [t('zone'), w.zone_name],
      [t('asOfDay'), w.as_of],
    ]),
    historySection(`/api/workshops/${feature.id}/progress`, t('progressReports'), (reports) =>
      reports.map((r) => `${r.date} · ${fmt(r.percent, 0)}%${r.note ? ' · ' + r.note : ''}`),
      t('showProgress'),
    ),
  );
}

/** The plot sheet (the public view): every condition an applicant reads before applying,
 * then the entry check, then the application. Prints on its own (see style.css, @media print). */
export function plotPanel(body, feature, ctx) {
  const p = feature.properties;
  const range = (lo, hi, unit = '') =>
    lo == null && hi == null ? null : `${lo != null ? fmt(lo) : '—'} – ${hi != null ? fmt(hi) : '—'}${unit}`;
  const items = ctx.infrastructureNames;
  const infrastructure = (p.infrastructure || []).map((k) => items[k] ?? k);
  body.replaceChildren(
    el('h2', {}, p.name || p.code),
    facts([
      [t('code'), p.code],
      [t('park'), p.park_name],
      [t('zone'), p.zone_name],
      [t('location'), p.location],
      [t('area'), areaText(p)],
      [t('landUse'), p.land_use_name ? `${p.land_use_name}（${p.land_use}）` : p.land_use],
      [t('far'), range(p.far_min, p.far_max)],
      [t('density'), range(p.building_density_min_pct, p.building_density_max_pct, '%')],
      [t('green'), range(p.green_ratio_min_pct, p.green_ratio_max_pct, '%')],
      [t('height'), p.height_max_m != null ? `≤ ${fmt(p.height_max_m)} m` : null],
      [t('infrastructure'), infrastructure.length ? infrastructure.join('、') : t('none')],
      [t('levelled'), p.site_levelled ? t('yes') : t('no')],
      [t('minIntensity'), p.min_investment_intensity_wan_per_mu != null ? `≥ ${fmt(p.min_investment_intensity_wan_per_mu)} 万元/亩` : null],
      [t('industries'), (p.industries || []).map((i) => `${i.name}（${i.code}）`).join('、') || t('anyIndustry')],
    ]),
    el('p', { class: 'no-print' }, printButton()),
    entryAndApply(ctx, { parcel_id: feature.id }),
  );
}

function printButton() {
  const b = el('button', { type: 'button', id: 'print-sheet' }, t('print'));
  b.addEventListener('click', () => window.print());
  return b;
}

/** The free units of the clicked workshop, each with an application. */
export function unitPanel(body, feature, units, ctx) {
  const w = feature.properties;
  const here = units.filter((u) => u.properties.workshop_id === w.workshop_id);
  const rows = here.map((u) => {
    const p = u.properties;
    const row = el('li', {}, `${p.floor} ${t('floor')} ${p.section} · ${fmt(p.area_m2)} m² · ${t('load')} ${fmt(p.floor_load_kn_m2)} kN/m²${p.storey_height_m != null ? ` · ${t('storeyHeight')} ${fmt(p.storey_height_m)} m` : ''} · ${t('freeFrom', { d: p.available_from })}`);
    row.dataset.unit = u.id;
    return row;
  });
  const choose = el('select', { id: 'unit-choice' });
  choose.append(...here.map((u) => new Option(`${u.properties.floor} ${t('floor')} ${u.properties.section}`, u.id)));
  body.replaceChildren(
    el('h2', {}, w.workshop_name),
    facts([
      [t('park'), w.park_name],
      [t('zone'), w.zone_name],
      [t('structure'), w.structure_name],
    ]),
    section(t('freeUnits'), el('ul', { class: 'units' }, ...rows)),
    ctx.user?.role === 'applicant' ? el('label', { class: 'field' }, t('unit'), choose) : '',
    entryAndApply(ctx, { unit: () => Number(choose.value) || here[0]?.id }),
  );
}

const STATUS = {
  submitted: ['待审', 'Awaiting decision'],
  accepted: ['已同意', 'Accepted'],
  rejected: ['未通过', 'Refused'],
  withdrawn: ['已撤回', 'Withdrawn'],
};
export const statusName = (s) => (STATUS[s] ? STATUS[s][language() === 'en' ? 1 : 0] : s);

function field(name, label, attrs = {}) {
  return el('label', { class: 'field' }, label, el('input', { name, ...attrs }));
}

/** The entry check (入园预审) as a form with its verdict per criterion, and below it the
 * application: for a signed-in applicant a form, for a visitor the way to sign in. */
function entryAndApply(ctx, target) {
  const form = el(
    'form',
    { id: 'entry-form', class: 'entry' },
    field('industry', t('projectIndustry'), { required: '', placeholder: 'C3976', pattern: '[A-Ta-t]?[0-9]{2,4}' }),
    field('investment', t('investmentWan'), { required: '', type: 'number', min: '0', step: 'any' }),
    // The check weighs a project against a plot's land; a unit is rented floor space, so its
    // application carries the project's figures without a land check.
    target.parcel_id ? el('button', { type: 'submit', id: 'run-entry-check' }, t('runEntryCheck')) : '',
  );
  const verdict = el('div', { id: 'entry-verdict', 'aria-live': 'polite' });
  const figures = () => {
    const f = new FormData(form);
    return {
      industry: String(f.get('industry')).trim().toUpperCase(),
      fixed_asset_investment_wan_yuan: Number(f.get('investment')),
    };
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!target.parcel_id) return;
    try {
      const v = await postJson('/api/entry-check', { parcel_id: target.parcel_id, ...figures() });
      verdict.replaceChildren(verdictTable(v));
    } catch (err) {
      verdict.replaceChildren(el('p', { class: 'error' }, err.message));
    }
  });
  const out = [section(target.parcel_id ? t('entryCheck') : t('projectInfo'), form, verdict)];
  if (ctx.user?.role === 'applicant') {
    const apply = el(
      'form',
      { id: 'apply-form' },
      field('project_name', t('projectName'), { required: '' }),
      field('enterprise_name', t('enterpriseName'), { required: '' }),
      el('button', { type: 'submit', id: 'apply' }, t('apply')),
    );
    const result = el('p', { id: 'apply-result', 'aria-live': 'polite' });
    apply.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!form.reportValidity()) return;
      const f = new FormData(apply);
      const where = target.parcel_id ? { parcel_id: target.parcel_id } : { unit_id: target.unit() };
      try {
        const a = await postJson('/api/applications', {
          ...where,
          ...figures(),
          project_name: String(f.get('project_name')).trim(),
          enterprise_name: String(f.get('enterprise_name')).trim(),
        });
        result.className = 'ok';
        result.textContent = t('applied', { n: a.id });
        ctx.applied();
      } catch (err) {
        result.className = 'error';
        result.textContent = err.message;
      }
    });
    out.push(section(t('applyTitle'), el('p', { class: 'hint' }, t('applyHint')), apply, result));
  } else if (!ctx.user) {
    const b = el('button', { type: 'button', id: 'sign-in-to-apply' }, t('signInToApply'));
    b.addEventListener('click', ctx.signIn);
    out.push(section(t('applyTitle'), el('p', { class: 'hint' }, t('signInToApplyHint')), b));
  }
  return el('div', { class: 'no-print' }, ...out);
}

/** The entry check's verdict: one row per criterion, with what was required, the project's
 * figure, and where the bound comes from. */
function verdictTable(v) {
  const mark = (pass) => (pass === true ? `✓ ${t('pass')}` : pass === false ? `✗ ${t('fail')}` : `— ${t('notJudged')}`);
  const rows = v.criteria.map((c) =>
    el('tr', { class: c.pass === false ? 'fail' : '' }, el('td', {}, c.name, el('div', { class: 'source' }, c.source_name)), el('td', {}, c.required), el('td', {}, c.actual), el('td', { class: 'mark' }, mark(c.pass))),
  );
  return el(
    'div',
    {},
    el('p', { class: v.qualifies ? 'ok verdict' : 'error verdict' }, v.qualifies ? t('qualifies') : t('doesNotQualify')),
    el(
      'table',
      { class: 'criteria' },
      el('thead', {}, el('tr', {}, ...[t('criterion'), t('required'), t('actual'), t('result')].map((h) => el('th', {}, h)))),
      el('tbody', {}, ...rows),
    ),
  );
}
