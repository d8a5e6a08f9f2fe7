// Test support: reads the README and docs/*.md as a newcomer does: fenced code blocks (with their
// info string: "ts runnable server" is language `ts`, flags `runnable` and `server`), headings and
// their GitHub anchors, relative links.

import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** README.md and every docs/*.md, relative to the repository root. */
export function docFiles(): string[] {
  return ["README.md", ...readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
}

export interface CodeBlock {
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly lang: string;
  readonly flags: readonly string[];
  readonly code: string;
}

/** The fenced blocks (``` or ~~~, possibly indented) of a markdown text. */
export function codeBlocks(file: string, text: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, info] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !(lines[j].trim().startsWith(fence) && lines[j].trim().replace(/[`~]/g, "") === ""); j++) {
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
    }
    const [lang = "", ...flags] = info.trim().split(/\s+/).filter((w) => w !== "");
    blocks.push({ file, line: i + 1, lang, flags, code: body.join("\n") });
    i = j;
  }
  return blocks;
}

/** The lines of a markdown text with every fenced block's lines blanked (line numbers kept). */
function outsideFences(text: string): string[] {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of text.split("\n")) {
    const m = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence === undefined && m) {
      fence = m[1];
      out.push("");
    } else if (fence !== undefined) {
      if (m && line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, "") === "") fence = undefined;
      out.push("");
    } else out.push(line);
  }
  return out;
}

/** The text outside fenced blocks and inline code spans: where links and prose live. */
export function prose(text: string): string {
  return outsideFences(text)
    .map((l) => l.replace(/`[^`]*`/g, "``"))
    .join("\n");
}

/** GitHub's anchors for the headings of a markdown text (lowercase, punctuation dropped, spaces → `-`, repeats numbered). */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of outsideFences(text)) {
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const title = h[1].replace(/`/g, "").replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/<[^>]+>/g, "");
    const base = title.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const m of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) out.add(m[1]);
  return out;
}

export function read(file: string): string {
  return readFileSync(path.join(ROOT, file), "utf8");
}
