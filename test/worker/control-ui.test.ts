import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { AllowList, ApprovalList, AuditList, PairingList, StatusList } from "../../shared/admin-api.js";
import { app } from "../../worker/app.js";
import { readSessionCookie, SESSION_COOKIE, signSessionCookie } from "../../worker/ui/session-cookie.js";
import { AuditPage, ChannelsView } from "../../worker/ui/ui-answers.js";
import { readError, readJson } from "../support/read-json.js";
import { approvalPrompts, gateWithRunner } from "./approval-harness.js";
import { executionContext } from "./execution-context.js";
import { newBotId, newUserId } from "./test-ids.js";

const ORIGIN = "http://gateway";
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const OWNER = newUserId();
const TRUSTED = newUserId();
const STRANGER = newUserId();
const KEPT = newUserId();
const access = { dmPolicy: "pairing", allowFrom: [String(TRUSTED)], roles: { [String(TRUSTED)]: "trusted" } };

describe("Control UI (/ui)", async () => {
  const { gate } = await gateWithRunner(newBotId(), OWNER, access);
  const responses: Response[] = [];

  /** A browser request to the UI; every answer is kept for the header and token checks at the end. */
  async function ui(
    method: string,
    path: string,
    options: { cookie?: string; origin?: string | null; body?: unknown; form?: string; client?: string } = {},
  ) {
    const headers: Record<string, string> = {};
    if (options.client !== undefined) headers["cf-connecting-ip"] = options.client;
    const origin = options.origin === undefined ? ORIGIN : options.origin;
    if (origin !== null) headers.origin = origin;
    if (options.cookie !== undefined) headers.cookie = `${SESSION_COOKIE}=${options.cookie}`;
    let body: string | undefined;
    if (options.form !== undefined) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = options.form;
    } else if (options.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.body);
    }
    const response = await app.request(`${ORIGIN}${path}`, { method, headers, body, redirect: "manual" }, gate.env, executionContext);
    responses.push(response.clone());
    return response;
  }

  async function signIn(): Promise<string> {
    const response = await ui("POST", "/ui/sign-in", { form: `token=${encodeURIComponent(env.GATEWAY_TOKEN!)}` });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/ui");
    const setCookie = response.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\/ui/);
    expect(setCookie).toMatch(/Max-Age=43200/);
    // Plain http here: Secure only over https (checked below).
    expect(setCookie).not.toMatch(/Secure/);
    return new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(setCookie)?.[1] ?? "";
  }

  const pending = async () => (await readJson(await gate.api("GET", "/api/pairing/telegram"), PairingList)).pending;
  const allowed = async () => (await readJson(await gate.api("GET", "/api/allow/telegram"), AllowList)).allowed;
  const approvals = async () => (await readJson(await gate.api("GET", "/api/approvals"), ApprovalList)).approvals;

  // Something to change: a stranger waiting to pair, an approved sender, a pending approval.
  await gate.dm(STRANGER, "hello?");
  await gate.dm(KEPT, "me too");
  await gate.api("POST", "/api/pairing/telegram/approve", { code: (await pending()).find((p) => p.senderId === String(KEPT))!.code });
  await gate.dm(TRUSTED, "/run echo needs-approval");
  const approvalId = (await approvalPrompts(gate)).at(-1)!.id;
  const code = (await pending()).find((p) => p.senderId === String(STRANGER))!.code;

  /** Every state-changing data call the UI makes, each aimed at something that exists. */
  const changes = [
    ["POST", "/ui/api/pairing/telegram/approve", { code }],
    ["POST", "/ui/api/pairing/telegram/approve", { code, role: "blocked" }],
    ["POST", "/ui/api/pairing/telegram/deny", { code }],
    ["PUT", `/ui/api/allow/telegram/${KEPT}`, { role: "blocked" }],
    ["DELETE", `/ui/api/allow/telegram/${KEPT}`, undefined],
    ["POST", `/ui/api/approvals/${approvalId}`, { decision: "allow-once" }],
    ["POST", `/ui/api/approvals/${approvalId}`, { decision: "deny" }],
  ] as const;

  async function expectNothingChanged(): Promise<void> {
    expect((await pending()).map((p) => p.code)).toContain(code);
    expect((await allowed()).find((s) => s.senderId === String(KEPT))?.role).toBe("limited");
    expect((await approvals()).map((a) => a.id)).toContain(approvalId);
  }

  async function expectEveryChangeRefused(cookie: string | undefined, origin: string | null, status: number): Promise<void> {
    for (const [method, path, body] of changes) {
      const response = await ui(method, path, { cookie, origin, body });
      expect({ path, status: response.status }).toEqual({ path, status });
      expect((await readError(response)).code).toBe(status === 401 ? "unauthorized" : "forbidden");
    }
    await expectNothingChanged();
  }

  it("sends a browser without a session to the sign-in form, and answers its data calls 401", async () => {
    const page = await ui("GET", "/ui");
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe("/ui/sign-in");
    const form = await ui("GET", "/ui/sign-in");
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain('<form id="sign-in" method="post" action="/ui/sign-in"');
    expect(html).not.toMatch(/<script>|<style>| style=| on[a-z]+=/i);
    expect((await ui("GET", "/ui/api/status")).status).toBe(401);
  });

  it("refuses every change without a cookie, with a forged one, or with one signed for another session", async () => {
    await expectEveryChangeRefused(undefined, ORIGIN, 401);
    const real = await signIn();
    const [id, expiry] = real.split(".");
    const forgeries = [
      "garbage",
      `${id}.${expiry}.${"A".repeat(43)}`,
      `${id}.${Number(expiry) + 3600}.${real.split(".")[2]}`,
      `${"0".repeat(32)}.${expiry}.${real.split(".")[2]}`,
      // Signed with the right algorithm but a key made from the token itself: not the derived key.
      await signSessionCookie({ ...gate.env, GATEWAY_SIGNING_KEY: "other", GATEWAY_TOKEN: "other" }, id!, Number(expiry)),
      // A well-signed cookie for a session that was never opened.
      await signSessionCookie(gate.env, "f".repeat(32), Number(expiry)),
    ];
    for (const cookie of forgeries) await expectEveryChangeRefused(cookie, ORIGIN, 401);
  });

  it("refuses an expired cookie even though its MAC and session are good", async () => {
    const real = await signIn();
    const claim = await readSessionCookie(gate.env, real, Math.floor(Date.now() / 1000));
    const expired = await signSessionCookie(gate.env, claim!.sessionId, Math.floor(Date.now() / 1000) - 1);
    await expectEveryChangeRefused(expired, ORIGIN, 401);
    expect((await ui("GET", "/ui", { cookie: expired })).status).toBe(303);
  });

  it("refuses a signed-in browser's change when Origin is foreign or missing, or Sec-Fetch-Site says cross-site", async () => {
    const cookie = await signIn();
    for (const origin of ["http://evil.example", "https://gateway", "http://gateway:8080", "null", null]) {
      await expectEveryChangeRefused(cookie, origin, 403);
    }
    const crossSite = await app.request(
      `${ORIGIN}/ui/api/pairing/telegram/deny`,
      {
        method: "POST",
        headers: {
          origin: ORIGIN,
          "sec-fetch-site": "cross-site",
          cookie: `${SESSION_COOKIE}=${cookie}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({ code }),
      },
      gate.env,
      executionContext,
    );
    expect(crossSite.status).toBe(403);
    // Another site can neither sign this browser out nor sign it in to a session of its choosing.
    expect((await ui("POST", "/ui/sign-out", { cookie, origin: "http://evil.example" })).status).toBe(403);
    expect((await ui("GET", "/ui/api/status", { cookie })).status).toBe(200);
    const foreignSignIn = await ui("POST", "/ui/sign-in", { origin: "http://evil.example", form: `token=${env.GATEWAY_TOKEN}` });
    expect(foreignSignIn.status).toBe(403);
    expect(foreignSignIn.headers.get("set-cookie")).toBeNull();
    await expectNothingChanged();
  });

  it("a wrong token gets no cookie; the right one gets a session that reads and changes, until sign-out", async () => {
    const wrong = await ui("POST", "/ui/sign-in", { form: "token=not-the-token" });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("set-cookie")).toBeNull();
    expect(await wrong.text()).toContain("That is not the gateway token.");

    const cookie = await signIn();
    const shell = await ui("GET", "/ui", { cookie });
    expect(shell.status).toBe(200);
    expect(await shell.text()).toContain('<script src="/ui/app.js" defer></script>');
    const status = await readJson(await ui("GET", "/ui/api/status", { cookie }), StatusList);
    expect(status.runners.some((runner) => runner.runner === gate.env.DEFAULT_RUNNER)).toBe(true);
    expect(await readJson(await ui("GET", "/ui/api/channels", { cookie }), ChannelsView)).toEqual({
      channels: [
        { name: "telegram", on: true },
        { name: "slack", on: true },
        { name: "discord", on: true },
        { name: "whatsapp", on: true },
      ],
    });
    const role = await ui("PUT", `/ui/api/allow/telegram/${KEPT}`, { cookie, body: { role: "trusted" } });
    expect(role.status).toBe(200);
    expect((await allowed()).find((s) => s.senderId === String(KEPT))?.role).toBe("trusted");
    expect((await ui("PUT", `/ui/api/allow/telegram/${KEPT}`, { cookie, body: { role: "limited" } })).status).toBe(200);

    const signOut = await ui("POST", "/ui/sign-out", { cookie });
    expect(signOut.status).toBe(303);
    expect(signOut.headers.get("location")).toBe("/ui/sign-in?signed-out");
    expect(signOut.headers.get("set-cookie")).toMatch(new RegExp(`${SESSION_COOKIE}=;.*Max-Age=0`));
    // The copied cookie is dead on the server too: a stolen copy does not outlive the sign-out.
    expect((await ui("GET", "/ui", { cookie })).status).toBe(303);
    await expectEveryChangeRefused(cookie, ORIGIN, 401);

    // Each is in the audit log, and the token is in none of them.
    const audit = await readJson(await gate.api("GET", "/api/audit?limit=1000"), AuditList);
    const uiKinds = audit.events.filter((event) => event.channel === "ui").map((event) => event.kind);
    expect(uiKinds).toEqual(expect.arrayContaining(["ui.signed_in", "ui.sign_in_failed", "ui.signed_out"]));
    expect(JSON.stringify(audit)).not.toContain(env.GATEWAY_TOKEN!);
  });

  it("a stranger guessing tokens is throttled on their own: the owner, from elsewhere, still signs in", async () => {
    const guess = (client: string) => ui("POST", "/ui/sign-in", { client, form: "token=guess" });
    for (let attempt = 0; attempt < 10; attempt += 1) expect((await guess("203.0.113.7")).status).toBe(401);
    const throttled = await guess("203.0.113.7");
    expect(throttled.status).toBe(429);
    // Throttled even with the right token: the guesser learns nothing more in the window.
    const right = `token=${encodeURIComponent(env.GATEWAY_TOKEN!)}`;
    expect((await ui("POST", "/ui/sign-in", { client: "203.0.113.7", form: right })).status).toBe(429);
    const owner = await ui("POST", "/ui/sign-in", { client: "198.51.100.20", form: right });
    expect(owner.status).toBe(303);
    expect(owner.headers.get("set-cookie")).toMatch(new RegExp(`${SESSION_COOKIE}=`));
  });

  it("caps a signed-in data call's body like the admin API's (413, nothing read past the cap)", async () => {
    const cookie = await signIn();
    const huge = await ui("POST", "/ui/api/pairing/telegram/deny", { cookie, body: { code: "x".repeat(70 * 1024) } });
    expect(huge.status).toBe(413);
    expect((await readError(huge)).code).toBe("payload_too_large");
    const form = await ui("POST", "/ui/sign-in", { form: `token=${"x".repeat(8192)}` });
    expect(form.status).toBe(413);
    expect(form.headers.get("set-cookie")).toBeNull();
  });

  it("the audit page filters by kind and actor, newest first, in pages", async () => {
    const cookie = await signIn();
    const all = await readJson(await ui("GET", "/ui/api/audit-page?size=5", { cookie }), AuditPage);
    expect(all.events.length).toBeGreaterThan(0);
    expect(all.events.map((event) => event.seq)).toEqual([...all.events.map((event) => event.seq)].sort((a, b) => b - a));
    const kind = all.events[0]!.kind;
    const filtered = await readJson(await ui("GET", `/ui/api/audit-page?kind=${encodeURIComponent(kind)}&size=200`, { cookie }), AuditPage);
    expect(filtered.events.every((event) => event.kind === kind)).toBe(true);
    expect(all.kinds).toContain(kind);
    const next = await readJson(await ui("GET", "/ui/api/audit-page?size=5&page=2", { cookie }), AuditPage);
    expect(next.events.every((event) => event.seq < all.events.at(-1)!.seq)).toBe(true);
    const nobody = await readJson(await ui("GET", "/ui/api/audit-page?actor=no-such-actor-anywhere", { cookie }), AuditPage);
    expect(nobody).toMatchObject({ events: [], total: 0, pages: 1 });
  });

  it("over https the cookie is Secure", async () => {
    const response = await app.request(
      "https://gateway/ui/sign-in",
      {
        method: "POST",
        headers: { origin: "https://gateway", "content-type": "application/x-www-form-urlencoded" },
        body: `token=${encodeURIComponent(env.GATEWAY_TOKEN!)}`,
      },
      gate.env,
      executionContext,
    );
    expect(response.status).toBe(303);
    expect(response.headers.get("set-cookie")).toMatch(/; Secure/);
  });

  it("every UI response carried the CSP and security headers, and none carried the token", async () => {
    for (const path of ["/ui/app.js", "/ui/app.css", "/ui/nope", "/ui/api/nope"]) await ui("GET", path);
    expect(responses.length).toBeGreaterThan(60);
    for (const response of responses) {
      expect(response.headers.get("content-security-policy")).toBe(CSP);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("referrer-policy")).toBe("no-referrer");
      expect(response.headers.get("set-cookie") ?? "").not.toContain(env.GATEWAY_TOKEN!);
      expect(await response.text()).not.toContain(env.GATEWAY_TOKEN!);
    }
    const script = await (await ui("GET", "/ui/app.js")).text();
    // Names reach the page as text: the script never parses HTML.
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
    expect(script).not.toMatch(/localStorage|sessionStorage/);
  });
});
