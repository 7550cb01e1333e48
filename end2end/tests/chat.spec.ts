import { test, expect } from "@playwright/test";
import { call, hydrated, linkInMail, PASSWORD, signUp, watchErrors } from "./helpers";

test("two colleagues chat live, with read receipts, and the history survives a reload", async ({ page, browser }, info) => {
  const phone = info.project.name === "phone";
  const run = `${Date.now()}${phone ? "p" : "d"}`;
  const slug = `chat-${run}`;
  const fayEmail = `fay-${run}@example.com`;
  const errors = watchErrors(page);
  await signUp(page, "Olive Owner", `olive-${run}@example.com`);
  await call(page, "create_organisation", { name: `Chat ${run}`, slug });
  await call(page, "invite", { slug, email: fayEmail, role: "recruiter" });

  // Fay joins through her invitation, in a browser of her own.
  const fayContext = await browser.newContext({ viewport: page.viewportSize() ?? undefined });
  const fay = await fayContext.newPage();
  const fayErrors = watchErrors(fay);
  await fay.goto(linkInMail(fayEmail, "/invite/"));
  await hydrated(fay);
  await fay.getByLabel("Your name").fill("Fay");
  await fay.getByLabel("Choose a password").fill(PASSWORD);
  await fay.getByRole("button", { name: "Create account and join" }).click();
  await expect(fay).toHaveURL(new RegExp(`/o/${slug}$`));

  // Olive starts a conversation with Fay from the chat page.
  await page.goto(`/o/${slug}/chat`);
  await hydrated(page);
  await expect(page.getByText("No conversations yet")).toBeVisible();
  await page.getByText("New conversation").click();
  await page.getByLabel("With").selectOption({ label: "Fay" });
  await page.getByRole("button", { name: "Open" }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${slug}/chat/\\d+$`));
  await expect(page.getByRole("heading", { level: 2 })).toHaveText("Fay");
  const conversation = page.url();

  // Fay opens it too.
  await fay.goto(new URL(conversation).pathname);
  await hydrated(fay);
  await expect(fay.getByRole("heading", { level: 2 })).toHaveText("Olive Owner");

  // An empty message is refused in words; a real one is sent and arrives live.
  await page.getByLabel("Message", { exact: true }).press("Enter");
  await expect(page.getByRole("alert").filter({ hasText: "Write something to send." })).toBeVisible();
  await page.getByLabel("Message", { exact: true }).fill("Hello Fay, can you screen Ada today?");
  await page.getByLabel("Message", { exact: true }).press("Enter");
  const sent = page.locator(".message[data-seq='1']");
  await expect(sent).toContainText("Hello Fay, can you screen Ada today?");
  await expect(page.locator(".message.pending")).toHaveCount(0);
  await expect(fay.locator(".message[data-seq='1']")).toContainText("Hello Fay, can you screen Ada today?");

  // Fay has read it: Olive sees her avatar under it without clicking anything.
  await expect(sent.locator(".read-by")).toHaveAttribute("data-read-by", "Fay");

  // Fay answers with Shift+Enter for a second line; Olive's page shows it live.
  await fay.getByLabel("Message", { exact: true }).click();
  await fay.keyboard.type("Yes, at 3.");
  await fay.keyboard.press("Shift+Enter");
  await fay.keyboard.type("Booking the room.");
  await fay.getByRole("button", { name: "Send" }).click();
  await expect(page.locator(".message[data-seq='2'] .message-body")).toHaveText("Yes, at 3.\nBooking the room.");

  // The history is the server's: a reload shows both, in order.
  await page.reload();
  await hydrated(page);
  await expect(page.locator(".message .message-body")).toHaveText([
    "Hello Fay, can you screen Ada today?",
    "Yes, at 3.\nBooking the room.",
  ]);
  await page.screenshot({ path: info.outputPath(`chat-${phone ? "phone" : "desktop"}.png`), fullPage: true });

  // The list shows the conversation with its last message.
  await fay.goto(`/o/${slug}/chat`);
  await hydrated(fay);
  await expect(fay.locator(".conversation")).toContainText("Yes, at 3.");

  expect(errors).toEqual([]);
  expect(fayErrors).toEqual([]);
  await fayContext.close();
});
