// The field page's service worker (scope /field): keeps the page and the bundles it needs, so the officer's
// app opens and works without signal. Bundles carry their build's version and never change under one name:
// they are served from the cache first. The page itself is asked of the network first (a new build is seen
// at once) and falls back to the kept copy. API calls are left alone: the page keeps its own data
// (IndexedDB), and the server's answers are never cached here.

/* global PRECACHE, CACHE_NAME */

const PAGE = '/field';

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE_NAME).then((cache) => cache.addAll([PAGE, ...PRECACHE])).then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith('songda-field-') && name !== CACHE_NAME).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

async function pageFirstFromNetwork(request) {
  const cache = await caches.open(CACHE_NAME);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(PAGE, response.clone());
    return response;
  } catch {
    return (await cache.match(PAGE)) || Response.error();
  }
}

async function bundleFromCache(request) {
  const cache = await caches.open(CACHE_NAME);
  const kept = await cache.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' && url.pathname === PAGE) event.respondWith(pageFirstFromNetwork(request));
  else if (url.pathname.startsWith('/assets/')) event.respondWith(bundleFromCache(request));
});
