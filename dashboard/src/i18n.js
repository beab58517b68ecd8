// The page's words in Chinese (the committee's language) and English. Values that come from the
// API (`status_name`, `class_name`, …) are already Chinese; the legend carries its own English.

const WORDS = {
  title: ['园区土地一张图', 'Park land map'],
  park: ['园区', 'Park'],
  layers: ['图层', 'Layers'],
  signIn: ['登录', 'Sign in'],
  signOut: ['退出', 'Sign out'],
  signInTitle: ['登录', 'Sign in'],
  userName: ['用户名', 'User name'],
  password: ['密码', 'Password'],
  cancel: ['取消', 'Cancel'],
  month: ['月份', 'Month'],
  openLayer: ['在地图上查看', 'Show on the map'],
  fitPark: ['全图', 'Whole park'],
  shareLink: ['分享链接', 'Link to this'],
  downloadXlsx: ['下载调度表 (.xlsx)', 'Download report (.xlsx)'],
  zone: ['片区', 'Zone'],
  allZones: ['全部片区', 'All zones'],
  class: ['分类', 'Class'],
  allClasses: ['全部', 'All'],
  search: ['搜索', 'Search'],
  searchHint: ['宗地编号、名称或企业', 'Parcel code, name or enterprise'],
  matches: ['{n} 个要素', '{n} features'],
  noMatches: ['没有符合条件的要素', 'Nothing matches'],
  publicNotice: ['当前为公众视图：可供应地块与可租厂房。项目单位登录后可申请；管委会、自然资源局人员登录后查看全部图层。', 'Public view: available plots and free workshop units. Applicants sign in to apply; committee and bureau staff to see every layer.'],
  applicantNotice: ['可按面积、行业、配套筛选地块，点击地块查看条件、预审并申请。', 'Filter plots by area, industry and infrastructure; click one to read its conditions, check and apply.'],
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
  showProgress: ['查看进度填报', 'Show progress reports'],
  supplyContract: ['供地合同', 'Land supply contract'],
  noUnits: ['尚无出租单元', 'No units to let yet'],
  noHistory: ['暂无记录', 'No entries'],
  version: ['第 {n} 版', 'v{n}'],
  byCli: ['命令行{u}', 'command line {u}'],
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
  // The applicant's path
  location: ['坐落', 'Location'],
  density: ['建筑密度', 'Building density'],
  green: ['绿地率', 'Green ratio'],
  height: ['建筑限高', 'Height limit'],
  infrastructure: ['基础设施配套', 'Infrastructure'],
  levelled: ['场地平整', 'Site levelled'],
  yes: ['已平整', 'Yes'],
  no: ['未平整', 'No'],
  none: ['无', 'None'],
  anyIndustry: ['不限', 'Any'],
  print: ['打印地块条件', 'Print this sheet'],
  floor: ['层', 'floor'],
  load: ['荷载', 'load'],
  storeyHeight: ['层高', 'storey'],
  freeFrom: ['{d} 起可租', 'free from {d}'],
  structure: ['结构', 'Structure'],
  freeUnits: ['可租单元', 'Free units'],
  unit: ['申请单元', 'Unit'],
  entryCheck: ['入园预审', 'Entry check'],
  projectInfo: ['项目信息', 'The project'],
  projectIndustry: ['项目行业代码（GB/T 4754）', 'Project industry (GB/T 4754)'],
  investmentWan: ['固定资产投资（万元）', 'Fixed-asset investment (万元)'],
  runEntryCheck: ['预审', 'Check'],
  qualifies: ['符合入园条件', 'Qualifies'],
  doesNotQualify: ['不符合入园条件', 'Does not qualify'],
  criterion: ['指标', 'Criterion'],
  required: ['要求', 'Required'],
  actual: ['项目', 'Project'],
  result: ['结果', 'Result'],
  pass: ['符合', 'met'],
  fail: ['不符合', 'not met'],
  notJudged: ['未判定', 'not judged'],
  applyTitle: ['用地申请', 'Apply'],
  applyHint: ['预审结果随申请一并提交管委会。', 'The entry check goes with the application to the committee.'],
  projectName: ['项目名称', 'Project name'],
  enterpriseName: ['申请单位', 'Enterprise'],
  apply: ['提交申请', 'Submit application'],
  applied: ['已提交，申请编号 {n}。可在“我的申请”中查看。', 'Submitted as application {n}; see “My applications”.'],
  signInToApply: ['登录后申请', 'Sign in to apply'],
  signInToApplyHint: ['项目单位登录后可提交用地或厂房申请。', 'Applicants sign in to apply for a plot or a unit.'],
  myApplications: ['我的申请', 'My applications'],
  queue: ['待审申请', 'Applications to decide'],
  noApplications: ['暂无申请', 'None'],
  withdraw: ['撤回', 'Withdraw'],
  withdrawReason: ['撤回原因', 'Reason for withdrawing'],
  accept: ['同意', 'Accept'],
  refuse: ['不同意', 'Refuse'],
  decisionReason: ['意见（不同意时必填）', 'Reason (required to refuse)'],
  reasonRequired: ['请填写原因', 'Please give a reason'],
  plotOf: ['地块 {c}', 'plot {c}'],
  unitOf: ['厂房单元 {n}', 'unit {n}'],
  checkShort: ['预审：{v}', 'check: {v}'],
  plotSearch: ['找地', 'Find a plot'],
  minMu: ['面积不小于（亩）', 'At least (亩)'],
  maxMu: ['面积不大于（亩）', 'At most (亩)'],
  industryFilter: ['项目行业（GB/T 4754）', 'Industry (GB/T 4754)'],
  levelledOnly: ['仅已平整场地', 'Levelled sites only'],
  // What an HTTP status means to the person who asked; the server's detail follows.
  http400: ['请求有误', 'The request is malformed'],
  http401: ['请先登录', 'Please sign in'],
  http403: ['无权执行此操作', 'Not allowed'],
  http404: ['未找到', 'Not found'],
  http409: ['与登记簿现有记录冲突', 'Conflicts with the register'],
  http412: ['记录已被他人修改，请刷新后重试', 'Changed since you read it; reload and retry'],
  http413: ['超出上传或请求的上限', 'Beyond a limit'],
  http415: ['不支持的格式', 'Unsupported format'],
  http422: ['填写的内容有误', 'Some values are invalid'],
  http428: ['修改前须先读取当前版本', 'Read the current version before editing'],
  http429: ['操作过于频繁，请稍后再试', 'Too many requests; try again later'],
  http500: ['服务出错，请联系管理员', 'Server error; contact the administrator'],
  http503: ['服务繁忙，请稍后再试', 'The service is busy; try again later'],
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
