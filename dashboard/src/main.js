// The committee's map dashboard: parcels coloured by status and by what needs attention, a
// panel for what was clicked, filters, the month's dispatch figures, sign-in, and the public
// map of available plots for everyone else. It only uses parkland's public HTTP interface
// (OGC API – Features collections and the JSON API), like any other client would.

import 'maplibre-gl/dist/maplibre-gl.css';
import './style.css';
import * as api from './api.js';
import { label, language, setLanguage, t, translatePage } from './i18n.js';
import { renderApplications } from './applications.js';
import { parcelPanel, plotPanel, unitPanel, workshopPanel } from './panel.js';
import { THEMES, classOf, colorExpression } from './themes.js';
import * as table from './table.js';
import { line, renderCounty } from './county.js';
import { workshopEdits } from './edit.js';
import { ProjectList } from './projects.js';

const $ = (id) => document.getElementById(id);

/** MapLibre GL JS (1 MB) is a chunk of its own, fetched while the page asks who is signed in
 * and draws its header: the first paint does not wait for it. */
let maplibregl = null;

const state = {
  config: { basemap: null },
  user: null,
  parks: [],
  park: null,
  zones: [],
  zoneLabels: [],
  enterprises: new Map(), // parcel id → names of the enterprises on it, for the search
  data: new Map(), // collection id → FeatureCollection (attributes only when the map is tiled)
  loading: new Map(), // collection id → the promise of its attributes (see `ensure`)
  generation: 0, // counts the park and month loads: an older load's answer is dropped
  byId: new Map(), // collection id → feature id → feature, for the hover labels
  zoomedToLayer: false, // the map was fitted to a small layer when it was chosen
  plotMatch: null, // ids of the plots the applicant's search finds (null: no search)
  theme: null,
  map: null,
  // Settles once the park's first screen is drawn: attributes wait for it (see `ensure`).
  drawn: Promise.resolve(),
};

/** Whether the caller reads the register (the bureau, a committee, an administrator); an
 * applicant, like a visitor, sees the public layers only. */
const readsRegister = () => ['admin', 'bureau', 'committee'].includes(state.user?.role);

/** Themes this caller may see: every layer for the register's readers, the public ones else. */
const themes = () => THEMES.filter((th) => readsRegister() || th.public);
const theme = () => THEMES.find((th) => th.id === state.theme);

function notice(text) {
  $('notice').textContent = text ?? '';
}

// ---- the map -------------------------------------------------------------------------------

/** The style: an optional XYZ base map over a plain background (which is all there is offline). */
function style(basemap) {
  const s = {
    version: 8,
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#f3f1ec' } }],
  };
  if (basemap?.url) {
    const subdomains = [...(basemap.subdomains || 'abc')];
    const tiles = basemap.url.includes('{s}')
      ? subdomains.map((d) => basemap.url.replace('{s}', d))
      : [basemap.url];
    s.sources.basemap = {
      type: 'raster',
      tiles,
      tileSize: 256,
      maxzoom: basemap.max_zoom ?? 18,
      attribution: basemap.attribution ?? '',
    };
    s.layers.push({ id: 'basemap', type: 'raster', source: 'basemap' });
  }
  return s;
}

const empty = () => ({ type: 'FeatureCollection', features: [] });

/** The layers are drawn from parkland's vector tiles (OGC API – Tiles, MVT), so a pan loads
 * only the tiles in view whatever the park's size. With an offset base map (GCJ-02: AMap,
 * Tencent) they are drawn from GeoJSON asked for in the offset system instead, since a tile's
 * grid is WGS 84's and an offset feature would be cut at the wrong edge. */
const tiled = () => !offsetBasemap();

/** Tiles up to this zoom (from z15 they carry every property); the map overzooms beyond. */
const TILE_MAX_ZOOM = 16;

/** Where a theme's features live inside its source: a tile's layer is named after the
 * collection; a GeoJSON source has no layers. */
const sourceLayer = (collection) => (tiled() ? { sourceLayer: collection } : {});

/** The layers whose state is of a day: the month picker shows them as of its month's end. */
const DAY_SCOPED = new Set(['idle-land', 'underused-land', 'capacity-reviews', 'workshops']);

/** Whether the caller changes the park's operations (workshops, leases, projects): its
 * committee and the administrators, as the server's access rules say. */
const editsOperations = () => ['admin', 'committee'].includes(state.user?.role);

/** After a change from the panel: the layers, the strip and the panel again, from the server. */
async function edited(id) {
  const summary = loadSummary();
  if (await loadLayers()) {
    if (tiled()) for (const c of new Set(THEMES.map((th) => th.collection))) state.map.refreshTiles?.(c);
    applyFilters(false);
    await select(id);
    prefetch();
  }
  await summary;
}

/** The month's last day, or nothing for the current month (today, the server's default) —
 * the day the dispatch report of that month is as of. */
function asOf() {
  const [y, m] = ($('month').value || '').split('-').map(Number);
  if (!y || !m) return null;
  const last = new Date(Date.UTC(y, m, 0));
  const now = new Date();
  if (y > now.getFullYear() || (y === now.getFullYear() && m >= now.getMonth() + 1)) return null;
  return last.toISOString().slice(0, 10);
}

/** `&as_of=` for a day-scoped collection when a past month is picked. */
const dayOf = (collection) => (DAY_SCOPED.has(collection) && asOf() ? `&as_of=${asOf()}` : '');

/** A collection's tile URL template for the park on screen (z/y/x: OGC's order). */
const tileUrl = (collection) =>
  `${api.resolve(`/collections/${collection}/tiles/WebMercatorQuad/`)}{z}/{y}/{x}?park_id=${state.park?.id ?? 0}${dayOf(collection)}`;

/** A label beside the pointer naming what is under it (code, name, class), from the loaded
 * attributes — the tiles carry only what the map draws. */
function hoverLabels(map) {
  const tip = document.createElement('div');
  tip.className = 'hover-label';
  tip.hidden = true;
  map.getContainer().append(tip);
  for (const th of THEMES) {
    map.on('mousemove', `${th.id}-fill`, (e) => {
      const f = e.features?.[0];
      const a = f && state.byId.get(th.collection)?.get(f.id);
      if (!a) return;
      const p = a.properties;
      const cls = th.property ? th.classes.find((c) => c.key === classOf(th, p)) : null;
      const what = [p.code ?? p.parcel_code, p.name ?? p.parcel_name ?? p.workshop_name].filter(Boolean).join(' ');
      tip.textContent = cls ? `${what} · ${label(cls)}` : what;
      tip.style.left = `${e.point.x + 12}px`;
      tip.style.top = `${e.point.y + 12}px`;
      tip.hidden = false;
    });
    map.on('mouseleave', `${th.id}-fill`, () => (tip.hidden = true));
  }
}

function addLayers(map) {
  for (const id of ['parks', 'zones']) map.addSource(id, { type: 'geojson', data: empty() });
  for (const id of new Set(THEMES.map((th) => th.collection))) {
    map.addSource(
      id,
      tiled()
        ? { type: 'vector', tiles: [tileUrl(id)], maxzoom: TILE_MAX_ZOOM }
        : { type: 'geojson', data: empty() },
    );
  }
  const from = (collection) => ({ source: collection, ...(tiled() ? { 'source-layer': collection } : {}) });
  map.addLayer({ id: 'park-line', type: 'line', source: 'parks', paint: { 'line-color': '#5d4037', 'line-width': 2 } });
  // Hidden until a theme shows them (an anonymous visitor may not read the register's tiles).
  const hidden = { visibility: 'none' };
  map.addLayer({ id: 'context-fill', type: 'fill', ...from('parcels'), layout: hidden, paint: { 'fill-color': '#dcdcdc', 'fill-opacity': 0.6 } });
  // Outlines start at zoom 12: below it a parcel is a pixel or two across, an outline shows
  // nothing, and a large park's 50,000 outlines cost software WebGL a second to draw.
  const OUTLINES_FROM = 12;
  map.addLayer({ id: 'context-line', type: 'line', ...from('parcels'), minzoom: OUTLINES_FROM, layout: hidden, paint: { 'line-color': '#9e9e9e', 'line-width': 0.5 } });
  // The selected feature is outlined (and below the outlines' zoom, filled) by feature state,
  // which works the same on both kinds of source (a tile holds pieces of a feature, not the
  // whole of it).
  const selected = (yes, no) => ['case', ['boolean', ['feature-state', 'selected'], false], yes, no];
  for (const th of THEMES) {
    map.addLayer({
      id: `${th.id}-fill`,
      type: 'fill',
      ...from(th.collection),
      layout: { visibility: 'none' },
      paint: {
        'fill-color': ['step', ['zoom'], selected('#00e5ff', colorExpression(th)), OUTLINES_FROM, colorExpression(th)],
        'fill-opacity': 0.75,
      },
    });
    map.addLayer({
      id: `${th.id}-line`,
      type: 'line',
      ...from(th.collection),
      minzoom: OUTLINES_FROM,
      layout: { visibility: 'none' },
      // Outlines thin out at a large park's own zoom, where parcels are a few pixels across.
      paint: {
        'line-color': selected('#00e5ff', '#37474f'),
        'line-width': ['interpolate', ['linear'], ['zoom'], OUTLINES_FROM, selected(3, 0.1), 14, selected(3, 0.8)],
      },
    });
    map.on('click', `${th.id}-fill`, (e) => {
      if (th.id === state.theme && e.features.length) select(e.features[0].id);
    });
    map.on('mouseenter', `${th.id}-fill`, () => (map.getCanvas().style.cursor = 'pointer'));
    map.on('mouseleave', `${th.id}-fill`, () => (map.getCanvas().style.cursor = ''));
  }
  map.addLayer({
    id: 'zones-line',
    type: 'line',
    source: 'zones',
    paint: { 'line-color': '#6d4c41', 'line-width': 1.5, 'line-dasharray': [3, 2] },
  });
}

function bounds(features) {
  const b = new maplibregl.LngLatBounds();
  const walk = (c) => (typeof c[0] === 'number' ? b.extend(c) : c.forEach(walk));
  for (const f of features) if (f.geometry) walk(f.geometry.coordinates);
  return b.isEmpty() ? null : b;
}

function fit(features) {
  const b = bounds(features);
  if (b) state.map.fitBounds(b, { padding: 40, maxZoom: 17, duration: 0 });
}

/** The map, once it has drawn what it was last told to. */
const idle = () => new Promise((resolve) => state.map.once('idle', resolve));

/** Fit the map to some features of a theme's layer. Tiled, the attributes carry no geometry:
 * the whole park is shown first (so every tile of it is loaded), then the features' pieces in
 * those tiles give the extent. */
async function fitTo(th, features) {
  if (!tiled()) return fit(features);
  const current = ask('fit');
  const want = new Set(features.map((f) => f.id));
  fit([state.park]);
  await idle();
  if (!current()) return;
  const pieces = state.map
    .querySourceFeatures(th.collection, sourceLayer(th.collection))
    .filter((f) => want.has(f.id));
  fit(pieces);
}

// ---- data ----------------------------------------------------------------------------------

/** The base map's offset system (AMap, Tencent: `gcj02`), or null for a WGS 84 one. */
function offsetBasemap() {
  const c = state.config.basemap?.coordinates;
  return c && c !== 'wgs84' ? c : null;
}

/** `coordinates=gcj02` when the base map is an offset one, so layers line up. */
const coordinates = () => (offsetBasemap() ? `&coordinates=${encodeURIComponent(offsetBasemap())}` : '');

const items = (collection, query = '') =>
  api.allFeatures(`/collections/${collection}/items?limit=10000${query}${coordinates()}`);

/** What the panels, the legend and the search read of a theme's collection. Tiled, that is its
 * attributes only (the tiles draw the shapes), and of the register's parcels only what the
 * search and the legend use. */
const attributes = (collection, park) => {
  park += dayOf(collection);
  if (!tiled()) return items(collection, park);
  const only = collection === 'parcels' ? '&properties=code,name,zone_id,status' : '';
  return items(collection, `${park}&skipGeometry=true${only}`);
};

async function loadParks() {
  const parks = await items('parks');
  const mine = state.user?.role === 'committee' ? new Set(state.user.parks) : null;
  state.parks = parks.features.filter((f) => !mine || mine.has(f.id));
  const select = $('park');
  select.replaceChildren(
    ...state.parks.map((p) => new Option(p.properties.name, p.id)),
  );
  select.hidden = state.parks.length < 2;
  $('park-name').hidden = !select.hidden;
  const wanted = Number(new URLSearchParams(location.search).get('park'));
  state.park = state.parks.find((p) => p.id === wanted) ?? state.parks[0] ?? null;
  if (state.park) {
    select.value = state.park.id;
    $('park-name').textContent = state.park.properties.name;
  }
}

async function loadPark() {
  const map = state.map;
  if (!state.park) {
    notice(t('noMatches'));
    return;
  }
  const current = ask('park');
  // Everything the first screen needs is asked for at once: the strip (it needs only the
  // park), the zones, the shown layer's tiles (the view is fitted and the layer shown at
  // once), its attributes and the signed-in user's applications.
  fit([state.park]);
  // Tiled, the map draws without the attributes: they are asked for once it has (or after
  // 10 s), so that on a large park their pages do not compete with the tiles and the strip
  // for two cores. Whole layers (an offset base map) are what the map draws: no waiting.
  state.drawn = tiled() ? Promise.race([idle(), new Promise((r) => setTimeout(r, 10_000))]) : Promise.resolve();
  const summary = readsRegister() ? loadSummary() : null;
  const zones = items('zones', `&park_id=${state.park.id}`);
  const loaded = loadLayers();
  const shown = setTheme(state.theme && themes().some((th) => th.id === state.theme) ? state.theme : themes()[0].id);
  const applications = state.user ? loadApplications() : null;
  map.getSource('parks').setData({ type: 'FeatureCollection', features: [state.park] });
  // The page is ready once the map is drawn and the strip filled; the layer's attributes
  // (legend counts, filters, search, table — `data-theme` on the body says when they are in)
  // and the applications follow as they arrive: on a park of 50,000 parcels they are six
  // pages that would otherwise hold the whole screen back by seconds.
  const following = Promise.all([loaded, shown, applications]);
  following.catch((e) => current() && notice(t('loadFailed', { m: e.message })));
  // Whole layers are the map: ready means drawn.
  if (!tiled()) await loaded;
  const zoned = await zones;
  if (!current()) return;
  state.zones = zoned.features;
  labelZones();
  map.getSource('zones').setData(zoned);
  $('zone').replaceChildren(
    new Option(t('allZones'), ''),
    ...state.zones.map((z) => new Option(z.properties.name, z.id)),
  );
  await summary;
}

/** The layers that name the enterprise on a parcel (the search finds parcels by them). */
const ENTERPRISE_LAYERS = ['mu-performance', 'idle-land', 'underused-land'];

/** A collection's attributes for the park and month on screen, asked for once, when first
 * needed: the layer on screen once the map is drawn, the others in the background after (a
 * park of 50,000 parcels computes each land layer for every supply — the first screen should
 * not wait for all six). */
function ensure(collection) {
  let loading = state.loading.get(collection);
  if (!loading) {
    const generation = state.generation;
    const park = `&park_id=${state.park.id}`;
    loading = state.drawn.then(() => attributes(collection, park)).then((fc) => {
      if (generation !== state.generation) return fc; // another park or month since
      state.data.set(collection, fc);
      state.byId.set(collection, new Map(fc.features.map((f) => [f.id, f])));
      if (ENTERPRISE_LAYERS.includes(collection)) indexEnterprises();
      if (!tiled()) state.map.getSource(collection).setData(fc);
      return fc;
    });
    // A failed load is asked for again next time.
    loading.catch(() => state.loading.get(collection) === loading && state.loading.delete(collection));
    state.loading.set(collection, loading);
  }
  return loading;
}

/** The readable layers' attributes, one after the other, in the background. */
async function prefetch() {
  const generation = state.generation;
  for (const c of new Set(themes().map((th) => th.collection))) {
    if (generation !== state.generation) return;
    await ensure(c).catch(() => {});
  }
}

/** The park's layers, for the month picked: tiles pointed at them, and the attributes of the
 * layer on screen loaded (the rest when needed). False when a later load overtook this one. */
async function loadLayers() {
  const current = ask('layers');
  state.generation += 1;
  state.data = new Map();
  state.byId = new Map();
  state.loading = new Map();
  state.enterprises = new Map();
  for (const c of new Set(THEMES.map((th) => th.collection))) {
    if (tiled()) state.map.getSource(c).setTiles([tileUrl(c)]);
    else state.map.getSource(c).setData(empty());
  }
  const shown = themes().find((th) => th.id === state.theme) ?? themes()[0];
  await ensure(shown.collection);
  return current();
}

/** A new month: the strip, and the map's day-scoped layers as of the month's end. */
async function monthChanged() {
  const summary = loadSummary();
  if (await loadLayers()) {
    clearSelection();
    applyFilters(false);
    prefetch();
  }
  await summary;
  if (!$('charts-view').hidden) await showCharts();
}

/** Zone names at the middle of each zone's extent, as HTML markers over the map. */
function labelZones() {
  for (const m of state.zoneLabels) m.remove();
  state.zoneLabels = state.zones.flatMap((z) => {
    const b = bounds([z]);
    if (!b) return [];
    const element = Object.assign(document.createElement('div'), { className: 'zone-label', textContent: z.properties.name });
    return [new maplibregl.Marker({ element }).setLngLat(b.getCenter()).addTo(state.map)];
  });
}

const layers = {
  all: (c) => state.data.get(c)?.features ?? [],
  find: (c, parcelId) => layers.all(c).find((f) => f.properties.parcel_id === parcelId) ?? null,
};

// ---- themes, filters, legend ---------------------------------------------------------------

/** Show a theme: its layer at once, its legend, filters and table once its attributes are in
 * (`data-theme` on the body says so). */
async function setTheme(id) {
  state.theme = id;
  const map = state.map;
  for (const th of THEMES) {
    const v = th.id === id ? 'visible' : 'none';
    map.setLayoutProperty(`${th.id}-fill`, 'visibility', v);
    map.setLayoutProperty(`${th.id}-line`, 'visibility', v);
  }
  // The register's parcels in grey under every theme but their own (signed in only).
  const context = readsRegister() && id !== 'status' ? 'visible' : 'none';
  map.setLayoutProperty('context-fill', 'visibility', context);
  map.setLayoutProperty('context-line', 'visibility', context);
  for (const input of document.querySelectorAll('#themes input')) input.checked = input.value === id;
  const th = theme();
  $('class-label').textContent = label(th.label);
  $('class').replaceChildren(
    new Option(t('allClasses'), ''),
    ...th.classes.map((c) => new Option(label(c), c.key)),
  );
  $('class').disabled = th.classes.length < 2;
  $('plot-search').hidden = id !== 'plots';
  clearSelection();
  delete document.body.dataset.theme;
  if (!state.data.has(th.collection)) renderLegend(null);
  await ensure(th.collection);
  if (state.theme !== id) return;
  applyFilters(false);
  document.body.dataset.theme = id;
}

/** Which enterprises are on which parcel, from the layers that name them (once per load, so
 * that searching stays linear in the number of features). */
function indexEnterprises() {
  state.enterprises = new Map();
  for (const c of ['mu-performance', 'idle-land', 'underused-land']) {
    for (const f of layers.all(c)) {
      const { parcel_id: id, enterprise_name: name } = f.properties;
      if (name) state.enterprises.set(id, [...(state.enterprises.get(id) ?? []), name]);
    }
  }
}

/** The searchable words of a feature: codes, names and the enterprise on the land. */
function words(f) {
  const p = f.properties;
  const extra = state.enterprises.get(p.parcel_id ?? f.id) ?? [];
  return [p.code, p.parcel_code, p.name, p.parcel_name, p.enterprise_name, p.owner_name, ...extra]
    .filter(Boolean)
    .join(' ')
    .toLowerCase();
}

function matching() {
  const th = theme();
  const zone = Number($('zone').value) || null;
  const cls = $('class').value;
  const q = $('search').value.trim().toLowerCase();
  const all = layers.all(th.collection);
  const searched = th.id === 'plots' && state.plotMatch != null;
  return {
    all,
    active: Boolean(zone || cls || q || searched),
    inZone: all.filter((f) => !zone || f.properties.zone_id === zone),
    matched: all.filter(
      (f) =>
        (!searched || state.plotMatch.has(f.id)) &&
        (!zone || f.properties.zone_id === zone) &&
        (!cls || classOf(th, f.properties) === cls) &&
        (!q || words(f).includes(q)),
    ),
  };
}

function applyFilters(fitToResult = true) {
  const th = theme();
  const { active, inZone, matched } = matching();
  const filter = active ? ['in', ['id'], ['literal', matched.map((f) => f.id)]] : null;
  state.map.setFilter(`${th.id}-fill`, filter);
  state.map.setFilter(`${th.id}-line`, filter);
  $('matches').textContent = matched.length ? t('matches', { n: matched.length }) : t('noMatches');
  renderLegend(inZone);
  renderTable(matched);
  if (fitToResult && active && matched.length) fitTo(th, matched);
  if (fitToResult && !active && state.park) fit([state.park]);
}

// ---- the bureau's county view -------------------------------------------------------------

async function switchPark(id) {
  if (state.park?.id === id) return;
  state.park = state.parks.find((p) => p.id === id);
  $('park').value = String(id);
  // Another park's projects and charts.
  $('projects-view').hidden = true;
  $('charts-view').hidden = true;
  clearSelection();
  await loadPark();
}

async function showCounty() {
  $('county-title').textContent = t('countyTitle', { m: $('month').value });
  try {
    await renderCounty($('county-body'), {
      parks: state.parks,
      month: $('month').value,
      asOf: asOf(),
      openPark: async (id) => {
        $('county-view').hidden = true;
        await switchPark(id);
      },
      openCase: async (parkId, parcelId) => {
        $('county-view').hidden = true;
        await switchPark(parkId);
        await setTheme('idle');
        const feature = layers.all('idle-land').find((f) => (f.properties.parcel_id ?? f.id) === parcelId);
        if (feature) {
          await fitTo(theme(), [feature]);
          await select(feature.id);
        }
      },
    });
  } catch (e) {
    $('county-body').textContent = t('loadFailed', { m: e.message });
  }
}

// ---- the month in charts (ECharts, loaded when first opened) -------------------------------

async function showCharts() {
  $('charts-view').hidden = false;
  $('charts-title').textContent = t('chartsTitle', { m: $('month').value });
  const box = $('charts-body');
  try {
    const charts = await import('./charts.js');
    await charts.renderCharts(box, {
      parkId: state.park.id,
      parkCode: state.park.properties.code,
      month: $('month').value,
      zoneName,
      performance: (await ensure('mu-performance')).features,
      performanceTheme: THEMES.find((th) => th.id === 'performance'),
      save: (url, name) => {
        const a = Object.assign(document.createElement('a'), { href: url, download: name });
        document.body.append(a);
        a.click();
        a.remove();
      },
    });
  } catch (e) {
    box.textContent = t('loadFailed', { m: e.message });
  }
}

// ---- the committee's project list ----------------------------------------------------------

let projects = null;

async function showProjects() {
  projects ??= new ProjectList(
    { stage: $('project-stage'), unit: $('project-unit'), body: $('projects-body'), title: $('projects-title') },
    async (project) => {
      // A project on land opens its (first) parcel on the register's layer.
      await setTheme('status');
      const feature = layers.all('parcels').find((f) => f.id === project.parcel_ids[0]);
      if (feature) await fitTo(theme(), [feature]);
      await select(project.parcel_ids[0]);
    },
  );
  $('projects-view').hidden = false;
  try {
    await projects.load(state.park.id);
  } catch (e) {
    $('projects-body').textContent = t('loadFailed', { m: e.message });
  }
}

// ---- the table of what is filtered -------------------------------------------------------

const zoneName = (id) => state.zones.find((z) => z.id === id)?.properties.name ?? '';

function renderTable(matched = matching().matched) {
  if ($('table-view').hidden) return;
  const th = theme();
  $('table-title').textContent = `${label(th.label)} · ${t('matches', { n: matched.length })}`;
  table.render($('table-body'), th, matched, zoneName, async (id) => {
    const feature = layers.all(th.collection).find((f) => f.id === id);
    if (feature) await fitTo(th, [feature]);
    await select(id);
  });
}

/** A download's name: the park's code, what it holds, and the day. */
const stem = (what) => `${state.park.properties.code}-${what}-${new Date().toISOString().slice(0, 10)}`;

/** The rows the table shows — every one, not only those drawn — saved as `format`. */
function exportTable(format) {
  const th = theme();
  table.save(table.rows(th, matching().matched, zoneName), format, stem(th.collection), label(th.label));
}

/** Layers of a few features, fitted to when chosen. */
const SMALL_LAYERS = new Set(['workshops', 'units']);

function renderThemes() {
  const box = $('themes');
  box.replaceChildren(Object.assign(document.createElement('legend'), { textContent: t('layers') }));
  for (const th of themes()) {
    const input = Object.assign(document.createElement('input'), {
      type: 'radio',
      name: 'theme',
      value: th.id,
      checked: th.id === state.theme,
    });
    input.addEventListener('change', async () => {
      const zoomedIn = state.zoomedToLayer;
      await setTheme(th.id);
      // A small layer (a park's few workshops, their free units) is easier to read fitted to
      // its own extent; the next layer is the whole park's again, not their corner of it.
      const features = layers.all(th.collection);
      state.zoomedToLayer = SMALL_LAYERS.has(th.id) && features.length > 0;
      if (state.zoomedToLayer) fitTo(th, features);
      else if (zoomedIn && state.park) fit([state.park]);
    });
    const l = document.createElement('label');
    l.dataset.theme = th.id;
    l.append(input, ' ', label(th.label));
    box.append(l);
  }
}

/** The shown layer's classes with their counts in `features` (null: still loading). */
function renderLegend(features) {
  const th = theme();
  const counts = new Map();
  for (const f of features ?? []) {
    const k = classOf(th, f.properties);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const rows = th.classes.map((c) => {
    const row = document.createElement('div');
    row.className = 'legend-row';
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = c.color;
    row.append(swatch, label(c), Object.assign(document.createElement('span'), { className: 'count', textContent: features ? (counts.get(c.key) ?? 0) : '…' }));
    return row;
  });
  const title = Object.assign(document.createElement('h2'), { textContent: label(th.label) });
  $('legend').replaceChildren(title, ...rows);
}

// ---- selection and panel -------------------------------------------------------------------

/** The outlined feature: its source and id, for its feature state. */
let outlined = null;

function outline(collection, id) {
  if (outlined) state.map.removeFeatureState(outlined, 'selected');
  outlined = id == null ? null : { source: collection, id, ...sourceLayer(collection) };
  if (outlined) state.map.setFeatureState(outlined, { selected: true });
}

function clearSelection() {
  outline(null, null);
  $('panel').hidden = true;
  document.body.classList.remove('panel-open');
  writeUrl(null);
}

/** The page's address says what is on screen — park, layer, selected feature — so it can be
 * shared or bookmarked and opens on the same thing (for whoever may see it). */
function writeUrl(feature) {
  if (!state.park) return;
  const u = new URL(location.href);
  u.searchParams.set('park', state.park.id);
  u.searchParams.set('layer', state.theme);
  if (feature != null) u.searchParams.set('feature', feature);
  else u.searchParams.delete('feature');
  history.replaceState(null, '', u);
  $('share').href = u.href;
}

/** Open the feature the address named, once the park is loaded. */
async function openFromUrl(id) {
  const th = theme();
  if (!id) return;
  await ensure(th.collection);
  const feature = layers.all(th.collection).find((f) => f.id === id);
  if (!feature) return;
  await fitTo(th, [feature]);
  await select(id);
}

async function select(id) {
  const current = ask('select');
  const th = theme();
  // A click before the layer's attributes are in opens the panel once they are.
  await ensure(th.collection).catch(() => null);
  if (!current() || th !== theme()) return;
  const feature = layers.all(th.collection).find((f) => f.id === id);
  if (!feature) return;
  outline(th.collection, id);
  writeUrl(id);
  const body = $('panel-body');
  $('panel').hidden = false;
  document.body.classList.add('panel-open');
  // Parcels are drawn into a detached element and shown only if still the latest selection.
  body.textContent = '…';
  const draft = document.createElement('div');
  try {
    if (th.id === 'workshops') {
      workshopPanel(draft, feature);
      if (editsOperations()) {
        const box = document.createElement('div');
        box.id = 'workshop-edits';
        draft.append(box);
        await workshopEdits(box, feature.id, () => edited(id));
      }
    }
    else if (th.id === 'plots') plotPanel(draft, feature, panelContext());
    else if (th.id === 'units') unitPanel(draft, feature, layers.all('available-units'), panelContext());
    else {
      // The parcel panel reads the land watch and the workshops on the parcel.
      await Promise.all(['idle-land', 'underused-land', 'mu-performance', 'workshops'].map(ensure));
      await parcelPanel(draft, feature.properties.parcel_id ?? feature.id, layers);
    }
  } catch (e) {
    draft.textContent = t('loadFailed', { m: e.message });
  }
  if (current()) body.replaceChildren(...draft.childNodes);
}

// ---- the month's figures -------------------------------------------------------------------

/** The month just ended, on the user's own calendar (the committee's is Beijing time). */
function lastMonth() {
  const now = new Date();
  const d = new Date(now.getFullYear(), now.getMonth() - 1, 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

/** A counter per kind of request: an answer that is not the latest one asked for is dropped
 * (a slow reply for parcel A must not fill the panel after parcel B was clicked). */
const latest = { select: 0, park: 0, summary: 0, fit: 0, plots: 0, layers: 0 };
const ask = (kind) => {
  const n = ++latest[kind];
  return () => n === latest[kind];
};

const dispatchUrl = (format) =>
  `/api/parks/${state.park.id}/reports/dispatch?month=${$('month').value}&format=${format}`;

/** The layer (and class) a strip figure opens. */
const OPENS = {
  idle: ['idle', 'idle'],
  underused: ['underused', ''],
  overdue: ['workshops', 'overdue'],
  occupancy: ['units', ''],
  performance: ['performance', ''],
  pipeline: null, // the project list, not a layer
};

async function openFigure(key) {
  if (key === 'pipeline') {
    showProjects();
    return;
  }
  const [theme, cls] = OPENS[key];
  if (!themes().some((th) => th.id === theme)) return;
  await setTheme(theme);
  $('class').value = cls;
  applyFilters();
}

async function loadSummary() {
  const current = ask('summary');
  const box = $('summary-figures');
  $('summary').hidden = false;
  try {
    const r = await api.getJson(dispatchUrl('json'));
    if (!current()) return;
    const fmt = (n, d = 1) => Number(n ?? 0).toLocaleString('zh-CN', { maximumFractionDigits: d });
    const l = line(r);
    const stages = r.pipeline.by_stage.filter((s) => s.count).map((s) => `${s.stage_name} ${s.count}`);
    const classes = Object.entries(r.performance.classes).map(([k, v]) => `${k} ${v}`).join(' · ');
    const figures = [
      ['idle', t('idleLand'), `${fmt(l.idle_mu)} ${t('mu')}`, `${t('parcelsCount', { n: l.idle_count })}${l.approaching ? ' · ' + t('approachingCount', { n: l.approaching }) : ''}`],
      ['underused', t('underused'), `${fmt(l.under_mu)} ${t('mu')}`, t('parcelsCount', { n: l.under_count })],
      ['overdue', t('overdueWorkshops'), String(l.overdue_workshops), t('dueSoon', { n: r.deadlines.due_soon })],
      ['occupancy', t('occupancy'), `${fmt(l.occupancy_pct)}%`, `${fmt(l.leased_m2, 0)} / ${fmt(l.unit_m2, 0)} m²`],
      ['pipeline', t('pipeline'), String(l.projects), stages.join(' · ')],
      ['performance', `${t('muClasses')} ${r.performance.year}`, classes, ''],
    ];
    box.replaceChildren(
      ...figures.map(([key, name, value, note]) => {
        const opens = key in OPENS;
        const d = document.createElement(opens ? 'button' : 'div');
        d.className = 'figure';
        d.dataset.figure = key;
        if (opens) {
          d.type = 'button';
          d.title = key === 'pipeline' ? t('openProjects') : t('openLayer');
          d.addEventListener('click', () => openFigure(key));
        }
        for (const [cls, text] of [['name', name], ['value', value], ['note', note]]) {
          d.append(Object.assign(document.createElement('span'), { className: cls, textContent: text }));
        }
        return d;
      }),
    );
  } catch (e) {
    if (current()) box.textContent = t('loadFailed', { m: e.message });
  }
}

// ---- sign-in -------------------------------------------------------------------------------

/** After signing in or out: the page again, on the park but on the role's first layer (what
 * the other role had open may not be this one's to see). */
function startOver() {
  const u = new URL(location.href);
  u.searchParams.delete('layer');
  u.searchParams.delete('feature');
  location.replace(u);
}

function wireSignIn() {
  const dialog = $('signin-dialog');
  $('sign-in').addEventListener('click', () => {
    $('signin-error').textContent = '';
    dialog.showModal();
  });
  $('signin-cancel').addEventListener('click', () => dialog.close());
  $('signin-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    $('signin-submit').disabled = true;
    try {
      await api.signIn(String(form.get('name')).trim(), String(form.get('password')));
      startOver();
    } catch (err) {
      $('signin-error').textContent = err.status === 401 ? t('signInFailed') : err.message;
    } finally {
      $('signin-submit').disabled = false;
    }
  });
  $('sign-out').addEventListener('click', async () => {
    await api.signOut();
    startOver();
  });
}

function renderWho() {
  $('county').hidden = !['bureau', 'admin'].includes(state.user?.role);
  $('sign-in').hidden = Boolean(state.user);
  $('sign-out').hidden = !state.user;
  $('who').textContent = state.user ? state.user.name : '';
  notice(readsRegister() ? '' : state.user ? t('applicantNotice') : t('publicNotice'));
}

// ---- the applicant's path and the committee's queue ----------------------------------------

/** The infrastructure items' names (七通一平 by default; a park may track others). */
const INFRASTRUCTURE = {
  water_supply: '通给水',
  drainage: '通排水',
  power: '通电',
  telecom: '通信',
  road: '通路',
  gas: '通燃气',
  heat: '通热力',
};

/** What the plot and unit panels need to know of the page. */
const panelContext = () => ({
  user: state.user,
  parkId: state.park?.id,
  infrastructureNames: INFRASTRUCTURE,
  applied: loadApplications,
  signIn: () => $('sign-in').click(),
});

/** The plot search's controls: the API's own filters (area, industry, infrastructure,
 * levelled site), asked of the server and shown as a filter on the map. */
function renderPlotSearch() {
  const box = $('infrastructure');
  box.replaceChildren(
    ...Object.entries(INFRASTRUCTURE).map(([key, name]) => {
      const l = document.createElement('label');
      l.append(Object.assign(document.createElement('input'), { type: 'checkbox', value: key }), ` ${name}`);
      return l;
    }),
  );
}

let searchTimer = null;
/** Ask the server which plots fit the search (debounced: typing a figure sends one query). */
function plotSearchChanged() {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(searchPlots, 300);
}

async function searchPlots() {
  const current = ask('plots');
  const q = new URLSearchParams();
  const put = (k, v) => v && q.set(k, v);
  put('min_area_mu', $('min-mu').value);
  put('max_area_mu', $('max-mu').value);
  put('industry', $('industry').value.trim().toUpperCase());
  put('site_levelled', $('levelled').checked ? 'true' : '');
  put('infrastructure', [...document.querySelectorAll('#infrastructure input:checked')].map((i) => i.value).join(','));
  if (![...q.keys()].length) {
    state.plotMatch = null;
    $('plot-search-error').textContent = '';
    applyFilters();
    return;
  }
  try {
    const found = await items('available-plots', `&park_id=${state.park.id}&skipGeometry=true&properties=code&${q}`);
    if (!current()) return;
    state.plotMatch = new Set(found.features.map((f) => f.id));
    $('plot-search-error').textContent = '';
  } catch (e) {
    if (!current()) return;
    $('plot-search-error').textContent = e.message;
    return;
  }
  applyFilters();
}

async function loadApplications() {
  const box = $('applications');
  box.hidden = !state.user;
  if (!state.user) return;
  // Plot codes: from the register's parcels for those who read it (loading already: the
  // first theme), from the available plots for an applicant (their first theme).
  await ensure(readsRegister() ? 'parcels' : 'available-plots').catch(() => null);
  const codes = new Map(layers.all('available-plots').map((f) => [f.id, f.properties.code]));
  for (const f of layers.all('parcels')) codes.set(f.id, f.properties.code);
  const name = (a) => (a.parcel_id ? t('plotOf', { c: codes.get(a.parcel_id) ?? a.parcel_id }) : t('unitOf', { n: a.unit_id }));
  try {
    await renderApplications(box, state.user, name);
  } catch (e) {
    box.textContent = t('loadFailed', { m: e.message });
  }
}

// ---- start ---------------------------------------------------------------------------------

function renderChrome() {
  translatePage();
  $('lang').textContent = language() === 'zh' ? 'EN' : '中文';
  renderThemes();
  renderWho();
  $('zone').options[0].textContent = t('allZones');
  if (state.theme) setTheme(state.theme);
}

async function start() {
  const mapLibrary = import('maplibre-gl');
  setLanguage(language());
  $('month').value = lastMonth();
  [state.config, state.user] = await Promise.all([
    fetch('config.json').then((r) => (r.ok ? r.json() : { basemap: null })),
    api.me(),
  ]);
  renderChrome();
  wireSignIn();
  $('lang').addEventListener('click', async () => {
    setLanguage(language() === 'zh' ? 'en' : 'zh');
    renderChrome();
    if (state.user) await loadSummary();
  });
  $('zone').addEventListener('change', () => applyFilters());
  $('class').addEventListener('change', () => applyFilters());
  // The search waits for a pause in typing: each keystroke would otherwise refilter and redraw.
  let typing = null;
  $('search').addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => applyFilters(), 200);
  });
  $('show-table').addEventListener('click', () => {
    $('table-view').hidden = !$('table-view').hidden;
    renderTable();
  });
  $('table-close').addEventListener('click', () => {
    $('table-view').hidden = true;
  });
  $('charts').addEventListener('click', showCharts);
  $('charts-close').addEventListener('click', () => ($('charts-view').hidden = true));
  $('projects-csv').addEventListener('click', () => projects.export('csv', stem('projects')));
  $('projects-xls').addEventListener('click', () => projects.export('xls', stem('projects')));
  $('projects-close').addEventListener('click', () => ($('projects-view').hidden = true));
  $('export-csv').addEventListener('click', () => exportTable('csv'));
  $('export-xls').addEventListener('click', () => exportTable('xls'));
  renderPlotSearch();
  for (const id of ['min-mu', 'max-mu', 'industry', 'levelled', 'infrastructure']) {
    $(id).addEventListener(id === 'levelled' || id === 'infrastructure' ? 'change' : 'input', plotSearchChanged);
  }
  $('panel-close').addEventListener('click', clearSelection);
  $('month').addEventListener('change', monthChanged);
  $('fit-park').addEventListener('click', () => state.park && fit([state.park]));
  $('toggle-controls').addEventListener('click', () => document.body.classList.toggle('controls-open'));
  $('xlsx').addEventListener('click', () =>
    api
      .download(dispatchUrl('xlsx'), `调度表-${state.park.properties.code}-${$('month').value}.xlsx`)
      .catch((e) => notice(t('loadFailed', { m: e.message }))),
  );
  $('park').addEventListener('change', (e) => switchPark(Number(e.target.value)));
  $('county').addEventListener('click', () => {
    $('county-view').hidden = !$('county-view').hidden;
    if (!$('county-view').hidden) showCounty();
  });
  $('county-close').addEventListener('click', () => {
    $('county-view').hidden = true;
  });

  maplibregl = await mapLibrary;
  const map = new maplibregl.Map({
    container: 'map',
    style: style(state.config.basemap),
    center: [116.64, 27.56],
    zoom: 12,
    attributionControl: { compact: true },
    // Tiles of private layers carry the signed-in token, like every other request.
    transformRequest: (url, kind) =>
      kind === 'Tile' && api.token() && url.startsWith(api.resolve('/'))
        ? { url, headers: { Authorization: `Bearer ${api.token()}` } }
        : { url },
  });
  state.map = map;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  // The parks are asked for while the map's style loads (they need no map).
  const parks = loadParks();
  await new Promise((resolve) => map.on('load', resolve));
  addLayers(map);
  hoverLabels(map);
  await parks;
  // Read before loading: choosing the layer rewrites the address without the feature.
  const asked = new URLSearchParams(location.search);
  state.theme = asked.get('layer');
  await loadPark();
  renderThemes();
  await openFromUrl(Number(asked.get('feature')));
  map.once('idle', () => {
    document.body.dataset.ready = 'true';
    prefetch();
  });
  map.triggerRepaint();
}

// For the browser test and for anyone poking at the page from the console.
window.parkland = { state, ensure };

start().catch((e) => {
  notice(t('loadFailed', { m: e.message }));
  document.body.dataset.ready = 'error';
  console.error(e);
});
