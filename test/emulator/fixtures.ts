import { z } from "zod";

/** A context with author-year citations in the usual styles. */
export const CITATION_CONTEXT = `Large language models have improved quickly. Touvron et al. (2023) released LLaMA, a family of open foundation models trained on public data.
Scaling laws were described by Kaplan et al. (2020), who showed that loss falls as a power law with compute. Instruction tuning makes models follow directions (Wei et al., 2022; Chung et al., 2022).
Brown and Smith (2020) studied few-shot prompting in GPT-3. Retrieval augmentation reduces hallucination, as reported by Lewis et al. (2020).`;

export const CITED_AUTHORS = ["Touvron et al.", "Kaplan et al.", "Wei et al.", "Chung et al.", "Brown and Smith", "Lewis et al."];

export const ALBUM_CONTEXT = `Abbey Road is the eleventh studio album by The Beatles, released on 26 September 1969. It opens with "Come Together" (4:20), followed by "Something" (3:03). Side two ends with "The End" (2:05), a short medley finale.`;

/** Album{name, artist, songs:[{title, length_seconds}]} with the song in $defs, as zod would emit it. */
export const ALBUM_SCHEMA = {
  type: "object",
  properties: {
    name: { type: "string", description: "The album's title" },
    artist: { type: "string" },
    songs: { type: "array", items: { $ref: "#/$defs/Song" }, minItems: 1 },
  },
  required: ["name", "artist", "songs"],
  additionalProperties: false,
  $defs: {
    Song: {
      type: "object",
      properties: { title: { type: "string" }, length_seconds: { type: "integer", minimum: 1 } },
      required: ["title", "length_seconds"],
      additionalProperties: false,
    },
  },
} as const;

/** Response{citations:[{author, year, desc}]}. */
export const CITATIONS_SCHEMA = {
  type: "object",
  properties: {
    citations: {
      type: "array",
      items: {
        type: "object",
        properties: {
          author: { type: "string", description: "Who wrote the cited work" },
          year: { type: "integer", description: "Publication year" },
          desc: { type: "string", description: "What the cited work found" },
        },
        required: ["author", "year", "desc"],
        additionalProperties: false,
      },
    },
  },
  required: ["citations"],
  additionalProperties: false,
} as const;

export const QUESTIONS_SCHEMA = {
  type: "object",
  properties: {
    questions: { type: "array", items: { type: "string" }, minItems: 2, maxItems: 4 },
    difficulty: { type: "string", enum: ["easy", "medium", "hard"] },
    note: { anyOf: [{ type: "string" }, { type: "null" }] },
  },
  required: ["questions", "difficulty", "note"],
  additionalProperties: false,
} as const;

/** Parses `value` against a JSON Schema with zod's own converter (independent of the emulator). */
export function matchesSchema(schema: object, value: unknown): boolean {
  const result = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]).safeParse(value);
  return result.success;
}

/** Ten valid chat training examples as JSONL. */
export function trainingJsonl(count = 10): string {
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      messages: [
        { role: "system", content: "You answer questions about the text." },
        { role: "user", content: `What is fact number ${i}?` },
        { role: "assistant", content: `Fact ${i} is that the sky is blue on day ${i}.` },
      ],
    }),
  ).join("\n");
}
