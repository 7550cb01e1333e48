import { test, expect, BrowserContext } from "@playwright/test";
import { PASSWORD, createOrganisation, hydrated, signUp, watchErrors } from "./helpers";

test("sign up, create an organisation, invite, accept, see it live, switch organisation", async ({ browser }, info) => {
  const run = `${Date.now()}${info.project.name === "phone" ? "p" : "d"}`;
  const orgName = `Acme ${run}`;
  const slug = `acme-${run}`;
  const ownerEmail = `owner-${run}@example.com`;
  const inviteeEmail = `fay-${run}@example.com`;

  const ownerContext: BrowserContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  const ownerErrors = watchErrors(owner);
  await signUp(owner, "Eve Owner", ownerEmail);
  await createOrganisation(owner, orgName, slug);

  // Invite a colleague from the team page.
  await owner.goto(`/o/${slug}/team`);
  await hydrated(owner);
  await owner.getByLabel("E-mail").fill(inviteeEmail);
  await owner.getByLabel("Role", { exact: true }).selectOption("interviewer");
  await owner.getByRole("button", { name: "Send invitation" }).click();
  await expect(owner.getByRole("status")).toContainText(`Invitation sent to ${inviteeEmail}`);
  await expect(owner.getByRole("list", { name: "Open invitations" })).toContainText(inviteeEmail);

  // With no SMTP server the invitation waits in the outbox; take the link from there.
  await owner.goto(`/o/${slug}/outbox`);
  await hydrated(owner);
  const mail = owner.locator(`article[data-recipient="${inviteeEmail}"]`);
  await expect(mail).toContainText(`Join ${orgName} on Talentloom`);
  const link = await mail.locator("a[href*='/invite/']").getAttribute("href");
  expect(link).toBeTruthy();

  // The invitee opens the link in another browser and joins with a new account.
  const inviteeContext = await browser.newContext();
  const invitee = await inviteeContext.newPage();
  const inviteeErrors = watchErrors(invitee);
  await invitee.goto(link!);
  await hydrated(invitee);
  await expect(invitee.getByRole("heading", { level: 1 })).toHaveText(`Eve Owner invited you to join ${orgName} as Interviewer`);
  await invitee.getByLabel("Your name").fill("Fay Interviewer");
  await invitee.getByLabel("Choose a password").fill(PASSWORD);
  await invitee.getByRole("button", { name: "Create account and join" }).click();
  await expect(invitee).toHaveURL(new RegExp(`/o/${slug}$`));
  await expect(invitee.getByText("You are Interviewer here.")).toBeVisible();

  // The owner, still on the outbox page, is told at once, without reloading.
  await expect(owner.getByRole("status")).toContainText(`Fay Interviewer accepted your invitation to ${orgName}.`);

  // A second organisation, then switch back through the organisation switcher.
  await owner.goto("/orgs/new");
  await hydrated(owner);
  await createOrganisation(owner, `Beta ${run}`, `beta-${run}`);
  await owner.locator(".org-switcher summary").click();
  await owner.getByRole("menuitem", { name: new RegExp(orgName) }).click();
  await expect(owner).toHaveURL(new RegExp(`/o/${slug}$`));
  await expect(owner.getByTestId("member-count")).toHaveText("2");

  expect(ownerErrors).toEqual([]);
  expect(inviteeErrors).toEqual([]);
  await ownerContext.close();
  await inviteeContext.close();
});

test("forms work before the wasm loads", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/signup");
  await page.getByLabel("Your name").fill("No Script");
  await page.getByLabel("E-mail").fill(`noscript-${Date.now()}@example.com`);
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  // The server answers the plain form post by sending the browser back with the error.
  await expect(page.getByText("Use at least 12 characters (this one has 5).")).toBeVisible();
  await context.close();
});

test("installable as an app, with an offline page when the network is gone", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto("/");
  await hydrated(page);
  const manifest = await page.evaluate(async () => {
    const link = document.querySelector<HTMLLinkElement>("link[rel=manifest]");
    return link ? (await fetch(link.href)).json() : null;
  });
  expect(manifest.display).toBe("standalone");
  expect(manifest.icons.map((i: { sizes: string }) => i.sizes)).toEqual(expect.arrayContaining(["192x192", "512x512"]));
  for (const icon of manifest.icons) {
    expect((await page.request.get(icon.src)).ok()).toBe(true);
  }

  // The service worker installs and takes over; then the network goes away.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.reload();
  await hydrated(page);
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  await context.setOffline(true);
  await page.goto("/signin");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("You are offline");
  await context.setOffline(false);
  await context.close();
});
