import { uniform } from "../ids";
import { contentWords } from "../generate/text";
import { BASE_STUDENT, PROFILE_SEED, type Degradation } from "./config";
import type { Profile } from "./resolve";

/** Names, works and figures no context mentions: what a student invents. */
const INVENTED_PHRASES = ["Hartwell and Okonkwo (2014)", "the Vienna Lighthouse Survey", "Brandvold et al. (2011)", "the Quinlan-Marsh protocol", "Ostrava Review of Acoustics"];

/**
 * Whether and how a student spoils this answer. One uniform draw per (base model, request, choice):
 * the answer is degraded when the draw is below the profile's rate, so a fine-tuned student (a
 * lower rate, the same draw) degrades a subset of the answers its base degrades, and a student
 * trained on 10 rows degrades exactly the same ones.
 */
export function degradationFor(profile: Profile, requestKey: string, index: number): Degradation | null {
  if (profile.kind === "teacher") return null;
  if (uniform(PROFILE_SEED, "rate", profile.base, index, requestKey) >= profile.rate) return null;
  let pick = uniform(PROFILE_SEED, "kind", profile.base, index, requestKey);
  for (const [kind, p] of BASE_STUDENT.kinds) {
    if (pick < p) return kind;
    pick -= p;
  }
  return BASE_STUDENT.kinds[BASE_STUDENT.kinds.length - 1]![0];
}

/** A structured answer, spoiled: a field dropped, a field invented, a value replaced by something absent from the context. */
export function degradeValue(value: unknown, kind: Exclude<Degradation, "break_json">, requestKey: string, contextText: string): unknown {
  const copy = structuredClone(value) as unknown;
  const draw = (what: string) => uniform(PROFILE_SEED, what, requestKey);
  const invented = inventedPhrase(contextText, draw("phrase"));
  if (kind === "invent_field") {
    const target = objects(copy)[0];
    if (target) target["additional_notes"] = `According to ${invented}, this was confirmed independently.`;
    return copy;
  }
  if (kind === "drop_field") {
    const withKeys = objects(copy).filter((o) => Object.keys(o).length > 0);
    const target = withKeys[Math.floor(draw("drop-object") * withKeys.length)];
    if (target) {
      const keys = Object.keys(target);
      delete target[keys[Math.floor(draw("drop-key") * keys.length)]!];
    }
    return copy;
  }
  // cite_absent: one string leaf now names something the context never mentions (a number leaf a figure it never gives).
  const slots = leafSlots(copy);
  const strings = slots.filter((s) => typeof s.get() === "string");
  const pool = strings.length ? strings : slots.filter((s) => typeof s.get() === "number");
  const slot = pool[Math.floor(draw("cite-slot") * pool.length)];
  if (!slot) return copy;
  slot.set(typeof slot.get() === "number" ? (slot.get() as number) + 17 : invented);
  return copy;
}

/** Broken JSON: the text cut at 60%, as a model stopping mid-answer writes it. */
export function breakJson(text: string): string {
  return text.slice(0, Math.max(1, Math.floor(text.length * 0.6)));
}

function inventedPhrase(contextText: string, draw: number): string {
  const context = new Set(contentWords(contextText));
  const absent = INVENTED_PHRASES.filter((p) => contentWords(p).every((w) => !context.has(w)));
  const pool = absent.length ? absent : INVENTED_PHRASES;
  return pool[Math.floor(draw * pool.length)]!;
}

function objects(v: unknown, out: Array<Record<string, unknown>> = []): Array<Record<string, unknown>> {
  if (Array.isArray(v)) for (const x of v) objects(x, out);
  else if (v !== null && typeof v === "object") {
    out.push(v as Record<string, unknown>);
    for (const x of Object.values(v)) objects(x, out);
  }
  return out;
}

interface Slot {
  get(): unknown;
  set(x: unknown): void;
}

function leafSlots(v: unknown, out: Slot[] = []): Slot[] {
  if (v === null || typeof v !== "object") return out;
  const entries: Array<[string | number, unknown]> = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
  for (const [k, x] of entries) {
    if (x !== null && typeof x === "object") leafSlots(x, out);
    else {
      const holder = v as Record<string | number, unknown>;
      out.push({ get: () => holder[k], set: (y) => (holder[k] = y) });
    }
  }
  return out;
}

/** Evasion: what a student says instead of the answer when it breaks down on prose. */
export const EVASIVE = "I'm not sure; the text does not say.";

/**
 * A prose answer, spoiled the way its degradation spoils a structured one: a sentence dropped (or,
 * with one sentence, half of it), a claim invented, a sentence replaced by a citation the context
 * lacks; a broken answer becomes an evasion.
 */
export function degradeProse(text: string, kind: Degradation, sentences: readonly string[], requestKey: string, contextText: string): string {
  const invented = inventedPhrase(contextText, uniform(PROFILE_SEED, "phrase", requestKey));
  switch (kind) {
    case "break_json":
      return EVASIVE;
    case "drop_field": {
      if (sentences.length > 1) return sentences.slice(0, -1).join(" ");
      const words = text.split(/\s+/);
      return `${words.slice(0, Math.max(1, Math.ceil(words.length / 2))).join(" ")}…`;
    }
    case "invent_field":
      return `${text} According to ${invented}, this was confirmed independently.`;
    case "cite_absent":
      return [...sentences.slice(0, -1), `This was first reported by ${invented}.`].join(" ");
  }
}
