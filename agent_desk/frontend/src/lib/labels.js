// Chinese labels for the states and codes the API returns.

export const PRESENCE_LABELS = {
  available: '空闲',
  break: '小休',
  offline: '离线',
  ringing: '振铃',
  on_call: '通话中',
  wrap_up: '话后整理',
};

export const BREAK_REASONS = ['用餐', '休息', '培训', '会议', '其他'];

export const CONTACT_KIND_LABELS = { phone: '电话', address: '地址', email: '电子邮箱' };

export const CONTACT_STATE_LABELS = { unverified: '未核实', verified: '已核实', invalid: '无效' };

export const CONTACT_SOURCE_LABELS = {
  court_export: '法院导出',
  desk_call: '通话中获得',
  data_repair: '数据修复',
  party: '当事人提供',
};

export const CONTACT_EVENT_LABELS = {
  added: '新增',
  verified: '核实',
  invalidated: '标记无效',
  reinstated: '恢复',
  retired: '来源不再列出',
  relisted: '来源重新列出',
};

export const METHOD_LABELS = {
  phone: '电话送达',
  pickup: '来院领取',
  electronic: '电子送达',
  postal: 'EMS司法专邮',
  field: '直接送达',
  entrusted: '委托送达',
  notice: '公告送达',
};

export const ATTEMPT_STATUS_LABELS = {
  planned: '已计划',
  in_progress: '进行中',
  succeeded: '成功',
  failed: '失败',
  cancelled: '已取消',
};

export const OUTCOME_LABELS = {
  served: '已送达',
  answered: '已接通',
  no_answer: '无人接听',
  busy: '忙线',
  rejected: '拒接',
  unreachable: '无法接通',
  agent_no_answer: '坐席未接听',
  call_failed: '呼叫失败',
  pickup_booked: '已预约来院领取',
  electronic_consent: '同意电子送达',
  address_confirmed: '已确认地址',
  field_visit_needed: '需外出送达',
  callback_requested: '预约回拨',
  refused: '拒绝签收',
  wrong_number: '号码错误',
  left_with_refusal: '留置送达',
  returned: '退回',
  no_show: '未到院',
  nobody_home: '无人在家',
  moved: '已搬离',
  wrong_address: '地址错误',
};

export const ROLE_LABELS = {
  admin: '系统管理员',
  supervisor: '主管',
  agent: '服务专员',
  field_officer: '外出送达人员',
  clerk: '法院书记员',
};

export const LITIGATION_ROLE_LABELS = {
  plaintiff: '原告',
  defendant: '被告',
  third_party: '第三人',
  appellant: '上诉人',
  appellee: '被上诉人',
  agent: '代理人',
};

export const DOCUMENT_KIND_LABELS = {
  summons: '传票',
  complaint: '起诉状副本',
  notice: '通知书',
  evidence: '证据',
  judgment: '判决书',
  ruling: '裁定书',
  mediation: '调解书',
  other: '其他文书',
};

export function label(map, code) {
  if (code === null || code === undefined || code === '') return '';
  return map[code] || String(code);
}
