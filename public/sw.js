// Talentloom service worker: keeps the app shell and static assets for fast starts and serves an
// offline page when the server cannot be reached. Pages and server functions always go to the
// network first, so nobody sees stale data while online.
const VERSION = "talentloom-v1";
const SHELL = ["/offline", "/manifest.webmanifest", "/icons/icon.svg", "/icons/icon-192.png", "/pkg/talentloom.css"];

self.addEventListener("install", (event) => {
  // Fetched without cookies, so the cached pages never hold anyone's signed-in view.
  const requests = SHELL.map((path) => new Request(path, { credentials: "omit" }));
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(requests)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== VERSION).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/") || url.pathname === "/ws") return;

  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match("/offline")));
    return;
  }
  if (url.pathname.startsWith("/pkg/") || url.pathname.startsWith("/icons/")) {
    // Static assets: answer from the cache, refresh it in the background.
    event.respondWith(
      caches.open(VERSION).then(async (cache) => {
        const cached = await cache.match(request);
        const fresh = fetch(request).then((response) => {
          if (response.ok) cache.put(request, response.clone());
          return response;
        });
        return cached || fresh;
      })
    );
  }
});
