// First load on a slow connection: time until the page is interactive (hydrated) on a
// 10 Mbit/s, 40 ms connection with a 4× slower CPU, in Debian's Chromium, cold cache each time;
// and the size of the wasm as sent (brotli) and on disk. Writes the "first-load" section of
// docs/BENCHMARKS.md. Run by `.ci/bench-first-load.sh`, which builds and starts the release
// server; BASE_URL says where it is.
import { chromium } from "playwright-core";
import { readFileSync, writeFileSync, readdirSync } from "node:fs";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";
import { cpus } from "node:os";
import path from "node:path";

const BASE = process.env.BASE_URL ?? "http://127.0.0.1:3000";
const ROOT = path.resolve(import.meta.dirname, "..", "..");
const RUNS = Number(process.env.RUNS ?? 5);
const PASSWORD = "correct horse battery staple 42";

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

// A signed-in person with an organisation, for the match page.
const setup = await browser.newContext();
const page = await setup.newPage();
const run = Date.now();
await page.goto(`${BASE}/signup`);
await page.waitForSelector("body[data-hydrated=true]");
await page.getByLabel("Your name").fill("Bench Person");
await page.getByLabel("E-mail").fill(`bench-${run}@example.com`);
await page.getByLabel("Password").fill(PASSWORD);
await page.getByRole("button", { name: "Create account" }).click();
await page.waitForURL(/orgs\/new/);
await page.getByLabel("Name").fill(`Bench ${run}`);
await page.getByRole("button", { name: "Create organisation" }).click();
await page.waitForURL(new RegExp(`/o/bench-${run}$`));
const signedIn = await setup.storageState();
await setup.close();

/** Milliseconds from navigation start until the page is interactive, on a fresh profile. */
async function firstLoad(url, state) {
  const context = await browser.newContext({ storageState: state, serviceWorkers: "block" });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 40,
    downloadThroughput: (10 * 1000 * 1000) / 8,
    uploadThroughput: (10 * 1000 * 1000) / 8,
  });
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  await page.goto(url, { waitUntil: "commit" });
  await page.waitForSelector("body[data-hydrated=true]", { timeout: 120_000 });
  const ms = await page.evaluate(() => performance.now());
  // The main module and the page's own chunk (a lazy route's code), as they came over the wire.
  const wasm = await page.evaluate(() =>
    performance.getEntriesByType("resource")
      .filter((r) => r.name.endsWith(".wasm"))
      .reduce((sum, r) => sum + r.transferSize, 0),
  );
  await context.close();
  return { ms, wasm };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
for (const [label, url, state] of [
  ["sign-in page (`/signin`), signed out", `${BASE}/signin`, undefined],
  ["match page (`/o/<org>/match`), signed in", `${BASE}/o/bench-${run}/match`, signedIn],
]) {
  const times = [];
  let wasm = 0;
  for (let i = 0; i < RUNS; i++) {
    const result = await firstLoad(url, state);
    times.push(result.ms);
    wasm = result.wasm;
  }
  rows.push({ label, median: median(times), max: Math.max(...times), wasm });
  console.error(label, times.map((t) => Math.round(t)));
}
await browser.close();

// The main module is `talentloom[.<hash>].wasm`; every other wasm file is a page's chunk (or code
// that several pages share), loaded when a page needs it.
const pkg = path.join(ROOT, "target", "site", "pkg");
const wasmFiles = readdirSync(pkg).filter((f) => f.endsWith(".wasm"));
const wasmFile = wasmFiles.find((f) => /^talentloom(\.[^.]+)?\.wasm$/.test(f));
const brotli = (bytes) => brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const raw = readFileSync(path.join(pkg, wasmFile));
const br = brotli(raw);
const gz = gzipSync(raw, { level: 9 }).length;
const chunks = wasmFiles.filter((f) => f !== wasmFile).map((f) => brotli(readFileSync(path.join(pkg, f))));
const kb = (n) => (n / 1000).toFixed(0);

const section = `## First load (release build)

Machine: ${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores. Command: \`.ci/bench-first-load.sh\` (builds with \`make release\`, starts the release server, runs \`end2end/bench/first-load.mjs\`). Debian's Chromium, a new profile for every load (nothing cached, no service worker), the network throttled to 10 Mbit/s with 40 ms latency and the CPU slowed 4× (Chrome DevTools' throttling). Interactive = the wasm has hydrated the page. ${RUNS} loads each.

| main wasm (\`${wasmFile.replace(/\.[^.]+\.wasm$/, ".wasm")}\`, what every page loads) | bytes |
|---|---|
| raw | ${kb(raw.length)} KB |
| gzip -9 | ${kb(gz)} KB |
| brotli 11 | ${kb(br)} KB (target ≤ 350 KB) |

Pages' own code: ${chunks.length} chunks (\`cargo leptos build --split\`), ${kb(chunks.reduce((a, b) => a + b, 0))} KB brotli in all, the largest ${kb(Math.max(0, ...chunks))} KB; a page loads its own with the main module.

| page | interactive, median | slowest | wasm as sent (main + the page's chunks, server's brotli) |
|---|---|---|---|
${rows.map((r) => `| ${r.label} | ${(r.median / 1000).toFixed(2)} s | ${(r.max / 1000).toFixed(2)} s | ${kb(r.wasm)} KB |`).join("\n")}

Target: interactive within 3 s on both pages.`;

const file = path.join(ROOT, "docs", "BENCHMARKS.md");
const start = "<!-- section:first-load -->";
const end = "<!-- /section:first-load -->";
let current = readFileSync(file, "utf8");
const block = `${start}\n${section}\n${end}`;
const a = current.indexOf(start);
const b = current.indexOf(end);
current = a >= 0 && b > a ? current.slice(0, a) + block + current.slice(b + end.length) : `${current.trimEnd()}\n\n${block}\n`;
writeFileSync(file, current);
console.error(`wrote the first-load section of ${file}`);
