import { test, expect, Page, TestInfo } from "@playwright/test";
import { PASSWORD, createOrganisation, hydrated, joinByInvitation, linkInMail, signUp, watchErrors } from "./helpers";

const NEW_PASSWORD = "lantern orchard violet 93 quietly";

const runId = (info: TestInfo) => `${Date.now()}${info.project.name === "phone" ? "p" : "d"}`;

/** Opens the header's account menu (on a phone and on a desktop alike). */
async function openAccountMenu(page: Page) {
  await page.locator(".user-menu summary").click();
  await expect(page.locator(".user-menu")).toHaveAttribute("open", "");
}

test("org pages send a signed-out visitor to sign in and back; sign-in pages send a signed-in one on", async ({ browser }, info) => {
  const run = runId(info);
  const email = `nav-${run}@example.com`;
  const slug = `nav-${run}`;
  const first = await browser.newContext();
  const page = await first.newPage();
  await signUp(page, "Nora Nav", email);
  await createOrganisation(page, `Nav ${run}`, slug);

  const second = await browser.newContext();
  const visitor = await second.newPage();
  const errors = watchErrors(visitor);
  await visitor.goto(`/o/${slug}/team`);
  await expect(visitor).toHaveURL(`/signin?next=${encodeURIComponent(`/o/${slug}/team`)}`);
  await hydrated(visitor);
  await visitor.getByLabel("E-mail").fill(email);
  await visitor.getByLabel("Password").fill(PASSWORD);
  await visitor.getByRole("button", { name: "Sign in" }).click();
  await expect(visitor).toHaveURL(new RegExp(`/o/${slug}/team$`));
  await expect(visitor.getByRole("heading", { level: 1 })).toHaveText(`Team of Nav ${run}`);

  // Signed in, the sign-in and sign-up pages lead to the organisation used last.
  await visitor.goto("/signin");
  await expect(visitor).toHaveURL(new RegExp(`/o/${slug}$`));
  await visitor.goto("/signup");
  await expect(visitor).toHaveURL(new RegExp(`/o/${slug}$`));
  expect(errors).toEqual([]);
  await first.close();
  await second.close();
});

test("the current page is marked, menus close with Esc and outside clicks, the phone header is one short row", async ({ page }, info) => {
  const run = runId(info);
  const errors = watchErrors(page);
  await signUp(page, "Mia Menu", `menu-${run}@example.com`);
  await createOrganisation(page, `Menu ${run}`, `menu-${run}`);
  await hydrated(page);

  if (info.project.name === "phone") {
    const header = await page.locator("header.topbar").boundingBox();
    expect(header!.height).toBeLessThan(64);
    const menu = page.locator(".phone-menu");
    await menu.locator("summary").click();
    await expect(menu.getByRole("link", { name: "Dashboard" })).toHaveAttribute("aria-current", "page");
    await page.keyboard.press("Escape");
    await expect(menu).not.toHaveAttribute("open", "");
    await expect(menu.locator("summary")).toBeFocused();
    await menu.locator("summary").click();
    await menu.getByRole("link", { name: "Team" }).click();
    await expect(page).toHaveURL(/\/team$/);
    await expect(menu).not.toHaveAttribute("open", "");
    await menu.locator("summary").click();
    await expect(menu.getByRole("link", { name: "Team" })).toHaveAttribute("aria-current", "page");
    await page.keyboard.press("Escape");
  } else {
    const nav = page.getByRole("navigation", { name: "Organisation", exact: true });
    await expect(nav.getByRole("link", { name: "Dashboard" })).toHaveAttribute("aria-current", "page");
    await nav.getByRole("link", { name: "Team" }).click();
    await expect(page).toHaveURL(/\/team$/);
    await expect(nav.getByRole("link", { name: "Team" })).toHaveAttribute("aria-current", "page");
    await expect(nav.getByRole("link", { name: "Dashboard" })).not.toHaveAttribute("aria-current", "page");
  }

  await openAccountMenu(page);
  await page.keyboard.press("Escape");
  await expect(page.locator(".user-menu")).not.toHaveAttribute("open", "");
  await expect(page.locator(".user-menu summary")).toBeFocused();
  await openAccountMenu(page);
  await page.getByRole("heading", { level: 1 }).click();
  await expect(page.locator(".user-menu")).not.toHaveAttribute("open", "");
  expect(errors).toEqual([]);
});

test("team changes ask first, say what happened, and a removal can be undone", async ({ browser }, info) => {
  const run = runId(info);
  const slug = `team-${run}`;
  const org = `Team ${run}`;
  const fayEmail = `fay-${run}@example.com`;
  const ownerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  const errors = watchErrors(owner);
  await signUp(owner, "Olive Owner", `olive-${run}@example.com`);
  await createOrganisation(owner, org, slug);

  // Fay joins through an invitation.
  await owner.goto(`/o/${slug}/team`);
  await hydrated(owner);
  await owner.getByLabel("E-mail").fill(fayEmail);
  await owner.getByLabel("Role", { exact: true }).selectOption("recruiter");
  await owner.getByRole("button", { name: "Send invitation" }).click();
  await expect(owner.getByRole("status")).toContainText(`Invitation sent to ${fayEmail}, as Recruiter.`);
  const { context: fayContext, page: fay } = await joinByInvitation(browser, fayEmail, "Fay", slug);

  const row = owner.locator(`tr[data-member="${fayEmail}"]`);
  await expect(row).toBeVisible();
  // Dates in the viewer's words, exact on hover.
  await expect(row.locator("time")).toHaveText(/just now|minute/);
  await expect(row.locator("time")).toHaveAttribute("datetime", /Z$/);

  // A role change says so.
  await row.getByLabel("Role of Fay").selectOption("admin");
  await row.getByRole("button", { name: "Change" }).click();
  await expect(owner.getByRole("status")).toContainText("Fay is now Admin.");

  // Remove asks first; Esc keeps her.
  await row.getByRole("button", { name: "Remove Fay" }).click();
  const dialog = owner.getByRole("dialog", { name: "Remove Fay?" });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(`Fay loses access to ${org} at once`);
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await owner.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(row).toBeVisible();
  await row.getByRole("button", { name: "Remove Fay" }).click();
  await dialog.getByRole("button", { name: "Remove Fay" }).click();
  await expect(owner.getByRole("status")).toContainText("Fay was removed from the team.");
  await expect(row).toHaveCount(0);
  await owner.getByRole("status").getByRole("button", { name: "Undo" }).click();
  await expect(owner.getByRole("status")).toContainText("Fay is back, as Admin.");
  await expect(row).toBeVisible();

  // Inviting a waiting address again asks, and keeps the role chosen.
  const newEmail = `new-${run}@example.com`;
  await owner.getByLabel("E-mail").fill(newEmail);
  await owner.getByLabel("Role", { exact: true }).selectOption("viewer");
  await owner.getByRole("button", { name: "Send invitation" }).click();
  await expect(owner.getByRole("list", { name: "Open invitations" })).toContainText(`${newEmail} as Viewer`);
  await owner.getByLabel("E-mail").fill(newEmail);
  await owner.getByLabel("Role", { exact: true }).selectOption("hiring_manager");
  await owner.getByRole("button", { name: "Send invitation" }).click();
  await expect(owner.getByText(`${newEmail} already has an open invitation`)).toBeVisible();
  await owner.getByRole("button", { name: "Replace the invitation" }).click();
  await expect(owner.getByRole("status")).toContainText(`Invitation sent to ${newEmail}, as Hiring manager.`);
  await expect(owner.getByRole("list", { name: "Open invitations" })).toContainText(`${newEmail} as Hiring manager`);
  await expect(owner.getByRole("list", { name: "Open invitations" })).not.toContainText(`${newEmail} as Viewer`);

  // The only owner cannot leave, and is told why where they look.
  await owner.getByRole("button", { name: "Leave organisation" }).click();
  const leave = owner.getByRole("dialog", { name: `Leave ${org}?` });
  await leave.getByRole("button", { name: "Leave", exact: true }).click();
  await expect(leave).toBeHidden();
  await expect(owner.getByText("An organisation needs at least one owner.")).toBeVisible();

  // The browser logs each 422 (the question and the refusal above); nothing else.
  expect(errors.filter((e) => !/status of 422/.test(e))).toEqual([]);
  await ownerContext.close();
  await fayContext.close();
});

test("a forgotten password: the link from the e-mail sets a new one and signs out everywhere else", async ({ browser }, info) => {
  const run = runId(info);
  const email = `rita-${run}@example.com`;
  const first = await browser.newContext();
  const before = await first.newPage();
  await signUp(before, "Rita Reset", email);

  const second = await browser.newContext();
  const page = await second.newPage();
  const errors = watchErrors(page);
  await page.goto("/signin");
  await hydrated(page);
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await hydrated(page);
  await page.getByLabel("E-mail").fill(email);
  await page.getByRole("button", { name: "Send the link" }).click();
  await expect(page.getByText("If an account uses this address, a link to choose a new password is on its way.")).toBeVisible();

  const link = linkInMail(email, "/account/reset/");
  await page.goto(link);
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Choose a new password");
  await expect(page.getByText(`For ${email}.`)).toBeVisible();
  // The meter uses the server's rule while typing.
  await page.getByLabel("New password").fill("password1234");
  await expect(page.locator(".strength")).toContainText(/Very weak|Weak/);
  await page.getByLabel("New password").fill(NEW_PASSWORD);
  await expect(page.locator(".strength")).toContainText(/Strong|Very strong/);
  await page.getByRole("button", { name: "Set the new password" }).click();
  await expect(page).toHaveURL(/\/orgs\/new$/);
  await expect(page.getByRole("status")).toContainText("Your new password is set.");

  // The other browser was signed out.
  await before.goto("/account");
  await expect(before).toHaveURL(/\/signin\?next=%2Faccount$/);
  // The link works once.
  await page.goto(link);
  await expect(page.getByText("This link has expired or was used already.")).toBeVisible();
  expect(errors).toEqual([]);
  await first.close();
  await second.close();
});

test("account settings: the name, a new address waiting for its link, the address confirmed", async ({ page }, info) => {
  const run = runId(info);
  const email = `sam-${run}@example.com`;
  const newEmail = `sam-new-${run}@example.com`;
  const errors = watchErrors(page);
  await signUp(page, "Sam Settings", email);
  await hydrated(page);
  const banner = page.getByRole("complementary", { name: "Reminder" });
  await expect(banner).toContainText(`open the link we sent to ${email}`);

  await openAccountMenu(page);
  await page.getByRole("menuitem", { name: "Account settings" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await hydrated(page);
  await page.getByLabel("Your name").fill("Samira Settings");
  await page.getByRole("button", { name: "Save name" }).click();
  await expect(page.getByRole("status")).toContainText("Your name is now Samira Settings.");
  await expect(page.locator(".user-menu summary")).toHaveAccessibleName("Samira Settings: account menu");

  await page.getByLabel("New e-mail address").fill(newEmail);
  await page.locator("#account-email").getByLabel("Current password").fill(PASSWORD);
  await page.getByRole("button", { name: "Change address" }).click();
  await expect(page.getByRole("status")).toContainText(`We sent a link to ${newEmail}`);
  await expect(page.getByText(`Waiting for you to open the link sent to ${newEmail}`)).toBeVisible();

  // The sign-up address is confirmed from its link; the banner goes.
  await page.goto(linkInMail(email, "/account/confirm/"));
  await hydrated(page);
  await expect(page.getByText(`Confirm that this address is yours: ${email}`)).toBeVisible();
  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByRole("status")).toContainText(`${email} is confirmed.`);
  await expect(banner).toHaveCount(0);

  // Then the new address.
  await page.goto(linkInMail(newEmail, "/account/confirm/"));
  await hydrated(page);
  await expect(page.getByText(`Use this address for your Talentloom account from now on: ${newEmail}`)).toBeVisible();
  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByRole("status")).toContainText(`${newEmail} is confirmed.`);
  await page.goto("/account");
  await expect(page.getByText(`You sign in with ${newEmail}. Confirmed.`)).toBeVisible();
  expect(errors).toEqual([]);
});

test("before the wasm loads, a forgotten password is asked for with a plain form", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/forgot-password");
  await page.getByLabel("E-mail").fill("not an address");
  await page.getByRole("button", { name: "Send the link" }).click();
  await expect(page.getByLabel("E-mail")).toHaveValue("not an address");
  await expect(page.getByLabel("E-mail")).toHaveAttribute("aria-invalid", "true");
  await page.getByLabel("E-mail").fill(`nobody-${Date.now()}@example.com`);
  await page.getByRole("button", { name: "Send the link" }).click();
  await expect(page.getByText("If an account uses this address, a link to choose a new password is on its way.")).toBeVisible();
  await context.close();
});
