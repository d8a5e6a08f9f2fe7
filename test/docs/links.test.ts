// The docs point at things that exist: every relative link (file, folder, #anchor), every
// `npm run X` names a script of package.json, every `npx X` runs a locally installed bin (never a
// registry lookup). README.md, docs/*.md, and the examples' opening comments.

import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, anchors, codeBlocks, docFiles, prose, read } from "./markdown.js";

const scripts = Object.keys((JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts);
const exampleFiles = readdirSync(path.join(ROOT, "examples")).filter((f) => f.endsWith(".ts")).map((f) => `examples/${f}`);

/** Line number of an offset. */
const lineOf = (text: string, index: number): number => text.slice(0, index).split("\n").length;

describe("docs", () => {
  it("every relative link points at a file or folder that exists, and every #anchor at a heading", () => {
    const broken: string[] = [];
    let checked = 0;
    for (const file of docFiles()) {
      const text = prose(read(file));
      const targets: Array<{ target: string; at: number }> = [];
      for (const m of text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push({ target: m[1], at: m.index });
      for (const m of text.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)) targets.push({ target: m[1], at: m.index });
      for (const { target, at } of targets) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
        checked++;
        const where = `${file}:${lineOf(text, at)} → ${target}`;
        const hash = target.indexOf("#");
        const rel = decodeURIComponent(hash >= 0 ? target.slice(0, hash) : target);
        const anchor = hash >= 0 ? target.slice(hash + 1) : "";
        const resolved = rel === "" ? path.join(ROOT, file) : path.resolve(ROOT, path.dirname(file), rel);
        if (!existsSync(resolved)) {
          broken.push(`${where}: no such file`);
          continue;
        }
        if (anchor === "" || /^L\d+(-L\d+)?$/.test(anchor)) continue;
        if (!statSync(resolved).isFile() || !resolved.endsWith(".md")) {
          broken.push(`${where}: #anchor into a file that is not markdown`);
          continue;
        }
        const known = anchors(read(path.relative(ROOT, resolved)));
        if (!known.has(anchor)) broken.push(`${where}: no heading with anchor #${anchor}`);
      }
    }
    expect(broken).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  });

  it("every `npm run X` is a script of package.json, and `npx` never asks the registry", () => {
    const wrong: string[] = [];
    for (const file of [...docFiles(), ...exampleFiles, "src/service/start-banner.ts"]) {
      const text = read(file);
      for (const m of text.matchAll(/\bnpm run(?:\s+-s)?\s+([\w:.-]+)/g)) {
        if (!scripts.includes(m[1])) wrong.push(`${file}:${lineOf(text, m.index)}: npm run ${m[1]}: no such script in package.json`);
      }
      for (const m of text.matchAll(/\bnpm (start|test)\b/g)) if (!scripts.includes(m[1])) wrong.push(`${file}: npm ${m[1]}: no such script`);
      // Commands are in code: fenced blocks, inline code spans, and (in .ts files) comments.
      const code = file.endsWith(".md") ? [...codeBlocks(file, text).map((b) => b.code), ...[...text.matchAll(/`([^`\n]+)`/g)].map((c) => c[1])].join("\n") : text;
      for (const m of code.matchAll(/\bnpx\s+(\S+)/g)) {
        const bin = m[1];
        if (bin === "--no-install" || bin.startsWith("<")) continue; // a placeholder like `npx <bin>`
        if (!existsSync(path.join(ROOT, "node_modules/.bin", bin))) {
          wrong.push(`${file}: npx ${bin}: not a local bin, so npx would look it up in the public registry (use npm run …, or npx --no-install …)`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
