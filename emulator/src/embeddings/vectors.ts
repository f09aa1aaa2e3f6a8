import { hash32 } from "../ids";
import { STOPWORDS, words } from "../generate/text";

/**
 * A deterministic lexical embedding: hashed lowercase unigrams (stopwords down-weighted)
 * and bigrams, signed to cancel collisions, L2-normalised. Texts sharing words land close.
 */
export function embed(text: string, dimensions: number): Float32Array {
  const vector = new Float32Array(dimensions);
  const add = (feature: string, weight: number) => {
    const bucket = hash32(feature) % dimensions;
    const sign = hash32(feature, 0x5bd1e995) & 1 ? 1 : -1;
    vector[bucket] = (vector[bucket] ?? 0) + sign * weight;
  };
  const tokens = words(text);
  tokens.forEach((w, i) => {
    add(`u:${w}`, STOPWORDS.has(w) ? 0.25 : 1);
    const next = tokens[i + 1];
    if (next !== undefined) add(`b:${w} ${next}`, 0.5);
  });
  if (tokens.length === 0) add(`raw:${text}`, 1);
  let norm = 0;
  for (const v of vector) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < dimensions; i++) vector[i] = (vector[i] ?? 0) / norm;
  return vector;
}

/** Little-endian float32 bytes in base64, as OpenAI's `encoding_format: "base64"`. */
export function toBase64(vector: Float32Array): string {
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  vector.forEach((v, i) => view.setFloat32(i * 4, v, true));
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
