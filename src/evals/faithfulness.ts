import { z } from "zod";
import { tagged } from "./answer-text";
import { askJudge, parseWith, type Judge, type JudgeRecord, type Parsed } from "./judge-call";
import { leafStatements } from "./leaves";
import type { MetricResult } from "./result";

/*
 * Faithfulness as ragas 0.4 defines it: the answer is split into atomic, self-contained
 * statements; each gets a verdict against the retrieved contexts; score = supported ÷ statements.
 * A structured output needs no splitting: its statements are its leaves (path: value).
 */

export const STATEMENTS_TOOL = {
  name: "record_statements",
  description: "Record the atomic, self-contained statements the answer makes.",
  parameters: {
    type: "object",
    properties: { statements: { type: "array", items: { type: "string" }, description: "One claim each, pronouns replaced by what they refer to." } },
    required: ["statements"],
    additionalProperties: false,
  },
};

export const VERDICTS_TOOL = {
  name: "record_verdicts",
  description: "Record, for every numbered statement, whether the contexts support it.",
  parameters: {
    type: "object",
    properties: {
      verdicts: {
        type: "array",
        items: {
          type: "object",
          properties: {
            index: { type: "integer", description: "The statement's number." },
            reason: { type: "string", description: "Where the contexts say it, or what they lack." },
            verdict: { type: "string", enum: ["supported", "unsupported"] },
          },
          required: ["index", "reason", "verdict"],
          additionalProperties: false,
        },
      },
    },
    required: ["verdicts"],
    additionalProperties: false,
  },
};

const STATEMENTS_SYSTEM =
  "You split an answer into atomic statements for fact checking. Each statement makes exactly one claim, " +
  "stands alone (replace pronouns with the names they refer to), and keeps the answer's own wording. " +
  "Leave out greetings, hedges and statements about the answer itself. An answer that claims nothing gives no statements.";

const VERDICTS_SYSTEM =
  "You check statements against retrieved contexts, and nothing else: not what you know, not what is plausible. " +
  "A statement is supported only when the contexts state it or it follows directly from them; otherwise it is unsupported. " +
  "A statement written `path: value` claims the value for that field of a structured answer. " +
  "Give exactly one verdict per numbered statement.";

const statementsSchema = z.object({ statements: z.array(z.string()) });
const verdictsSchema = z.object({ verdicts: z.array(z.object({ index: z.number().int(), reason: z.string(), verdict: z.enum(["supported", "unsupported"]) })) });

export interface StatementVerdict {
  statement: string;
  verdict: "supported" | "unsupported";
  reason: string;
}

export interface FaithfulnessResult extends MetricResult {
  statements: StatementVerdict[];
}

export interface FaithfulnessInput {
  question: string;
  /** The model's output: prose (a string) or a structured value. */
  output: unknown;
  /** The retrieved contexts the answer should rest on. */
  contexts: readonly string[];
}

/** Faithfulness of one answer to its contexts; undetermined with no contexts, no statements or an unreadable judge. */
export async function faithfulness(judge: Judge, input: FaithfulnessInput): Promise<FaithfulnessResult> {
  const records: JudgeRecord[] = [];
  const none = (reason: string): FaithfulnessResult => ({ score: null, undetermined: reason, statements: [], records });
  const contexts = input.contexts.filter((c) => c.trim() !== "");
  if (contexts.length === 0) return none("no_contexts");
  if (input.output === null || input.output === undefined) return none("no_output");

  let statements: string[];
  if (typeof input.output === "string") {
    if (input.output.trim() === "") return none("no_statements");
    const asked = await askJudge(judge, {
      metric: "faithfulness",
      tool: STATEMENTS_TOOL,
      messages: [
        { role: "system", content: STATEMENTS_SYSTEM },
        { role: "user", content: `${tagged("question", input.question)}\n${tagged("answer", input.output)}\n\nCall ${STATEMENTS_TOOL.name} with the answer's statements.` },
      ],
      parse: (args) => parseWith(statementsSchema, args, (v) => ({ ok: true, value: v.statements.map((s) => s.trim()).filter(Boolean) })),
    });
    records.push(asked.record);
    if (asked.value === null) return none("judge_unparseable");
    statements = asked.value;
  } else {
    statements = leafStatements(input.output);
  }
  if (statements.length === 0) return none("no_statements");

  const numbered = statements.map((s, i) => `${i + 1}. ${s}`).join("\n");
  const judged = await askJudge(judge, {
    metric: "faithfulness",
    tool: VERDICTS_TOOL,
    messages: [
      { role: "system", content: VERDICTS_SYSTEM },
      {
        role: "user",
        content: `${contexts.map((c) => tagged("context", c)).join("\n")}\n${tagged("statements", numbered)}\n\nCall ${VERDICTS_TOOL.name} with one verdict for each of the ${statements.length} statements.`,
      },
    ],
    parse: (args) => parseWith(verdictsSchema, args, (v) => oneVerdictEach(v.verdicts, statements.length)),
  });
  records.push(judged.record);
  if (judged.value === null) return none("judge_unparseable");
  const verdicts = statements.map((statement, i) => ({ statement, verdict: judged.value![i]!.verdict, reason: judged.value![i]!.reason }));
  const supported = verdicts.filter((v) => v.verdict === "supported").length;
  return { score: supported / statements.length, undetermined: null, statements: verdicts, records };
}

type Verdict = z.infer<typeof verdictsSchema>["verdicts"][number];

/** The verdicts in statement order; any statement missing or judged twice is a parse error (the judge gets its repair turn). */
function oneVerdictEach(verdicts: Verdict[], n: number): Parsed<Verdict[]> {
  const byIndex = new Map<number, Verdict>();
  for (const v of verdicts) {
    if (v.index < 1 || v.index > n) return { ok: false, error: `verdict for statement ${v.index}, but there are ${n} statements` };
    if (byIndex.has(v.index)) return { ok: false, error: `two verdicts for statement ${v.index}` };
    byIndex.set(v.index, v);
  }
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length) return { ok: false, error: `no verdict for statement(s) ${missing.join(", ")}` };
  return { ok: true, value: Array.from({ length: n }, (_, i) => byIndex.get(i + 1)!) };
}
