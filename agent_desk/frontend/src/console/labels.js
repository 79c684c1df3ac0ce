// Words of the console's case pages (the desk's shared ones are in lib/labels.js).

export const CASE_TYPE_LABELS = {
  civil: '民事',
  commercial: '商事',
  administrative: '行政',
  enforcement: '执行',
  mediation: '多元调解+速裁',
};

export const DELIVERY_STATUS_LABELS = {
  pending: '待送达',
  in_progress: '送达中',
  served: '已送达',
  unservable: '无法送达',
  cancelled: '已撤销',
};

export const EVIDENCE_KIND_LABELS = {
  recording_mix: '通话录音（混音）',
  recording_agent: '通话录音（服务专员）',
  recording_party: '通话录音（当事人）',
  transcript: '通话转写',
  proof_pdf: '送达回证',
  photo: '照片',
  video: '视频',
  signature: '签名',
  receipt: '签收回执',
  tracking: '邮件跟踪',
  delivery_report: '送达报告',
  address_confirmation: '送达地址确认书',
  call_record: '通话记录',
  authorisation: '授权委托书',
  other: '其他证据',
};

export const PARTY_TYPE_LABELS = { natural_person: '自然人', legal_person: '法人', unincorporated: '非法人组织' };

export const SPEAKER_LABELS = { agent: '专员', party: '当事人' };

/** "2026-12-23" -> "2026-12-23"; null -> "—". */
export function day(value) {
  return value ? String(value).slice(0, 10) : '—';
}
