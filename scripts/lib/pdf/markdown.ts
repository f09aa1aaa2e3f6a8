/**
 * Just enough Markdown for the sample corpus: ATX headings, paragraphs, bullet
 * and numbered lists, pipe tables, block quotes, fenced code and rules.
 * Inline markup is dropped (the PDF shows plain text, as a typeset paper would).
 */
export type Block =
  | { kind: "heading"; level: number; text: string }
  | { kind: "paragraph"; text: string }
  | { kind: "list"; ordered: boolean; items: string[] }
  | { kind: "table"; header: string[]; rows: string[][] }
  | { kind: "quote"; text: string }
  | { kind: "code"; text: string }
  | { kind: "rule" };

const BULLET = /^\s*[-*+]\s+/;
const NUMBERED = /^\s*\d+[.)]\s+/;

/** Splits Markdown into blocks. */
export function parseMarkdown(markdown: string): Block[] {
  const lines = markdown.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n").split("\n");
  const blocks: Block[] = [];
  let i = 0;
  const at = (n: number): string => lines[n] ?? "";
  while (i < lines.length) {
    const line = at(i);
    if (!line.trim()) {
      i++;
    } else if (line.startsWith("```")) {
      const body: string[] = [];
      for (i++; i < lines.length && !at(i).startsWith("```"); i++) body.push(at(i));
      i++;
      blocks.push({ kind: "code", text: body.join("\n") });
    } else if (/^#{1,6}\s/.test(line)) {
      const level = line.match(/^#+/)![0].length;
      blocks.push({ kind: "heading", level, text: inline(line.slice(level)) });
      i++;
    } else if (/^(-{3,}|\*{3,})\s*$/.test(line)) {
      blocks.push({ kind: "rule" });
      i++;
    } else if (line.trimStart().startsWith("|")) {
      const rows: string[][] = [];
      for (; i < lines.length && at(i).trimStart().startsWith("|"); i++) {
        if (/^\s*\|[\s:|-]+\|\s*$/.test(at(i))) continue; // the |---|---| separator
        rows.push(cells(at(i)));
      }
      blocks.push({ kind: "table", header: rows[0] ?? [], rows: rows.slice(1) });
    } else if (line.startsWith(">")) {
      const body: string[] = [];
      for (; i < lines.length && at(i).startsWith(">"); i++) body.push(at(i).replace(/^>\s?/, ""));
      blocks.push({ kind: "quote", text: inline(body.join(" ")) });
    } else if (BULLET.test(line) || NUMBERED.test(line)) {
      const ordered = NUMBERED.test(line);
      const marker = ordered ? NUMBERED : BULLET;
      const items: string[] = [];
      for (; i < lines.length && at(i).trim(); i++) {
        if (marker.test(at(i))) items.push(at(i).replace(marker, ""));
        else if (items.length > 0) items[items.length - 1] += ` ${at(i).trim()}`; // continuation line
      }
      blocks.push({ kind: "list", ordered, items: items.map(inline) });
    } else {
      const body: string[] = [];
      for (; i < lines.length && isParagraphLine(at(i)); i++) body.push(at(i).trim());
      blocks.push({ kind: "paragraph", text: inline(body.join(" ")) });
    }
  }
  return blocks;
}

function isParagraphLine(line: string): boolean {
  return (
    line.trim() !== "" &&
    !/^#{1,6}\s/.test(line) &&
    !line.startsWith("```") &&
    !line.startsWith(">") &&
    !line.trimStart().startsWith("|") &&
    !BULLET.test(line) &&
    !NUMBERED.test(line)
  );
}

function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\||\|$/g, "")
    .split("|")
    .map((c) => inline(c));
}

/** Drops inline markup: emphasis, code spans, links (their text stays). */
export function inline(text: string): string {
  return text
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1")
    .replace(/`([^`]*)`/g, "$1")
    .replace(/(\*\*|__)(.+?)\1/g, "$2")
    .replace(/(^|[^\w*])\*(?!\s)([^*]+?)\*(?!\w)/g, "$1$2")
    .replace(/(^|\W)_(?!\s)([^_]+?)_(?!\w)/g, "$1$2")
    .replace(/\s+/g, " ")
    .trim();
}
