import { Page } from "@playwright/test";

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

/** Waits until the wasm has hydrated the page. */
export async function hydrated(page: Page) {
  await page.waitForSelector("body[data-hydrated=true]");
}
