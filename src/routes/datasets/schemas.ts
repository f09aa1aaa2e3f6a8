import { z } from "@hono/zod-openapi";
import { nameField } from "../../openapi/schemas";

/** A dataset's name: what a tenant refers to it by, besides its id. */
export const datasetName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "1–64 letters, digits, _ . or -, starting with a letter or digit");

/** The request fields of a teacher-labeled dataset (POST /api/datasets), as src/datasets/plan.ts reads them. */
export const generationFields = {
  program: nameField(64).optional().openapi({ description: "Program the teacher answers with; without it the dataset is empty, for captures" }),
  documents: z.array(nameField(64)).min(1).max(1000).optional().openapi({ description: "Default: every ready document" }),
  questions_per_chunk: z.number().int().min(1).max(10).default(1),
  question_prompt: z.string().min(1).max(4000).optional().openapi({ description: "Instruction for question generation; {n} is the count" }),
  teacher_model: nameField(256).optional(),
  top_k: z.number().int().min(1).max(20).default(2),
  max_questions: z.number().int().min(1).max(100_000).optional(),
  max_cost_usd: z.number().positive().max(100_000).optional(),
  dry_run: z.boolean().default(false),
};
