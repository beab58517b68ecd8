// The committee's project list (项目库): every project of the park with its stage, investment and
// land, filtered by stage and by responsible unit (the units are ranked on what they bring in),
// exported as the table shows it. A project on land opens its parcel on the map.

import { getJson } from './api.js';
import { t } from './i18n.js';
import * as table from './table.js';

/** The pipeline's stages in order, as the server names them. */
const STAGES = ['negotiating', 'signed', 'landed', 'started', 'completed', 'producing', 'at_capacity', 'terminated'];

const fmt = (n, d = 2) => (n == null ? '' : String(Math.round(n * 10 ** d) / 10 ** d));

const COLUMNS = [
  ['projectName', (p) => p.name],
  ['enterprise', (p) => p.enterprise_name],
  ['colIndustry', (p) => `${p.industry_name}（${p.industry}）`],
  ['colStage', (p) => p.stage_name],
  ['colStageDate', (p) => p.stage_date],
  ['colSignedWan', (p) => fmt(p.signed_investment_wan_yuan)],
  ['colFixedWan', (p) => fmt(p.fixed_asset_investment_wan_yuan)],
  ['colDoneWan', (p) => fmt(p.investment_completed_wan_yuan)],
  ['colLandMu', (p) => fmt(p.land_demand_mu)],
  ['colIntensity', (p) => fmt(p.intensity_wan_per_mu)],
  ['colUnitResp', (p) => p.responsible_unit_name],
];

/** The list, with its filters' state, for the park on screen. */
export class ProjectList {
  constructor(elements, open) {
    this.e = elements; // { stage, unit, body, title }
    this.open = open;
    this.all = [];
    this.e.stage.addEventListener('change', () => this.draw());
    this.e.unit.addEventListener('change', () => this.draw());
  }

  async load(parkId) {
    this.all = await getJson(`/api/parks/${parkId}/projects`);
    const stages = STAGES.filter((s) => this.all.some((p) => p.stage === s));
    const names = new Map(this.all.map((p) => [p.stage, p.stage_name]));
    this.e.stage.replaceChildren(new Option(t('allStages'), ''), ...stages.map((s) => new Option(names.get(s), s)));
    const units = [...new Map(this.all.map((p) => [p.responsible_unit_id, p.responsible_unit_name]))].sort((a, b) => a[1].localeCompare(b[1], 'zh-CN'));
    this.e.unit.replaceChildren(new Option(t('allUnits'), ''), ...units.map(([id, name]) => new Option(name, id)));
    this.draw();
  }

  /** The projects the filters let through. */
  matched() {
    const stage = this.e.stage.value;
    const unit = Number(this.e.unit.value) || null;
    return this.all.filter((p) => (!stage || p.stage === stage) && (unit == null || p.responsible_unit_id === unit));
  }

  rows(list = this.matched()) {
    return {
      header: COLUMNS.map(([k]) => t(k)),
      body: list.map((p) => COLUMNS.map(([, get]) => String(get(p) ?? ''))),
    };
  }

  draw() {
    const list = this.matched();
    const signed = list.reduce((s, p) => s + p.signed_investment_wan_yuan, 0);
    this.e.title.textContent = t('projectsTitle', { n: list.length, v: Number(signed).toLocaleString('zh-CN', { maximumFractionDigits: 0 }) });
    table.draw(this.e.body, this.rows(list), (i) => this.open(list[i]), (i) => list[i].parcel_ids.length > 0);
    this.e.body.querySelectorAll('tbody tr').forEach((tr, i) => (tr.dataset.id = list[i].id));
  }

  /** What is filtered, saved as CSV or Excel. */
  export(format, stem) {
    table.save(this.rows(), format, stem, t('pipeline'));
  }
}
