/**
 * Pulls a JSON value out of a model's text answer: the whole text, a fenced code
 * block, or the first balanced `{…}` (models add preambles like "Here is the JSON:").
 */
export function extractJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const trimmed = text.trim();
  const attempts = [trimmed];
  const fence = trimmed.match(/```(?:json)?\s*([\s\S]*?)```/i);
  if (fence?.[1]) attempts.push(fence[1].trim());
  const object = firstBalancedObject(trimmed);
  if (object) attempts.push(object);
  let lastError = "no JSON object found";
  for (const candidate of attempts) {
    try {
      return { ok: true, value: JSON.parse(candidate) as unknown };
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
  }
  return { ok: false, error: `not valid JSON: ${lastError}` };
}

function firstBalancedObject(text: string): string | null {
  const start = text.indexOf("{");
  if (start < 0) return null;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{") depth++;
    else if (ch === "}" && --depth === 0) return text.slice(start, i + 1);
  }
  return null;
}
