// Serves docs/PROTOCOL.md (our walk through PROTOCOL-HTTP2,
// https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md) as a plain HTML page with
// GitHub's heading anchors, so the viewer's "docs/PROTOCOL.md: …" links land on their section.

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function escape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Inline markdown: `code`, **bold**, a list item's dash, ![alt](src), [text](href). Everything else is escaped text. */
function inline(s: string): string {
  return escape(s)
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*]+)\*\*/g, "<b>$1</b>")
    .replace(/^- /, "• ")
    .replace(/!\[([^\]]*)\]\(([^)\s]+)\)/g, '<img alt="$1" src="$2">')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '<a href="$2">$1</a>');
}

/** Headings, fenced code, tables as preformatted text, paragraphs: enough for docs/PROTOCOL.md. */
export function markdownPage(title: string, markdown: string): string {
  const out: string[] = [];
  let fence = false;
  let para: string[] = [];
  const flush = (): void => {
    if (para.length > 0) out.push(`<p>${para.map(inline).join("<br>")}</p>`);
    para = [];
  };
  for (const line of markdown.split("\n")) {
    if (line.trimStart().startsWith("```")) {
      flush();
      out.push(fence ? "</pre>" : "<pre>");
      fence = !fence;
      continue;
    }
    if (fence) {
      out.push(escape(line));
      continue;
    }
    const h = /^(#{1,6})\s+(.*)$/.exec(line);
    if (h !== null) {
      flush();
      const text = h[2];
      out.push(`<h${h[1].length} id="${slug(text.replace(/`/g, ""))}">${inline(text)}</h${h[1].length}>`);
    } else if (line.trim() === "") flush();
    else para.push(line);
  }
  flush();
  return `<!doctype html><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}pre{background:#f4f4f4;padding:.6rem;overflow:auto}code{background:#f4f4f4}img{max-width:100%}</style>
${out.join("\n")}`;
}
