// The page's words in Chinese (the committee's language) and English. Values that come from the
// API (`status_name`, `class_name`, …) are already Chinese; the legend carries its own English.

const WORDS = {
  title: ['园区土地一张图', 'Park land map'],
  park: ['园区', 'Park'],
  layers: ['图层', 'Layers'],
  signIn: ['登录', 'Sign in'],
  signOut: ['退出', 'Sign out'],
  signInTitle: ['管委会登录', 'Committee sign-in'],
  userName: ['用户名', 'User name'],
  password: ['密码', 'Password'],
  cancel: ['取消', 'Cancel'],
  month: ['月份', 'Month'],
  downloadXlsx: ['下载调度表 (.xlsx)', 'Download report (.xlsx)'],
  zone: ['片区', 'Zone'],
  allZones: ['全部片区', 'All zones'],
  class: ['分类', 'Class'],
  allClasses: ['全部', 'All'],
  search: ['搜索', 'Search'],
  searchHint: ['宗地编号、名称或企业', 'Parcel code, name or enterprise'],
  matches: ['{n} 个要素', '{n} features'],
  noMatches: ['没有符合条件的要素', 'Nothing matches'],
  publicNotice: ['当前为公众视图：仅显示可供应地块。管委会人员请登录。', 'Public view: available plots only. Committee staff: sign in.'],
  signInFailed: ['用户名或密码不正确', 'The name and password do not match'],
  loadFailed: ['数据加载失败：{m}', 'Could not load data: {m}'],
  signedInAs: ['{name}', '{name}'],
  // Summary strip
  idleLand: ['闲置土地', 'Idle land'],
  underused: ['五未土地', 'Under-used land'],
  overdueWorkshops: ['逾期厂房', 'Overdue workshops'],
  dueSoon: ['临期 {n}', '{n} due soon'],
  occupancy: ['厂房出租率', 'Workshop occupancy'],
  pipeline: ['项目库', 'Projects'],
  muClasses: ['亩均评价', 'Per-mu classes'],
  parcelsCount: ['{n} 宗', '{n} parcels'],
  approachingCount: ['临近闲置 {n} 宗', '{n} approaching'],
  mu: ['亩', 'mu'],
  // Panel
  code: ['宗地编号', 'Parcel code'],
  capacityReview: ['达产复核', 'Output review'],
  dueOn: ['{d} 到期', 'due {d}'],
  overdueDays: ['已逾期 {n} 天', '{n} days overdue'],
  allMet: ['各项指标均达标', 'every indicator met'],
  penaltyOwed: ['应付违约金 {v} 万元', 'penalty owed {v} 万元'],
  name: ['名称', 'Name'],
  area: ['面积', 'Area'],
  landUse: ['用途', 'Land use'],
  status: ['状态', 'Status'],
  why: ['原因', 'Why'],
  enterprise: ['用地企业', 'Enterprise'],
  contract: ['出让合同', 'Contract'],
  intensity: ['合同投资强度', 'Contracted investment intensity'],
  totalInvestment: ['总投资 {v} 万元', 'total {v} 万元'],
  indicator: ['约定指标 ≥ {v}', 'indicator ≥ {v}'],
  minimum: ['准入 ≥ {v}', 'entry ≥ {v}'],
  deadlines: ['约定期限', 'Agreed dates'],
  start: ['开工', 'start'],
  completion: ['竣工', 'completion'],
  production: ['投产', 'production'],
  idleClock: ['闲置认定', 'Idle clock'],
  performance: ['亩均效益', 'Per-mu performance'],
  score: ['{c}，{s} 分，第 {r} 名', '{c}, score {s}, rank {r}'],
  workshopsHere: ['地上厂房', 'Workshops here'],
  occupancyOf: ['出租率 {p}%（空置 {u} 间）', '{p}% let ({u} units idle)'],
  planning: ['规划条件', 'Planning conditions'],
  far: ['容积率', 'FAR'],
  industries: ['产业方向', 'Industries'],
  history: ['变更历史', 'History'],
  showHistory: ['查看变更历史', 'Show history'],
  noHistory: ['暂无记录', 'No entries'],
  deadline: ['节点期限', 'Deadline'],
  progress: ['形象进度', 'Progress'],
  progressReports: ['进度填报', 'Progress reports'],
  daysLate: ['逾期 {n} 天', '{n} days late'],
  daysLeft: ['剩余 {n} 天', '{n} days left'],
  floorArea: ['建筑面积', 'Floor area'],
  owner: ['产权单位', 'Owner'],
  responsible: ['责任单位', 'Responsible'],
  parcel: ['所在宗地', 'Parcel'],
  minIntensity: ['投资强度要求', 'Required intensity'],
};

let lang = (sessionStorage.getItem('parkland.lang') || 'zh') === 'en' ? 1 : 0;

export function language() {
  return lang ? 'en' : 'zh';
}

export function setLanguage(code) {
  lang = code === 'en' ? 1 : 0;
  sessionStorage.setItem('parkland.lang', language());
  document.documentElement.lang = lang ? 'en' : 'zh-CN';
}

/** A word, with `{name}` placeholders filled in. */
export function t(key, vars = {}) {
  const entry = WORDS[key];
  const text = entry ? entry[lang] : key;
  return text.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : ''));
}

/** A `{zh, en}` label in the current language. */
export function label(l) {
  return lang ? l.en : l.zh;
}

/** Fill in every `data-i18n` element of the page. */
export function translatePage() {
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-placeholder]')) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
  for (const el of document.querySelectorAll('[data-i18n-label]')) {
    el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  }
}
