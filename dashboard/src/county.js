// The bureau's county view: every park of its jurisdiction side by side for the month — the
// same figures the strip and the dispatch report give for each park, summed over the county —
// and the idle-land cases whose next step is overdue. A park's row opens that park; a case opens
// its parcel on the idle-land layer.

import { getJson } from './api.js';
import { t } from './i18n.js';

const fmt = (n, d = 1) => Number(n ?? 0).toLocaleString('zh-CN', { maximumFractionDigits: d });

function el(tag, attrs = {}, ...children) {
  const e = Object.assign(document.createElement(tag), attrs);
  e.append(...children.filter((c) => c != null));
  return e;
}

/** One park's line of the month, read from its dispatch report — the strip reads the same
 * (闲置土地 is the land found idle, as the report's sheet counts it; land approaching the line
 * is named beside it, not added to it). */
export function line(r) {
  const byStatus = (k) => r.land.idle_land.by_status.find((g) => g.key === k) ?? { count: 0, area_mu: 0 };
  const idle = byStatus('idle');
  return {
    park_id: r.park_id,
    name: r.park_name,
    idle_count: idle.count,
    idle_mu: idle.area_mu,
    approaching: byStatus('approaching').count,
    under_count: r.land.underused.all.count,
    under_mu: r.land.underused.all.area_mu,
    overdue_workshops: r.deadlines.overdue,
    leased_m2: r.estate.occupancy.leased_area_m2,
    unit_m2: r.estate.occupancy.unit_area_m2,
    projects: r.pipeline.total.count,
    occupancy_pct: r.estate.occupancy.occupancy_pct,
  };
}

/** The county's line: counts and areas add up; the occupancy is leased over let-able area. */
function total(lines) {
  const sum = (k) => lines.reduce((a, l) => a + Number(l[k] ?? 0), 0);
  const out = { name: t('countyTotal') };
  for (const k of ['idle_count', 'idle_mu', 'approaching', 'under_count', 'under_mu', 'overdue_workshops', 'leased_m2', 'unit_m2', 'projects']) out[k] = sum(k);
  return out;
}

const occupancy = (l) => (l.unit_m2 ? `${fmt((l.leased_m2 / l.unit_m2) * 100)}%` : '—');

/**
 * Draw the county view into `box` for `month` (YYYY-MM) over `parks`; `asOf` is the day the
 * cases are judged on (null: today). `openPark(id)` and `openCase(parkId, parcelId)` drill down.
 */
export async function renderCounty(box, { parks, month, asOf, openPark, openCase }) {
  box.replaceChildren(el('p', {}, '…'));
  const reports = await Promise.all(
    parks.map((p) => getJson(`/api/parks/${p.id}/reports/dispatch?month=${month}&format=json`)),
  );
  const lines = reports.map(line);
  const head = [t('park'), t('idleLand'), t('approachingShort'), t('underused'), t('overdueWorkshops'), t('occupancy'), t('pipeline')];
  const cells = (l) => [
    l.name,
    `${t('parcelsCount', { n: l.idle_count })} · ${fmt(l.idle_mu)} ${t('mu')}`,
    String(l.approaching),
    `${t('parcelsCount', { n: l.under_count })} · ${fmt(l.under_mu)} ${t('mu')}`,
    String(l.overdue_workshops),
    occupancy(l),
    String(l.projects),
  ];
  const table = el('table', { className: 'county' });
  table.createTHead().insertRow().append(...head.map((h) => el('th', {}, h)));
  const body = table.createTBody();
  for (const l of lines) {
    const tr = body.insertRow();
    tr.dataset.park = l.park_id;
    tr.tabIndex = 0;
    tr.className = 'opens';
    for (const c of cells(l)) tr.insertCell().textContent = c;
    tr.addEventListener('click', () => openPark(l.park_id));
  }
  const foot = table.createTFoot().insertRow();
  for (const c of cells(total(lines))) foot.append(el('th', {}, c));

  const cases = await getJson(`/api/idle-cases?overdue=true${asOf ? `&as_of=${asOf}` : ''}`);
  const parkName = (id) => parks.find((p) => p.id === id)?.properties.name ?? '';
  const list = el('ul', { className: 'overdue-cases' });
  for (const c of cases.items) {
    const n = c.next_step;
    const li = el('li', { tabIndex: 0 },
      `${parkName(c.park_id)} · ${c.parcel_code} · ${c.enterprise_name} · `,
      el('strong', {}, n ? t('stepOverdue', { s: n.kind_name, d: n.due, n: n.overdue_days }) : ''));
    li.dataset.parcel = c.parcel_id;
    li.addEventListener('click', () => openCase(c.park_id, c.parcel_id));
    list.append(li);
  }
  box.replaceChildren(
    table,
    el('h3', {}, t('overdueCases', { n: cases.items.length })),
    cases.items.length ? list : el('p', { className: 'meta' }, t('noOverdueCases')),
  );
  return { lines, cases: cases.items };
}
