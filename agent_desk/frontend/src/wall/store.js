// Keyed collections of the wall, kept from snapshots and merged from events.

export function listOf(data, key) {
  if (Array.isArray(data)) return data;
  if (data && Array.isArray(data[key])) return data[key];
  if (data && Array.isArray(data.items)) return data.items;
  return [];
}

export class KeyedStore {
  constructor(keyOf) {
    this.keyOf = keyOf;
    this.items = new Map();
  }

  replace(list) {
    this.items = new Map(list.map((item) => [this.keyOf(item), item]));
  }

  merge(item) {
    const key = this.keyOf(item);
    if (key === undefined || key === null) return;
    this.items.set(key, { ...(this.items.get(key) || {}), ...item });
  }

  remove(key) {
    this.items.delete(key);
  }

  values() {
    return [...this.items.values()];
  }
}

export const agentKey = (agent) => agent.user_id ?? agent.id;
export const callKey = (call) => call.call_id;
