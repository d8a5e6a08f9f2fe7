// Parses the command-line flags of gRPC's interop test descriptions (https://github.com/grpc/grpc/blob/master/doc/interop-test-descriptions.md "Client", "Server"): `--name=value`, `--name value`, `--name`.

import { parseArgs } from "node:util";

/** Flags that are true or false (`--use_tls`, `--use_tls=true`, `--use_tls=false`). */
const BOOLEAN_FLAGS = ["use_tls", "use_test_ca"] as const;

/**
 * The flags as strings, by name without the leading dashes (node:util parseArgs). A bare flag is "true".
 * Not strict: interop runners pass flags this implementation does not use (`--tls_cert_file`, …), and
 * those must not stop a run; a value given to one of them as a separate argument is ignored with it.
 */
export function parseFlags(argv: readonly string[]): Map<string, string> {
  const options = Object.fromEntries(BOOLEAN_FLAGS.map((name) => [name, { type: "boolean" as const }]));
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const flags = new Map<string, string>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.kind !== "option") continue;
    const next = tokens[i + 1];
    // A value flag written `--name value`: parseArgs (not told its type) reads the value as a positional.
    const isBoolean = (BOOLEAN_FLAGS as readonly string[]).includes(token.name);
    if (token.value === undefined && !isBoolean && next?.kind === "positional" && next.index === token.index + 1) {
      flags.set(token.name, next.value);
      i++;
    } else flags.set(token.name, token.value ?? "true");
  }
  return flags;
}

/** A BOOLEAN flag: "true"/"1" (or a bare `--flag`) is true. */
export function boolFlag(flags: Map<string, string>, name: string): boolean {
  const v = flags.get(name);
  return v === "true" || v === "1";
}
