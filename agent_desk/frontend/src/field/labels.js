export const RESULT_LABELS = {
  served: '本人签收',
  served_to_family: '成年家属代收',
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

export const SERVING = new Set(['served', 'served_to_family']);

/** A moment as the court's time of day (Beijing), HH:MM. */
export function courtClock(iso) {
  return new Date(new Date(iso).getTime() + 8 * 3600 * 1000).toISOString().slice(11, 16);
}
