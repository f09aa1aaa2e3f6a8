import { hash32 } from "../ids";
import { extractiveAnswer, questionFrom } from "./answers";
import type { Category } from "./categories";
import { findCitations, findIds, findNames, findNumbers, findYears, type Citation } from "./citations";
import type { ContextSentence, GenContext } from "./context";
import { capitalisedPhrases, keyPhrase, titleFor } from "./phrases";
import type { JsonSchema } from "./schema";
import { contentWords, identifierWords, overlap, truncateWords, words } from "./text";

/** What an array item (or the whole document) is about: a sentence, maybe a citation. */
export interface Focus {
  index: number;
  sentence?: string;
  citation?: Citation;
  /** A quoted name the item is about ("Come Together"), and the text right after it. */
  phrase?: string;
  window?: string;
}

/** Shared state while filling one schema. */
export interface FillScope {
  ctx: GenContext;
  /** Content sentences by relevance, rotated by the choice variant. */
  ranked: ContextSentence[];
}

function focusSentence(scope: FillScope, focus: Focus): string {
  return focus.sentence ?? scope.ranked[focus.index % Math.max(1, scope.ranked.length)]?.text ?? "";
}

function slug(text: string): string {
  return words(text).slice(0, 6).join("-") || "item";
}

const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

function findDate(text: string): string | null {
  const iso = /\b(\d{4})-(\d{2})-(\d{2})\b/.exec(text);
  if (iso) return iso[0];
  const long = /\b(January|February|March|April|May|June|July|August|September|October|November|December)\s+(\d{1,2}),?\s+(\d{4})\b/i.exec(text);
  if (long) {
    const month = MONTHS.indexOf((long[1] ?? "").toLowerCase()) + 1;
    return `${long[3]}-${String(month).padStart(2, "0")}-${String(long[2]).padStart(2, "0")}`;
  }
  return null;
}

/** A string for a field of the given category, drawn from the focus sentence first, then the context. */
export function stringValue(category: Category, scope: FillScope, focus: Focus, maxLength?: number): string {
  const { ctx } = scope;
  const sentence = focusSentence(scope, focus);
  switch (category) {
    case "author": {
      if (focus.citation) return focus.citation.author;
      const local = findCitations(sentence, [sentence])[0]?.author ?? findNames(sentence)[0];
      if (local) return local;
      const global = ctx.citations[focus.index % Math.max(1, ctx.citations.length)]?.author ?? ctx.names[focus.index % Math.max(1, ctx.names.length)];
      return global ?? capitalisedPhrases(sentence)[0] ?? "Unknown";
    }
    case "year":
      return String(focus.citation?.year ?? findYears(sentence)[0] ?? ctx.years[0] ?? 2024);
    case "date": {
      const date = findDate(sentence) ?? findDate(ctx.text);
      const year = focus.citation?.year ?? findYears(sentence)[0] ?? ctx.years[0];
      return date ?? (year ? `${year}-01-01` : "2024-01-01");
    }
    case "url":
      return /https?:\/\/[^\s)"'>\]]+/.exec(sentence)?.[0] ?? /https?:\/\/[^\s)"'>\]]+/.exec(ctx.text)?.[0] ?? `https://example.com/${slug(titleFor(sentence))}`;
    case "email":
      return /[\w.+-]+@[\w-]+\.[\w.]+/.exec(ctx.text)?.[0] ?? "info@example.com";
    case "question":
      return sentence ? questionFrom(sentence) : "What is the main topic of the text?";
    case "answer":
      return focus.sentence ?? extractiveAnswer(ctx);
    case "title":
      if (focus.phrase) return focus.phrase;
      return titleFor(sentence, ctx.questionWords) || "Untitled";
    case "id": {
      // The label of the source the sentence came from: inside it, else the nearest one before it.
      const inside = findIds(sentence)[0];
      if (inside) return inside.id;
      const at = sentence ? ctx.promptText.indexOf(sentence) : -1;
      const before = at > 0 ? findIds(ctx.promptText.slice(0, at)).pop() : undefined;
      const any = findIds(ctx.promptText);
      return before?.id ?? any[focus.index % Math.max(1, any.length)]?.id ?? slug(titleFor(sentence) || `item ${focus.index + 1}`);
    }
    case "short":
      return keyPhrase(sentence, ctx.questionWords) || "general";
    case "description":
      return sentence || extractiveAnswer(ctx);
    case "duration":
    case "generic":
      if (maxLength !== undefined && maxLength <= 40) return keyPhrase(sentence, ctx.questionWords) || "n/a";
      return sentence || extractiveAnswer(ctx);
  }
}

/** Applies maxLength, minLength and format to a generated string. */
export function constrainString(value: string, schema: JsonSchema, scope: FillScope, focus: Focus): string {
  let out = value;
  switch (schema.format) {
    case "date":
      out = /^\d{4}-\d{2}-\d{2}$/.test(out) ? out : stringValue("date", scope, focus);
      break;
    case "date-time":
      out = `${stringValue("date", scope, focus)}T00:00:00Z`;
      break;
    case "email":
      out = out.includes("@") ? out : stringValue("email", scope, focus);
      break;
    case "uri":
    case "url":
      out = /^https?:\/\//.test(out) ? out : stringValue("url", scope, focus);
      break;
    case "uuid": {
      const h = (i: number) => hash32(`${value}|${i}`).toString(16).padStart(8, "0");
      out = `${h(0)}-${h(1).slice(0, 4)}-4${h(1).slice(5, 8)}-a${h(2).slice(1, 4)}-${h(3)}${h(4).slice(0, 4)}`;
      break;
    }
  }
  if (typeof schema.pattern === "string") out = matchPattern(out, schema.pattern, scope) ?? out;
  if (typeof schema.maxLength === "number") out = truncateWords(out, schema.maxLength);
  if (typeof schema.minLength === "number" && out.length < schema.minLength) {
    const filler = scope.ctx.text || "lorem ipsum dolor sit amet";
    while (out.length < schema.minLength) out = (out ? `${out} ` : "") + filler;
    if (typeof schema.maxLength === "number") out = out.slice(0, schema.maxLength);
  }
  return out;
}

/** A context token or phrase matching the pattern, when the generated value does not. */
function matchPattern(value: string, pattern: string, scope: FillScope): string | null {
  let re: RegExp;
  try {
    re = new RegExp(pattern, "u");
  } catch {
    return null;
  }
  if (re.test(value)) return value;
  const candidates = [...scope.ctx.text.split(/\s+/), ...scope.ranked.map((s) => s.text)];
  return candidates.map((c) => c.replace(/[.,;:]+$/, "")).find((c) => re.test(c)) ?? null;
}

interface Bounds {
  lo: number;
  hi: number;
  integer: boolean;
  multipleOf?: number;
}

function bounds(schema: JsonSchema, integer: boolean): Bounds {
  const num = (v: unknown) => (typeof v === "number" ? v : undefined);
  let lo = num(schema.minimum) ?? -Infinity;
  let hi = num(schema.maximum) ?? Infinity;
  const exLo = num(schema.exclusiveMinimum);
  const exHi = num(schema.exclusiveMaximum);
  if (exLo !== undefined) lo = Math.max(lo, integer ? Math.floor(exLo) + 1 : exLo + 1e-6);
  if (exHi !== undefined) hi = Math.min(hi, integer ? Math.ceil(exHi) - 1 : exHi - 1e-6);
  return { lo, hi, integer, ...(num(schema.multipleOf) ? { multipleOf: num(schema.multipleOf) } : {}) };
}

function fits(v: number, b: Bounds): boolean {
  return v >= b.lo && v <= b.hi && (!b.integer || Number.isInteger(v)) && (b.multipleOf === undefined || Math.abs(v / b.multipleOf - Math.round(v / b.multipleOf)) < 1e-9);
}

/** A number for the field: from the focus sentence or context (years for year-like names), else a stable in-range value. */
export function numberValue(schema: JsonSchema, name: string, category: Category, scope: FillScope, focus: Focus, integer: boolean): number {
  const b = bounds(schema, integer);
  const sentence = focusSentence(scope, focus);
  const near = findNumbers(focus.window ?? "");
  const inSentence = findNumbers(sentence);
  const local = { values: [...near.values, ...inSentence.values], durations: [...near.durations, ...inSentence.durations] };
  const global = scope.ctx.numbers;
  const isYear = (v: number) => v >= 1500 && v <= 2099 && Number.isInteger(v);
  let candidates: number[];
  if (category === "year" || category === "date") {
    candidates = [...(focus.citation ? [focus.citation.year] : []), ...findYears(sentence), ...scope.ctx.years.slice(focus.index), ...scope.ctx.years];
  } else if (category === "duration") {
    candidates = [...local.durations, ...local.values.filter((v) => !isYear(v)), ...global.durations.slice(focus.index), ...global.durations];
  } else {
    candidates = [...local.values.filter((v) => !isYear(v)), ...global.values.filter((v) => !isYear(v)).slice(focus.index), ...local.values];
  }
  const found = candidates.find((v) => fits(v, b));
  if (found !== undefined) return found;
  return fallbackNumber(b, `${name}|${focus.index}|${category}`, category);
}

function fallbackNumber(b: Bounds, key: string, category: Category): number {
  const step = b.multipleOf ?? (b.integer ? 1 : 0.5);
  const defLo = category === "year" ? 2020 : category === "duration" ? 120 : 1;
  const lo = Number.isFinite(b.lo) ? b.lo : Number.isFinite(b.hi) ? Math.min(defLo, b.hi - 10 * step) : defLo;
  const hi = Number.isFinite(b.hi) ? b.hi : lo + (category === "duration" ? 180 : 9) * step;
  const slots = Math.max(0, Math.floor((hi - lo) / step));
  const start = Math.ceil(lo / step) * step;
  const v = start + (hash32(key) % (slots + 1)) * step;
  const clamped = Math.min(Math.max(v, b.lo), b.hi);
  return b.integer ? Math.round(clamped) : Number(clamped.toFixed(4));
}

/** True when the field's words occur in the focus sentence or context. */
export function booleanValue(name: string, description: string, scope: FillScope, focus: Focus): boolean {
  const fieldWords = new Set([...identifierWords(name), ...contentWords(description)].filter((w) => w.length > 2 && !/^(?:is|has|was|are)$/.test(w)));
  const text = new Set(contentWords(`${focusSentence(scope, focus)} ${scope.ctx.text}`));
  return overlap(fieldWords, text) > 0;
}

/** The enum option sharing most words with the focus sentence and question (first on ties). */
export function enumValue(options: readonly unknown[], scope: FillScope, focus: Focus): unknown {
  const against = new Set([...contentWords(focusSentence(scope, focus)), ...scope.ctx.questionWords]);
  let best: unknown = options.find((o) => o !== null) ?? options[0] ?? null;
  let bestScore = 0;
  for (const option of options) {
    if (option === null) continue;
    const score = overlap(new Set(words(String(option))), against);
    if (score > bestScore) {
      best = option;
      bestScore = score;
    }
  }
  return best;
}
