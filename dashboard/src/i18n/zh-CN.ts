/**
 * Chinese (default) strings. `en.ts` has the same shape (checked by its type). Placeholders are
 * vue-i18n's `{name}`; the chart option builders fill them with `fill()` from ./messages.
 * No `@`, `{`/`}` outside placeholders: vue-i18n's message syntax reserves them; `|` separates
 * plural forms (English `platform.nodes`; Chinese needs none).
 */
const zhCN = {
  app: {
    brand: '筑云',
    title: '贵阳市电子政务外网监测',
    documentTitle: '筑云 · 贵阳市电子政务外网监测',
    beijingTime: '北京时间',
  },
  status: {
    up: '正常',
    degraded: '降级',
    down: '中断',
    unknown: '未知',
  },
  counts: {
    title: '外网节点',
    total: '共 {n} 个',
  },
  kpi: {
    latency: '时延中位数',
    loss: '丢包率中位数',
    noValue: '—',
    level: { ok: '正常', warning: '超告警线', critical: '超严重线' },
  },
  map: {
    title: '区县与开发区网络状态',
    district: '区县',
    zone: '开发区',
    status: '状态',
    nodes: '节点',
    latency: '时延中位数',
    loss: '丢包率中位数',
    hostDistrict: '位于',
    loading: '正在加载地图…',
    error: '地图加载失败',
    legend: '图例',
    selected: '已选',
  },
  platform: {
    title: '平台',
    names: {
      cloud: '云上贵州贵阳分平台',
      share: '共享平台',
      open: '开放平台',
    },
    nodes: '{n} 个节点',
    noData: '暂无数据',
    figures: {
      up: '可用',
      hosts: '主机',
      cpu_pct: 'CPU',
      mem_pct: '内存',
      disk_pct: '磁盘最高',
      systems_running: '运行系统',
      latency_ms: '响应时间',
      success_pct: '成功率',
      api_calls_per_s: '接口调用',
      records_per_s: '交换记录',
      catalog_resources: '目录资源',
      datasets: '数据集',
      downloads_per_s: '下载',
    },
    yes: '是',
    no: '否',
    perSecond: '{v} 次/秒',
    count: '{v} 个',
  },
  latency: {
    title: '节点时延',
    titleOf: '{name} · 节点时延（ms，最近 15 分钟）',
    hint: '点击地图上的区县或开发区，查看其节点时延',
    loading: '正在加载历史数据…',
    error: '历史数据加载失败：{msg}',
    empty: '最近 15 分钟没有时延数据',
    warning: '告警线 {v} ms',
    critical: '严重线 {v} ms',
    thresholds: '阈值',
  },
  feed: {
    title: '状态变化',
    empty: '暂无状态变化',
    kind: { node: '节点', unit: '区域', platform: '平台' },
    arrow: '→',
  },
  collectors: {
    label: '采集器',
    summary: '{ok} 在线',
    lost: '{n} 失联',
    title: '采集器状态',
    state: { ok: '在线', lost: '失联', never_seen: '未上报', revoked: '已吊销' },
    silent: '{n} 秒未上报',
    unavailable: '采集器列表读取失败：{msg}',
    none: '尚未登记采集器',
  },
  conn: {
    connected: '已连接',
    connecting: '正在连接…',
    reconnecting: '连接中断，正在重连…',
    updated: '数据更新于 {age}',
    updatedJustNow: '数据刚刚更新',
    noData: '尚未收到数据',
  },
  age: {
    justNow: '刚刚',
    seconds: '{n} 秒前',
    minutes: '{n} 分钟前',
    hours: '{n} 小时前',
  },
  lang: {
    label: '语言',
    switchTo: 'English',
    switchToLabel: 'Switch to English',
  },
  state: {
    waiting: '等待实时数据…',
    noNodes: '尚无节点上报数据：采集器接入后，这里会显示各区县与平台的状态',
    lost: '实时连接已中断，正在重连；下方数据更新于 {age}',
    subscribeError: '订阅失败：{msg}',
  },
  units: {
    ms: 'ms',
    pct: '%',
  },
};

export default zhCN;
export type Messages = typeof zhCN;
