/**
 * One structured JSON line per event. Callers pass only what is safe to keep:
 * never a key, a token, a prompt or a document's text.
 */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export function logLine(level: "info" | "warn" | "error", msg: string, fields: LogFields = {}): void {
  const line = JSON.stringify({ level, msg, ...fields, ts: new Date().toISOString() });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}
