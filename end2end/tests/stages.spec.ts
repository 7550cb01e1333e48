import { test, expect } from "@playwright/test";
import { call, hydrated, signUp, watchErrors } from "./helpers";

test("an admin sets the stages new jobs start with, and a recruiter edits one job's stages on its board", async ({ page }, info) => {
  const phone = info.project.name === "phone";
  const run = `${Date.now()}${phone ? "p" : "d"}`;
  const slug = `stages-${run}`;
  await signUp(page, "Olive Owner", `olive-${run}@example.com`);
  await call(page, "create_organisation", { name: `Stages ${run}`, slug });
  const errors = watchErrors(page);

  // Settings: the organisation's stages, checked before they are sent.
  await page.goto(`/o/${slug}/settings`);
  await hydrated(page);
  const template = page.getByLabel("The stages a new job's board starts with (one per line, in order)");
  await expect(template).toHaveValue("Applied\nScreen\nInterview\nOffer\nHired");
  await template.fill("Applied\nPhone screen\nphone screen");
  await page.getByRole("button", { name: "Save stages" }).click();
  await expect(page.locator("#stage-template-stages-error")).toHaveText("“phone screen” is there twice; stage names must differ.");
  await template.fill("Applied\nPhone screen\nTrial day\nOffer");
  await page.getByRole("button", { name: "Save stages" }).click();
  await expect(page.locator(".toast")).toContainText(["Saved the stages for new jobs."]);
  await page.screenshot({ path: info.outputPath("stage-template.png"), fullPage: true });

  // A new job's board starts with them.
  await call(page, "save_job", {
    slug, job: "", title: "Baker", department: "", location: "Leeds", remote: "onsite", employment: "full_time",
    salary_min: "", salary_max: "", salary_currency: "GBP", description: "Bake bread.",
  });
  await page.goto(`/o/${slug}/jobs/baker/board`);
  await hydrated(page);
  const columns = page.locator(".board-column h2");
  await expect(columns).toHaveText(["Applied0", "Phone screen0", "Trial day0", "Offer0"]);

  // Its own stages: renamed, moved, added, removed.
  await page.getByText("Edit stages").click();
  const rows = page.locator(".stage-rows input");
  await rows.nth(2).fill("Case study");
  await page.getByRole("button", { name: "Move Case study up" }).click();
  await page.getByRole("button", { name: "Remove Offer" }).click();
  await page.getByRole("button", { name: "Add a stage" }).click();
  await rows.last().fill("Reference check");
  await page.screenshot({ path: info.outputPath("stage-editor.png"), fullPage: true });
  await page.getByRole("button", { name: "Save stages" }).click();
  await expect(page.locator(".toast")).toContainText(["Saved the stages."]);
  await expect(columns).toHaveText(["Applied0", "Case study0", "Phone screen0", "Reference check0"]);
  await page.screenshot({ path: info.outputPath("stages-saved.png"), fullPage: true });
  expect(errors).toEqual([]);
});
