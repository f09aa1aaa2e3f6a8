/**
 * Reads the README's command blocks for `npm run test:readme` (scripts/readme-test.ts): pure
 * parsing, no I/O, so a node test can pin the convention.
 *
 * The convention, in the README: every ```sh / ```bash block of a `## ` section not excluded by
 * name is preceded by one HTML comment (invisible on GitHub) saying what each `curl` in it answers,
 * one step per curl, in order, separated by `;`:
 *
 *   <!-- readme-test: 201 KEY=.api_key.key; 200; 202 DOC_ID=.document.id until:.status=ready -->
 *
 * A step is the expected HTTP status, then any of:
 *   NAME=.path        save that JSON field of the answer as $NAME for later commands
 *                     (`.a.b`, `.data[0].id`, `.data.0.id`);
 *   until:.path=V     repeat the command (every second) until that field is V (or one of `V1|V2`),
 *                     at most `within:S` seconds (default 300); every answer must have the status.
 * `<!-- readme-test: skip REASON -->` leaves a block out (counted and printed, never silently).
 * Commands that are not curl (no step) run too and must exit 0.
 *
 * A route the same sections name in prose (`` `DELETE /api/documents/:id` ``) must have an executed
 * example too: {@link documentedRoutes} and {@link missingRoutes}.
 */

export interface Step {
  status: number;
  saves: { name: string; path: string }[];
  until?: { path: string; values: string[]; withinS: number };
}

export interface Command {
  text: string;
  isCurl: boolean;
  step?: Step;
}

export interface Block {
  section: string;
  /** 1-based line of the opening fence. */
  line: number;
  skip?: string;
  commands: Command[];
}

/** Splits shell text into commands: newlines end a command unless quoted or escaped; `#` comments go. */
export function splitCommands(script: string): string[] {
  const commands: string[] = [];
  let current = "";
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < script.length; i++) {
    const ch = script[i]!;
    if (quote) {
      if (ch === "\\" && quote === '"' && i + 1 < script.length) {
        current += ch + script[++i];
        continue;
      }
      if (ch === quote) quote = null;
      current += ch;
      continue;
    }
    if (ch === "\\" && script[i + 1] === "\n") {
      i++;
      current += " ";
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      current += ch;
      continue;
    }
    if (ch === "#" && (current === "" || /\s$/.test(current))) {
      while (i + 1 < script.length && script[i + 1] !== "\n") i++;
      continue;
    }
    if (ch === "\n") {
      if (current.trim()) commands.push(current.trim());
      current = "";
      continue;
    }
    current += ch;
  }
  if (quote) throw new Error(`unterminated ${quote} quote in: ${current.slice(0, 80)}`);
  if (current.trim()) commands.push(current.trim());
  return commands;
}

export function parseStep(text: string): Step {
  const tokens = text.trim().split(/\s+/);
  const status = Number(tokens.shift());
  if (!Number.isInteger(status) || status < 100 || status > 599) throw new Error(`a step starts with an HTTP status: "${text}"`);
  const step: Step = { status, saves: [] };
  let withinS = 300;
  for (const token of tokens) {
    let m: RegExpMatchArray | null;
    if ((m = token.match(/^until:(\.[^=]+)=(.+)$/))) step.until = { path: m[1]!, values: m[2]!.split("|"), withinS };
    else if ((m = token.match(/^within:(\d+)$/))) withinS = Number(m[1]);
    else if ((m = token.match(/^([A-Z][A-Z0-9_]*)=(\..+)$/))) step.saves.push({ name: m[1]!, path: m[2]! });
    else throw new Error(`unknown token "${token}" in step "${text}"`);
  }
  if (step.until) step.until.withinS = withinS;
  return step;
}

/** Reads a JSON path like `.a.b[0].c` or `.a.b.0.c`; undefined when any part is missing. */
export function readPath(value: unknown, path: string): unknown {
  const parts = path
    .replace(/\[(\d+)\]/g, ".$1")
    .split(".")
    .filter(Boolean);
  let v: any = value;
  for (const p of parts) {
    if (v === null || typeof v !== "object") return undefined;
    v = v[p];
  }
  return v;
}

/**
 * Every sh/bash block of the README's `## ` sections except the excluded ones, with its commands
 * and their steps. Throws on a block without a directive, or with a step count unlike its curls.
 */
export function readBlocks(markdown: string, excludedSections: readonly string[]): Block[] {
  const lines = markdown.split("\n");
  const blocks: Block[] = [];
  let section = "";
  let pending: { text: string; line: number } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heading = line.match(/^## (.+)$/);
    if (heading) {
      section = heading[1]!.trim();
      pending = null;
      continue;
    }
    if (line.trimStart().startsWith("<!-- readme-test:")) {
      let text = line;
      const start = i;
      while (!text.includes("-->") && i + 1 < lines.length) text += "\n" + lines[++i];
      pending = { text: text.replace(/^\s*<!-- readme-test:/, "").replace(/-->\s*$/, "").trim(), line: start + 1 };
      continue;
    }
    const fence = line.match(/^```(\w*)\s*$/);
    if (!fence) {
      if (line.trim() && pending && !line.trim().startsWith("<!--")) pending = null;
      continue;
    }
    const lang = fence[1];
    const open = i + 1;
    const body: string[] = [];
    while (i + 1 < lines.length && !/^```\s*$/.test(lines[i + 1]!)) body.push(lines[++i]!);
    i++;
    const directive = pending;
    pending = null;
    if (lang !== "sh" && lang !== "bash") continue;
    if (!section || excludedSections.includes(section)) continue;
    if (!directive) throw new Error(`README line ${open} (${section}): a command block without a <!-- readme-test: … --> comment before it`);
    if (/^skip\b/.test(directive.text)) {
      blocks.push({ section, line: open, skip: directive.text.replace(/^skip\s*/, "") || "no reason given", commands: [] });
      continue;
    }
    const steps = directive.text.split(";").map((s) => s.trim()).filter(Boolean).map(parseStep);
    const commands: Command[] = splitCommands(body.join("\n")).map((text) => ({ text, isCurl: /^curl\s/.test(text) }));
    const curls = commands.filter((c) => c.isCurl);
    if (curls.length !== steps.length) {
      throw new Error(`README line ${open} (${section}): ${curls.length} curl command(s) but ${steps.length} step(s) in the readme-test comment (line ${directive.line})`);
    }
    curls.forEach((c, k) => (c.step = steps[k]));
    blocks.push({ section, line: open, commands });
  }
  return blocks;
}

/** The sections' `## ` titles and text, the excluded ones left out. */
function sections(markdown: string, excludedSections: readonly string[]): { title: string; text: string }[] {
  const out: { title: string; text: string }[] = [];
  for (const part of markdown.split(/^## /m).slice(1)) {
    const title = part.slice(0, part.indexOf("\n")).trim();
    if (!excludedSections.includes(title)) out.push({ title, text: part });
  }
  return out;
}

/** Routes named in backticks in the prose of the sections (`METHOD /path`, `:param` or `{param}` segments). */
export function documentedRoutes(markdown: string, excludedSections: readonly string[]): string[] {
  const routes = new Set<string>();
  for (const { text } of sections(markdown, excludedSections)) {
    const prose = text.replace(/^```[\s\S]*?^```\s*$/gm, "");
    for (const m of prose.matchAll(/`(GET|POST|PUT|PATCH|DELETE) (\/[^`\s?]*)/g)) routes.add(`${m[1]} ${normalizeRoute(m[2]!)}`);
  }
  return [...routes].sort();
}

/** `/api/documents/:id`, `/api/documents/{id}` and `/api/documents/$DOC_ID` all read `/api/documents/{…}`. */
export function normalizeRoute(path: string): string {
  return path
    .split("/")
    .map((seg) => (/^(:\w+|\{[^}]*\}|\$\{?[A-Z_][A-Z0-9_]*\}?)$/.test(seg) ? "{…}" : seg))
    .join("/");
}

/** The documented routes no executed command matched; `{…}` in either stands for any one segment. */
export function missingRoutes(documented: readonly string[], executed: readonly string[]): string[] {
  const segs = (r: string) => r.split(/[ /]/);
  const matches = (doc: string, run: string) => {
    const a = segs(doc);
    const b = segs(run);
    return a.length === b.length && a.every((x, i) => x === b[i] || x === "{…}" || b[i] === "{…}");
  };
  return documented.filter((doc) => !executed.some((run) => matches(doc, run)));
}
