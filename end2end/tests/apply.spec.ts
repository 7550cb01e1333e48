import { test, expect, Page } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";
import { call, hydrated, linkInMail, signUp, watchErrors } from "./helpers";

const documents = path.join(__dirname, "../../server/tests/fixtures/documents");

/** An organisation with one published job, written by its owner through the API. */
async function publishedJob(page: Page, run: string) {
  const slug = `apply-${run}`;
  await signUp(page, "Rita Recruiter", `rita-${run}@example.com`);
  await call(page, "create_organisation", { name: `Apply ${run}`, slug });
  await call(page, "save_job", {
    slug, job: "", title: "Payments Engineer", department: "Engineering", location: "Berlin",
    remote: "hybrid", employment: "full_time", salary_min: "", salary_max: "", salary_currency: "EUR",
    description: "Build card payment services in Rust on PostgreSQL.",
  });
  await call(page, "change_job_status", { slug, job: "payments-engineer", to: "published" });
  return slug;
}

test("a candidate applies with a PDF from the careers page and follows it by private link", async ({ page, browser }, info) => {
  const phone = info.project.name === "phone";
  const run = `${Date.now()}${phone ? "p" : "d"}`;
  const slug = await publishedJob(page, run);
  const viewport = phone ? { width: 360, height: 740 } : { width: 1280, height: 800 };

  const candidate = await browser.newContext({ viewport, isMobile: phone, hasTouch: phone });
  const careers = await candidate.newPage();
  const errors = watchErrors(careers);
  await careers.goto(`/careers/${slug}/payments-engineer`);
  await hydrated(careers);
  await expect(careers.getByRole("heading", { name: "Apply for Payments Engineer" })).toBeVisible();
  await expect(careers.getByText(`I agree that Apply ${run} stores and processes`)).toBeVisible();

  // Every problem at once, next to its field, before anything is sent.
  await careers.getByRole("button", { name: "Send application" }).click();
  await expect(careers.locator("#apply-form-name-error")).toHaveText("Enter your name.");
  await expect(careers.locator("#apply-form-email-error")).toHaveText("Enter an e-mail address.");
  await expect(careers.locator("#apply-form-cv-error")).toHaveText("Choose your CV: a PDF, Word (DOCX), text or Markdown file.");
  await expect(careers.locator("#apply-form-consent-error")).toContainText("Tick the box to agree");
  await expect(careers.getByLabel("Full name")).toBeFocused();
  await careers.screenshot({ path: info.outputPath("apply-errors.png"), fullPage: true });

  // A scan has no text: the server reads it and says what to do, next to the file.
  const email = `ada-${run}@example.com`;
  await careers.getByLabel("Full name").fill("Ada Lovelace");
  await careers.getByLabel("E-mail").fill(email);
  await careers.getByLabel("Phone (optional)").fill("+44 20 7946 0018");
  await careers.getByLabel("CV", { exact: true }).setInputFiles(path.join(documents, "scan.pdf"));
  await careers.getByLabel(/I agree that/).check();
  await careers.getByRole("button", { name: "Send application" }).click();
  await expect(careers.locator("#apply-form-cv-error")).toContainText("No text found in this file");
  await expect(careers.getByLabel("CV", { exact: true })).toHaveAttribute("aria-invalid", "true");

  // The real CV goes through.
  await careers.getByLabel("CV", { exact: true }).setInputFiles(path.join(documents, "cv.pdf"));
  await careers.getByLabel(/Links/).fill("https://github.com/ada");
  await careers.getByRole("button", { name: "Send application" }).click();
  await expect(careers.locator("[data-applied]")).toContainText("Application sent. Thank you!");
  await expect(careers.locator("[data-applied]")).toContainText(`We sent a private link to ${email}`);
  await careers.screenshot({ path: info.outputPath("apply-sent.png"), fullPage: true });
  // The browser logs the refused scan's 422 answer; nothing else may fail.
  expect(errors.filter((e) => !e.includes("status of 422"))).toEqual([]);

  // The private link from the e-mail: where it stands, in plain words.
  const link = linkInMail(email, "/a/");
  await careers.goto(link);
  await hydrated(careers);
  await expect(careers.getByRole("heading", { level: 1 })).toHaveText("Your application");
  await expect(careers.locator(".application-headline")).toHaveText("Received: the hiring team has not reviewed it yet.");
  await expect(careers.getByRole("link", { name: "Payments Engineer" })).toBeVisible();
  await careers.screenshot({ path: info.outputPath("application-status.png"), fullPage: true });

  // Withdrawing asks first.
  await careers.getByRole("button", { name: "Withdraw application" }).click();
  const dialog = careers.getByRole("dialog");
  await expect(dialog).toContainText(`Apply ${run} will no longer consider you for Payments Engineer.`);
  await dialog.getByRole("button", { name: "Withdraw", exact: true }).click();
  await expect(careers.locator(".application-headline")).toHaveText("Withdrawn: you withdrew this application.");
  await expect(careers.getByRole("button", { name: "Withdraw application" })).toHaveCount(0);
  await careers.getByRole("button", { name: "Ask for my data to be deleted" }).click();
  await careers.getByRole("dialog").getByRole("button", { name: "Ask for deletion" }).click();
  await expect(careers.locator("[data-deletion=requested]")).toContainText("You asked for your data to be deleted");
  await careers.screenshot({ path: info.outputPath("application-withdrawn.png"), fullPage: true });
  // The browser logs the refused scan's 422 answer; nothing else may fail.
  expect(errors.filter((e) => !e.includes("status of 422"))).toEqual([]);

  // The recruiter finds the candidate, opens the profile and downloads the CV.
  await page.goto(`/o/${slug}/candidates`);
  await hydrated(page);
  const row = page.locator("table.candidates-table tbody tr");
  await expect(row).toHaveCount(1);
  await expect(row.first()).toContainText("Ada Lovelace");
  await expect(row.first()).toContainText("Payments Engineer · Withdrawn");
  await expect(row.first()).toContainText("Asked for deletion");
  await page.screenshot({ path: info.outputPath("candidates.png"), fullPage: true });
  await row.first().getByRole("link", { name: "Ada Lovelace" }).click();
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Ada Lovelace");
  await expect(page.locator(".notice-warning")).toContainText("Ada Lovelace asked for their data to be deleted");
  await expect(page.getByRole("link", { name: "https://github.com/ada" })).toBeVisible();
  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download cv.pdf" }).click();
  const cv = await downloading;
  expect(cv.suggestedFilename()).toBe("cv.pdf");
  await page.locator(".cv-text summary").click();
  await expect(page.locator(".cv-text pre")).toContainText("payment API in Rust");
  await page.screenshot({ path: info.outputPath("candidate.png"), fullPage: true });

  // The same person applies again from another address with the same phone: flagged, merged.
  const again = await candidate.request.post(`/careers/${slug}/payments-engineer/apply`, {
    headers: { Origin: new URL(page.url()).origin, Accept: "application/json" },
    multipart: {
      name: "Ada King", email: `ada.king-${run}@example.org`, phone: "+44 (0)20 7946 0018",
      links: "https://ada.example.org", cover_letter: "", consent: "on", website: "",
      cv: { name: "ada-king.pdf", mimeType: "application/pdf", buffer: fs.readFileSync(path.join(documents, "cv.pdf")) },
    },
  });
  expect(again.status(), await again.text()).toBe(200);
  await page.reload();
  await hydrated(page);
  const duplicate = page.locator(".duplicates li");
  await expect(duplicate).toContainText("Ada King");
  await expect(duplicate).toContainText("Same phone number.");
  await page.getByRole("button", { name: "Merge Ada King into this profile" }).click();
  const merging = page.getByRole("dialog");
  await expect(merging).toContainText("Merge Ada King into Ada Lovelace?");
  await merging.getByRole("button", { name: "Merge", exact: true }).click();
  await expect(page.locator(".toast")).toContainText(["Merged into Ada Lovelace: nothing was lost."]);
  await expect(page.locator(".duplicates")).toHaveCount(0);
  await expect(page.locator("[data-application]")).toHaveCount(2);
  await expect(page.getByRole("link", { name: "ada-king.pdf" })).toBeVisible();
  await expect(page.getByText(/Ada King \(ada\.king-.*\) merged in by Rita Recruiter/)).toBeVisible();
  await page.screenshot({ path: info.outputPath("candidate-merged.png"), fullPage: true });

  // A wrong link says so.
  await careers.goto("/a/" + "x".repeat(43));
  await expect(careers.locator(".panel-error")).toContainText("Not found");
  await candidate.close();
});

test("without JavaScript the form comes back with its errors and what was typed, then sends", async ({ page, browser }, info) => {
  const phone = info.project.name === "phone";
  const run = `${Date.now()}${phone ? "p" : "d"}n`;
  const slug = await publishedJob(page, run);
  const visitor = await browser.newContext({
    javaScriptEnabled: false,
    viewport: phone ? { width: 360, height: 740 } : { width: 1280, height: 800 },
  });
  const careers = await visitor.newPage();
  await careers.goto(`/careers/${slug}/payments-engineer`);
  await careers.getByLabel("Full name").fill("Grace Hopper");
  await careers.getByLabel("E-mail").fill(`grace-${run}@example.com`);
  await careers.getByLabel("CV", { exact: true }).setInputFiles(path.join(documents, "cv.docx"));
  await careers.getByRole("button", { name: "Send application" }).click();
  await expect(careers.locator("#apply-form-consent-error")).toContainText("Tick the box to agree");
  await expect(careers.getByLabel("Full name")).toHaveValue("Grace Hopper");
  // The e-mail address is private: not kept in the page's address, and the field says so.
  await expect(careers.getByLabel("E-mail")).toHaveValue("");
  await expect(careers.locator("#apply-form-email-error")).toContainText("Type your e-mail address again");
  await expect(careers.locator("#apply-form-cv-error")).toHaveText("Choose your CV again: a form sent back with errors cannot keep its file.");
  await careers.screenshot({ path: info.outputPath("apply-no-js-error.png"), fullPage: true });
  // The file is not sent back either: it is chosen again.
  await careers.getByLabel("E-mail").fill(`grace-${run}@example.com`);
  await careers.getByLabel("CV", { exact: true }).setInputFiles(path.join(documents, "cv.docx"));
  await careers.getByLabel(/I agree that/).check();
  await careers.getByRole("button", { name: "Send application" }).click();
  await expect(careers).toHaveURL(/\?applied#apply$/);
  await expect(careers.locator("[data-applied]")).toContainText("Application sent. Thank you!");
  await visitor.close();
});
