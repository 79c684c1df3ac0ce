export const RESULT_LABELS = {
  served: '签收',
  left_with_refusal: '留置送达',
  nobody_home: '无人在家',
  moved: '已搬离',
  wrong_address: '地址错误',
};

export const STATUS_LABELS = { planned: '待出发', in_progress: '已到达', succeeded: '已送达', failed: '未送达', cancelled: '已取消' };

/** The court's date today (Beijing), as YYYY-MM-DD. */
export function courtToday() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}
