import { test, expect, Page } from "@playwright/test";
import { call, hydrated, signUp, watchErrors } from "./helpers";

const CVS: Record<string, string> = {
  "Nina Nurse": "Registered nurse with 6 years of intensive care experience.\nRan the ICU rota and trained new nurses in patient safety.",
  "Ravi Rust": "Senior software engineer.\nBuilt payment services in Rust and PostgreSQL for 5 years, deployed on Kubernetes.",
  "Bea Baker": "Pastry chef.\nBaked bread, croissants and wedding cakes for a hotel kitchen for ten years.",
};

async function job(page: Page, slug: string, title: string, description: string) {
  await call(page, "save_job", {
    slug, job: "", title, department: "", location: "Leeds", remote: "onsite", employment: "full_time",
    salary_min: "", salary_max: "", salary_currency: "GBP", description,
  });
}

async function apply(page: Page, slug: string, jobSlug: string, name: string, email: string) {
  const res = await page.request.post(`/careers/${slug}/${jobSlug}/apply`, {
    headers: { Origin: new URL(page.url()).origin, Accept: "application/json" },
    multipart: {
      name, email, phone: "", links: "", cover_letter: "", consent: "on", website: "",
      cv: { name: "cv.txt", mimeType: "text/plain", buffer: Buffer.from(CVS[name]) },
    },
  });
  expect(res.status(), await res.text()).toBe(200);
}

test("a recruiter searches candidates by what their CVs say and sees who fits a job without applying", async ({ page }, info) => {
  const phone = info.project.name === "phone";
  const run = `${Date.now()}${phone ? "p" : "d"}`;
  const slug = `search-${run}`;
  await signUp(page, "Rita Recruiter", `rita-${run}@example.com`);
  await call(page, "create_organisation", { name: `Search ${run}`, slug });
  await job(page, slug, "Software Engineer", "Build payment services.");
  await call(page, "change_job_status", { slug, job: "software-engineer", to: "published" });
  for (const name of Object.keys(CVS)) {
    await apply(page, slug, "software-engineer", name, `${name.split(" ")[0].toLowerCase()}-${run}@example.com`);
  }
  // The CVs are read in the background: wait until the last one's skills are in.
  await expect
    .poll(async () => (await call(page, "candidates", { slug, query: "", page: "1", skill: "Rust" })).total, { timeout: 30_000 })
    .toBe(1);
  await expect
    .poll(async () => (await call(page, "candidates", { slug, query: "pastry", page: "1" })).candidates[0]?.name, { timeout: 30_000 })
    .toBe("Bea Baker");

  const errors = watchErrors(page);
  await page.goto(`/o/${slug}/candidates`);
  await hydrated(page);
  const rows = page.locator(".candidates-table tbody tr");
  await expect(rows).toHaveCount(3);

  // By words: the nurse first, with the sentence of her CV that says them.
  await page.getByLabel("Search", { exact: true }).fill("intensive care");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page).toHaveURL(/\?q=intensive\+care&/);
  await hydrated(page);
  const why = rows.first().locator(".hit-reasons");
  await expect(why).toContainText("The CV says “intensive”, “care”");
  await expect(rows.first()).toContainText("Nina Nurse");
  await expect(why.locator("mark").first()).toHaveText("intensive");
  await page.screenshot({ path: info.outputPath("candidates-search.png"), fullPage: true });

  // By meaning, with no word in common.
  await page.getByLabel("Search", { exact: true }).fill("hospital nursing");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page).toHaveURL(/\?q=hospital\+nursing/);
  await hydrated(page);
  // (The results of this search, not the last one's: they name the words searched.)
  await expect(rows.first().locator(".hit-reasons")).toContainText("in meaning to “hospital nursing”");
  await expect(rows.first()).toContainText("Nina Nurse");

  // By a skill the engine read from the CV, quoted.
  await page.getByLabel("Search", { exact: true }).fill("");
  await page.getByLabel("Skill", { exact: true }).fill("Rust");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page).toHaveURL(/\?q=&skill=Rust&/);
  await hydrated(page);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("Ravi Rust");
  await expect(rows.first().locator(".hit-reasons")).toContainText("Skill: Rust");
  await expect(rows.first().locator(".hit-reasons mark")).toHaveText("Rust");
  if (!phone) {
    // No sideways scroll on a phone is checked below; on a desktop the filters sit in one row.
    await page.getByLabel("Source").selectOption("manual");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await expect(page).toHaveURL(/source=manual/);
    await expect(page.locator("[data-empty=candidates]")).toContainText("No candidate matches this search");
    await page.getByRole("link", { name: "Clear search" }).click();
    await expect(rows).toHaveCount(3);
  }
  await page.screenshot({ path: info.outputPath("candidates-skill.png"), fullPage: true });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  expect(wide).toBe(false);

  // The profile lists the skills, each with the sentence that shows it.
  await page.goto(`/o/${slug}/candidates?skill=Rust`);
  await hydrated(page);
  await rows.first().getByRole("link", { name: "Ravi Rust" }).click();
  await hydrated(page);
  const skills = page.locator(".skill-evidence");
  await expect(skills).toContainText("Rust");
  await expect(skills).toContainText("PostgreSQL");
  await skills.locator("summary").filter({ hasText: "Kubernetes" }).click();
  await expect(skills.locator("blockquote mark").filter({ hasText: "Kubernetes" })).toBeVisible();
  await page.screenshot({ path: info.outputPath("candidate-skills.png"), fullPage: true });

  // A nursing job: the nurse is its best candidate who has not applied.
  await job(page, slug, "Ward Nurse", "Care for patients on a hospital ward. Intensive care experience welcome.");
  await page.goto(`/o/${slug}/jobs/ward-nurse`);
  await hydrated(page);
  const prospects = page.locator(".prospects li");
  await expect(prospects.first()).toContainText("Nina Nurse");
  await expect(prospects.first()).toContainText("% similar");
  await expect(prospects.first()).toContainText("Applied for Software Engineer (Applied)");
  await page.screenshot({ path: info.outputPath("job-prospects.png"), fullPage: true });

  // Put on the job's board from there: the new application opens, with who added it.
  await page.getByRole("button", { name: "Add Nina Nurse to this job" }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${slug}/applications/\\d+$`));
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Nina Nurse");
  await expect(page.locator("li[data-kind=added]")).toContainText("Added to Ward Nurse by Rita Recruiter.");
  await page.screenshot({ path: info.outputPath("added-to-job.png"), fullPage: true });
  expect(errors).toEqual([]);
});

test("a recruiter adds a candidate by hand with a CV, and sees what to fix first", async ({ page }, info) => {
  const phone = info.project.name === "phone";
  const run = `${Date.now()}${phone ? "p" : "d"}`;
  const slug = `add-${run}`;
  await signUp(page, "Rita Recruiter", `rita-${run}@example.com`);
  await call(page, "create_organisation", { name: `Add ${run}`, slug });
  const errors = watchErrors(page);
  // (Not waiting for the "load" event: once, on a loaded machine, Chromium never fired it for
  // this page although every request had been answered; hydration is what matters.)
  await page.goto(`/o/${slug}/candidates`, { waitUntil: "domcontentloaded" });
  await hydrated(page);
  await page.getByRole("link", { name: "Add a candidate" }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${slug}/candidates/new$`));
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Add a candidate");

  // Every problem at once, next to its field, before anything is sent.
  await page.getByLabel("E-mail").fill("not an address");
  await page.getByLabel("Links (optional)", { exact: false }).fill("github.com/ravi");
  await page.getByRole("button", { name: "Add candidate" }).click();
  await expect(page.locator("#add-candidate-name-error")).toHaveText("Enter the candidate's name.");
  await expect(page.locator("#add-candidate-email-error")).toContainText("e-mail address");
  await expect(page.locator("#add-candidate-links-error")).toContainText("is not a web address");
  await expect(page.getByLabel("Full name")).toBeFocused();
  await page.screenshot({ path: info.outputPath("add-candidate-errors.png"), fullPage: true });

  await page.getByLabel("Full name").fill("Ravi Rust");
  await page.getByLabel("E-mail").fill(`ravi-${run}@example.com`);
  await page.getByLabel("Links (optional)", { exact: false }).fill("https://github.com/ravi");
  await page.getByLabel("Source").selectOption("referral");
  await page.getByLabel("CV (optional)").setInputFiles({
    name: "ravi.txt", mimeType: "text/plain", buffer: Buffer.from(CVS["Ravi Rust"]),
  });
  await page.getByRole("button", { name: "Add candidate" }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${slug}/candidates/\\d+$`));
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Ravi Rust");
  await expect(page.locator(".page-head .hint")).toContainText("Referral");
  await expect(page.getByRole("link", { name: "Download ravi.txt" })).toBeVisible();
  // Its skills arrive from the background: on a reload they are there.
  await expect
    .poll(async () => {
      await page.reload();
      await hydrated(page);
      // (The panel is always there; its list only once the skills are.)
      return page.locator("section[aria-labelledby=skills-heading]").textContent();
    }, { timeout: 30_000 })
    .toContain("Kubernetes");
  await page.screenshot({ path: info.outputPath("added-candidate.png"), fullPage: true });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  expect(wide).toBe(false);
  expect(errors).toEqual([]);
});
