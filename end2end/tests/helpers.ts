import { execFileSync } from "node:child_process";
import { Browser, Page, expect } from "@playwright/test";

/** The password every test account uses (long enough and hard to guess). */
export const PASSWORD = "correct horse battery staple 42";

/** Collects console errors and uncaught exceptions of a page; the test asserts there are none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  return errors;
}

/** Waits until the wasm has hydrated the page and no new page is still loading (after a click
 *  on a link the address changes at once, and the page left stays until the new one's code and
 *  data are in). */
export async function hydrated(page: Page) {
  await page.waitForSelector("body[data-hydrated=true]");
  await page.waitForSelector("main#main:not([aria-busy])");
}

/** The newest mail to `address` whose body links to `path`, and that link (read with the
 *  operator's `server outbox --to`, as the tests have no SMTP server). */
export function linkInMail(address: string, path: string): string {
  const server = process.env.TALENTLOOM_SERVER;
  if (!server) throw new Error("TALENTLOOM_SERVER is not set: run the browser tests through .ci/e2e.sh");
  const out = execFileSync(server, ["outbox", "--to", address], { encoding: "utf8", env: process.env });
  for (const line of out.split("\n").filter(Boolean)) {
    const body: string = JSON.parse(line).body;
    const match = body.match(new RegExp(`https?://\\S*${path.replace(/\//g, "\\/")}\\S+`));
    if (match) return new URL(match[0]).pathname;
  }
  throw new Error(`no mail to ${address} with a link to ${path}`);
}

/** Signs up with the test password; the page ends on "create an organisation". */
export async function signUp(page: Page, name: string, email: string) {
  await page.goto("/signup");
  await hydrated(page);
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/orgs\/new$/);
  await hydrated(page);
}

/** Creates an organisation from "create an organisation"; the page ends on its dashboard. */
export async function createOrganisation(page: Page, name: string, expectedSlug: string) {
  await page.getByLabel("Name").fill(name);
  // Typing the name fills in the address: a client-side interaction, so the page is hydrated.
  await expect(page.getByLabel("Address")).toHaveValue(expectedSlug);
  await page.getByRole("button", { name: "Create organisation" }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${expectedSlug}$`));
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(name);
}

/** Calls a server function as the signed-in page (a form post, as the browser sends it) and
 *  expects it to succeed; answers its JSON. */
export async function call(page: Page, endpoint: string, form: Record<string, string>) {
  const res = await page.request.post(`/api/${endpoint}`, {
    form,
    headers: { Origin: new URL(page.url()).origin, Accept: "application/json" },
  });
  expect(res.status(), `${endpoint}: ${await res.text()}`).toBe(200);
  return res.json();
}

/** Opens the invitation e-mailed to `email` in a browser of its own (as large as `like`, if
 *  given) and joins organisation `slug` as `name`: that browser, its page and the page's errors. */
export async function joinByInvitation(browser: Browser, email: string, name: string, slug: string, like?: Page) {
  const context = await browser.newContext({ viewport: like?.viewportSize() ?? undefined });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(linkInMail(email, "/invite/"));
  await hydrated(page);
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Choose a password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account and join" }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${slug}$`));
  return { context, page, errors };
}
