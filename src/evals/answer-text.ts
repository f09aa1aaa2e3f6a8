import { leafStatements } from "./leaves";

/**
 * An output as text a judge reads: prose as it is, a structured output as its leaf statements
 * one per line (the same lines faithfulness judges), null for no output at all.
 */
export function answerText(output: unknown): string | null {
  if (output === null || output === undefined) return null;
  if (typeof output === "string") return output.trim() === "" ? null : output;
  const lines = leafStatements(output);
  return lines.length ? lines.join("\n") : null;
}

/** Text inside a tag the judge prompts use; `<`/`>` in the text are escaped so it cannot close the tag. */
export function tagged(tag: string, text: string): string {
  return `<${tag}>\n${text.replace(/</g, "‹").replace(/>/g, "›")}\n</${tag}>`;
}
