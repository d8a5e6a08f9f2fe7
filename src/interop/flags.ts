// Parses the command-line flags of gRPC's interop test descriptions (https://github.com/grpc/grpc/blob/master/doc/interop-test-descriptions.md "Client", "Server"): `--name=value`, `--name value`, `--name`.

/** The flags as strings, by name without the leading dashes. */
export function parseFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("-")) continue;
    const name = a.replace(/^--?/, "");
    const eq = name.indexOf("=");
    if (eq >= 0) flags.set(name.slice(0, eq), name.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1].startsWith("-")) flags.set(name, argv[++i]);
    else flags.set(name, "true");
  }
  return flags;
}

/** A BOOLEAN flag: "true"/"1" (or a bare `--flag`) is true. */
export function boolFlag(flags: Map<string, string>, name: string): boolean {
  const v = flags.get(name);
  return v === "true" || v === "1";
}
