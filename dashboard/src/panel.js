// The side panel: what one parcel, plot or workshop is, with the figures the committee asks
// about first. Everything is written with textContent, never innerHTML, so names from the
// register cannot inject markup.

import { getJson } from './api.js';
import { t } from './i18n.js';

const fmt = (n, digits = 2) =>
  n == null ? '—' : Number(n).toLocaleString('zh-CN', { maximumFractionDigits: digits });

function el(tag, attrs = {}, ...children) {
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

  const why = [idle?.properties.explanation, underused?.properties.reason].filter(Boolean);
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
        t('enterprise'),
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
        el('p', {}, r.class ? t('score', { c: r.class_name, s: fmt(r.score), r: r.rank }) : r.not_rated_reason ?? '—'),
      ),
    );
  }
  if (workshops.length) {
    out.push(
      section(
        t('workshopsHere'),
        facts(workshops.map((w) => [w.properties.name, `${w.properties.deadline_status_name} · ${t('occupancyOf', { p: fmt(w.properties.occupancy_pct, 1), u: w.properties.idle_units })}`])),
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
        return `v${v.version} · ${v.change} · ${v.changed_at.slice(0, 10)} · ${v.changed_by}${v.note ? ' · ' + v.note : ''}`;
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

/** A button that loads a record's history into the panel, each entry a line. */
function historySection(url, title, lines) {
  const list = el('ol', { class: 'history' });
  const button = el('button', { type: 'button', id: 'show-history' }, t('showHistory'));
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

/** The panel for a workshop: its deadline and its occupancy. */
export function workshopPanel(body, feature) {
  const w = feature.properties;
  const late = w.days_late != null ? t('daysLate', { n: w.days_late }) : w.days_left != null ? t('daysLeft', { n: w.days_left }) : '';
  body.replaceChildren(
    el('h2', {}, w.name),
    facts([
      [t('status'), `${w.deadline_status_name}${late ? '，' + late : ''}`],
      [t('deadline'), `${w.deadline ?? '—'} (${w.deadline_milestone ?? ''})`],
      [t('progress'), `${fmt(w.percent_complete, 0)}%`],
      [t('floorArea'), `${fmt(w.floor_area_m2)} m² · ${w.storeys} 层`],
      [t('occupancy'), t('occupancyOf', { p: fmt(w.occupancy_pct, 1), u: w.idle_units })],
      [t('owner'), w.owner_name],
      [t('responsible'), [w.responsible_unit, w.responsible_person].filter(Boolean).join(' ')],
      [t('zone'), w.zone_name],
    ]),
    historySection(`/api/workshops/${feature.id}/progress`, t('progressReports'), (reports) =>
      reports.map((r) => `${r.date} · ${fmt(r.percent, 0)}%${r.note ? ' · ' + r.note : ''}`),
    ),
  );
}

/** The panel for an available plot (the public view): what an applicant needs to know. */
export function plotPanel(body, feature) {
  const p = feature.properties;
  body.replaceChildren(
    el('h2', {}, p.name || p.code),
    facts([
      [t('code'), p.code],
      [t('zone'), p.zone_name],
      [t('area'), areaText(p)],
      [t('landUse'), p.land_use_name],
      [t('far'), `${fmt(p.far_min)} – ${fmt(p.far_max)}`],
      [t('minIntensity'), p.min_investment_intensity_wan_per_mu != null ? `≥ ${fmt(p.min_investment_intensity_wan_per_mu)} 万元/亩` : null],
      [t('industries'), (p.industries || []).map((i) => i.name).join('、')],
    ]),
  );
}
