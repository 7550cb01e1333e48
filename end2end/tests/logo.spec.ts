import { test, expect } from "@playwright/test";
import * as path from "path";
import { call, hydrated, signUp, watchErrors } from "./helpers";

const fixtures = path.join(__dirname, "..", "..", "server", "tests", "fixtures");

test("an owner puts the organisation's logo on its careers page, and takes it off again", async ({ page }, info) => {
  const phone = info.project.name === "phone";
  const run = `${Date.now()}${phone ? "p" : "d"}`;
  const slug = `logo-${run}`;
  await signUp(page, "Olive Owner", `olive-${run}@example.com`);
  await call(page, "create_organisation", { name: `Logo ${run}`, slug });
  const errors = watchErrors(page);

  await page.goto(`/o/${slug}/settings`, { waitUntil: "domcontentloaded" });
  await hydrated(page);
  const logo = page.locator("#logo-form");
  await expect(logo).toContainText("No logo yet");
  // Not an image: refused next to the field, by the server that read it.
  await logo.getByLabel("New logo").setInputFiles(path.join(fixtures, "documents", "cv.pdf"));
  await logo.getByRole("button", { name: "Upload logo" }).click();
  await expect(page.locator("#logo-logo-error")).toHaveText(
    "This file is not a PNG, JPEG or WebP image. Save the logo in one of those formats and choose it again.",
  );
  await logo.getByLabel("New logo").setInputFiles(path.join(fixtures, "documents", "logo.png"));
  await logo.getByRole("button", { name: "Upload logo" }).click();
  await expect(page.locator(".toast")).toContainText(["The new logo is on your careers page."]);
  const preview = logo.locator("img.org-logo");
  await expect(preview).toHaveAttribute("src", /\/logos\/logo-.*\?v=1$/);
  await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(240);
  await page.screenshot({ path: info.outputPath("logo-settings.png"), fullPage: true });

  // The careers page, without JavaScript's help: the logo at 64 px high, its place kept.
  await page.goto(`/careers/${slug}`);
  const shown = page.locator(".careers-head img.org-logo");
  await expect(shown).toHaveAttribute("alt", `Logo ${run} logo`);
  await expect.poll(() => shown.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(240);
  const box = await shown.boundingBox();
  expect(box?.height).toBe(64);
  expect(box!.x + box!.width).toBeLessThanOrEqual(phone ? 360 : 1280);
  await page.screenshot({ path: info.outputPath("logo-careers.png"), fullPage: true });

  // Removed: the careers page shows the name only.
  await page.goto(`/o/${slug}/settings`);
  await hydrated(page);
  await logo.getByRole("button", { name: "Remove logo" }).click();
  await expect(page.locator(".toast")).toContainText(["Removed the logo from your careers page."]);
  await expect(logo).toContainText("No logo yet");
  await page.goto(`/careers/${slug}`);
  await expect(page.locator("h1")).toBeVisible();
  await expect(page.locator("img.org-logo")).toHaveCount(0);
  // The refused file's answer (422) is the only error the browser logged.
  expect(errors.filter((e) => !e.includes("status of 422"))).toEqual([]);
});
