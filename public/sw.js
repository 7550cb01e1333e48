// Talentloom service worker: makes the app installable, keeps its assets for fast starts, and
// when the server cannot be reached sends the browser to the offline page, which returns to the
// page asked for as soon as the server answers again. Pages and server functions always go to
// the network first, so nobody sees stale data while online.
const VERSION = "talentloom-v3";
const OFFLINE = "/offline";
const SHELL = [OFFLINE, "/manifest.webmanifest", "/icons/icon.svg", "/icons/icon-192.png"];

// Fetched without cookies, so the cached pages never hold anyone's signed-in view.
const anonymous = (path) => new Request(path, { credentials: "omit" });

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(VERSION);
      await cache.addAll(SHELL.map(anonymous));
      // The offline page needs its stylesheet, script and wasm too (names with content hashes),
      // and so does every page the app can go to without the network: each page's code is a
      // wasm chunk that the scripts name (`"./name.wasm"`), fetched here once for all.
      const page = await cache.match(OFFLINE);
      const html = page ? await page.text() : "";
      const assets = html.match(/\/pkg\/[A-Za-z0-9_.-]+/g) || [];
      await cache.addAll(assets.map(anonymous));
      await precache(cache, assets);
      await self.skipWaiting();
    })()
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== VERSION).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

/** The files under /pkg/ these scripts load (`import … from "./name.js"`,
 *  `new URL("./name.wasm", import.meta.url)`), and what those load in turn. */
async function referenced(assets) {
  const found = new Set();
  const scripts = assets.filter((path) => path.endsWith(".js"));
  while (scripts.length > 0) {
    // Scripts are usually cached by now (just installed or just fetched): read them from there.
    const script = scripts.pop();
    const response = (await caches.match(script)) ?? (await fetch(anonymous(script)));
    if (!response.ok) continue;
    const loads = /(?:\bfrom\s*|\bimport\s*\(\s*|new URL\(\s*)["']\.\/([A-Za-z0-9_.-]+\.(?:js|wasm))["']/g;
    for (const [, name] of (await response.text()).matchAll(loads)) {
      const path = `/pkg/${name}`;
      if (found.has(path) || assets.includes(path)) continue;
      found.add(path);
      if (path.endsWith(".js")) scripts.push(path);
    }
  }
  return [...found];
}

/** Keeps what these scripts load; a file that cannot be fetched is left out, not an error. */
async function precache(cache, scripts) {
  for (const path of await referenced(scripts)) {
    if (await cache.match(path)) continue;
    const response = await fetch(anonymous(path)).catch(() => null);
    if (response?.ok) await store(cache, path, response);
  }
}

/** Keeps a hashed file, in place of the older builds' files of the same stem. */
async function store(cache, path, response) {
  const older = (await cache.keys()).filter((k) => {
    const other = new URL(k.url).pathname;
    return other.startsWith("/pkg/") && other !== path && stem(other) === stem(path);
  });
  await Promise.all(older.map((k) => cache.delete(k)));
  await cache.put(path, response);
}

// `/pkg/talentloom.<hash>.wasm` → `talentloom.wasm`: what stays the same from one build to the next.
const stem = (path) => {
  const parts = path.split("/").pop().split(".");
  return parts.length >= 3 ? `${parts[0]}.${parts[parts.length - 1]}` : parts.join(".");
};

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/") || url.pathname === "/ws") return;

  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request).catch(async () => {
        if (url.pathname === OFFLINE) {
          return (await caches.match(OFFLINE, { ignoreSearch: true })) || Response.error();
        }
        // A real navigation to the offline page, so the app renders it as what it is (never the
        // page asked for, which it could not hydrate); it remembers where to return.
        const from = encodeURIComponent(url.pathname + url.search);
        return Response.redirect(`${OFFLINE}?from=${from}`, 302);
      })
    );
    return;
  }
  const hashed = url.pathname.split("/").pop().split(".").length >= 3;
  if (url.pathname.startsWith("/pkg/") && !hashed) {
    // A build without hashed names: the network first, the cache when offline.
    event.respondWith(
      caches.open(VERSION).then((cache) =>
        fetch(request)
          .then((response) => {
            if (response.ok) cache.put(request, response.clone());
            return response;
          })
          .catch(async () => (await cache.match(request)) || Response.error())
      )
    );
    return;
  }
  if (url.pathname.startsWith("/pkg/")) {
    // Names carry a content hash: what is cached is right for ever. A new build's file replaces
    // the older ones of the same stem.
    event.respondWith(
      caches.open(VERSION).then(async (cache) => {
        const cached = await cache.match(request);
        if (cached) return cached;
        const response = await fetch(request);
        if (response.ok) {
          await store(cache, url.pathname, response.clone());
          // A new build's script: keep its pages' chunks too, for going to them offline.
          if (url.pathname.endsWith(".js")) event.waitUntil(precache(cache, [url.pathname]));
        }
        return response;
      })
    );
    return;
  }
  if (url.pathname.startsWith("/icons/") || url.pathname === "/manifest.webmanifest") {
    // Answer from the cache, refresh it in the background.
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
