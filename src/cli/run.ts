// userctl: every RPC of user.UserService (and a health check) from the shell, printing proto3 JSON.
// Exit status: 0 on success; the gRPC status code (1-16) when a call fails; 64 on a usage error.

import { readFileSync, createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { Channel, type ChannelTlsOptions } from "../client/channel.js";
import { Client } from "../client/client.js";
import { clientMethods } from "../client/types.js";
import { ServingStatus } from "../schema/health.js";
import { HealthServiceDescriptor } from "../service/health.js";
import { UserServiceClient } from "../service/user-client.js";
import { GrpcError } from "../wire/grpc-error.js";
import { enableWireTrace } from "../wire/trace.js";
import { DescriptorSet } from "../service/descriptor-set.js";
import { addViewerSchema, DEFAULT_VIEWER_HOST, DEFAULT_VIEWER_PORT, enableWireViewer } from "../viewer/index.js";
import { Metadata } from "../wire/metadata.js";
import { Status, statusName } from "../wire/status.js";
import { parseCreateLine, parseRoleValue, parseUpdateLine, userToJson, type Json } from "./json.js";

export const EXIT_USAGE = 64;

/** Where userctl reads and writes; tests pass their own. */
export interface CliIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

export const USAGE = `usage: userctl [global flags] <command> [args]

commands:
  create --username U --email E [--full-name N] [--role user|admin|moderator]
  get <id>
  list [--role R] [--limit N]            one JSON user per line, in creation order
  batch [file]                           JSON lines of users from file (or stdin), created all or nothing
  update                                 JSON lines {"user_id","field","value"} from stdin; one answer per line
  delete <id>
  health [service]                       grpc.health.v1 Check ("" = the whole server)

global flags (environment variable in brackets):
  --target TARGET       server address [USERCTL_TARGET] (default localhost:50051): host:port,
                        dns:///host:port, ipv4:a:p,b:p, ipv6:[a]:p,…, unix:/path
  --service-config FILE gRPC service config JSON (load balancing, health checking, timeouts, retries)
                        [USERCTL_SERVICE_CONFIG]
  --token T             bearer token [USERCTL_TOKEN]
  --timeout MS          deadline of the call (default none)
  --request-id ID       x-request-id to send
  --tls                 use TLS (system roots unless --ca)
  --ca FILE             trusted CA (PEM); implies --tls
  --cert FILE --key FILE  client certificate for mutual TLS; implies --tls
  --server-name NAME    name to check in the server certificate
  --trace               print the call's HTTP/2 frames and decoded messages on stderr [GRPC_WIRE_TRACE=1]
  --viewer              show the call's frames and messages in the browser: prints the viewer's URL,
                        and after the command keeps serving it until Ctrl-C [WIRE_VIEWER=1]
  --viewer-port N       the viewer's port [WIRE_VIEWER_PORT] (default 8090; 0 = any free port)
  --viewer-host H       the viewer's address [WIRE_VIEWER_HOST] (default 127.0.0.1)

exit status: 0 ok, 1-16 the gRPC status code of a failed call, ${EXIT_USAGE} usage error.`;

const GLOBAL_OPTIONS = {
  target: { type: "string" },
  "service-config": { type: "string" },
  token: { type: "string" },
  timeout: { type: "string" },
  "request-id": { type: "string" },
  tls: { type: "boolean" },
  ca: { type: "string" },
  cert: { type: "string" },
  key: { type: "string" },
  "server-name": { type: "string" },
  trace: { type: "boolean" },
  viewer: { type: "boolean" },
  "viewer-port": { type: "string" },
  "viewer-host": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const COMMAND_OPTIONS = {
  username: { type: "string" },
  email: { type: "string" },
  "full-name": { type: "string" },
  role: { type: "string" },
  limit: { type: "string" },
} as const;

class UsageError extends Error {}

/** Reads a PEM file named by a flag; a missing file is a usage error naming the flag. */
function pem(flag: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new UsageError(`cannot read ${flag} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function tlsOptions(v: { tls?: boolean; ca?: string; cert?: string; key?: string; "server-name"?: string }): boolean | ChannelTlsOptions | undefined {
  if ((v.cert === undefined) !== (v.key === undefined)) throw new UsageError("--cert and --key go together");
  if (!v.tls && v.ca === undefined && v.cert === undefined) return undefined;
  const o: ChannelTlsOptions = {};
  if (v.ca !== undefined) o.ca = pem("--ca", v.ca);
  if (v.cert !== undefined && v.key !== undefined) {
    o.cert = pem("--cert", v.cert);
    o.key = pem("--key", v.key);
  }
  if (v["server-name"] !== undefined) o.serverName = v["server-name"];
  return Object.keys(o).length === 0 ? true : o;
}

async function* lines(input: NodeJS.ReadableStream): AsyncGenerator<{ text: string; n: number }> {
  let n = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    n++;
    if (line.trim() !== "") yield { text: line, n };
  }
}

/** `--viewer`: the browser viewer of this process's calls (src/viewer/), decoding user.proto messages and status details by name. */
async function startViewer(portText: string | undefined, host: string | undefined, io: CliIo): Promise<void> {
  const port = Number(portText ?? DEFAULT_VIEWER_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError("--viewer-port must be a port number (0-65535)");
  const viewer = enableWireViewer({ port, host: host || DEFAULT_VIEWER_HOST, log: io.err });
  addViewerSchema(DescriptorSet.declared(["user.proto", "grpc/health/v1/health.proto", "google/rpc/status.proto", "google/rpc/error_details.proto"])!);
  await viewer.url.catch(() => {
    throw new UsageError(`the wire viewer cannot listen on ${host || DEFAULT_VIEWER_HOST}:${port} (try --viewer-port 0)`);
  });
}

/** What to do about UNAUTHENTICATED: where a token goes and where it comes from. */
function tokenHint(argv: readonly string[], env: NodeJS.ProcessEnv): string {
  const given = argv.some((a) => a === "--token" || a.startsWith("--token=")) || (env.USERCTL_TOKEN ?? "") !== "";
  const source = "npm start prints a generated admin token when AUTH_TOKENS is unset; otherwise use a token=role pair of the server's AUTH_TOKENS";
  return given
    ? `the server does not know this token (--token or USERCTL_TOKEN): ${source}`
    : `no token given: pass --token=<token> or set USERCTL_TOKEN; ${source}`;
}

/** What to check when the server cannot be reached: the address, and TLS flags matching the server's. */
function connectHint(argv: readonly string[], env: NodeJS.ProcessEnv): string {
  const has = (flag: string): boolean => argv.some((a) => a === flag || a.startsWith(`${flag}=`));
  const target = argv.find((a, i) => argv[i - 1] === "--target") ?? argv.find((a) => a.startsWith("--target="))?.slice(9) ?? env.USERCTL_TARGET ?? "localhost:50051";
  const tls = has("--tls") || has("--ca") || has("--cert")
    ? "if the server uses plaintext (no TLS_CERT), leave out --tls/--ca; with mutual TLS (TLS_CLIENT_CA) add --cert and --key"
    : "if the server uses TLS (npm start says \"(TLS)\" or \"(mutual TLS)\"), add --ca <its CA file> (and --cert/--key for mutual TLS)";
  return `is the user service running at ${target} (--target or USERCTL_TARGET; npm start prints its address)? ${tls}`;
}

/** Runs one userctl invocation; resolves with the exit status. */
export async function runUserctl(argv: readonly string[], io: CliIo): Promise<number> {
  let client: UserServiceClient | undefined;
  try {
    const { values: g, positionals } = parseArgs({ args: [...argv], options: { ...GLOBAL_OPTIONS, ...COMMAND_OPTIONS }, allowPositionals: true, strict: true });
    const [command, ...args] = positionals;
    if (g.help || command === undefined) {
      (g.help ? io.out : io.err)(USAGE);
      return g.help ? 0 : EXIT_USAGE;
    }
    if (g.trace) enableWireTrace(io.err);
    if (g.viewer || io.env.WIRE_VIEWER === "1" || io.env.WIRE_VIEWER === "true") await startViewer(g["viewer-port"] ?? io.env.WIRE_VIEWER_PORT, g["viewer-host"] ?? io.env.WIRE_VIEWER_HOST, io);
    const timeoutMs = g.timeout === undefined ? undefined : Number(g.timeout);
    if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) throw new UsageError("--timeout must be a positive number of ms");
    const target = g.target ?? io.env.USERCTL_TARGET ?? "localhost:50051";
    const token = g.token ?? io.env.USERCTL_TOKEN;
    const tls = tlsOptions(g);
    const metadata = new Metadata();
    if (g["request-id"] !== undefined) metadata.set("x-request-id", g["request-id"]);
    const callOptions = { metadata, ...(timeoutMs === undefined ? {} : { timeoutMs }) };
    const configFile = g["service-config"] ?? io.env.USERCTL_SERVICE_CONFIG;
    let serviceConfig: string | undefined;
    if (configFile !== undefined) {
      try {
        serviceConfig = readFileSync(configFile, "utf8");
      } catch (err) {
        throw new UsageError(`--service-config: ${(err as Error).message}`);
      }
    }
    let channel: Channel;
    try {
      channel = new Channel(target, { ...(tls === undefined ? {} : { tls }), ...(serviceConfig === undefined ? {} : { serviceConfig }) });
    } catch (err) {
      // A bad target or service config: a usage error, named.
      throw new UsageError((err as Error).message);
    }
    client = new UserServiceClient({ channel, ...(token === undefined ? {} : { token }) });
    const print = (v: Json): void => io.out(JSON.stringify(v));

    switch (command) {
      case "create": {
        if (g.username === undefined || g.email === undefined) throw new UsageError("create needs --username and --email");
        const role = parseRoleValue(g.role);
        if (!role.ok) throw new UsageError(role.error);
        const u = await client.createUser({ username: g.username, email: g.email, fullName: g["full-name"] ?? "", role: role.value }, callOptions);
        print(userToJson(u));
        return 0;
      }
      case "get":
      case "delete": {
        if (args.length !== 1) throw new UsageError(`${command} needs exactly one id`);
        if (command === "get") print(userToJson(await client.getUser(args[0], callOptions)));
        else print({ success: (await client.deleteUser(args[0], callOptions)).success });
        return 0;
      }
      case "list": {
        const limit = g.limit === undefined ? 0 : Number(g.limit);
        if (!Number.isInteger(limit)) throw new UsageError("--limit must be a whole number");
        for await (const u of client.listUsers({ roleFilter: g.role ?? "", limit }, callOptions)) print(userToJson(u));
        return 0;
      }
      case "batch": {
        if (args.length > 1) throw new UsageError("batch takes at most one file");
        const input = args.length === 0 || args[0] === "-" ? io.stdin : createReadStream(args[0]);
        const batch = client.batchCreateUsers(callOptions);
        for await (const { text, n } of lines(input)) {
          const req = parseCreateLine(text);
          if (!req.ok) {
            batch.cancel();
            throw new UsageError(`line ${n}: ${req.error}`);
          }
          await batch.send(req.value);
        }
        const r = await batch.closeAndRecv();
        print({ createdCount: r.createdCount, userIds: r.userIds });
        return 0;
      }
      case "update": {
        const stream = client.streamUserUpdates(callOptions);
        // Read answers while sending (pipelined); a bad input line stops sending but keeps the answers so far.
        const answers = (async () => {
          for await (const r of stream) print({ userId: r.userId, success: r.success, message: r.message });
        })();
        answers.catch(() => undefined); // awaited below; the call's error is reported from there
        let badLine: string | undefined;
        try {
          for await (const { text, n } of lines(io.stdin)) {
            const req = parseUpdateLine(text);
            if (!req.ok) {
              badLine = `line ${n}: ${req.error}`;
              break;
            }
            await stream.send(req.value);
          }
        } catch {
          // The call failed while sending: `answers` rejects with its status.
        }
        stream.end();
        await answers;
        if (badLine !== undefined) throw new UsageError(badLine);
        // The call succeeded; updates that failed say so in their own line ("success": false).
        return 0;
      }
      case "health": {
        const health = new Client(channel);
        const m = clientMethods(HealthServiceDescriptor);
        const r = await health.unary(m.Check, { service: args[0] ?? "" }, callOptions);
        const name = Object.entries(ServingStatus).find(([, v]) => v === r.status)?.[0] ?? r.status;
        print({ status: name });
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err instanceof TypeError && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS"))) {
      io.err(`userctl: ${err.message}\n(userctl --help for usage)`);
      return EXIT_USAGE;
    }
    const e = GrpcError.from(err);
    const detail: { [key: string]: Json } = { code: statusName(e.code), status: e.code, message: e.rawMessage };
    const bad = e.badRequest;
    if (bad !== undefined) detail.fieldViolations = bad.fieldViolations.map((v) => ({ field: v.field, description: v.description }));
    if (e.code === Status.UNAUTHENTICATED) detail.hint = tokenHint(argv, io.env);
    if (e.code === Status.UNAVAILABLE) detail.hint = connectHint(argv, io.env);
    io.err(JSON.stringify({ error: detail }));
    return e.code;
  } finally {
    await client?.channel.close();
  }
}
