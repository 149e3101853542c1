import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AllowList } from "../../shared/admin-api.js";
import type { BotApiCall } from "../support/bot-api-standin.js";
import { TestStack, textUpdate } from "../support/test-stack.js";

const TRUSTED = 777_100_001;
const STRANGER = 777_100_002;
// The docs' screenshot is refreshed on request (DRAWBRIDGE_UPDATE_SCREENSHOTS=1); an ordinary run
// writes its own copy under test-results/ so a test run never leaves the work tree modified.
const SCREENSHOT = join(
  import.meta.dirname,
  "..",
  "..",
  ...(process.env.DRAWBRIDGE_UPDATE_SCREENSHOTS === "1" ? ["docs", "images"] : ["test-results"]),
  "control-ui-overview.png",
);
/** The UI polls every 2.5 s; this is only how long a test waits before it calls something missing. */
const SHOWS_UP = 15_000;

// The real stack (wrangler dev + runner + Docker + Bot API stand-in) and Debian's Chromium, headless.
const stack = new TestStack({
  vars: { DRAWBRIDGE_ACCESS: JSON.stringify({ allowFrom: [String(TRUSTED)], roles: { [String(TRUSTED)]: "trusted" } }) },
});
let profile = "";
let browser: BrowserContext;
let page: Page;
const pageProblems: string[] = [];

beforeAll(async () => {
  await stack.start();
  profile = await mkdtemp(join(tmpdir(), "drawbridge-chromium-"));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1100, height: 720 },
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  // A CSP violation or a script error would be a broken page the owner sees: collect them all.
  page.on("console", (message) => {
    if (message.type() === "error") pageProblems.push(message.text());
  });
  page.on("pageerror", (error) => pageProblems.push(String(error)));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
  await stack.stop();
}, 60_000);

const toChat = (chatId: number, text: RegExp) => (call: BotApiCall) =>
  call.method === "sendMessage" && call.params.chat_id === String(chatId) && text.test(String(call.params.text));

describe("Control UI in a real headless Chromium (issue 17, acceptance 2)", () => {
  let oldCookie = "";

  it("signs in with the gateway token and shows the runner online, the channels and the model", async () => {
    await page.goto(`${stack.url}/ui`);
    expect(new URL(page.url()).pathname).toBe("/ui/sign-in");
    await page.getByLabel("Gateway token").fill(stack.secrets.GATEWAY_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${stack.url}/ui`);
    const runner = page.locator(`.runner[data-runner="${stack.runnerName}"]`);
    await expect.poll(() => runner.locator(".pill").textContent(), { timeout: SHOWS_UP }).toBe("online");
    expect(await page.locator("main").textContent()).toContain("telegram on");
    expect(await page.locator("main").textContent()).toContain("none configured");

    // The token is nowhere the page or its storage can read it, nor in any URL.
    expect(page.url()).not.toContain(stack.secrets.GATEWAY_TOKEN);
    const stored = await page.evaluate(() => JSON.stringify([{ ...localStorage }, { ...sessionStorage }, document.cookie]));
    expect(stored).toBe('[{},{},""]');
    expect(await page.content()).not.toContain(stack.secrets.GATEWAY_TOKEN);
    const [cookie] = await browser.cookies(`${stack.url}/ui`);
    expect(cookie).toMatchObject({ name: "drawbridge_ui", httpOnly: true, sameSite: "Strict", path: "/ui" });
    expect(cookie?.value).not.toContain(stack.secrets.GATEWAY_TOKEN);
    oldCookie = cookie?.value ?? "";

    await mkdir(join(SCREENSHOT, ".."), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // A phone's width: nothing sticks out sideways.
    await page.setViewportSize({ width: 390, height: 780 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1100, height: 720 });
  });

  it("a stranger's pairing request appears without a reload; Approve lets them in and they are served", async () => {
    await page.locator('nav a[data-page="pairing"]').click();
    await expect.poll(() => page.locator("main").textContent()).toContain("No one is waiting to pair.");
    await stack.postUpdate(textUpdate(STRANGER, "hello, may I?"));
    await stack.botApi.waitFor(toChat(STRANGER, /pairing code is/));
    const request = page.locator(`.pairing[data-sender="${STRANGER}"]`);
    await request.waitFor({ timeout: SHOWS_UP });
    expect(await request.textContent()).toContain("Test");
    await request.getByRole("button", { name: "Approve" }).click();
    await stack.botApi.waitFor(toChat(STRANGER, /approved/i));
    await expect.poll(() => request.count()).toBe(0);

    await stack.postUpdate(textUpdate(STRANGER, "/help"));
    await stack.botApi.waitFor(toChat(STRANGER, /^Drawbridge commands/));
    await page.locator('nav a[data-page="senders"]').click();
    const sender = page.locator(`.sender[data-sender="${STRANGER}"]`);
    await sender.waitFor();
    // The owner raises them to trusted from the Senders page; the gateway's own list agrees.
    await sender.getByLabel("role").selectOption("trusted");
    await expect.poll(() => sender.textContent()).toContain("· trusted ·");
    const allowed = await stack.read(AllowList, "GET", "/api/allow/telegram");
    expect(allowed.allowed.find((entry) => entry.senderId === String(STRANGER))?.role).toBe("trusted");
  });

  it("an approval appears with what would run and for whom; Deny refuses it and nothing runs", async () => {
    await page.locator('nav a[data-page="approvals"]').click();
    const before = stack.runnerCalls().length;
    await stack.postUpdate(textUpdate(TRUSTED, "/run echo denied-from-the-ui"));
    await stack.botApi.waitFor(toChat(TRUSTED, /Needs the owner's approval/));
    const approval = page.locator(".approval").filter({ hasText: "denied-from-the-ui" });
    await approval.waitFor({ timeout: SHOWS_UP });
    const shown = (await approval.textContent()) ?? "";
    expect(shown).toContain(`telegram:${TRUSTED}`);
    expect(shown).toContain("trusted");
    expect(shown).toContain("exec");
    await approval.getByRole("button", { name: "Deny" }).click();
    await stack.botApi.waitFor(toChat(TRUSTED, /^❌ The owner denied .*denied-from-the-ui.*nothing ran\.$/s));
    await expect.poll(() => approval.count()).toBe(0);
    expect(
      stack
        .runnerCalls()
        .slice(before)
        .filter((line) => line.includes(String(TRUSTED))),
    ).toEqual([]);
  });

  it("the audit page lists both decisions, newest first, and filters by kind", async () => {
    await page.locator('nav a[data-page="audit"]').click();
    const kinds = page.locator("tbody tr td:nth-child(2)");
    await expect.poll(async () => (await kinds.allTextContents()).join(" ")).toContain("approval.decided");
    const all = await kinds.allTextContents();
    expect(all).toContain("pairing.approved");
    expect(all.indexOf("approval.decided")).toBeLessThan(all.indexOf("pairing.approved"));
    await page.getByLabel("kind").selectOption("pairing.approved");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect.poll(async () => [...new Set(await kinds.allTextContents())]).toEqual(["pairing.approved"]);
    expect(await page.locator("tbody tr").first().textContent()).toContain(String(STRANGER));
  });

  it("every page fits a phone's width (390 px): nothing sticks out sideways", async () => {
    await page.setViewportSize({ width: 390, height: 780 });
    for (const name of ["overview", "pairing", "senders", "approvals", "audit"]) {
      await page.locator(`nav a[data-page="${name}"]`).click();
      await page.locator("main .list > *").first().waitFor();
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect({ name, fits: width <= 390 }).toEqual({ name, fits: true });
    }
    await page.setViewportSize({ width: 1100, height: 720 });
  });

  it("signs out; the old cookie is refused by the server afterwards", async () => {
    const status = () => fetch(`${stack.url}/ui/api/status`, { headers: { cookie: `drawbridge_ui=${oldCookie}` } });
    expect((await status()).status).toBe(200);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/ui\/sign-in/);
    expect(await page.locator("main").textContent()).toContain("Signed out.");
    expect(await browser.cookies(`${stack.url}/ui`)).toEqual([]);
    expect((await status()).status).toBe(401);
    await page.goto(`${stack.url}/ui`);
    expect(new URL(page.url()).pathname).toBe("/ui/sign-in");
    expect(pageProblems).toEqual([]);
  });
});
