// The table beside the map: the features the filters match (zone, class, search, the applicant's
// plot search), one row each — a click opens the feature — and the same rows downloaded as CSV
// (UTF-8 with a BOM, so Excel opens the Chinese as it is) or as a spreadsheet Excel reads
// (SpreadsheetML, no library needed). What is exported is what is filtered, in the page's
// language, with the figures as the panels show them.

import { classOf } from './themes.js';
import { language, t } from './i18n.js';

const text = (v) => (v == null ? '' : String(v));
const code = (p) => p.parcel_code ?? p.code;
const name = (p) => p.parcel_name ?? p.name;
const en = () => language() === 'en';

/** The columns of each theme: an i18n key for the header, and how to read the cell. */
function columns(th, zoneName) {
  const zone = ['zone', (p) => p.zone_name ?? zoneName(p.zone_id)];
  const cls = ['class', (p) => {
    const c = th.classes.find((k) => k.key === classOf(th, p));
    return c ? (en() ? c.en : c.zh) : '';
  }];
  const base = [['code', code], ['name', name], zone];
  const by = {
    status: [...base, cls],
    idle: [...base, ['enterprise', (p) => p.enterprise_name], cls, ['colIdleSince', (p) => p.idle_since],
      ['colIdleDays', (p) => p.idle_days], ['colFee', (p) => p.fee_yuan],
      ['colWhy', (p) => (en() ? p.explanation_en : p.explanation)]],
    underused: [...base, ['enterprise', (p) => p.enterprise_name], cls, ['colDaysPast', (p) => p.days_past],
      ['colWhy', (p) => (en() ? p.reason_en : p.reason)]],
    capacity: [...base, ['enterprise', (p) => p.enterprise_name], cls, ['colDue', (p) => p.due],
      ['colOverdue', (p) => p.overdue_days], ['colPenalty', (p) => p.penalty_yuan]],
    workshops: [['name', (p) => p.name], zone, cls, ['colProgress', (p) => p.percent_complete],
      ['colOccupancy', (p) => p.occupancy_pct]],
    performance: [...base, ['enterprise', (p) => p.enterprise_name], cls, ['colScore', (p) => p.score],
      ['colRank', (p) => p.rank], ['colAreaMu', (p) => p.area_mu]],
    plots: [...base, ['colAreaMu', (p) => p.area_mu], ['landUse', (p) => p.land_use_name ?? p.land_use]],
    units: [['colWorkshop', (p) => p.workshop_name], zone, ['colUnit', (p) => `${text(p.floor)} ${text(p.section)}`],
      ['colAreaM2', (p) => p.area_m2], ['colFreeFrom', (p) => p.available_from]],
  };
  return by[th.id] ?? base;
}

/** Header and rows of `features` for theme `th`. */
export function rows(th, features, zoneName) {
  const cols = columns(th, zoneName);
  return {
    header: cols.map(([key]) => t(key)),
    body: features.map((f) => cols.map(([, get]) => text(get(f.properties)))),
  };
}

function csvCell(v) {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function toCsv({ header, body }) {
  return `\uFEFF${[header, ...body].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

const xml = (v) => v.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]);

/** Excel 2003 XML (SpreadsheetML): numbers as numbers, one sheet, opened by Excel and WPS. */
export function toSpreadsheet({ header, body }, sheet) {
  const cell = (v) => {
    const number = v !== '' && /^-?\d+(\.\d+)?$/.test(v);
    return `<Cell><Data ss:Type="${number ? 'Number' : 'String'}">${xml(v)}</Data></Cell>`;
  };
  const row = (r) => `<Row>${r.map(cell).join('')}</Row>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
<Worksheet ss:Name="${xml(sheet.slice(0, 31))}"><Table>${[header, ...body].map(row).join('')}</Table></Worksheet>
</Workbook>
`;
}

/** Save `content` as a file named `filename`. */
export function download(content, filename, type) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([content], { type }));
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** Save `rows` as `<stem>.csv` or `<stem>.xls` (sheet named `sheet`). */
export function save(rows, format, stem, sheet) {
  if (format === 'csv') download(toCsv(rows), `${stem}.csv`, 'text/csv;charset=utf-8');
  else download(toSpreadsheet(rows, sheet), `${stem}.xls`, 'application/vnd.ms-excel');
}

/** Draw `rows` into `box` as a table; a click (or Enter) on row i calls `open(i)` when
 * `opens(i)` says it leads somewhere. */
export function draw(box, { header, body }, open, opens = () => true) {
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const h of header) head.append(Object.assign(document.createElement('th'), { textContent: h }));
  const tbody = table.createTBody();
  body.forEach((r, i) => {
    const tr = tbody.insertRow();
    for (const v of r) tr.insertCell().textContent = v;
    if (!opens(i)) return;
    tr.tabIndex = 0;
    tr.classList.add('opens');
    tr.addEventListener('click', () => open(i));
    tr.addEventListener('keydown', (e) => e.key === 'Enter' && open(i));
  });
  box.replaceChildren(table);
}

/** Draw the features' table into `box`; a click on a row calls `open(feature id)`. At most
 * `limit` rows are drawn (the download always has all). */
export function render(box, th, features, zoneName, open, limit = 500) {
  const shown = features.slice(0, limit);
  draw(box, rows(th, shown, zoneName), (i) => open(shown[i].id));
  box.querySelectorAll('tbody tr').forEach((tr, i) => (tr.dataset.id = shown[i].id));
  if (features.length > limit) box.append(Object.assign(document.createElement('p'), { className: 'meta', textContent: t('tableLimit', { n: limit, all: features.length }) }));
}
