import { contentWords, splitSentences, words } from "../generate/text";
import type { PlainMessage } from "../generate/context";

/*
 * The emulator's judge. A judge call is recognised by its forced tool (name and parameters), the
 * way a model would read its instructions, never by a flag a test sets; the judge then decides
 * from the content it is shown: a statement is supported when at least half of its content words
 * occur in the contexts, so a metric measures real differences between answers.
 */

export const JUDGE_TOOLS = ["record_statements", "record_verdicts", "record_questions", "record_preference"] as const;
type JudgeTool = (typeof JUDGE_TOOLS)[number];

/** A share of a statement's content words found in the contexts at or above which it is supported. */
export const SUPPORT_THRESHOLD = 0.5;

/** Words a structured leaf statement carries that claim nothing against a context. */
const NEUTRAL = new Set(["true", "false", "null"]);

/** Whether a forced tool call is a judge call: a known judge tool whose parameters have its shape. */
export function isJudgeTool(name: string, parameters: unknown): name is JudgeTool {
  if (!(JUDGE_TOOLS as readonly string[]).includes(name)) return false;
  const props = (parameters as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
  const needs: Record<JudgeTool, string> = { record_statements: "statements", record_verdicts: "verdicts", record_questions: "questions", record_preference: "winner" };
  return needs[name as JudgeTool] in props;
}

/** The judge's tool arguments for this call. */
export function judgeArguments(name: JudgeTool, messages: readonly PlainMessage[]): Record<string, unknown> {
  const prompt = [...messages].reverse().find((m) => m.role === "user")?.text ?? "";
  const contexts = blocks(prompt, "context");
  switch (name) {
    case "record_statements":
      return { statements: statementsOf(blocks(prompt, "answer")[0] ?? "") };
    case "record_verdicts": {
      const known = contextWords(contexts);
      const lines = (blocks(prompt, "statements")[0] ?? "").split("\n").map((l) => /^\s*(\d+)\.\s+(.*)$/.exec(l)).filter((m): m is RegExpExecArray => m !== null);
      return {
        verdicts: lines.map(([, index, statement]) => {
          const { share, missing } = support(statement!, known);
          const supported = share >= SUPPORT_THRESHOLD;
          return {
            index: Number(index),
            reason: supported ? "The contexts state this." : `The contexts never mention ${missing.slice(0, 4).join(", ")}.`,
            verdict: supported ? "supported" : "unsupported",
          };
        }),
      };
    }
    case "record_questions": {
      const answer = blocks(prompt, "answer")[0] ?? "";
      const n = Number(/exactly (\d+) questions/.exec(prompt)?.[1] ?? 3);
      const noncommittal = isNoncommittal(answer);
      const claims = statementsOf(answer).map(claimOf).filter((c) => contentWords(c).length > 0);
      const questions = Array.from({ length: n }, (_, i) => {
        const claim = claims.length ? claims[i % claims.length]! : answer;
        return { question: `What about ${contentWords(claim).slice(0, 8).join(" ")}?`, noncommittal };
      });
      return { questions };
    }
    case "record_preference": {
      const question = blocks(prompt, "question")[0] ?? "";
      const score = (answer: string) => answerScore(answer, contexts, question);
      const a = score(blocks(prompt, "answer_a")[0] ?? "");
      const b = score(blocks(prompt, "answer_b")[0] ?? "");
      // Within a small margin it cannot tell, and like most LLM judges it then favours the first answer shown.
      const winner = Math.abs(a - b) < 0.05 ? "A" : a > b ? "A" : "B";
      return { explanation: `Answer A is ${(a * 100).toFixed(0)}% supported, answer B ${(b * 100).toFixed(0)}%.`, winner };
    }
  }
}

/** The text of every `<tag>…</tag>` block, in order. */
function blocks(text: string, tag: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`<${tag}>\\n?([\\s\\S]*?)\\n?</${tag}>`, "g");
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1]!);
  return out;
}

/** Prose into sentences; structured answers (`path: value` lines) line by line. */
function statementsOf(answer: string): string[] {
  if (isNoncommittal(answer)) return [];
  const lines = answer.split("\n").filter((l) => l.trim());
  if (lines.length > 0 && lines.every((l) => /^[\w$.[\]-]+: /.test(l))) return lines;
  return splitSentences(answer).filter((s) => contentWords(s).length > 0);
}

/** A leaf statement's claim is its value; the path only says which field holds it. */
function claimOf(statement: string): string {
  const m = /^[\w$.[\]-]+: (.*)$/s.exec(statement);
  return m ? m[1]! : statement;
}

function contextWords(contexts: readonly string[]): Set<string> {
  return new Set(contexts.flatMap((c) => words(c)));
}

function support(statement: string, known: ReadonlySet<string>): { share: number; missing: string[] } {
  const claimed = contentWords(claimOf(statement)).filter((w) => !NEUTRAL.has(w));
  if (claimed.length === 0) return { share: 1, missing: [] };
  const missing = claimed.filter((w) => !known.has(w));
  return { share: 1 - missing.length / claimed.length, missing };
}

/** The share of an answer's statements the contexts support (or, with no contexts, its overlap with the question). */
function answerScore(answer: string, contexts: readonly string[], question: string): number {
  const statements = statementsOf(answer);
  if (statements.length === 0) return 0;
  const known = contexts.length ? contextWords(contexts) : new Set(words(question));
  return statements.filter((s) => support(s, known).share >= SUPPORT_THRESHOLD).length / statements.length;
}

const NONCOMMITTAL = /\b(?:i (?:do not|don't) know|i'm not sure|i am not sure|could not find|cannot (?:answer|find)|can't (?:answer|find)|no answer|not (?:mentioned|stated) in the)\b|^\s*empty response\s*$/i;

function isNoncommittal(answer: string): boolean {
  return answer.trim() === "" || NONCOMMITTAL.test(answer);
}
