import { test, expect, Page } from "@playwright/test";
import * as path from "path";
import * as fs from "fs";
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
  // The checklist names what matched with the sentence that proves it, and what is missing.
  await expect(page.locator("li.requirement[data-state=met][data-skill='Rust'] blockquote mark").first()).toHaveText("Rust");
  await expect(page.locator("li.requirement[data-state=missing][data-skill='Figma']")).toBeVisible();
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
  await expect(page.locator("li.requirement[data-state=met][data-skill='Photo editing']")).toBeVisible();
  await expect(page.locator("li.requirement[data-state=missing][data-skill='Photo editing']")).toHaveCount(0);
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

/** The job ad and the CVs (in the recruiter's order) of a labelled pair in
 *  server/tests/fixtures/match-pairs: the TOML's multi-line strings, job first. */
function pair(profession: string): { job: string; cvs: string[] } {
  const file = path.join(__dirname, "..", "..", "server", "tests", "fixtures", "match-pairs", `${profession}.toml`);
  const texts = [...fs.readFileSync(file, "utf8").matchAll(/'''\n([\s\S]*?)'''/g)].map((m) => m[1]);
  return { job: texts[0], cvs: texts.slice(1) };
}

test("the explanation reads in ten seconds: band, checklist, highlighted proof, chips that jump", async ({ page }, info) => {
  const phone = info.project.name === "phone";
  const run = `${Date.now()}${phone ? "p" : "d"}x`;
  const errors = watchErrors(page);
  await newOrganisation(page, "Ed Explained", `ed-${run}@example.com`, `Explain ${run}`, `explain-${run}`);
  await page.goto(`/o/explain-${run}/match`);
  await hydrated(page);
  const { job, cvs } = pair("software");
  await page.getByLabel("CV", { exact: true }).fill(cvs[0]);
  await page.getByLabel("Job description").fill(job);
  await page.getByRole("button", { name: "Analyse" }).click();

  // The verdict comes into view with the focus: score, band, what it means, one sentence.
  const verdict = page.getByRole("heading", { name: /Strong match/ });
  await expect(verdict).toBeFocused({ timeout: 30_000 });
  await expect(page.locator(".verdict .score-value")).toBeInViewport();
  await expect(page.locator(".verdict[data-band=strong]")).toBeVisible();
  await expect(page.locator(".summary")).toHaveText(/^Shows all 7 must-haves; \d+ of \d+ nice-to-haves; \d+ of \d+ skills the duties name; \d+ years of experience by the CV's dates\.$/);
  // What each part means is written out, not hidden in a tooltip.
  await expect(page.locator(".score-part-meaning").first()).toBeVisible();
  await expect(page.getByText("Similarity")).toHaveCount(0);

  // Must-haves first; alternatives are one line; the proof is the sentence, highlighted.
  const items = page.locator("ul.checklist > li");
  await expect(items.first().locator(".tag")).toHaveText("must-have");
  const cloud = page.locator("li.requirement", { hasText: "Amazon Web Services or Google Cloud Platform" });
  await expect(cloud).toHaveCount(1);
  await expect(cloud).toHaveAttribute("data-state", "met");
  const rust = page.locator("li.requirement[data-skill='Rust']");
  await expect(rust.locator("blockquote")).toHaveText("Built the invoicing service in Rust (Tokio, Axum) that bills 12,000 shipments a day.");
  // A sentence is quoted once, with every requirement it proves highlighted; the others point
  // back to it.
  await expect(rust.locator("blockquote mark")).toHaveText(["invoicing", "Rust", "Tokio", "Axum"]);
  await expect(page.locator("li.requirement[data-skill='Tokio'] .quote-again")).toHaveText("In the sentence quoted under Rust");
  const quotes = await page.locator("ul.checklist blockquote").allTextContents();
  expect(new Set(quotes).size).toBe(quotes.length);
  // Nothing from the address, the employer's name or the profile link is a skill: Croatian is
  // found once, where the CV lists languages, not in "Zagreb, Croatia".
  const cvChips = page.locator(".match-texts article").first().locator(".chip");
  for (const wrong of ["Cargo", "GitHub", "Remote work"]) {
    await expect(cvChips.getByRole("link", { name: wrong, exact: true })).toHaveCount(0);
  }
  await expect(page.locator("#cv-highlighted mark[data-skill='Croatian']")).toHaveText(["Croatian"]);
  await expect(page.locator("#cv-highlighted mark", { hasText: /Zagreb|github|Cargo Route/ })).toHaveCount(0);
  // On the job's side, skills the ad only names in passing are marked as not asked for.
  const jobChips = page.locator(".match-texts article").nth(1).locator(".chip");
  await expect(jobChips.filter({ has: page.getByRole("link", { name: "Terraform", exact: true }) })).toHaveAttribute("data-asked", "true");
  // A chip jumps to the skill's first highlight in the text.
  await cvChips.getByRole("link", { name: "Kubernetes", exact: true }).click();
  await expect(page).toHaveURL(/#cv-kubernetes$/);
  await expect(page.locator("#cv-kubernetes")).toBeInViewport();
  // No operator instructions on this screen.
  await expect(page.getByText("import-esco")).toHaveCount(0);

  await page.locator("#verdict").scrollIntoViewIfNeeded();
  await page.screenshot({ path: info.outputPath(`explanation-${info.project.name}.png`) });
  await page.locator(".match-result").screenshot({ path: info.outputPath(`explanation-result-${info.project.name}.png`) });
  // The explanation stays short.
  const height = (await page.locator(".match-result").boundingBox())?.height ?? 0;
  expect(height).toBeLessThan(phone ? 3200 : 1700);
  expect(errors).toEqual([]);
});

test("administrators see whether occupations can be suggested, on an admin page", async ({ page }, info) => {
  const run = `${Date.now()}${info.project.name === "phone" ? "p" : "d"}t`;
  const errors = watchErrors(page);
  await newOrganisation(page, "Ada Admin", `ada-${run}@example.com`, `Taxonomy ${run}`, `taxonomy-${run}`);
  await page.goto(`/o/taxonomy-${run}/admin/jobs`);
  await hydrated(page);
  const panel = page.getByRole("region", { name: "Occupation suggestions" });
  // The browser tests' server has a small taxonomy in ESCO's format imported.
  await expect(panel.locator("[data-taxonomy=ready]")).toHaveText(/^On: the matching screen suggests occupations from the ESCO taxonomy \(\d+ occupations\)\.$/);
  await page.screenshot({ path: info.outputPath(`taxonomy-${info.project.name}.png`), fullPage: true });
  expect(errors).toEqual([]);
});
