// The live gRPC protocol viewer: every call's PROTOCOL-HTTP2 frames in the browser
// (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md). Turned on like the text trace:
// `enableWireViewer()` in code, WIRE_VIEWER=1 for any program built on our Server or Channel,
// `npm start -- --viewer`, `userctl --viewer`. Off, it costs what the trace costs off: one boolean.

import { setWireObserver } from "../wire/trace.js";
import { Capture, type CaptureLimits } from "./capture.js";
import { ViewerServer } from "./http.js";
import { viewerSchema } from "./schema.js";

export { addViewerSchema } from "./schema.js";

export const DEFAULT_VIEWER_PORT = 8090;
export const DEFAULT_VIEWER_HOST = "127.0.0.1";

export interface WireViewerOptions {
  /** Default 8090; 0 = any free port. */
  readonly port?: number;
  /** Default 127.0.0.1: the page shows message contents, so it is local unless asked otherwise. */
  readonly host?: string;
  readonly limits?: Partial<CaptureLimits>;
  /** Where the "wire viewer: http://…" line goes. Default: stderr. */
  readonly log?: (line: string) => void;
}

export interface WireViewer {
  readonly capture: Capture;
  /** The page's address, once the viewer listens (rejects when the port is taken). */
  readonly url: Promise<string>;
  /** Keeps the process alive while the viewer serves (by default it does not). */
  hold(): void;
  /** Stops capturing and serving. */
  close(): Promise<void>;
}

let active: WireViewer | undefined;

/** Starts capturing every call of this process and serves the page; returns the running viewer if one is on. */
export function enableWireViewer(options: WireViewerOptions = {}): WireViewer {
  if (active !== undefined) return active;
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const host = options.host ?? DEFAULT_VIEWER_HOST;
  const port = options.port ?? DEFAULT_VIEWER_PORT;
  viewerSchema.enabled = true;
  const capture = new Capture(options.limits);
  setWireObserver(capture);
  const server = new ViewerServer(capture);
  const url = server.listen(port, host).then(
    (u) => {
      log(`wire viewer: ${u}`);
      return u;
    },
    (err: unknown) => {
      log(`wire viewer: cannot listen on ${host}:${port}: ${err instanceof Error ? err.message : String(err)} (capture stopped)`);
      void viewer.close(); // nothing would show what it captured
      throw err;
    },
  );
  url.catch(() => undefined);
  const viewer: WireViewer = {
    capture,
    url,
    hold: () => server.hold(),
    close: async () => {
      if (active === viewer) active = undefined;
      setWireObserver(undefined);
      viewerSchema.enabled = false;
      await server.close();
    },
  };
  active = viewer;
  return viewer;
}

/** The running viewer, if any. */
export function activeWireViewer(): WireViewer | undefined {
  return active;
}

/** WIRE_VIEWER=1 (WIRE_VIEWER_PORT, WIRE_VIEWER_HOST): called when a Server or Channel is created. */
export function enableWireViewerFromEnv(env: NodeJS.ProcessEnv = process.env): void {
  if (active !== undefined || !(env.WIRE_VIEWER === "1" || env.WIRE_VIEWER === "true")) return;
  const port = Number(env.WIRE_VIEWER_PORT ?? DEFAULT_VIEWER_PORT);
  enableWireViewer({ port: Number.isInteger(port) && port >= 0 && port < 65536 ? port : DEFAULT_VIEWER_PORT, host: env.WIRE_VIEWER_HOST || DEFAULT_VIEWER_HOST });
}
