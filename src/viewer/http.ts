// The viewer's web server (node:http): the page, the captured calls as JSON, and a Server-Sent
// Events stream (HTML Living Standard § 9.2) that tells the page as calls change. What it shows is
// PROTOCOL-HTTP2 (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md) as captured by capture.ts.

import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Capture, CapturedCall } from "./capture.js";
import { markdownPage } from "./docs.js";
import { describeCall, summarize } from "./explain.js";
import { viewerSchema } from "./schema.js";

const PAGE_DIR = new URL("./page/", import.meta.url);
const REPO = new URL("../../", import.meta.url);
const STATIC: Record<string, { file: URL; type: string }> = {
  "/": { file: new URL("index.html", PAGE_DIR), type: "text/html; charset=utf-8" },
  "/viewer.js": { file: new URL("viewer.js", PAGE_DIR), type: "text/javascript; charset=utf-8" },
  "/viewer.css": { file: new URL("viewer.css", PAGE_DIR), type: "text/css; charset=utf-8" },
};
/** How often changed calls are pushed to the page, at most. */
const PUSH_EVERY_MS = 100;

export class ViewerServer {
  private readonly http: Server;
  private readonly clients = new Set<ServerResponse>();
  private readonly dirty = new Set<CapturedCall>();
  private timer: NodeJS.Timeout | undefined;
  /** Whether open sockets keep the process alive (userctl --viewer waits; a server's viewer does not). */
  private held = false;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly capture: Capture) {
    this.http = createServer((req, res) => void this.route(req, res));
    this.http.on("connection", (s: Socket) => {
      this.sockets.add(s);
      s.once("close", () => this.sockets.delete(s));
      if (!this.held) s.unref();
    });
    capture.onChange = (call) => {
      if (this.clients.size === 0) return;
      this.dirty.add(call);
      this.timer ??= setTimeout(() => this.push(), PUSH_EVERY_MS).unref();
    };
  }

  /** Host names a page on a loopback viewer may be called by: others are refused (DNS rebinding). */
  private localOnly = false;

  /** Resolves with the page's URL once listening. */
  listen(port: number, host: string): Promise<string> {
    this.localOnly = LOOPBACK.has(host);
    return new Promise((resolve, reject) => {
      this.http.once("error", reject);
      this.http.listen(port, host, () => {
        this.http.off("error", reject);
        if (!this.held) this.http.unref();
        const addr = this.http.address();
        const p = typeof addr === "object" && addr !== null ? addr.port : port;
        resolve(`http://${host.includes(":") ? `[${host}]` : host}:${p}/`);
      });
    });
  }

  /** Keeps the process alive while the viewer serves (for a short-lived client such as userctl). */
  hold(): void {
    this.held = true;
    this.http.ref();
    for (const s of this.sockets) s.ref();
  }

  close(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    for (const c of this.clients) c.end();
    this.clients.clear();
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.http.close(() => resolve()));
  }

  private push(): void {
    this.timer = undefined;
    const calls = [...this.dirty].map((c) => summarize(c, viewerSchema.index));
    this.dirty.clear();
    const data = `event: calls\ndata: ${JSON.stringify(calls)}\n\n`;
    for (const c of this.clients) c.write(data);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = new URL(req.url ?? "/", "http://viewer").pathname;
      if (req.method !== "GET") return send(res, 405, "text/plain", "GET only");
      if (this.localOnly && !LOOPBACK.has(hostname(req.headers.host))) return send(res, 421, "text/plain", "the viewer answers to localhost names only");
      const file = STATIC[path];
      if (file !== undefined) return send(res, 200, file.type, await readFile(file.file));
      if (path === "/events") return this.events(req, res);
      if (path === "/api/calls") return json(res, this.capture.calls().map((c) => summarize(c, viewerSchema.index)));
      const m = /^\/api\/calls\/(\d+)$/.exec(path);
      if (m !== null) {
        const call = this.capture.get(Number(m[1]));
        return call === undefined ? send(res, 404, "text/plain", "no such call (the viewer keeps the last calls only)") : json(res, describeCall(call, viewerSchema.index));
      }
      if (path === "/docs/PROTOCOL.md") {
        const md = await readFile(new URL("docs/PROTOCOL.md", REPO), "utf8");
        return send(res, 200, "text/html; charset=utf-8", markdownPage("gRPC on the wire (docs/PROTOCOL.md)", md.replace(/\]\(images\//g, "](/docs/images/")));
      }
      const img = /^\/docs\/images\/([\w.-]+\.png)$/.exec(path);
      if (img !== null) return send(res, 200, "image/png", await readFile(new URL(`docs/images/${img[1]}`, REPO)));
      send(res, 404, "text/plain", "not found");
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
      send(res, missing ? 404 : 500, "text/plain", missing ? "not found" : String(err));
    }
  }

  private events(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
    res.write("retry: 1000\n\n");
    this.clients.add(res);
    req.once("close", () => this.clients.delete(res));
  }
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** The host name of a Host header, without its port. */
function hostname(host: string | undefined): string {
  if (host === undefined) return "";
  return host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.replace(/:\d+$/, "");
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff" });
  res.end(body);
}

function json(res: ServerResponse, value: unknown): void {
  send(res, 200, "application/json", JSON.stringify(value));
}
