import { test, expect, Page } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";
import { call, hydrated, linkInMail, signUp, watchErrors } from "./helpers";

const cv = fs.readFileSync(path.join(__dirname, "../../server/tests/fixtures/documents/cv.pdf"));

async function applyAs(page: Page, slug: string, name: string, email: string) {
  const res = await page.request.post(`/careers/${slug}/data-engineer/apply`, {
    headers: { Origin: new URL(page.url()).origin, Accept: "application/json" },
    multipart: {
      name, email, phone: "", links: "", cover_letter: "", consent: "on", website: "",
      cv: { name: "cv.pdf", mimeType: "application/pdf", buffer: cv },
    },
  });
  expect(res.status(), await res.text()).toBe(200);
}

test("cards move on the board by drag and drop and by keyboard, live in another browser", async ({ page, browser }, info) => {
  const phone = info.project.name === "phone";
  const run = `${Date.now()}${phone ? "p" : "d"}`;
  const slug = `board-${run}`;
  const errors = watchErrors(page);
  await signUp(page, "Rita Recruiter", `rita-${run}@example.com`);
  await call(page, "create_organisation", { name: `Board ${run}`, slug });
  await call(page, "save_job", {
    slug, job: "", title: "Data Engineer", department: "", location: "Leeds", remote: "hybrid",
    employment: "full_time", salary_min: "", salary_max: "", salary_currency: "GBP", description: "Pipelines in Rust.",
  });
  await call(page, "change_job_status", { slug, job: "data-engineer", to: "published" });
  await applyAs(page, slug, "Ada Lovelace", `ada-${run}@example.com`);

  await page.goto(`/o/${slug}/jobs/data-engineer`);
  await hydrated(page);
  await page.getByRole("link", { name: "Board", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${slug}/jobs/data-engineer/board$`));
  await hydrated(page);
  const column = (name: string) => page.locator(`.board-column[data-stage="${name}"]`);
  await expect(column("Applied").locator(".board-card")).toHaveCount(1);

  // A colleague has the same board open in another browser.
  const colleague = await browser.newContext({ storageState: await page.context().storageState(), viewport: page.viewportSize() ?? undefined });
  const other = await colleague.newPage();
  await other.goto(`/o/${slug}/jobs/data-engineer/board`);
  await hydrated(other);
  const otherColumn = (name: string) => other.locator(`.board-column[data-stage="${name}"]`);
  await expect(otherColumn("Applied").locator(".board-card")).toHaveCount(1);

  // A new application appears on both boards without a reload.
  await applyAs(page, slug, "Grace Hopper", `grace-${run}@example.com`);
  await expect(column("Applied").locator(".board-card")).toHaveCount(2);
  await expect(otherColumn("Applied").locator(".board-card")).toHaveCount(2);

  // Each card is scored in the background by the model on the server, and shows it when done.
  for (const board of [column("Applied"), otherColumn("Applied")]) {
    for (const name of ["Ada Lovelace", "Grace Hopper"]) {
      await expect(board.locator(".board-card", { hasText: name }).locator(".card-score")).toHaveText(/^\d+$/, { timeout: 60_000 });
    }
  }

  // The keyboard: focus Ada's menu, choose Screen, press Move.
  const ada = page.locator(".board-card", { hasText: "Ada Lovelace" });
  await ada.getByLabel("Move Ada Lovelace to").focus();
  await ada.getByLabel("Move Ada Lovelace to").selectOption({ label: "Screen" });
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await expect(column("Screen").locator(".board-card")).toContainText("Ada Lovelace");
  await expect(otherColumn("Screen").locator(".board-card")).toContainText("Ada Lovelace");

  // Drag and drop with a mouse: Grace to Interview (on a touch screen, the menu).
  const grace = page.locator(".board-card", { hasText: "Grace Hopper" });
  if (phone) {
    await grace.getByLabel("Move Grace Hopper to").selectOption({ label: "Interview" });
    await grace.getByRole("button", { name: "Move" }).click();
  } else {
    await grace.dragTo(column("Interview"));
  }
  await expect(column("Interview").locator(".board-card")).toContainText("Grace Hopper");
  await expect(otherColumn("Interview").locator(".board-card")).toContainText("Grace Hopper");
  await expect(column("Applied").locator(".board-card")).toHaveCount(0);
  // Filters live in the address: a name or skill, a lowest score, an order.
  await page.getByLabel("Name or skill").fill("grace");
  await page.getByLabel("Order").selectOption({ label: "Highest score" });
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/[?&]q=grace/);
  await expect(page.locator(".board-card")).toHaveCount(1);
  await expect(page.locator(".board-card")).toContainText("Grace Hopper");
  await expect(page.locator(".page-head .hint")).toHaveText(/^Showing 1 of 2 open application/);
  await page.getByRole("link", { name: "Clear filters" }).click();
  await expect(page.locator(".board-card")).toHaveCount(2);
  // The board scrolls sideways by itself; the page never does.
  const widest = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(widest).toBeLessThanOrEqual(page.viewportSize()!.width);
  await page.screenshot({ path: info.outputPath("board.png"), fullPage: true });
  await other.screenshot({ path: info.outputPath("board-colleague.png"), fullPage: true });
  await colleague.close();

  // Ada's private link shows the new stage in plain words.
  const link = linkInMail(`ada-${run}@example.com`, "/a/");
  const visitor = await browser.newContext();
  const mine = await visitor.newPage();
  await mine.goto(link);
  await expect(mine.locator(".application-headline")).toHaveText("In progress: your application is at the Screen stage.");
  await visitor.close();
  expect(errors).toEqual([]);
});
