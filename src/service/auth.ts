// Bearer-token authentication: `authorization: Bearer <token>` metadata checked against AUTH_TOKENS.
//
// Tokens are compared in constant time: both sides are first hashed to fixed-length SHA-256 digests
// (comparing raw tokens would leak their length), the digests are compared with no early exit (every
// character of both, OR-ing the differences), and every configured token is compared, so the time
// taken does not say which one matched or how far it matched. The digests are base64 strings (44
// characters) compared in JavaScript: crypto.timingSafeEqual needs Buffers, and a digest Buffer per
// call cost more than the hash itself (1.0 µs vs 0.34 µs per check, measured). Even a leaky compare
// of digests would reveal only digest bytes, which say nothing usable about the token.
// Tokens are never kept in a form that could be logged: only their digests and roles.

import { hash, randomBytes } from "node:crypto";
import type { RoleName } from "./roles.js";

/** Who is calling: the role of the token, and which configured token it was (its position, 1-based,
 *  safe to log — never the token itself). */
export interface Principal {
  readonly role: RoleName;
  readonly tokenNumber: number;
}

export interface TokenEntry {
  readonly token: string;
  readonly role: RoleName;
}

export type ParsedTokens = { readonly ok: true; readonly entries: TokenEntry[] } | { readonly ok: false; readonly error: string };

const ROLE_NAMES: ReadonlySet<string> = new Set(["admin", "moderator", "user"]);

/** Parses AUTH_TOKENS: `token=role,token=role`, roles admin, moderator, user. Whitespace around items is
 *  ignored; a token may itself contain '=' (the last '=' separates the role). Errors never quote a token. */
export function parseAuthTokens(text: string): ParsedTokens {
  const entries: TokenEntry[] = [];
  const seen = new Set<string>();
  const items = text.split(",");
  for (let i = 0; i < items.length; i++) {
    const item = items[i].trim();
    if (item === "") continue;
    const eq = item.lastIndexOf("=");
    if (eq <= 0) return { ok: false, error: `AUTH_TOKENS item ${i + 1} is not token=role` };
    const token = item.slice(0, eq).trim();
    const role = item.slice(eq + 1).trim().toLowerCase();
    if (token === "") return { ok: false, error: `AUTH_TOKENS item ${i + 1} has an empty token` };
    if (/\s/.test(token)) return { ok: false, error: `AUTH_TOKENS item ${i + 1}: a token cannot contain whitespace` };
    if (!ROLE_NAMES.has(role)) {
      return { ok: false, error: `AUTH_TOKENS item ${i + 1} has role "${role}": use admin, moderator or user` };
    }
    if (seen.has(token)) return { ok: false, error: `AUTH_TOKENS item ${i + 1} repeats an earlier token` };
    seen.add(token);
    entries.push({ token, role: role as RoleName });
  }
  if (entries.length === 0) return { ok: false, error: "AUTH_TOKENS has no token=role item" };
  return { ok: true, entries };
}

/** A fresh random token (192 bits, base64url). */
export function generateToken(): string {
  return randomBytes(24).toString("base64url");
}

/** The token of an `authorization` value `Bearer <token>` (scheme in any case), or undefined. */
export function parseBearer(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
  return m === null ? undefined : m[1];
}

// One-shot crypto.hash (Node ≥ 20.12): no Hash object per call, unlike createHash().update().digest().
function digest(token: string): string {
  return hash("sha256", token, "base64");
}

const DIGEST_LENGTH = 44; // base64 of 32 bytes, padded

/** Equal digests? Every character of both is read and the differences OR-ed: no early exit, the same
 *  work whatever the inputs (both are always DIGEST_LENGTH characters long). */
export function digestsEqual(a: string, b: string): boolean {
  let diff = a.length ^ DIGEST_LENGTH | b.length ^ DIGEST_LENGTH;
  for (let i = 0; i < DIGEST_LENGTH; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export class TokenAuthenticator {
  private readonly digests: string[];
  private readonly roles: RoleName[];
  /** One frozen principal per token, shared by its calls (no object per call). */
  private readonly principals: Principal[];

  constructor(entries: readonly TokenEntry[]) {
    this.digests = entries.map((e) => digest(e.token));
    this.roles = entries.map((e) => e.role);
    this.principals = entries.map((e, i) => Object.freeze({ role: e.role, tokenNumber: i + 1 }));
  }

  /** The principal of an `authorization` header value, or undefined when it is missing, malformed or
   *  names no configured token. */
  authenticate(authorization: string | undefined): Principal | undefined {
    const token = parseBearer(authorization);
    if (token === undefined) return undefined;
    const d = digest(token);
    let found = -1;
    // No early exit: every configured token is compared.
    for (let i = 0; i < this.digests.length; i++) {
      if (digestsEqual(d, this.digests[i]) && found < 0) found = i;
    }
    return found < 0 ? undefined : this.principals[found];
  }

  get size(): number {
    return this.digests.length;
  }
}
