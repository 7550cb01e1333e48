import { test, expect } from "@playwright/test";
import { call, hydrated, joinByInvitation, signUp, watchErrors } from "./helpers";

test("two colleagues chat live, with read receipts, and the history survives a reload", async ({ page, browser }, info) => {
  // The whole story of two people, in one test: longer than most.
  test.setTimeout(150_000);
  const phone = info.project.name === "phone";
  const run = `${Date.now()}${phone ? "p" : "d"}`;
  const slug = `chat-${run}`;
  const fayEmail = `fay-${run}@example.com`;
  const errors = watchErrors(page);
  await signUp(page, "Olive Owner", `olive-${run}@example.com`);
  await call(page, "create_organisation", { name: `Chat ${run}`, slug });
  await call(page, "invite", { slug, email: fayEmail, role: "recruiter" });

  // Fay joins through her invitation, in a browser of her own.
  const { context: fayContext, page: fay, errors: fayErrors } = await joinByInvitation(browser, fayEmail, "Fay", slug, page);

  // Olive starts a conversation with Fay from the chat page.
  await page.goto(`/o/${slug}/chat`);
  await hydrated(page);
  await expect(page.getByText("No conversations yet")).toBeVisible();
  await page.getByText("New conversation").click();
  await page.getByLabel("With").selectOption({ label: "Fay" });
  await page.getByRole("button", { name: "Open" }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${slug}/chat/\\d+$`));
  await expect(page.getByRole("heading", { level: 2 })).toHaveText("Fay");
  await expect(page.getByText("No messages yet: say hello.")).toBeVisible();
  if (!phone) {
    // A conversation is within Chat: the menu says so.
    const nav = page.getByRole("navigation", { name: "Organisation", exact: true });
    await expect(nav.getByRole("link", { name: "Chat" })).toHaveAttribute("aria-current", "true");
  }
  const conversation = page.url();

  // Fay opens it too.
  await fay.goto(new URL(conversation).pathname);
  await hydrated(fay);
  await expect(fay.getByRole("heading", { level: 2 })).toHaveText("Olive Owner");

  // An empty message is refused in words; a real one is sent and arrives live.
  const send = page.getByRole("button", { name: "Send", exact: true });
  await send.click();
  await expect(page.getByRole("alert").filter({ hasText: "Write something to send." })).toBeVisible();
  await page.getByLabel("Message", { exact: true }).fill("Hello Fay, can you screen **Ada** today?");
  // Enter sends at a desk; on a touch screen it starts a new line and the button sends.
  if (phone) await send.click();
  else await page.getByLabel("Message", { exact: true }).press("Enter");
  const sent = page.locator(".message[data-seq='1']");
  await expect(sent).toContainText("Hello Fay, can you screen Ada today?");
  // Its Markdown shows as such, on both pages.
  await expect(sent.locator(".message-body strong")).toHaveText("Ada");
  await expect(page.locator(".message.pending")).toHaveCount(0);
  await expect(fay.locator(".message[data-seq='1']")).toContainText("Hello Fay, can you screen Ada today?");
  await expect(fay.locator(".message[data-seq='1'] .message-body strong")).toHaveText("Ada");

  // Fay has read it: Olive sees her avatar under it without clicking anything.
  await expect(sent.locator(".read-by")).toHaveAttribute("data-read-by", "Fay");

  // Fay answers with Shift+Enter for a second line; Olive's page shows it live.
  await fay.getByLabel("Message", { exact: true }).click();
  await fay.keyboard.type("Yes, at 3.");
  // Olive sees that Fay is typing, and the indicator goes when her message arrives.
  await expect(page.locator(".typing")).toHaveText("Fay is typing…");
  await fay.keyboard.press("Shift+Enter");
  await fay.keyboard.type("Booking the room.");
  await fay.getByRole("button", { name: "Send", exact: true }).click();
  await expect(page.locator(".message[data-seq='2'] .message-body")).toHaveText("Yes, at 3.\nBooking the room.");
  await expect(page.locator(".typing")).toHaveText("");

  // The history is the server's: a reload shows both, in order.
  await page.reload();
  await hydrated(page);
  await expect(page.locator(".message .message-body")).toHaveText([
    "Hello Fay, can you screen Ada today?",
    "Yes, at 3.\nBooking the room.",
  ]);
  await page.screenshot({ path: info.outputPath(`chat-${phone ? "phone" : "desktop"}.png`), fullPage: true });

  // Olive corrects her first message; Fay sees the change live, marked as edited. Only an
  // author may change a message: Fay's page offers nothing on Olive's.
  const first = page.locator(".message[data-seq='1']");
  await first.getByRole("button", { name: "Edit", exact: true }).click();
  const editor = page.getByLabel("Edit message");
  await expect(editor).toBeFocused();
  await editor.fill("Hello Fay, can you screen Ada at 2?");
  if (phone) await first.getByRole("button", { name: "Save" }).click();
  else await editor.press("Enter");
  const faysFirst = fay.locator(".message[data-seq='1']");
  await expect(faysFirst.locator(".message-body")).toHaveText("Hello Fay, can you screen Ada at 2?");
  await expect(faysFirst.locator(".message-meta")).toContainText("edited");
  await expect(first.locator(".message-body")).toHaveText("Hello Fay, can you screen Ada at 2?");
  await expect(faysFirst.getByRole("button", { name: "Edit", exact: true })).toHaveCount(0);
  await expect(fay.locator(".message[data-seq='2']").getByRole("button", { name: "Edit", exact: true })).toHaveCount(1);
  await page.screenshot({ path: info.outputPath(`chat-edited-${phone ? "phone" : "desktop"}.png`), fullPage: true });

  // She deletes it, after saying so in a dialog; both pages say it was deleted.
  await first.getByRole("button", { name: "Delete this message" }).click();
  await expect(page.getByRole("dialog", { name: "Delete this message?" })).toBeVisible();
  await page.getByRole("button", { name: "Delete message" }).click();
  await expect(faysFirst.locator(".message-body")).toHaveText("This message was deleted.");
  await expect(first.locator(".message-body")).toHaveText("This message was deleted.");
  await expect(first.getByRole("button", { name: "Edit", exact: true })).toHaveCount(0);

  // Fay starts typing in another tab and closes it: she is not left typing on Olive's page.
  const fayTab = await fayContext.newPage();
  await fayTab.goto(new URL(conversation).pathname);
  await hydrated(fayTab);
  await fayTab.getByLabel("Message", { exact: true }).fill("I will ask");
  await fayTab.getByLabel("Message", { exact: true }).press("Space");
  await expect(page.locator(".typing")).toHaveText("Fay is typing…");
  await fayTab.close();
  await expect(page.locator(".typing")).toHaveText("");

  // Olive's connection drops: what she writes waits in the browser's outbox, and survives her
  // closing the tab; the next page she opens sends it, once.
  const oliveContext = page.context();
  await oliveContext.setOffline(true);
  await expect(page.getByText("Offline: messages you write are sent when the connection is back.")).toBeVisible();
  await page.getByLabel("Message", { exact: true }).fill("Written on the train");
  await send.click();
  await expect(page.locator(".message.pending")).toContainText("Sending…");
  await page.close();
  await fay.locator(".message[data-seq='2']").waitFor();
  await expect(fay.locator(".message")).toHaveCount(2);
  await oliveContext.setOffline(false);
  const again = await oliveContext.newPage();
  const againErrors = watchErrors(again);
  await again.goto(new URL(conversation).pathname);
  await hydrated(again);
  await expect(fay.locator(".message[data-seq='3']")).toContainText("Written on the train");
  await expect(again.locator(".message[data-seq='3']")).toContainText("Written on the train");
  await expect(again.locator(".message.pending")).toHaveCount(0);
  await expect(fay.locator(".message")).toHaveCount(3);

  // The list shows the conversation with its last message.
  await fay.goto(`/o/${slug}/chat`);
  await hydrated(fay);
  await expect(fay.locator(".conversation")).toContainText("Written on the train");

  // A message Fay has not read counts beside "Chat" in her menu, live; reading it clears it.
  const menuCount = fay.locator("nav[aria-label='Organisation'] .nav-badge");
  await expect(menuCount).toHaveCount(0);
  await again.getByLabel("Message", { exact: true }).fill("One more thing");
  await again.getByRole("button", { name: "Send", exact: true }).click();
  await expect(menuCount).toHaveText("1 unread");
  // On a phone the menu's links sit behind one button, which shows the count too.
  if (phone) await expect(fay.locator(".phone-menu summary .nav-badge")).toHaveText("1 unread messages");
  await expect(fay.locator(".conversation .badge")).toHaveText("1");
  await fay.screenshot({ path: info.outputPath(`chat-unread-${phone ? "phone" : "desktop"}.png`) });
  await fay.locator(".conversation").click();
  await expect(fay.locator(".message[data-seq='4']")).toContainText("One more thing");
  await expect(menuCount).toHaveCount(0);

  // Olive makes a group with Fay; as its admin she removes her again, and Fay is out of it.
  await again.goto(`/o/${slug}/chat`);
  await hydrated(again);
  await again.getByText("New conversation").click();
  await again.getByText("New group").click();
  await again.getByLabel("Group name").fill("Screening panel");
  await again.getByRole("checkbox", { name: "Fay" }).check();
  await again.getByRole("button", { name: "Create group" }).click();
  await expect(again.getByRole("heading", { level: 2 })).toHaveText("Screening panel");
  await expect(again).toHaveURL(new RegExp(`/o/${slug}/chat/\\d+$`));
  await fay.goto(`/o/${slug}/chat`);
  await hydrated(fay);
  await expect(fay.locator(".conversation", { hasText: "Screening panel" })).toHaveCount(1);
  await again.getByText("Members (2)").click();
  await again.screenshot({ path: info.outputPath(`chat-group-${phone ? "phone" : "desktop"}.png`) });
  await again.getByRole("button", { name: "Remove Fay" }).click();
  await expect(again.getByText("Members (1)")).toBeVisible();
  await fay.reload();
  await hydrated(fay);
  await expect(fay.locator(".conversation", { hasText: "Screening panel" })).toHaveCount(0);

  // Going offline makes the browser log failed reconnections; nothing else may be logged.
  expect(errors.filter((e) => !e.includes("ERR_INTERNET_DISCONNECTED") && !e.includes("WebSocket"))).toEqual([]);
  expect(againErrors).toEqual([]);
  expect(fayErrors).toEqual([]);
  await fayContext.close();
});

test("a long conversation shows its latest page and reads older ones while scrolling up", async ({ page }, info) => {
  const phone = info.project.name === "phone";
  const run = `${Date.now()}${phone ? "p" : "d"}`;
  const slug = `long-${run}`;
  const errors = watchErrors(page);
  await signUp(page, "Olive Owner", `olive-${run}@example.com`);
  await call(page, "create_organisation", { name: `Long ${run}`, slug });
  const group = await call(page, "create_group", { slug, name: "Notes", members: "" });
  const conversation = group.id as number;
  await page.goto(`/o/${slug}/chat/${conversation}`);
  await hydrated(page);

  // 60 messages, through a socket of the page's own (paced under the socket's rate limit).
  await page.evaluate(async (conversation) => {
    const socket = new WebSocket(`${location.origin.replace("http", "ws")}/ws`);
    await new Promise((ready) => socket.addEventListener("open", ready));
    socket.send(JSON.stringify({ type: "hello", version: 1 }));
    let acked = 0;
    socket.addEventListener("message", (event) => {
      if (JSON.parse(event.data).type === "ack") acked += 1;
    });
    for (let i = 1; i <= 60; i++) {
      socket.send(JSON.stringify({ type: "send", conversation, client_id: `long-${i}`, body: `Note ${i}` }));
      await new Promise((wait) => setTimeout(wait, 70));
    }
    while (acked < 60) await new Promise((wait) => setTimeout(wait, 50));
    socket.close();
  }, conversation);

  await page.reload();
  await hydrated(page);
  const bodies = page.locator(".message .message-body");
  await expect(bodies).toHaveCount(50);
  await expect(bodies.first()).toHaveText("Note 11");
  await expect(bodies.last()).toHaveText("Note 60");
  // Scrolling to the top reads the page before, and keeps the reader's place.
  const older = page.getByRole("button", { name: "Load older messages" });
  await expect(older).toBeAttached();
  await page.locator(".messages").evaluate((list) => (list.scrollTop = 0));
  await expect(bodies).toHaveCount(60);
  await expect(bodies.first()).toHaveText("Note 1");
  await expect(older).toHaveCount(0);
  await expect(page.locator(".messages")).not.toHaveJSProperty("scrollTop", 0);
  await page.screenshot({ path: info.outputPath(`chat-older-${phone ? "phone" : "desktop"}.png`) });

  // Searching finds messages by their words, marked; "Show" brings an old one into view,
  // reading the older page it is on.
  await page.reload();
  await hydrated(page);
  await expect(bodies).toHaveCount(50);
  await page.getByLabel("Search messages").fill("NOTE 7");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  const found = page.getByRole("region", { name: "Messages found" });
  await expect(found.getByRole("status")).toContainText("6 messages contain “NOTE 7”.");
  await expect(found.locator("li .message-body")).toHaveText(["Note 57", "Note 47", "Note 37", "Note 27", "Note 17", "Note 7"]);
  await expect(found.locator("li").last().locator("mark")).toHaveText(["Note", "7"]);
  await page.screenshot({ path: info.outputPath(`chat-search-${phone ? "phone" : "desktop"}.png`) });
  await found.getByRole("button", { name: "Show in conversation" }).last().click();
  const seventh = page.locator(".message[data-seq='7']");
  await expect(seventh).toHaveClass(/found/);
  await expect(seventh).toBeInViewport();
  await page.getByLabel("Search messages").fill("zebra");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(found.getByRole("status")).toContainText("No message contains “zebra”.");
  await page.getByLabel("Search messages").fill("x");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Type at least 2 letters" })).toBeVisible();

  // The list finds a conversation by its name or a member's.
  await page.goto(`/o/${slug}/chat`);
  await hydrated(page);
  await page.getByLabel("Find a conversation").fill("note");
  await expect(page.locator(".conversation")).toBeVisible();
  await page.getByLabel("Find a conversation").fill("nobody here");
  await expect(page.locator(".conversation")).toBeHidden();
  await expect(page.getByText("No conversation has that name or member.")).toBeVisible();
  expect(errors).toEqual([]);
});

test("colleagues see who is here, and the bell tells of messages that came while away", async ({ page, browser }, info) => {
  test.setTimeout(120_000);
  const phone = info.project.name === "phone";
  const shot = (name: string) => info.outputPath(`${name}-${phone ? "phone" : "desktop"}.png`);
  const run = `${Date.now()}${phone ? "p" : "d"}`;
  const slug = `here-${run}`;
  const fayEmail = `fay-${run}@example.com`;
  const errors = watchErrors(page);
  await signUp(page, "Olive Owner", `olive-${run}@example.com`);
  await call(page, "create_organisation", { name: `Here ${run}`, slug });
  await call(page, "invite", { slug, email: fayEmail, role: "recruiter" });
  const joined = await joinByInvitation(browser, fayEmail, "Fay", slug, page);
  const fayContext = joined.context;
  let fay = joined.page;
  const fayErrors = joined.errors;
  const faysId = (await call(fay, "me", {})).user_id;
  const started = await call(page, "start_direct", { slug, user_id: String(faysId) });

  // Fay's page is open: Olive sees her online, in the list and beside her name.
  await page.goto(`/o/${slug}/chat/${started.id}`);
  await hydrated(page);
  const fayInList = page.locator(".conversation .presence");
  const fayInHead = page.locator(".chat-head .member-presence", { hasText: "Fay" }).locator(".presence");
  await expect(fayInList).toHaveAttribute("title", "Online");
  await expect(fayInHead).toHaveAttribute("title", "Online");
  await expect(fayInHead).toHaveClass(/online/);
  // Olive, on the page, is here herself.
  await expect(page.locator(".chat-head .member-presence", { hasText: "Olive Owner" }).locator(".presence")).toHaveAttribute("title", "Online");
  // Her page goes to the background: away. She closes it: offline, live.
  await fay.evaluate(() => {
    Object.defineProperty(document, "hidden", { value: true, configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
  });
  await expect(fayInHead).toHaveAttribute("title", "Away");
  await page.screenshot({ path: shot("presence") });
  await fay.close();
  await expect(fayInHead).toHaveAttribute("title", "Offline");
  await expect(fayInList).toHaveAttribute("title", "Offline");

  // Olive writes while Fay is away: Fay's bell counts it when she comes back.
  await page.getByLabel("Message", { exact: true }).fill("Can you screen **Ada** today?");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(page.locator(".message[data-seq='1']")).toContainText("Can you screen Ada today?");
  fay = await fayContext.newPage();
  const fayLaterErrors = watchErrors(fay);
  await fay.goto(`/o/${slug}`);
  await hydrated(fay);
  const bell = fay.getByRole("link", { name: "Notifications: 1 unread" });
  await expect(bell).toBeVisible();
  await fay.screenshot({ path: shot("bell") });
  await bell.click();
  await expect(fay).toHaveURL(/\/notifications$/);
  await hydrated(fay);
  const notice = fay.locator(".notice.unread");
  await expect(notice).toContainText("Olive Owner: Can you screen Ada today?");
  await expect(fay.getByText("1 unread.")).toBeVisible();
  await fay.screenshot({ path: shot("notifications"), fullPage: true });
  // Following it opens the conversation, and reading it there makes it read.
  await notice.getByRole("link").click();
  await expect(fay).toHaveURL(new RegExp(`/o/${slug}/chat/${started.id}$`));
  await expect(fay.locator(".message[data-seq='1']")).toContainText("Can you screen Ada today?");
  await expect(fay.getByRole("link", { name: "Notifications", exact: true })).toBeVisible();

  // Away on the notification page, a new message arrives there live: the bell, the list and a toast.
  await fay.goto("/notifications");
  await hydrated(fay);
  await expect(fay.getByText("Nothing unread.")).toBeVisible();
  await fay.evaluate(() => {
    Object.defineProperty(document, "hidden", { value: true, configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
  });
  await expect(fayInHead).toHaveAttribute("title", "Away");
  await page.getByLabel("Message", { exact: true }).fill("Ping");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(fay.getByRole("link", { name: "Notifications: 1 unread" })).toBeVisible();
  await expect(fay.locator(".notice.unread")).toContainText("Olive Owner: Ping");
  await expect(fay.locator(".toast", { hasText: "Olive Owner: Ping" })).toBeVisible();
  await fay.getByRole("button", { name: "Mark all read" }).click();
  await expect(fay.getByText("Nothing unread.")).toBeVisible();
  await expect(fay.getByRole("link", { name: "Notifications", exact: true })).toBeVisible();

  // Fay turns message notifications off; the choice is kept.
  await fay.getByLabel("Messages arrive while I am away").selectOption("off");
  await fay.getByLabel("E-mail what is still unread after").selectOption("15");
  await fay.getByRole("button", { name: "Save" }).click();
  await expect(fay.locator(".toast", { hasText: "Saved how you hear of things." })).toBeVisible();
  await fay.reload();
  await hydrated(fay);
  await expect(fay.getByLabel("Messages arrive while I am away")).toHaveValue("off");
  await expect(fay.getByLabel("E-mail what is still unread after")).toHaveValue("15");
  await fay.screenshot({ path: shot("notification-settings"), fullPage: true });

  expect(errors).toEqual([]);
  expect(fayErrors).toEqual([]);
  expect(fayLaterErrors).toEqual([]);
  await fayContext.close();
});

test("files go with messages: a picture shows, a document downloads, a wrong file is refused", async ({ page, browser }, info) => {
  test.setTimeout(120_000);
  const phone = info.project.name === "phone";
  const run = `${Date.now()}${phone ? "p" : "d"}`;
  const slug = `files-${run}`;
  const fayEmail = `fay-${run}@example.com`;
  const shot = (name: string) => info.outputPath(`chat-files-${name}-${phone ? "phone" : "desktop"}.png`);
  const errors = watchErrors(page);
  await signUp(page, "Olive Owner", `olive-${run}@example.com`);
  await call(page, "create_organisation", { name: `Files ${run}`, slug });
  await call(page, "invite", { slug, email: fayEmail, role: "recruiter" });
  const { context: fayContext, page: fay, errors: fayErrors } = await joinByInvitation(browser, fayEmail, "Fay", slug, page);

  await page.goto(`/o/${slug}/chat`);
  await hydrated(page);
  await page.getByText("New conversation").click();
  await page.getByLabel("With").selectOption({ label: "Fay" });
  await page.getByRole("button", { name: "Open" }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${slug}/chat/\\d+$`));
  await fay.goto(new URL(page.url()).pathname);
  await hydrated(fay);

  // A program is refused as soon as it is chosen, with what may be attached instead; the
  // message cannot go with it until it is removed.
  const attach = page.locator("#attach-files");
  await attach.setInputFiles({ name: "setup.exe", mimeType: "application/octet-stream", buffer: Buffer.from("MZ\x90\0program") });
  await expect(page.locator(".chosen.refused")).toContainText("cannot be attached");
  await expect(page.locator(".chosen.refused")).toContainText("PDF");
  const send = page.getByRole("button", { name: "Send", exact: true });
  await page.getByLabel("Message", { exact: true }).fill("The notes and a picture");
  await send.click();
  await expect(page.getByRole("alert").filter({ hasText: "could not be attached: remove it" })).toBeVisible();
  await page.screenshot({ path: shot("refused") });
  await page.getByRole("button", { name: "Remove setup.exe" }).click();

  // A picture and a document, uploaded as they are chosen, go with the message.
  const png = Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAFklEQVR42mOQizpBEmIY1TCqYfhqAAB1t0AQ8dIAngAAAABJRU5ErkJggg==",
    "base64",
  );
  await attach.setInputFiles([
    { name: "dot.png", mimeType: "image/png", buffer: png },
    { name: "notes.md", mimeType: "text/markdown", buffer: Buffer.from("# Notes\nAda is **great**.") },
  ]);
  await expect(page.locator(".chosen.ready")).toHaveCount(2);
  await send.click();
  const sent = page.locator(".message[data-seq='1']");
  await expect(sent.locator(".attachment-image img")).toHaveAttribute("alt", "dot.png");
  await expect(page.locator(".chosen")).toHaveCount(0);

  // Fay gets it live: the picture shows, the document downloads under its own name.
  const got = fay.locator(".message[data-seq='1']");
  await expect(got).toContainText("The notes and a picture");
  const picture = got.locator(".attachment-image img");
  await expect(picture).toBeVisible();
  await expect.poll(() => picture.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(16);
  await expect(got.locator(".attachment-file")).toContainText("notes.md");
  const [download] = await Promise.all([fay.waitForEvent("download"), got.getByRole("link", { name: /notes\.md/ }).click()]);
  expect(download.suggestedFilename()).toBe("notes.md");
  await fay.screenshot({ path: shot("received") });

  // A reload keeps them; deleting the message takes its files away for both.
  await fay.reload();
  await hydrated(fay);
  await expect(got.locator(".attachment-file")).toContainText("notes.md");
  await sent.getByRole("button", { name: "Delete this message" }).click();
  await page.getByRole("button", { name: "Delete message" }).click();
  await expect(got.locator(".message-body.deleted")).toBeVisible();
  await expect(got.locator(".attachment")).toHaveCount(0);

  await fayContext.close();
  // The refused upload is answered 415, which the browser logs.
  const real = (list: string[]) => list.filter((e) => !e.includes("status of 415") && !e.includes("WebSocket"));
  expect(real(errors)).toEqual([]);
  expect(real(fayErrors)).toEqual([]);
});
