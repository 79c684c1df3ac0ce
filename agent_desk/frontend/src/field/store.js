// The officer's phone keeps what it needs without signal in IndexedDB: the day's route as last loaded, and
// the outbox of visit records (check-ins, files, signatures, results) waiting to be sent, in order.

const DB_NAME = 'songda-field';
const VERSION = 1;

let opening = null;

function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore('routes'); // key: "<user id>:<day>"
        db.createObjectStore('outbox', { keyPath: 'id', autoIncrement: true });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return opening;
}

async function run(storeName, mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(storeName, mode);
    const store = transaction.objectStore(storeName);
    let result;
    Promise.resolve(work(store)).then((request) => {
      if (request) request.onsuccess = () => { result = request.result; };
    });
    transaction.oncomplete = () => resolve(result);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error || new Error('IndexedDB 事务中止'));
  });
}

export function saveRoute(key, data) {
  return run('routes', 'readwrite', (store) => store.put({ data, saved_at: new Date().toISOString() }, key));
}

export function loadRoute(key) {
  return run('routes', 'readonly', (store) => store.get(key));
}

/** Add a record to the outbox; resolves with its id. */
export function enqueue(record) {
  return run('outbox', 'readwrite', (store) => store.add({ ...record, queued_at: new Date().toISOString() }));
}

export function pending() {
  return run('outbox', 'readonly', (store) => store.getAll());
}

export function update(record) {
  return run('outbox', 'readwrite', (store) => store.put(record));
}

export function remove(id) {
  return run('outbox', 'readwrite', (store) => store.delete(id));
}

/** Forget the kept routes (at logout: names and addresses stay on the phone no longer than needed). */
export function clearRoutes() {
  return run('routes', 'readwrite', (store) => store.clear());
}
