// The map's themes: which collection each draws, the property it is coloured by, and the legend.
// Colours follow the usual reading of land-administration maps: green free to supply, blue in
// use, grey held back, reds and oranges for what needs attention.

export const THEMES = [
  {
    id: 'status',
    collection: 'parcels',
    property: 'status',
    label: { zh: '宗地状态', en: 'Parcel status' },
    classes: [
      { key: 'supplied', zh: '已供应', en: 'Supplied', color: '#3b78c4' },
      { key: 'available', zh: '可供应', en: 'Available', color: '#43a047' },
      { key: 'reserved', zh: '已预留', en: 'Reserved for a project', color: '#f2a900' },
      { key: 'reserve', zh: '储备', en: 'Land reserve', color: '#a0a0a0' },
    ],
  },
  {
    id: 'idle',
    collection: 'idle-land',
    property: 'idle_status',
    label: { zh: '闲置土地', en: 'Idle land' },
    classes: [
      { key: 'idle', zh: '闲置', en: 'Idle', color: '#d32f2f' },
      { key: 'approaching', zh: '临近闲置', en: 'Approaching idle', color: '#fb8c00' },
    ],
  },
  {
    id: 'underused',
    collection: 'underused-land',
    property: 'class',
    label: { zh: '五未土地', en: 'Under-used land (五未)' },
    classes: [
      { key: 'approved_not_supplied', zh: '批而未供', en: 'Approved, not supplied', color: '#8e24aa' },
      { key: 'supplied_not_used', zh: '供而未用', en: 'Supplied, not used', color: '#e53935' },
      { key: 'used_not_finished', zh: '用而未尽', en: 'Used, not finished', color: '#fb8c00' },
      { key: 'built_not_producing', zh: '建而未投', en: 'Built, not producing', color: '#fdd835' },
      { key: 'producing_below_target', zh: '投而未达', en: 'Producing below target', color: '#795548' },
    ],
  },
  {
    id: 'capacity',
    collection: 'capacity-reviews',
    property: 'review_status',
    label: { zh: '标准地达产复核', en: 'Standard-land output reviews' },
    classes: [
      { key: 'overdue', zh: '到期未复核', en: 'Review overdue', color: '#d32f2f' },
      { key: 'short', zh: '复核未达标', en: 'Reviewed, short', color: '#795548' },
      { key: 'not_due', zh: '未到期', en: 'Not yet due', color: '#90caf9' },
      { key: 'met', zh: '复核达标', en: 'Reviewed, met', color: '#43a047' },
    ],
  },
  {
    id: 'workshops',
    collection: 'workshops',
    property: 'deadline_status',
    label: { zh: '标准厂房', en: 'Standard workshops' },
    classes: [
      { key: 'overdue', zh: '已逾期', en: 'Overdue', color: '#d32f2f' },
      { key: 'at_risk', zh: '有逾期风险', en: 'At risk', color: '#fb8c00' },
      { key: 'not_started', zh: '未开工', en: 'Not started', color: '#9e9e9e' },
      { key: 'on_track', zh: '按计划推进', en: 'On track', color: '#1e88e5' },
      { key: 'completed_late', zh: '逾期完成', en: 'Completed late', color: '#8d6e63' },
      { key: 'completed_on_time', zh: '按期完成', en: 'Completed on time', color: '#43a047' },
    ],
  },
  {
    id: 'performance',
    collection: 'mu-performance',
    property: 'class',
    label: { zh: '亩均评价', en: 'Per-mu classes' },
    classes: [
      { key: 'A', zh: 'A类（优先发展）', en: 'A (priority)', color: '#2e7d32' },
      { key: 'B', zh: 'B类（提升发展）', en: 'B (improve)', color: '#9ccc65' },
      { key: 'C', zh: 'C类（调控帮扶）', en: 'C (regulate and support)', color: '#ffb300' },
      { key: 'D', zh: 'D类（倒逼整治）', en: 'D (rectify)', color: '#c62828' },
      { key: 'none', zh: '未评价', en: 'Not rated', color: '#bdbdbd' },
    ],
  },
  {
    id: 'plots',
    collection: 'available-plots',
    property: null,
    public: true,
    label: { zh: '可供应地块', en: 'Available plots' },
    classes: [{ key: 'all', zh: '可供应地块', en: 'Available plot', color: '#43a047' }],
  },
  {
    id: 'units',
    collection: 'available-units',
    property: null,
    public: true,
    label: { zh: '可租厂房', en: 'Free workshop units' },
    classes: [{ key: 'all', zh: '有空置单元的厂房', en: 'Workshop with free units', color: '#00897b' }],
  },
];

/** The class key of a feature in a theme (`none` when the property is empty). */
export function classOf(theme, properties) {
  if (!theme.property) return 'all';
  return properties[theme.property] ?? 'none';
}

/** A MapLibre colour expression for a theme. */
export function colorExpression(theme) {
  if (!theme.property) return theme.classes[0].color;
  const expr = ['match', ['coalesce', ['get', theme.property], 'none']];
  for (const c of theme.classes) expr.push(c.key, c.color);
  expr.push('#bdbdbd');
  return expr;
}
