import { test, expect, Page } from "@playwright/test";
import * as path from "path";
import { PASSWORD, hydrated, watchErrors } from "./helpers";

const FIXTURES = path.join(__dirname, "..", "..", "server", "tests", "fixtures", "documents");

/** Signs up and creates an organisation; the page ends on its dashboard. */
async function newOrganisation(page: Page, person: string, email: string, orgName: string, slug: string) {
  await page.goto("/signup");
  await hydrated(page);
  await page.getByLabel("Your name").fill(person);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/orgs\/new$/);
  await hydrated(page);
  await page.getByLabel("Name").fill(orgName);
  // Typing the name fills in the address: the page is hydrated.
  await expect(page.getByLabel("Address")).toHaveValue(slug);
  await page.getByRole("button", { name: "Create organisation" }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${slug}$`));
  await hydrated(page);
}

test("upload a PDF CV, paste a job, see highlighted skills and the explained score", async ({ page }, info) => {
  const run = `${Date.now()}${info.project.name === "phone" ? "p" : "d"}`;
  const slug = `match-${run}`;
  const errors = watchErrors(page);
  await newOrganisation(page, "Rita Recruiter", `rita-${run}@example.com`, `Match ${run}`, slug);

  // On a phone the organisation's pages are behind the header's "Menu" button.
  if (info.project.name === "phone") await page.locator(".phone-menu summary").click();
  await page.getByRole("link", { name: "Match", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${slug}/match$`));
  await hydrated(page);

  // The PDF goes to the server, its text comes back into the CV box.
  await page.getByLabel("Upload a CV").setInputFiles(path.join(FIXTURES, "cv.pdf"));
  await expect(page.locator("[data-upload=ok]")).toContainText("Read cv.pdf (PDF)");
  await expect(page.getByLabel("CV", { exact: true })).toHaveValue(/card payment API in Rust on PostgreSQL/);

  await page.getByLabel("Job description").fill(
    "Sr. Backend Dev (Rust)\n\nIn Berlin. You build payment APIs in Rust on PostgreSQL, run them on Kubernetes, and use Kafka. Terraform and Figma are a plus.",
  );
  await page.getByRole("button", { name: "Analyse" }).click();

  const score = page.locator(".score-value");
  await expect(score).toBeVisible({ timeout: 30_000 });
  const value = Number(await score.getAttribute("data-score"));
  expect(value).toBeGreaterThan(40);
  expect(value).toBeLessThan(100);

  // Skills are highlighted where the CV names them.
  const cv = page.locator("#cv-highlighted");
  await expect(cv.locator("mark[data-skill='Rust']").first()).toHaveText("Rust");
  await expect(cv.locator("mark[data-skill='PostgreSQL']").first()).toHaveText("PostgreSQL");
  await expect(cv.locator("mark[data-skill='Kubernetes']")).toHaveText("Kubernetes");
  // The explanation names what matched with evidence, and what is missing.
  await expect(page.locator("li.matched[data-skill='Rust'] q").first()).toContainText("Rust");
  await expect(page.locator("li.missing[data-skill='Figma']")).toBeVisible();
  // ESCO occupations for the title (the e2e server has a small taxonomy in ESCO's format
  // imported), with ESCO's attribution.
  const occupations = page.getByRole("region", { name: "Suggested occupations" });
  await expect(occupations.locator("li").first()).toHaveAttribute("data-occupation", "software developer");
  await expect(occupations.locator("[data-attribution=esco]")).toHaveText(
    "This service uses the ESCO classification of the European Commission.",
  );
  // The occupation's skills, as ESCO lists them, are one click away.
  const first = occupations.locator("li[data-occupation]").first();
  await first.getByText("Skills: 1 essential, 1 optional").click();
  await expect(first.locator("ul[data-kind=Essential] li")).toHaveText(["computer programming"]);
  await expect(first.locator("ul[data-kind=Optional] li")).toHaveText(["database design"]);

  expect(errors).toEqual([]);
});

test("a skill the job describes in its own words is found by meaning and matched", async ({ page }, info) => {
  const run = `${Date.now()}${info.project.name === "phone" ? "p" : "d"}m`;
  const errors = watchErrors(page);
  await newOrganisation(page, "Pia Photo", `pia-${run}@example.com`, `Studio ${run}`, `studio-${run}`);
  await page.goto(`/o/studio-${run}/match`);
  await hydrated(page);
  await page.getByLabel("CV", { exact: true }).fill(
    "Sam Lens\n\nStudio Nord, 2022 – present\n- Photo editing for weddings.",
  );
  await page.getByLabel("Job description").fill(
    "Photo studio assistant\n\nYou will be retouching pictures and greeting clients.",
  );
  await page.getByRole("button", { name: "Analyse" }).click();

  // The job never says "photo editing": the phrase is marked as evidence, by meaning.
  const evidence = page.locator("#job-highlighted mark.inferred[data-skill='Photo editing']");
  await expect(evidence).toHaveText("retouching pictures", { timeout: 30_000 });
  await expect(evidence).toHaveAttribute("title", "Photo editing (by meaning)");
  // The CV names it, so it counts as matched, not missing.
  await expect(page.locator("li.matched[data-skill='Photo editing']")).toBeVisible();
  await expect(page.locator("li.missing[data-skill='Photo editing']")).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("a scanned PDF says no text was found", async ({ page }, info) => {
  const run = `${Date.now()}${info.project.name === "phone" ? "p" : "d"}s`;
  await newOrganisation(page, "Sam Scanner", `sam-${run}@example.com`, `Scan ${run}`, `scan-${run}`);
  await page.goto(`/o/scan-${run}/match`);
  await hydrated(page);
  await page.getByLabel("Upload a CV").setInputFiles(path.join(FIXTURES, "scan.pdf"));
  await expect(page.locator("[data-upload=error]")).toContainText("No text found");
  await expect(page.getByLabel("CV", { exact: true })).toHaveValue("");
});
