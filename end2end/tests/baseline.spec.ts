import { test, expect, Page } from "@playwright/test";
import { PASSWORD, hydrated, watchErrors } from "./helpers";

/** Signs up and creates an organisation; the page ends on its dashboard. */
async function newOrganisation(page: Page, run: string): Promise<string> {
  const slug = `base-${run}`;
  await page.goto("/signup");
  await hydrated(page);
  await page.getByLabel("Your name").fill("Olga Offline");
  await page.getByLabel("E-mail").fill(`olga-${run}@example.com`);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/orgs\/new$/);
  await hydrated(page);
  await page.getByLabel("Name").fill(`Base ${run}`);
  await expect(page.getByLabel("Address")).toHaveValue(slug);
  await page.getByRole("button", { name: "Create organisation" }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${slug}$`));
  await hydrated(page);
  return slug;
}

/** Errors a browser logs by itself while the network is gone (failed requests, sockets). */
const networkNoise = (e: string) =>
  /ERR_INTERNET_DISCONNECTED|Failed to fetch|WebSocket connection|Failed to load resource/.test(e);

test("offline: the offline page, not a broken copy of the page asked for, and back by itself", async ({ browser }, info) => {
  const run = `${Date.now()}${info.project.name === "phone" ? "p" : "d"}`;
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  const slug = await newOrganisation(page, run);
  // The service worker installs and takes over.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.reload();
  await hydrated(page);
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

  await context.setOffline(true);
  await page.goto(`/o/${slug}/team`);
  // Sent to the offline page, which remembers where it came from and hydrates as itself.
  await expect(page).toHaveURL(new RegExp(`/offline\\?from=${encodeURIComponent(`/o/${slug}/team`)}$`));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("You are offline");
  await hydrated(page);
  // A copy cached for nobody: no signed-out links shown to a signed-in person.
  await expect(page.getByRole("link", { name: "Sign in" })).toHaveCount(0);

  await context.setOffline(false);
  // Back where it was asked for, by itself, signed in.
  await expect(page).toHaveURL(new RegExp(`/o/${slug}/team$`), { timeout: 20_000 });
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Team of Base ${run}`);
  expect(errors.filter((e) => !networkNoise(e))).toEqual([]);
  await context.close();
});

test("each page's code comes with the page, and pages open from inside the app while offline", async ({ browser }, info) => {
  const run = `${Date.now()}${info.project.name === "phone" ? "p" : "d"}s`;
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  const wasm: string[] = [];
  page.on("request", (r) => {
    if (r.url().endsWith(".wasm")) wasm.push(new URL(r.url()).pathname);
  });
  const slug = await newOrganisation(page, run);
  // The main module and the chunks of the pages seen so far (the visitor pages' for sign-up, the
  // member pages' for the new organisation and its dashboard), not one bundle for the whole app.
  const main = wasm.filter((path) => /^\/pkg\/talentloom\.[^.]+\.wasm$/.test(path));
  expect(main).toHaveLength(1);
  expect(new Set(wasm.filter((path) => !main.includes(path))).size).toBeGreaterThanOrEqual(2);
  // The HTML asks for the shown page's chunk with the main module, not after it.
  await page.reload();
  await hydrated(page);
  const preloaded = await page.evaluate(() =>
    [...document.querySelectorAll("link[rel=preload], link[rel=modulepreload]")].map((l) => l.getAttribute("href") ?? ""),
  );
  expect(preloaded.filter((href) => href.endsWith(".wasm")).length).toBeGreaterThanOrEqual(2);

  // The service worker keeps every chunk: a page whose code was never loaded opens offline.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.reload();
  await hydrated(page);
  const seen = new Set(wasm);
  await context.setOffline(true);
  if (info.project.name === "phone") await page.locator(".phone-menu summary").click();
  await page.getByRole("link", { name: "Match", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${slug}/match$`));
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Match a CV to a job");
  expect(wasm.filter((path) => !seen.has(path)).length).toBeGreaterThan(0);
  await context.setOffline(false);
  expect(errors.filter((e) => !networkNoise(e))).toEqual([]);
  await context.close();
});

test("a form shows every error at once, marks the fields, and clears each when it changes", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/signup");
  await hydrated(page);
  await page.getByLabel("E-mail").fill("ada.example.com");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  // Checked in the browser, with the server's rules: all three at once, no round trip needed.
  const name = page.getByLabel("Your name");
  await expect(page.getByText("Enter your name.")).toBeVisible();
  await expect(page.getByText("An e-mail address needs an @, as in name@example.com.")).toBeVisible();
  // The password's own error (its strength line below it may say the same).
  await expect(page.locator("#signup-password-error")).toHaveText("Use at least 12 characters (this one has 5).");
  await expect(name).toHaveAttribute("aria-invalid", "true");
  await expect(name).toHaveAttribute("aria-describedby", "signup-name-error");
  await expect(page.getByLabel("Your name")).toBeFocused();
  // Fixing one field takes its error away; the others stay until they change.
  await name.fill("Ada");
  await expect(page.getByText("Enter your name.")).toBeHidden();
  await expect(name).not.toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("E-mail")).toHaveAttribute("aria-invalid", "true");
  expect(errors).toEqual([]);
});

test("a form posted before the wasm loads keeps what was typed and shows its errors", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/signup");
  await page.getByLabel("Your name").fill("No Script");
  await page.getByLabel("E-mail").fill("noscript.example.com");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  // The server's answer: every error, the fields marked, the values kept (not the password).
  await expect(page.getByText("An e-mail address needs an @, as in name@example.com.")).toBeVisible();
  // The password's own error (its strength line below it may say the same).
  await expect(page.locator("#signup-password-error")).toHaveText("Use at least 12 characters (this one has 5).");
  await expect(page.getByLabel("Your name")).toHaveValue("No Script");
  await expect(page.getByLabel("E-mail")).toHaveValue("noscript.example.com");
  await expect(page.getByLabel("E-mail")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Password")).toHaveValue("");
  await context.close();
});
