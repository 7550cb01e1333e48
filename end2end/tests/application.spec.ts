import { test, expect } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";
import { PASSWORD, call, hydrated, linkInMail, signUp, watchErrors } from "./helpers";

const cv = fs.readFileSync(path.join(__dirname, "../../server/tests/fixtures/documents/cv.pdf"));

test("an application: explained score, CV evidence, a note that mentions a colleague, rejection with an e-mail", async ({ page, browser }, info) => {
  // Scoring waits for the model, which other tests may keep busy.
  test.setTimeout(120_000);
  const phone = info.project.name === "phone";
  const run = `${Date.now()}${phone ? "p" : "d"}`;
  const slug = `app-${run}`;
  const errors = watchErrors(page);
  await signUp(page, "Rita Recruiter", `rita-${run}@example.com`);
  await call(page, "create_organisation", { name: `Hire ${run}`, slug });
  await call(page, "save_job", {
    slug, job: "", title: "Data Engineer", department: "", location: "Leeds", remote: "hybrid",
    employment: "full_time", salary_min: "", salary_max: "", salary_currency: "GBP",
    description: "Pipelines in Rust and SQL.",
  });
  await call(page, "save_job_skills", {
    slug, job: "data-engineer",
    skills: JSON.stringify([{ label: "Rust", required: "must" }, { label: "Haskell", required: "must" }]),
  });
  await call(page, "change_job_status", { slug, job: "data-engineer", to: "published" });
  // A colleague joins, so there is someone to mention.
  await call(page, "invite", { slug, email: `hal-${run}@example.com`, role: "recruiter" });
  const hal = await browser.newContext();
  const halPage = await hal.newPage();
  await halPage.goto("/");
  const token = linkInMail(`hal-${run}@example.com`, "/invite/").split("/invite/")[1];
  await halPage.request.post("/api/accept_invitation", {
    form: { token, name: "Hal Hiring", password: PASSWORD },
    headers: { Origin: new URL(page.url()).origin, Accept: "application/json" },
  });
  await hal.close();
  // An interviewer on the job's hiring team, who will see only what they are assigned.
  await call(page, "invite", { slug, email: `ivy-${run}@example.com`, role: "interviewer" });
  const ivy = await browser.newContext({ viewport: page.viewportSize() ?? undefined });
  const ivyPage = await ivy.newPage();
  await ivyPage.goto("/");
  const ivyToken = linkInMail(`ivy-${run}@example.com`, "/invite/").split("/invite/")[1];
  const accepted = await ivyPage.request.post("/api/accept_invitation", {
    form: { token: ivyToken, name: "Ivy Interviewer", password: PASSWORD },
    headers: { Origin: new URL(page.url()).origin, Accept: "application/json" },
  });
  expect(accepted.status(), await accepted.text()).toBe(200);
  const team = await call(page, "team", { slug });
  const ivyId = team.members.find((m: { name: string }) => m.name === "Ivy Interviewer").user_id;
  await call(page, "save_job_team", { slug, job: "data-engineer", team: JSON.stringify([{ user_id: ivyId, role: "interviewer" }]) });

  const res = await page.request.post(`/careers/${slug}/data-engineer/apply`, {
    headers: { Origin: new URL(page.url()).origin, Accept: "application/json" },
    multipart: {
      name: "Ada Lovelace", email: `ada-${run}@example.com`, phone: "", links: "",
      cover_letter: "I love pipelines.", consent: "on", website: "",
      cv: { name: "cv.pdf", mimeType: "application/pdf", buffer: cv },
    },
  });
  expect(res.status(), await res.text()).toBe(200);

  // From the board to the application, once the model has scored it.
  await page.goto(`/o/${slug}/jobs/data-engineer/board`);
  await hydrated(page);
  const card = page.locator(".board-card", { hasText: "Ada Lovelace" });
  await expect(card.locator(".card-score")).toHaveText(/^\d+$/, { timeout: 60_000 });
  await card.getByRole("link", { name: "Ada Lovelace" }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${slug}/applications/\\d+$`));
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Ada Lovelace");
  // The explained score: the must-have the CV proves, quoted; the one it lacks, said.
  await expect(page.locator(".score-value")).toHaveText(/^\d+$/);
  await expect(page.locator('.requirement[data-skill="Rust"]')).toHaveAttribute("data-state", /met|partly/);
  await expect(page.locator('.requirement[data-skill="Haskell"]')).toHaveAttribute("data-state", "missing");
  // The CV with the evidence marked.
  await expect(page.locator("#cv-highlighted mark[data-skill=Rust]").first()).toBeVisible();
  await expect(page.getByText("I love pipelines.")).toBeVisible();
  await expect(page.locator(".timeline li").first()).toContainText("Applied");

  // A note that mentions the colleague (the button writes the @name).
  await page.getByLabel("Add a note").fill("Strong on Rust.");
  await page.getByRole("button", { name: "Mention Hal Hiring" }).click();
  await expect(page.getByLabel("Add a note")).toHaveValue("Strong on Rust. @Hal Hiring ");
  await page.getByRole("button", { name: "Add note" }).click();
  await expect(page.locator(".note")).toContainText("mentioned Hal Hiring");
  await expect(page.getByLabel("Add a note")).toHaveValue("");
  // Hal is notified (and e-mailed in his digest if he leaves it unread); it leads here.
  const halAgain = await browser.newContext();
  const halNow = await halAgain.newPage();
  await halNow.goto("/");
  await call(halNow, "sign_in", { email: `hal-${run}@example.com`, password: PASSWORD });
  const notices = await call(halNow, "list_notices", {});
  expect(notices.items[0].text).toContain("mentioned you about Ada Lovelace");
  expect(notices.items[0].link).toBe(page.url().replace(/^https?:\/\/[^/]+/, ""));
  await halAgain.close();

  // Ivy is asked to interview; she opens the link from her e-mail and sees this application,
  // without the decisions.
  await page.getByLabel("Ivy Interviewer", { exact: true }).check();
  await page.getByRole("button", { name: "Save interviewers" }).click();
  await expect(page.locator(".toast")).toContainText(["Saved the interviewers."]);
  await expect(page.locator(".timeline li").first()).toContainText("Interviewers: Ivy Interviewer.");
  const ivyLink = linkInMail(`ivy-${run}@example.com`, "/applications/");
  await ivyPage.goto(ivyLink);
  await hydrated(ivyPage);
  await expect(ivyPage.getByRole("heading", { level: 1 })).toHaveText("Ada Lovelace");
  await expect(ivyPage.locator("#decide-heading")).toHaveCount(0);
  // Nothing links to what she may not open.
  await expect(ivyPage.getByRole("link", { name: /: board$|^Profile/ })).toHaveCount(0);
  await expect(ivyPage.locator("#interviewers-heading")).toBeVisible();
  await ivyPage.screenshot({ path: info.outputPath("application-interviewer.png"), fullPage: true });
  await ivy.close();

  // Reject: a reason is required; the e-mail is the organisation's template, filled in.
  await page.getByText("Reject…").click();
  await expect(page.getByLabel("Subject")).toHaveValue("Your application for Data Engineer");
  await expect(page.getByLabel("Message")).toHaveValue(/^Hello Ada,/);
  await page.locator("#reject").getByRole("button", { name: "Reject" }).click();
  await expect(page.locator("#reject-reason-error")).toHaveText("Choose a reason.");
  await page.screenshot({ path: info.outputPath("application-reject.png"), fullPage: true });
  await page.getByLabel(/^Reason/).selectOption("Salary expectations too far apart");
  await page.locator("#reject").getByRole("button", { name: "Reject" }).click();
  await expect(page.locator(".page-head .tag-closed")).toHaveText("Rejected");
  await expect(page.locator(".timeline li").first()).toContainText("Rejected: Salary expectations too far apart. The candidate was e-mailed.");
  await expect(page.getByRole("button", { name: "Reopen" })).toBeVisible();
  const widest = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(widest).toBeLessThanOrEqual(page.viewportSize()!.width);
  await page.screenshot({ path: info.outputPath("application.png"), fullPage: true });

  // Tagged from the profile ("silver medallist"), and found again by the tag.
  await page.getByRole("link", { name: "Profile, contact details and other applications" }).click();
  await hydrated(page);
  await page.getByLabel("Add a tag").fill("  Silver   medallist ");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await expect(page.locator(".tag-list a")).toHaveText(["Silver medallist"]);
  await page.getByLabel("Add a tag").fill("a, b");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await expect(page.locator("#tag-tag-error")).toHaveText("Add one tag at a time, without commas.");
  await page.locator(".tag-list a", { hasText: "Silver medallist" }).click();
  await expect(page).toHaveURL(/\/candidates\?tag=Silver\+medallist$/);
  await expect(page.locator(".candidates-table tbody tr")).toHaveCount(1);
  await expect(page.locator(".candidates-table tbody tr")).toContainText("Ada Lovelace");
  await page.screenshot({ path: info.outputPath("candidates-by-tag.png"), fullPage: true });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(page.viewportSize()!.width);

  // The candidate's private link says so, kindly.
  const visitor = await browser.newContext();
  const mine = await visitor.newPage();
  await mine.goto(linkInMail(`ada-${run}@example.com`, "/a/"));
  await expect(mine.locator(".application-headline")).toHaveText("Not selected: the team decided not to go further with this application.");
  await visitor.close();
  expect(errors).toEqual([]);
});

test("a candidate talks with the hiring team from the private link, live both ways, with or without JavaScript", async ({ page, browser }, info) => {
  test.setTimeout(120_000);
  const phone = info.project.name === "phone";
  const run = `${Date.now()}${phone ? "p" : "d"}`;
  const slug = `talk-${run}`;
  const errors = watchErrors(page);
  await signUp(page, "Rita Recruiter", `rita-${run}@example.com`);
  await call(page, "create_organisation", { name: `Talk ${run}`, slug });
  await call(page, "save_job", {
    slug, job: "", title: "Data Engineer", department: "", location: "Leeds", remote: "hybrid",
    employment: "full_time", salary_min: "", salary_max: "", salary_currency: "GBP",
    description: "Pipelines in Rust and SQL.",
  });
  await call(page, "change_job_status", { slug, job: "data-engineer", to: "published" });
  const applied = await page.request.post(`/careers/${slug}/data-engineer/apply`, {
    headers: { Origin: new URL(page.url()).origin, Accept: "application/json" },
    multipart: {
      name: "Ada Lovelace", email: `ada-${run}@example.com`, phone: "", links: "",
      cover_letter: "", consent: "on", website: "",
      cv: { name: "cv.pdf", mimeType: "application/pdf", buffer: cv },
    },
  });
  expect(applied.status(), await applied.text()).toBe(200);
  const board = await call(page, "job_board", { slug, job: "data-engineer" });
  const application = board.cards[0].application_id;

  // The recruiter opens the conversation from the application's page.
  await page.goto(`/o/${slug}/applications/${application}`);
  await hydrated(page);
  await page.getByRole("button", { name: "Message the candidate" }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${slug}/chat/\\d+$`));
  await expect(page.locator(".chat-head h2")).toHaveText("Ada Lovelace · Data Engineer");
  await expect(page.locator(".chat-head")).toContainText("and the candidate");

  // Ada opens her private link (no account) and finds the conversation under "Messages".
  const visitor = await browser.newContext({ viewport: page.viewportSize() ?? undefined });
  const ada = await visitor.newPage();
  const adaErrors = watchErrors(ada);
  const link = linkInMail(`ada-${run}@example.com`, "/a/");
  await ada.goto(link);
  await hydrated(ada);
  await expect(ada.getByRole("heading", { name: "Messages" })).toBeVisible();
  await expect(ada.locator(".candidate-chat .chat-empty")).toHaveText("No messages yet.");

  // The recruiter writes; it reaches Ada's page without a reload.
  await page.getByLabel("Message", { exact: true }).fill("Hello Ada, when could you **start**?");
  if (phone) await page.getByRole("button", { name: "Send", exact: true }).click();
  else await page.getByLabel("Message", { exact: true }).press("Enter");
  const fromRita = ada.locator(".candidate-messages .message", { hasText: "when could you start?" });
  await expect(fromRita).toBeVisible({ timeout: 15_000 });
  await expect(fromRita.locator("strong").first()).toHaveText("Rita Recruiter");
  await expect(fromRita.locator(".message-body strong")).toHaveText("start");

  // Ada answers; the recruiter's page shows it live, marked as the candidate's.
  await ada.getByLabel("Write to the hiring team").fill("Next month, on the 1st.");
  await ada.getByRole("button", { name: "Send", exact: true }).click();
  await expect(ada.locator(".candidate-messages .message.mine")).toContainText("Next month, on the 1st.");
  await expect(ada.getByLabel("Write to the hiring team")).toHaveValue("");
  const fromAda = page.locator(".messages .message", { hasText: "Next month, on the 1st." });
  await expect(fromAda).toBeVisible({ timeout: 15_000 });
  await expect(fromAda.locator(".tag")).toHaveText("Candidate");
  // A message that says nothing is refused next to the box.
  await ada.getByLabel("Write to the hiring team").fill("   ");
  await ada.getByRole("button", { name: "Send", exact: true }).click();
  await expect(ada.locator("#candidate-message-body-error")).toBeVisible();
  // She sends a file; the recruiter gets it live, as a download.
  await ada.locator("#candidate-attach").setInputFiles({ name: "certificate.txt", mimeType: "text/plain", buffer: Buffer.from("Certified.") });
  await expect(ada.locator(".chosen.ready")).toContainText("certificate.txt");
  await ada.getByLabel("Write to the hiring team").fill("My certificate.");
  await ada.getByRole("button", { name: "Send", exact: true }).click();
  await expect(ada.locator(".candidate-messages .message.mine .attachment-file")).toContainText("certificate.txt");
  await expect(ada.locator(".chosen")).toHaveCount(0);
  const withFile = page.locator(".messages .message", { hasText: "My certificate." });
  await expect(withFile.locator(".attachment-file")).toContainText("certificate.txt", { timeout: 15_000 });
  await ada.screenshot({ path: info.outputPath("candidate-messages.png"), fullPage: true });
  await page.screenshot({ path: info.outputPath("chat-with-candidate.png"), fullPage: true });
  expect(await ada.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(ada.viewportSize()!.width);

  // A reload keeps the history.
  await ada.reload();
  await hydrated(ada);
  await expect(ada.locator(".candidate-messages .message")).toHaveCount(3);
  await visitor.close();

  // Without JavaScript the form still sends, and the page shows it after the post.
  const plain = await browser.newContext({ javaScriptEnabled: false, viewport: page.viewportSize() ?? undefined });
  const noScript = await plain.newPage();
  await noScript.goto(link);
  // Attaching needs the page's code: without it, the control is not offered.
  await expect(noScript.getByText("Attach files")).toHaveCount(0);
  await noScript.getByLabel("Write to the hiring team").fill("Sent from an old phone.");
  await noScript.getByRole("button", { name: "Send", exact: true }).click();
  await expect(noScript.locator(".candidate-messages .message")).toHaveCount(4);
  await expect(page.locator(".messages .message", { hasText: "Sent from an old phone." })).toBeVisible({ timeout: 15_000 });
  await plain.close();
  expect(errors).toEqual([]);
  expect(adaErrors).toEqual([]);
});
