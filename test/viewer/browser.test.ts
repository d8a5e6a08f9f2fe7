// Tests src/viewer/ in a real browser: headless Chromium (Debian's package, installed by
// scripts/install-chromium.sh) driven by playwright-core shows the calls our client makes to the
// user service: each call, its PROTOCOL-HTTP2 frame sequence, the decoded `username` field with
// its bytes highlighted on hover, and the BadRequest in grpc-status-details-bin.
// Screenshots go to test/.output/viewer/ (gitignored); UPDATE_SCREENSHOTS=1 refreshes docs/images/.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enableWireViewer, type WireViewer } from "../../src/viewer/index.js";
import { GrpcError } from "../../src/wire/grpc-error.js";
import { Status } from "../../src/wire/status.js";
import { startTestService, TOKENS, type TestService } from "../service/support.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const OUT = new URL("../.output/viewer/", import.meta.url);
const DOCS_IMAGES = new URL("../../docs/images/", import.meta.url);

let viewer: WireViewer;
let service: TestService;
let browser: Browser;
let page: Page;
let url: string;

beforeAll(async () => {
  // Installs Debian's chromium when missing (as root); under CI=true a failed install fails here.
  execFileSync("bash", [new URL("../../scripts/install-chromium.sh", import.meta.url).pathname], { stdio: "inherit", timeout: 900_000 });
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/install-chromium.sh as root (apt-get install chromium)`);
  viewer = enableWireViewer({ port: 0, log: () => undefined });
  url = await viewer.url;
  service = await startTestService({ logLevel: "silent" });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  mkdirSync(OUT, { recursive: true });
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await service?.close();
  await viewer?.close();
});

/** The frames of one call as the diagram shows them: `from:kind`, local notes left out. */
async function frames(page: Page): Promise<string[]> {
  return page.$$eval("#diagram .event", (els) =>
    els.filter((e) => e.getAttribute("data-from") !== "local").map((e) => `${e.getAttribute("data-from")}:${e.getAttribute("data-kind")}`),
  );
}

/** Waits for what the page shows (generous: the machine may be busy). */
const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 20_000, interval: 50 });

/**
 * Saves the screenshot `name` to test/.output/viewer/, and, with UPDATE_SCREENSHOTS=1, the call's
 * pane (cut below its content, so it stays readable at a docs page's width) to docs/images/.
 */
async function shot(name: string): Promise<void> {
  await page.screenshot({ path: new URL(`${name}.png`, OUT).pathname });
  if (process.env.UPDATE_SCREENSHOTS !== "1") return;
  const clip = (await page.evaluate(`(() => {
    const pane = document.querySelector("#call-pane").getBoundingClientRect();
    const bottom = Math.max(...[...document.querySelectorAll("#call-pane > *")].map((c) => c.getBoundingClientRect().bottom));
    return { x: pane.x, y: pane.y, width: pane.width, height: Math.min(pane.height, bottom - pane.y + 12) };
  })()`)) as { x: number; y: number; width: number; height: number };
  await page.screenshot({ path: new URL(`viewer-${name}.png`, DOCS_IMAGES).pathname, clip });
}

const lane = (all: string[], side: "client" | "server"): string[] => all.filter((f) => f.startsWith(side + ":")).map((f) => f.slice(side.length + 1));

/** Opens the client side's first call of `method` (whose row also shows `status`, when given) and waits for its diagram. */
async function openCall(method: string, status?: string): Promise<void> {
  let rows = page.locator(`#calls tr.call[data-side="client"]`, { hasText: method });
  if (status !== undefined) rows = rows.filter({ hasText: status });
  await rows.last().click();
  await page.waitForSelector("#diagram .event");
  await poll(() => page.locator("#call-head h2").innerText()).toContain(method);
}

describe("the wire viewer in Chromium", () => {
  it("shows unary, server-streaming, bidi and failing calls as frames, with decoded fields and status details", async () => {
    const client = service.client("admin");
    const alice = await client.createUser({ username: "alice", email: "alice@example.com", fullName: "Alice Liddell" });
    await client.createUser({ username: "bob", email: "bob@example.com", fullName: "Bob" });
    const listed: string[] = [];
    for await (const u of client.listUsers({ limit: 10 })) listed.push(u.username);
    expect(listed).toEqual(["alice", "bob"]);
    const updates = client.streamUserUpdates();
    await updates.send({ userId: alice.id, field: "full_name", value: "Alice L." });
    await updates.send({ userId: "nope", field: "email", value: "x@example.com" });
    updates.end();
    const answers = [];
    for await (const a of updates) answers.push(a.success);
    expect(answers).toEqual([true, false]);
    const bad = await client.createUser({ username: "carol", email: "not-an-email" }).then(() => undefined, (e: unknown) => e);
    expect((bad as GrpcError).code).toBe(Status.INVALID_ARGUMENT);

    await page.goto(url);
    // Every call, both sides (the client and the service run in this process): 5 calls × 2.
    await poll(() => page.locator("#calls tr.call").count()).toBe(10);
    await poll(() => page.locator("#calls .st-open").count()).toBe(0);
    const rows = await page.$$eval(`#calls tr.call[data-side="client"]`, (trs) =>
      trs.map((tr) => `${tr.querySelector(".method")?.textContent} ${tr.querySelector(".status")?.textContent}`),
    );
    expect(rows).toEqual([
      "UserService/CreateUser INVALID_ARGUMENT",
      "UserService/StreamUserUpdates OK",
      "UserService/ListUsers OK",
      "UserService/CreateUser OK",
      "UserService/CreateUser OK",
    ]);

    // Unary: HEADERS, one DATA with END_STREAM; HEADERS, DATA, trailers.
    await openCall("CreateUser");
    let f = await frames(page);
    expect(lane(f, "client")).toEqual(["HEADERS", "DATA"]);
    expect(lane(f, "server")).toEqual(["HEADERS", "DATA", "TRAILERS"]);
    expect(await page.locator('#diagram .event[data-from="client"][data-kind="DATA"] .label').innerText()).toContain("+END_STREAM");

    // The request message: `username` decoded by name, its bytes highlighted on hover (2 bytes of
    // tag and length, 5 of "alice"), and the field highlighted when a byte of it is hovered.
    await page.locator('#diagram .event[data-from="client"][data-kind="DATA"]').click();
    const username = page.locator('.field-line[data-name="username"]');
    await poll(() => username.innerText()).toContain('"alice"');
    expect(await username.innerText()).toMatch(/1 username string · LEN: "alice"/);
    expect(await page.locator(".prefix").innerText()).toMatch(/Compressed-Flag \(1 byte\) = 0[\s\S]*Message-Length \(4 bytes, big endian\) = 0x00000029 = 41 bytes/);
    await username.hover();
    expect(await page.$$eval(".hex .byte.hl-tag", (b) => b.map((x) => x.textContent).join(" "))).toBe("0a 05");
    expect(await page.$$eval(".hex .byte.hl", (b) => b.map((x) => x.textContent).join(" "))).toBe("61 6c 69 63 65");
    await shot("unary");
    await page.locator('.hex .byte[data-off="14"]').hover(); // inside "alice@example.com"
    expect(await page.locator(".field-line.hl").getAttribute("data-name")).toBe("email");

    // Metadata: the token never reaches the page; the authorization header is masked as in the trace.
    await page.locator('#diagram .event[data-from="client"][data-kind="HEADERS"]').click();
    expect(await page.locator('tr[data-header="authorization"] td.value').innerText()).toContain("Bearer ****");
    expect(await page.content()).not.toContain(TOKENS.admin);

    // Server streaming: one request, then each user as its own DATA, then trailers.
    await openCall("ListUsers");
    f = await frames(page);
    expect(lane(f, "client")).toEqual(["HEADERS", "DATA"]);
    expect(lane(f, "server")).toEqual(["HEADERS", "DATA", "DATA", "TRAILERS"]);

    // Bidi: two updates and the half-close from the client; headers, two answers and trailers back.
    await openCall("StreamUserUpdates");
    f = await frames(page);
    expect(lane(f, "client")).toEqual(["HEADERS", "DATA", "DATA", "HALF-CLOSE"]);
    expect(lane(f, "server")).toEqual(["HEADERS", "DATA", "DATA", "TRAILERS"]);
    await page.locator('#diagram .event[data-from="server"][data-kind="DATA"]').nth(1).click();
    await poll(() => page.locator('.field-line[data-name="message"]').innerText()).toContain("no user with id");
    await shot("bidi");

    // The failing call: the request-id interceptor set x-request-id, so the response headers go out
    // in their own HEADERS frame and the status follows in trailers (no DATA); grpc-status named, the BadRequest decoded from grpc-status-details-bin.
    await openCall("CreateUser", "INVALID_ARGUMENT");
    f = await frames(page);
    expect(lane(f, "client").slice(0, 2)).toEqual(["HEADERS", "DATA"]);
    expect(lane(f, "server")).toEqual(["HEADERS", "TRAILERS"]);
    await page.locator('#diagram .event[data-kind="TRAILERS"]').click();
    expect(await page.locator('tr[data-header="grpc-status"]').innerText()).toContain("INVALID_ARGUMENT");
    const details = page.locator('tr[data-header="grpc-status-details-bin"]');
    const text = await details.innerText();
    expect(text).toContain("google.rpc.Status");
    expect(text).toMatch(/value google\.rpc\.BadRequest · LEN/);
    expect(text).toMatch(/field_violations google\.rpc\.BadRequest\.FieldViolation/);
    expect(text).toMatch(/field string · LEN: "email"/);
    expect(text).toMatch(/description string · LEN: "email must look like name@example\.com"/);
    await page.setViewportSize({ width: 1440, height: 1180 });
    await page.evaluate(`document.querySelector("#detail h3").scrollIntoView({ block: "start" })`);
    await shot("bad-request");
    await page.setViewportSize({ width: 1440, height: 900 });

    // Filters: by method and by status.
    await page.fill("#f-method", "ListUsers");
    expect(await page.locator("#calls tr.call").count()).toBe(2);
    await page.fill("#f-method", "");
    await page.selectOption("#f-status", "error");
    expect(await page.$$eval("#calls tr.call .status", (s) => s.map((x) => x.textContent))).toEqual(["INVALID_ARGUMENT", "INVALID_ARGUMENT"]);
  }, 180_000);

  it("updates live: a call made while the page is open appears without a reload", async () => {
    await page.goto(url);
    await page.waitForSelector("#live:not(.off)");
    const before = await page.locator("#calls tr.call").count();
    await service.client("admin").getUser("00000000-0000-4000-8000-000000000000").catch(() => undefined);
    await poll(() => page.locator("#calls tr.call").count()).toBe(before + 2);
    expect(await page.locator("#calls tr.call", { hasText: "GetUser" }).count()).toBe(2);
  }, 120_000);
});
