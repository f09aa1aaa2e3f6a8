import { STOPWORDS, titleCase } from "./text";

/** Text in double or curly quotes: song and paper titles are often quoted. */
export function quotedPhrases(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|[\s(])["“]([^"“”\n]{2,80})["”]/g)) {
    const phrase = (m[1] ?? "").trim().replace(/[,.;:]$/, "");
    if (phrase && !out.includes(phrase)) out.push(phrase);
  }
  return out;
}

/** Runs of capitalised words (allowing "of", "the", "and" inside), not only at a sentence start. */
export function capitalisedPhrases(sentence: string): string[] {
  const tokens = sentence.split(/\s+/);
  const out: string[] = [];
  let run: string[] = [];
  const flush = (atStart: boolean) => {
    while (run.length && STOPWORDS.has((run[run.length - 1] ?? "").toLowerCase())) run.pop();
    const phrase = run.join(" ").replace(/[,.;:!?)"”]+$/, "").replace(/^[("“]+/, "");
    const single = run.length === 1;
    if (phrase && !(single && atStart) && !STOPWORDS.has(phrase.toLowerCase()) && !out.includes(phrase)) out.push(phrase);
    run = [];
  };
  let runStart = 0;
  tokens.forEach((token, i) => {
    const bare = token.replace(/^[("“]+/, "");
    const capital = /^\p{Lu}[\p{L}\p{N}'’-]*/u.test(bare);
    const joiner = run.length > 0 && /^(of|the|and|&|de|van|von|for)$/i.test(bare);
    if (capital || joiner) {
      if (run.length === 0) runStart = i;
      run.push(token);
      if (/[,.;:!?)"”]$/.test(token)) flush(runStart === 0);
    } else if (run.length) flush(runStart === 0);
  });
  if (run.length) flush(runStart === 0);
  return out;
}

/**
 * The sentence's most informative phrase of 1–3 consecutive content words: favouring
 * words shared with the question, then longer words, then earlier position.
 */
export function keyPhrase(sentence: string, questionWords: ReadonlySet<string> = new Set()): string {
  const tokens = sentence.match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu) ?? [];
  let best = "";
  let bestScore = -Infinity;
  for (let i = 0; i < tokens.length; i++) {
    for (let len = 1; len <= 3 && i + len <= tokens.length; len++) {
      const span = tokens.slice(i, i + len);
      if (span.some((w) => STOPWORDS.has(w.toLowerCase()) || w.length < 2) || /^\d+$/.test(span[0] ?? "")) break;
      const lower = span.map((w) => w.toLowerCase());
      const shared = lower.filter((w) => questionWords.has(w)).length;
      // Verb-like edges ("studied …", "… trained") make poor topics.
      const verbish = (w: string | undefined) => (w ? /(?:ed|ly)$/.test(w) || (/ing$/.test(w) && w.length > 5) : false);
      const edges = (verbish(lower[0]) ? 8 : 0) + (len > 1 && /(?:ed|ly)$/.test(lower[len - 1] ?? "") ? 8 : 0);
      const score = shared * 6 + lower.reduce((s, w) => s + Math.min(w.length, 10), 0) + (len === 2 ? 4 : 0) - edges - i * 0.05;
      if (score > bestScore) {
        bestScore = score;
        best = span.join(" ");
      }
    }
  }
  if (!best) return "";
  // Keep proper nouns capitalised; lowercase a capital that is only there because it started the sentence.
  return /^\p{Lu}\p{Ll}/u.test(best) && sentence.trimStart().startsWith(best) ? best.charAt(0).toLowerCase() + best.slice(1) : best;
}

/** A short title-like phrase for a sentence: quoted text, a capitalised phrase, or its key phrase title-cased. */
export function titleFor(sentence: string, questionWords?: ReadonlySet<string>): string {
  const quoted = quotedPhrases(sentence)[0];
  if (quoted) return quoted;
  const capital = capitalisedPhrases(sentence).find((p) => p.split(/\s+/).length >= 2) ?? capitalisedPhrases(sentence)[0];
  if (capital) return capital;
  const key = keyPhrase(sentence, questionWords);
  return key ? titleCase(key) : "";
}
