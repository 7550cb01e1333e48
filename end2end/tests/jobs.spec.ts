import { test, expect } from "@playwright/test";
import { createOrganisation, hydrated, signUp, watchErrors } from "./helpers";

test("a recruiter writes a job, publishes it to the careers page, closes it, and finds it in the list", async ({ page, browser }, info) => {
  const phone = info.project.name === "phone";
  const run = `${Date.now()}${phone ? "p" : "d"}`;
  const slug = `jobs-${run}`;
  const errors = watchErrors(page);
  await signUp(page, "Rita Recruiter", `rita-${run}@example.com`);
  await createOrganisation(page, `Jobs ${run}`, slug);

  if (phone) await page.locator(".phone-menu summary").click();
  await page.getByRole("link", { name: "Jobs", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${slug}/jobs$`));
  await hydrated(page);
  await expect(page.locator("[data-empty=jobs]")).toHaveText("No jobs yet. Write the first one with “New job”.");
  await page.getByRole("link", { name: "New job" }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${slug}/jobs/new$`));
  await hydrated(page);

  // Every problem at once, next to its field, before anything is sent.
  await page.getByLabel("From").fill("80000");
  await page.getByLabel("To", { exact: true }).fill("60000");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("#job-title-error")).toHaveText("Enter the job's title.");
  await expect(page.locator("#job-location-error")).toHaveText("Enter where the job is (a city), or make it remote.");
  await expect(page.locator("#job-salary_max-error")).toHaveText("The highest salary is below the lowest; swap them.");
  await page.screenshot({ path: info.outputPath("job-form-errors.png"), fullPage: true });

  await page.getByLabel("Title").fill("Emergency Department Nurse");
  await page.getByLabel("Department").fill("Emergency");
  await page.getByLabel("Location").fill("Leeds");
  await page.getByLabel("To", { exact: true }).fill("95000");
  await page.getByLabel("Currency").fill("GBP");
  await page.getByLabel("Show the salary on the careers page").check();
  await page.getByLabel("Description").fill("## What you do\n- Triage and treat patients in a busy **ED**\n\n<script>alert(1)</script>");
  await page.getByRole("button", { name: "Save" }).click();

  await expect(page).toHaveURL(new RegExp(`/o/${slug}/jobs/emergency-department-nurse$`));
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Emergency Department Nurse");
  await expect(page.locator("h1 .tag")).toHaveText("Draft");
  await expect(page.locator(".salary")).toContainText("GBP 80,000 – 95,000 a year");
  const description = page.locator(".job-description");
  await expect(description.locator("h2")).toHaveText("What you do");
  await expect(description.locator("strong")).toHaveText("ED");
  await expect(description).toContainText("<script>alert(1)</script>");
  await expect(description.locator("script")).toHaveCount(0);
  await expect(page.locator(".history li")).toHaveCount(1);
  await expect(page.locator(".history li").first()).toContainText("Draft by Rita Recruiter");

  // Skills: suggested from the text, added with one click, given a level, saved.
  await page.getByRole("button", { name: "Edit skills" }).click();
  await page.getByRole("button", { name: "Suggest from the job's text" }).click();
  const suggestion = page.locator("[data-suggestions] .chip", { hasText: "Triage" });
  await expect(suggestion).toHaveText("+ Triage · must-have");
  await suggestion.click();
  await expect(suggestion).toBeHidden();
  await page.getByLabel("Level of Triage").selectOption("4");
  await page.getByLabel("Skill to add").fill("Cannulation");
  await page.getByLabel("Skill to add").press("Enter");
  await page.getByLabel("Is Cannulation required?").selectOption("nice");
  await page.screenshot({ path: info.outputPath("job-skills-editor.png"), fullPage: true });
  await page.getByRole("button", { name: "Save skills" }).click();
  await expect(page.locator(".skill-list[data-kind=must]")).toContainText("Triage · level 4 (advanced)");
  await expect(page.locator(".skill-list[data-kind=nice]")).toContainText("Cannulation");

  // The hiring team: chosen among the organisation's members.
  await page.getByRole("button", { name: "Edit team" }).click();
  await page.getByLabel("Member").selectOption({ label: "Rita Recruiter (Owner)" });
  await page.getByLabel("Role on this job").selectOption("recruiter");
  await page.getByRole("button", { name: "Add to the team" }).click();
  await page.getByRole("button", { name: "Save team" }).click();
  await expect(page.locator(".team-list li")).toHaveText(["Rita Recruiter · Recruiter"]);

  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.locator("h1 .tag")).toHaveText("Published");
  await expect(page.locator(".history li").first()).toContainText("Published by Rita Recruiter");
  await page.screenshot({ path: info.outputPath("job-page.png"), fullPage: true });

  // What the organisation says about itself, from its settings, heads its careers page.
  await page.goto(`/o/${slug}/settings`);
  await hydrated(page);
  await page.getByLabel("About the organisation (careers page)").fill("We run the emergency department of St. Mary's.\n\nLeeds, since 1890.");
  await page.getByLabel("Keep applicants' data for (months)").fill("24");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.locator(".toast")).toContainText(["Saved the settings"]);
  // How it rejects: its reasons, and an e-mail whose unknown placeholder is named.
  await page.getByLabel("Reasons to choose from (one per line)").fill("Not enough ward experience\nShift pattern");
  await page.getByLabel("E-mail message").fill("Dear {name}, thank you.");
  await page.getByRole("button", { name: "Save reasons and e-mail" }).click();
  await expect(page.locator("#rejections-body-error")).toContainText("“{name}” is not a placeholder we know.");
  await page.getByLabel("E-mail message").fill("Dear {first_name}, thank you. {organisation}");
  await page.getByRole("button", { name: "Save reasons and e-mail" }).click();
  await expect(page.locator(".toast")).toContainText(["Saved the rejection reasons and e-mail."]);
  await expect(page.getByLabel("Reasons to choose from (one per line)")).toHaveValue("Not enough ward experience\nShift pattern");
  await page.screenshot({ path: info.outputPath("settings.png"), fullPage: true });
  await page.goto(`/o/${slug}/jobs/emergency-department-nurse`);
  await hydrated(page);

  // Published: on the careers page, for anyone, even without JavaScript (a fresh browser).
  const visitor = await browser.newContext({
    javaScriptEnabled: false,
    viewport: phone ? { width: 360, height: 740 } : { width: 1280, height: 800 },
  });
  const careers = await visitor.newPage();
  await careers.goto(`/careers/${slug}`);
  await expect(careers.getByRole("heading", { level: 1 })).toHaveText(`Jobs at Jobs ${run}`);
  await expect(careers.locator(".career-item")).toHaveCount(1);
  await expect(careers.locator(".careers-about p")).toHaveText(["We run the emergency department of St. Mary's.", "Leeds, since 1890."]);
  await careers.screenshot({ path: info.outputPath("careers.png"), fullPage: true });
  await careers.getByLabel("Work").selectOption("remote");
  await careers.getByRole("button", { name: "Show jobs" }).click();
  await expect(careers).toHaveURL(/[?&]remote=remote/);
  await expect(careers.locator("[data-empty=careers]")).toHaveText("No open job matches these filters.");
  await careers.getByRole("link", { name: "Clear filters" }).click();
  await careers.getByRole("link", { name: "Emergency Department Nurse" }).click();
  await expect(careers).toHaveURL(new RegExp(`/careers/${slug}/emergency-department-nurse$`));
  await expect(careers.getByRole("heading", { level: 1 })).toHaveText("Emergency Department Nurse");
  await expect(careers.locator(".salary")).toHaveText("GBP 80,000 – 95,000 a year");
  const posting = JSON.parse((await careers.locator('script[type="application/ld+json"]').textContent()) ?? "{}");
  expect(posting["@type"]).toBe("JobPosting");
  expect(posting.title).toBe("Emergency Department Nurse");
  expect(posting.jobLocation.address.addressLocality).toBe("Leeds");
  // The consent names the organisation and the period its Settings give.
  await expect(careers.getByLabel(/I agree that Jobs \d+\w stores and processes/)).toBeVisible();
  await expect(careers.locator(".check-field label")).toContainText("keeps it for 2 years after my last application");
  await careers.screenshot({ path: info.outputPath("careers-job.png"), fullPage: true });
  await visitor.close();

  // Closing asks first, and says what it does.
  await page.getByRole("button", { name: "Close" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("It leaves the careers page and takes no more applications.");
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(page.locator("h1 .tag")).toHaveText("Closed");
  await expect(page.getByRole("button", { name: "Publish" })).toBeVisible();
  const gone = await page.request.get(`/careers/${slug}/emergency-department-nurse`);
  expect(gone.status()).toBe(404);

  // Edit keeps the address.
  await page.getByRole("link", { name: "Edit" }).click();
  await hydrated(page);
  await expect(page.getByLabel("Title")).toHaveValue("Emergency Department Nurse");
  await expect(page.getByLabel("Show the salary on the careers page")).toBeChecked();
  await page.getByLabel("Title").fill("Senior Emergency Nurse");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${slug}/jobs/emergency-department-nurse$`));
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Senior Emergency Nurse");

  // The list: a second job, then search and a filter, kept in the address.
  await page.goto(`/o/${slug}/jobs/new`);
  await hydrated(page);
  await page.getByLabel("Title").fill("Financial Controller");
  await page.getByLabel("Department").fill("Finance");
  await page.getByLabel("Where the work happens").selectOption("remote");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(new RegExp(`/jobs/financial-controller$`));
  await page.locator(".breadcrumb").getByRole("link", { name: "Jobs" }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${slug}/jobs$`));
  await hydrated(page);
  const rows = page.locator("table.jobs-table tbody tr");
  await expect(rows).toHaveCount(2);
  await page.getByLabel("Search").fill("nurse");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/[?&]q=nurse/);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("Senior Emergency Nurse");
  await expect(rows.first()).toContainText("Leeds · On-site");
  await page.getByRole("link", { name: "Clear filters" }).click();
  await expect(rows).toHaveCount(2);
  await page.getByLabel("Status").selectOption("closed");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first().locator(".tag")).toHaveText("Closed");
  await page.screenshot({ path: info.outputPath("job-list.png"), fullPage: true });
  expect(errors).toEqual([]);
});
