// The month's dispatch as pictures beside the map, drawn with Apache ECharts (what Chinese
// government dashboards use), bundled offline and loaded only when the charts are opened — the
// map's first paint does not wait for it. Each chart saves as a PNG for the meeting's slides.
//
// Every figure comes from the same sources as the strip and the report: the month's dispatch
// report (pipeline funnel, responsible units), the idle-land and 五未 layers as of each month's
// last day (the day that month's report is as of), and the 亩均 layer on screen.

import * as echarts from 'echarts/core';
import { BarChart, FunnelChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { allFeatures, getJson } from './api.js';
import { language, t } from './i18n.js';

echarts.use([BarChart, FunnelChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

const round = (n, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
const PALETTE = ['#3b78c4', '#43a047', '#fb8c00', '#8e24aa', '#00897b', '#d32f2f', '#795548', '#fdd835', '#5c6bc0', '#90a4ae'];
const FONT = { fontFamily: 'system-ui, "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif' };

/** The last `n` months up to `month` (YYYY-MM), oldest first. */
export function monthsUpTo(month, n = 12) {
  const [y, m] = month.split('-').map(Number);
  return Array.from({ length: n }, (_, i) => {
    const d = new Date(Date.UTC(y, m - 1 - (n - 1 - i), 1));
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  });
}

/** A month's last day, or null for the month not yet over (the server's today). */
function monthEnd(month) {
  const [y, m] = month.split('-').map(Number);
  const now = new Date();
  if (y > now.getFullYear() || (y === now.getFullYear() && m >= now.getMonth() + 1)) return null;
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

/** Area in 亩 by zone name of `features` passing `keep`, as a Map. */
function byZone(features, keep, zoneName) {
  const out = new Map();
  for (const f of features) {
    const p = f.properties;
    if (!keep(p)) continue;
    const z = p.zone_name ?? zoneName(p.zone_id) ?? '—';
    out.set(z, (out.get(z) ?? 0) + Number(p.area_mu ?? 0));
  }
  return out;
}

/** Idle land (found idle, as the strip and the report count it) and 五未 land by zone for
 * each of `months`, each as of its month's end. */
export async function landByMonth(parkId, months, zoneName) {
  const layer = (collection, month) => {
    const day = monthEnd(month);
    return allFeatures(`/collections/${collection}/items?park_id=${parkId}&skipGeometry=true&limit=10000${day ? `&as_of=${day}` : ''}`);
  };
  const rows = await Promise.all(
    months.map(async (month) => {
      const [idle, under] = await Promise.all([layer('idle-land', month), layer('underused-land', month)]);
      return {
        month,
        idle: byZone(idle.features, (p) => p.idle_status === 'idle', zoneName),
        under: byZone(under.features, () => true, zoneName),
      };
    }),
  );
  return rows;
}

/** A stacked bar per month, one series per zone. */
function stackedByZone(rows, key, unit) {
  const zones = [...new Set(rows.flatMap((r) => [...r[key].keys()]))].sort((a, b) => a.localeCompare(b, 'zh-CN'));
  return {
    tooltip: { trigger: 'axis', valueFormatter: (v) => `${v} ${unit}` },
    legend: { type: 'scroll', bottom: 0 },
    grid: { left: 48, right: 12, top: 36, bottom: 48 },
    xAxis: { type: 'category', data: rows.map((r) => r.month.slice(2).replace('-', '/')) },
    yAxis: { type: 'value', name: unit },
    series: zones.map((z) => ({ name: z, type: 'bar', stack: key, data: rows.map((r) => round(r[key].get(z) ?? 0)) })),
  };
}

function funnel(report) {
  const stages = report.pipeline.by_stage.filter((s) => s.stage !== 'terminated');
  const wan = t('wanYuan');
  return {
    tooltip: { trigger: 'item', formatter: (p) => `${p.name}<br>${p.value} ${t('projectsUnit')} · ${p.data.signed} ${wan}` },
    series: [
      {
        type: 'funnel',
        sort: 'none',
        left: '10%',
        width: '80%',
        top: 36,
        bottom: 8,
        minSize: '12%',
        label: { position: 'inside', formatter: (p) => `${p.name} ${p.value}` },
        data: stages.map((s) => ({ name: s.stage_name, value: s.count, signed: round(s.signed_investment_wan_yuan, 0) })),
      },
    ],
  };
}

/** Responsible units ranked by signed investment, with what they started and put into
 * production beside it (万元). */
function units(report) {
  const lines = [...report.pipeline.by_unit].sort((a, b) => a.signed.signed_investment_wan_yuan - b.signed.signed_investment_wan_yuan);
  const series = [
    ['signedInv', (u) => u.signed.signed_investment_wan_yuan],
    ['startedInv', (u) => u.started.signed_investment_wan_yuan],
    ['producingInv', (u) => u.producing.signed_investment_wan_yuan],
  ];
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => `${v} ${t('wanYuan')}` },
    legend: { bottom: 0 },
    grid: { left: 8, right: 16, top: 36, bottom: 40, containLabel: true },
    xAxis: { type: 'value', name: t('wanYuan') },
    yAxis: { type: 'category', data: lines.map((u) => u.unit_name) },
    series: series.map(([k, get]) => ({ name: t(k), type: 'bar', data: lines.map((u) => round(get(u), 0)) })),
  };
}

/** 亩均 classes by zone: land in 亩 of each class (the colours are the map's). */
function classes(features, theme, zoneName) {
  const zones = [...new Set(features.map((f) => f.properties.zone_name ?? zoneName(f.properties.zone_id) ?? '—'))].sort((a, b) => a.localeCompare(b, 'zh-CN'));
  const en = language() === 'en';
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => `${v} ${t('mu')}` },
    legend: { bottom: 0 },
    grid: { left: 48, right: 12, top: 36, bottom: 48 },
    xAxis: { type: 'category', data: zones },
    yAxis: { type: 'value', name: t('mu') },
    series: theme.classes.map((c) => {
      const area = byZone(features, (p) => (p.class ?? 'none') === c.key, zoneName);
      return { name: en ? c.en : c.zh, type: 'bar', stack: 'class', itemStyle: { color: c.color }, data: zones.map((z) => round(area.get(z) ?? 0)) };
    }),
  };
}

/**
 * Draw the charts of `month` into `box`: the funnel and the units from the month's dispatch
 * report, the last twelve months of idle and 五未 land by zone, and the 亩均 classes by zone.
 * Returns the charts by id (the browser test reads their options).
 */
export async function renderCharts(box, { parkId, parkCode, month, zoneName, performance, performanceTheme, save }) {
  for (const c of box.querySelectorAll('.chart')) echarts.getInstanceByDom(c.querySelector('.canvas'))?.dispose();
  box.replaceChildren(Object.assign(document.createElement('p'), { textContent: '…' }));
  const months = monthsUpTo(month);
  const [report, land] = await Promise.all([
    getJson(`/api/parks/${parkId}/reports/dispatch?month=${month}&format=json`),
    landByMonth(parkId, months, zoneName),
  ]);
  const specs = [
    ['funnel', t('chartFunnel', { m: month }), funnel(report)],
    ['units', t('chartUnits', { m: month }), units(report)],
    ['idle', t('chartIdle'), stackedByZone(land, 'idle', t('mu'))],
    ['underused', t('chartUnderused'), stackedByZone(land, 'under', t('mu'))],
    ['classes', t('chartClasses', { y: report.performance.year }), classes(performance, performanceTheme, zoneName)],
  ];
  box.replaceChildren();
  const charts = {};
  for (const [id, title, option] of specs) {
    const canvas = Object.assign(document.createElement('div'), { className: 'canvas' });
    const png = Object.assign(document.createElement('button'), { type: 'button', className: 'png', textContent: t('savePng') });
    const figure = document.createElement('figure');
    figure.className = 'chart';
    figure.dataset.chart = id;
    figure.append(png, canvas);
    box.append(figure);
    const chart = echarts.init(canvas, null, { renderer: 'canvas' });
    chart.setOption({ color: PALETTE, textStyle: FONT, animation: false, title: { text: title, left: 'center', textStyle: { fontSize: 13 } }, ...option });
    png.addEventListener('click', () => {
      const url = chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#fff' });
      save(url, `${parkCode}-${id}-${month}.png`);
    });
    charts[id] = chart;
  }
  if (!box.resizing) {
    box.resizing = new ResizeObserver(() => resize(box));
    box.resizing.observe(box);
  }
  box.charts = charts; // for whoever reads the figures back (the browser test compares them)
  return { charts, report, land };
}

/** Redraw at the box's size (after the window or the panel moved). */
export function resize(box) {
  for (const c of box.querySelectorAll('.canvas')) echarts.getInstanceByDom(c)?.resize();
}
