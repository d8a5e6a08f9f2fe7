// Implements the interop server command of gRPC's interop test descriptions (https://github.com/grpc/grpc/blob/master/doc/interop-test-descriptions.md "Server"): flags --port and --use_tls (with the gRPC test certificate server1.pem).

import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Server } from "../server/server.js";
import { boolFlag, parseFlags } from "./flags.js";
import { TestService, testServiceImplementation } from "./test-service.js";

/** test/interop/certs: the gRPC test CA and server1 certificate (public test fixtures). */
export const TEST_CERTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../test/interop/certs");

export interface InteropServerOptions {
  /** 0 lets the OS choose. */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
  /** Serve TLS with server1.pem/server1.key (valid for *.test.google.fr). */
  useTls?: boolean;
}

export interface RunningInteropServer {
  readonly server: Server;
  readonly port: number;
}

/** Largest request the interop server accepts: 16 MiB, as grpc-java's interop server
 *  (TestServiceServer: `maxInboundMessageSize(AbstractInteropTest.MAX_MESSAGE_SIZE)`, 16 * 1024 * 1024).
 *  grpc-go's interop server (interop/server/server.go) sets no limit and keeps grpc-go's default, 4 MiB. */
export const INTEROP_MAX_RECEIVE_MESSAGE_SIZE = 16 * 1024 * 1024;

/** Starts a server with grpc.testing.TestService (and nothing else: UnimplementedService is unknown to it). */
export async function startInteropServer(options: InteropServerOptions = {}): Promise<RunningInteropServer> {
  const server = new Server({ maxReceiveMessageSize: INTEROP_MAX_RECEIVE_MESSAGE_SIZE });
  server.addService(TestService, testServiceImplementation);
  const tls = options.useTls
    ? { cert: readFileSync(path.join(TEST_CERTS_DIR, "server1.pem")), key: readFileSync(path.join(TEST_CERTS_DIR, "server1.key")) }
    : undefined;
  const port = await server.listen({ port: options.port ?? 0, host: options.host ?? "127.0.0.1", tls });
  return { server, port };
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const port = Number(flags.get("port") ?? "10000");
  const useTls = boolFlag(flags, "use_tls");
  // Clients dial "localhost", which may resolve to ::1 or 127.0.0.1: listen on both when we can.
  let running: RunningInteropServer;
  try {
    running = await startInteropServer({ port, host: flags.get("host") ?? "::", useTls });
  } catch {
    running = await startInteropServer({ port, host: "0.0.0.0", useTls });
  }
  console.log(`interop server listening on ${running.port} (${useTls ? "tls" : "plaintext"})`);
  const stop = (): void => {
    void running.server.shutdown(1000).then(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
