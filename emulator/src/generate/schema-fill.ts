import { categorize, type Category } from "./categories";
import { rankSentences, rotate, scoreWords, spreadSentences, type GenContext } from "./context";
import { quotedPhrases } from "./phrases";
import { booleanValue, constrainString, enumValue, numberValue, stringValue, type FillScope, type Focus } from "./fill-values";
import { arrayFieldNames, isObject, pickVariant, resolve, schemaType, type JsonSchema } from "./schema";
import { contentWords, identifierWords, singular } from "./text";

/** normal; no_context: empty arrays and strings (nothing relevant found); wrong_count: first array gets a wrong length. */
export type FillMode = "normal" | "no_context" | "wrong_count";

const MAX_DEPTH = 8;
const CITATION_NAMES = /^(?:citation|citations|reference|references|source|sources|cite|cites|paper|papers|work|works|study|studies|publication|publications)$/;

/** Generates a value valid against `root`, filled from the context. */
export function fillSchema(root: JsonSchema, ctx: GenContext, mode: FillMode = "normal"): unknown {
  return new Filler(root, ctx, mode).fill(root, "", "", { index: ctx.variant }, 0);
}

class Filler {
  private readonly scope: FillScope;
  private wrongCountDone = false;
  private readonly singleArray: boolean;

  constructor(
    private readonly root: JsonSchema,
    private readonly ctx: GenContext,
    private readonly mode: FillMode,
  ) {
    this.scope = { ctx, ranked: rotate(rankSentences(ctx), ctx.variant) };
    this.singleArray = arrayFieldNames(root, root).length === 1;
  }

  fill(schema: unknown, name: string, description: string, focus: Focus, depth: number): unknown {
    let s = resolve(this.root, schema);
    s = pickVariant(this.root, s) ?? s;
    const desc = typeof s.description === "string" ? s.description : description;
    if ("const" in s) return s.const;
    if (Array.isArray(s.enum) && s.enum.length) return enumValue(s.enum, this.scope, focus);
    const category = categorize(name, desc);
    switch (schemaType(s)) {
      case "object":
        return this.object(s, focus, depth);
      case "array":
        return this.array(s, name, desc, category, focus, depth);
      case "integer":
      case "number":
        if (this.mode === "no_context") return typeof s.minimum === "number" ? s.minimum : 0;
        return numberValue(s, name, category, this.scope, focus, schemaType(s) === "integer");
      case "boolean":
        return this.mode === "no_context" ? false : booleanValue(name, desc, this.scope, focus);
      case "null":
        return null;
      default: {
        // "string", or a type name we do not know: a string is the safest guess.
        if (this.mode === "no_context") return "";
        const raw = stringValue(category, this.scope, focus, typeof s.maxLength === "number" ? s.maxLength : undefined);
        return constrainString(raw, s, this.scope, focus);
      }
    }
  }

  private object(s: JsonSchema, focus: Focus, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const properties = isObject(s.properties) ? s.properties : {};
    const required = Array.isArray(s.required) ? (s.required as string[]) : [];
    if (depth >= MAX_DEPTH) {
      for (const key of required) out[key] = this.fill(properties[key] ?? {}, key, "", focus, depth + 1);
      return out;
    }
    for (const [key, child] of Object.entries(properties)) {
      const d = isObject(child) && typeof child.description === "string" ? child.description : "";
      out[key] = this.fill(child, key, d, focus, depth + 1);
    }
    for (const key of required) if (!(key in out)) out[key] = this.fill({ type: "string" }, key, "", focus, depth + 1);
    return out;
  }

  private array(s: JsonSchema, name: string, desc: string, category: Category, focus: Focus, depth: number): unknown[] {
    const min = typeof s.minItems === "number" ? s.minItems : 0;
    const max = typeof s.maxItems === "number" ? s.maxItems : undefined;
    if (Array.isArray(s.prefixItems)) {
      return (s.prefixItems as unknown[]).map((item, i) => this.fill(item, name, desc, { ...focus, index: focus.index + i }, depth + 1));
    }
    if (this.mode === "no_context" || depth >= MAX_DEPTH) return [];
    const itemSchema = pickVariant(this.root, resolve(this.root, s.items)) ?? resolve(this.root, s.items);
    const itemName = singular(name);
    const { list: sources, natural } = this.sources(itemSchema, name, category, focus);
    const citations = sources.some((f) => f.citation);
    let n = this.count(name, natural, citations);
    n = Math.max(n, min, sources.length ? 1 : min);
    if (max !== undefined) n = Math.min(n, max);
    if (this.mode === "wrong_count" && !this.wrongCountDone) {
      this.wrongCountDone = true;
      n = max !== undefined ? max + 1 : this.asked(name) !== null ? (this.asked(name) ?? 0) + 1 : min > 0 ? min - 1 : n + 1;
    }
    const out: unknown[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      let value: unknown;
      // Primitive items should differ: try further sources before accepting a duplicate.
      for (let k = 0; k < Math.max(1, sources.length); k++) {
        const f = sources.length ? sources[(i + k) % sources.length] : undefined;
        value = this.fill(itemSchema, itemName, desc, f ?? { index: focus.index + i }, depth + 1);
        if (typeof value === "object" || !seen.has(String(value))) break;
      }
      seen.add(String(value));
      out.push(value);
    }
    return out;
  }

  /** The count the prompt asks for, when it names this array (or the schema has only one). */
  private asked(name: string): number | null {
    const asked = this.ctx.asked;
    if (!asked) return null;
    const noun = singular(asked.noun);
    if (identifierWords(name).some((w) => singular(w) === noun) || this.singleArray) return asked.count;
    return null;
  }

  private count(name: string, available: number, citations: boolean): number {
    const asked = this.asked(name);
    if (asked !== null) return asked;
    if (citations) return Math.min(available, 10);
    return Math.min(3, Math.max(1, available));
  }

  /**
   * What each item is about: citations for citation-like items, quoted names for title-like
   * items, else sentences (relevant ones first). `natural` is how many are worth an item.
   */
  private sources(item: JsonSchema, name: string, category: Category, focus: Focus): { list: Focus[]; natural: number } {
    const { list, covering } = this.sourceList(item, name, category, focus);
    if (covering) return { list, natural: list.length };
    const relevant = list.filter((f) => !f.sentence || scoreWords(this.ctx, new Set(contentWords(f.sentence))) > 0);
    return { list, natural: relevant.length || list.length };
  }

  /** With a separate question, the citations whose sentences answer it best (all when none does). */
  private relevantCitations() {
    const all = this.ctx.citations;
    if (!this.ctx.hasQuestion) return all;
    const scored = all.map((c) => ({ c, score: scoreWords(this.ctx, new Set(contentWords(c.sentence))) }));
    const best = Math.max(0, ...scored.map((x) => x.score));
    return best > 0 ? scored.filter((x) => x.score >= best / 2).map((x) => x.c) : all;
  }

  /** `covering`: every source is wanted (citations, quoted names, questions spread over the text). */
  private sourceList(item: JsonSchema, name: string, category: Category, focus: Focus): { list: Focus[]; covering: boolean } {
    const props = isObject(item.properties) ? Object.entries(item.properties) : [];
    const categories = props.map(([key, child]) => categorize(key, isObject(child) && typeof child.description === "string" ? child.description : ""));
    const citationLike =
      identifierWords(name).some((w) => CITATION_NAMES.test(w)) || categories.includes("author") || categories.includes("year") || category === "author";
    if (citationLike && this.ctx.citations.length) {
      const local = focus.sentence ? this.ctx.citations.filter((c) => c.sentence === focus.sentence) : [];
      const list = local.length ? local : rotate(this.relevantCitations(), this.ctx.variant);
      return { list: list.map((c, index) => ({ index, sentence: c.sentence, citation: c })), covering: true };
    }
    const itemCategory = props.length ? categories[0] : categorize(singular(name));
    const quoted = quotedPhrases(this.ctx.text);
    if ((props.length ? categories.includes("title") : itemCategory === "title") && quoted.length >= 2) {
      const list = rotate(quoted, this.ctx.variant).map((phrase, index): Focus => {
        const at = this.ctx.text.indexOf(phrase);
        const after = this.ctx.text.slice(at + phrase.length + 1, at + phrase.length + 60);
        const window = after.split(/["“”]/)[0] ?? "";
        const sentence = this.ctx.sentences.find((s) => s.text.includes(phrase))?.text;
        return { index, phrase, window, ...(sentence ? { sentence } : {}) };
      });
      return { list, covering: true };
    }
    if (itemCategory === "question" || category === "question") {
      return { list: spreadSentences(this.ctx, Math.max(3, this.asked(name) ?? 3)).map((s, index) => ({ index, sentence: s.text })), covering: true };
    }
    const sentences = this.scope.ranked;
    const offset = focus.sentence ? Math.max(0, sentences.findIndex((s) => s.text === focus.sentence)) : 0;
    return { list: rotate(sentences, offset).map((s, index) => ({ index, sentence: s.text })), covering: false };
  }
}
