import { createRoute, z } from "@hono/zod-openapi";
import { tenantHandle } from "../auth/middleware";
import type { ProgramRecord, ProgramSpec } from "../durable/tenant/programs";
import { captureRun } from "../datasets/capture";
import { modelForTenant } from "../programs/models";
import { runProgram, type ProgramRun } from "../programs/run";
import { checkOutputSchema } from "../programs/schema";
import { renderTemplate } from "../programs/template";
import { listBody, listSchema, pageOf, pageQuery } from "../openapi/lists";
import { createRouter } from "../openapi/router";
import { errorResponses, idempotencyKeyHeader, jsonContent, nameField, TENANT_SECURITY, unixTime } from "../openapi/schemas";
import { withUnixTimes } from "../lib/unix-time";
import { plainText } from "../lib/plain-text";
import { queueUsage } from "../usage/queue";
import type { CallUsage } from "../usage/record";

/** Program names double as tool names, so they follow OpenAI's function-name rule. */
const programName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "1–64 letters, digits, _ or -");

const programSpecSchema = z.object({
  description: z.string().trim().min(1).max(1024).openapi({ example: "Data model for an album." }),
  output_schema: z.record(z.string(), z.unknown()).openapi({ description: "A JSON Schema object (supported subset: see docs)" }),
  prompt_template: z.string().min(1).max(100_000).openapi({
    example: "Generate an example album, with an artist and a list of songs. Using the movie {movie_name} as inspiration.",
  }),
  mode: z.enum(["tools", "json"]).default("tools").openapi({ description: "tools: function calling; json: JSON text with parse-validate-repair" }),
  system_prompt: z.string().max(100_000).nullable().optional(),
});

const createProgramSchema = programSpecSchema.extend({ name: programName }).openapi("CreateProgram");

export const programSchema = z
  .object({
    object: z.literal("program"),
    id: z.string().openapi({ description: "The program's name (its id in lists and cursors)" }),
    name: z.string(),
    version: z.number(),
    description: z.string(),
    output_schema: z.record(z.string(), z.unknown()),
    prompt_template: z.string(),
    mode: z.enum(["tools", "json"]),
    system_prompt: z.string().nullable(),
    created_at: unixTime,
  })
  .openapi("Program");

/** A program as the API shows it: its name doubles as its id. */
export function programView(p: ProgramRecord) {
  return { object: "program" as const, id: p.name, ...withUnixTimes(p) };
}

export const usageSchema = z.object({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number() });
export const captureSchema = z
  .object({ dataset: nameField(64).openapi({ description: "Dataset id or name that receives the example" }) })
  .optional();

const runBody = z
  .object({
    variables: z.record(plainText(z.string().max(256)), z.union([z.string(), z.number(), z.boolean()])).default({}),
    model: nameField(256).optional().openapi({ description: "Default: the tenant's active model, else the configured teacher" }),
    version: z.number().int().positive().optional(),
    temperature: z.number().min(0).max(2).optional(),
    capture: captureSchema,
  })
  .openapi("RunProgram");

const nameParam = z.object({ name: programName });

/** A program spec with its schema checked (the 400 names the offending path). */
function checkedSpec(body: z.infer<typeof programSpecSchema>): ProgramSpec {
  const { schema } = checkOutputSchema(body.output_schema);
  return {
    description: body.description,
    // The normalized form: `definitions` become `$defs`, `$schema` is dropped.
    output_schema: schema,
    prompt_template: body.prompt_template,
    mode: body.mode,
    system_prompt: body.system_prompt ?? null,
  };
}

export const programRoutes = createRouter();

// Separate statements, not one chain: a long chain of typed routes makes TypeScript's
// instantiation of the router type too deep.
programRoutes.openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["programs"],
      summary: "Create a program: an output JSON Schema and a prompt template",
      security: TENANT_SECURITY,
      request: { headers: idempotencyKeyHeader, body: { required: true, content: { "application/json": { schema: createProgramSchema } } } },
      responses: { 201: jsonContent(programSchema, "Version 1"), ...errorResponses(400, 401, 409) },
    }),
    async (c) => {
      const body = c.req.valid("json");
      return c.json(programView(await tenantHandle(c).programs.create(body.name, checkedSpec(body))), 201);
    },
);

programRoutes.openapi(
    createRoute({
      method: "put",
      path: "/{name}",
      tags: ["programs"],
      summary: "Edit a program: makes a new version (unchanged content keeps the current one)",
      security: TENANT_SECURITY,
      request: { params: nameParam, body: { required: true, content: { "application/json": { schema: programSpecSchema } } } },
      responses: { 200: jsonContent(programSchema, "The latest version"), ...errorResponses(400, 401, 404) },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      return c.json(programView(await tenantHandle(c).programs.update(name, checkedSpec(c.req.valid("json")))), 200);
    },
);

programRoutes.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["programs"],
      summary: "List programs (latest versions)",
      security: TENANT_SECURITY,
      request: { query: pageQuery() },
      responses: { 200: jsonContent(listSchema(programSchema), "Programs, by name"), ...errorResponses(400, 401) },
    }),
    async (c) => {
      const page = await tenantHandle(c).programs.list(pageOf(c.req.valid("query")));
      return c.json(listBody(page.data.map(programView), page.has_more), 200);
    },
);

programRoutes.openapi(
    createRoute({
      method: "get",
      path: "/{name}",
      tags: ["programs"],
      summary: "A program (latest version, or ?version=)",
      security: TENANT_SECURITY,
      request: { params: nameParam, query: z.object({ version: z.coerce.number().int().positive().optional() }) },
      responses: { 200: jsonContent(programSchema, "The program"), ...errorResponses(401, 404) },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      return c.json(programView(await tenantHandle(c).programs.get(name, c.req.valid("query").version)), 200);
    },
);

programRoutes.openapi(
    createRoute({
      method: "delete",
      path: "/{name}",
      tags: ["programs"],
      summary: "Delete a program (every version; datasets keep what they recorded)",
      security: TENANT_SECURITY,
      request: { params: nameParam },
      responses: { 200: jsonContent(z.object({ id: z.string(), object: z.literal("program"), name: z.string(), deleted: z.literal(true) }), "Deleted (OpenAI's deletion shape)"), ...errorResponses(401, 404) },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      await tenantHandle(c).programs.delete(name);
      return c.json({ id: name, object: "program" as const, name, deleted: true as const }, 200);
    },
);

programRoutes.openapi(
    createRoute({
      method: "post",
      path: "/{name}/run",
      tags: ["programs"],
      summary: "Run a program once (tools: forced function call; json: parse, validate, one repair turn)",
      security: TENANT_SECURITY,
      request: { params: nameParam, headers: idempotencyKeyHeader, body: { required: true, content: { "application/json": { schema: runBody } } } },
      responses: {
        200: jsonContent(
          z.object({
            output: z.unknown(),
            model: z.string(),
            program: z.object({ name: z.string(), version: z.number() }),
            usage: usageSchema,
            latency_ms: z.number(),
            repaired: z.boolean(),
            captured: z.object({ dataset: z.string(), row_id: z.string() }).nullable(),
          }),
          "The validated output",
        ),
        ...errorResponses(400, 401, 404, 409, 422, 429, 502, 503),
      },
    }),
    async (c) => {
      const tenant = tenantHandle(c);
      const { name } = c.req.valid("param");
      const body = c.req.valid("json");
      const program = await tenant.programs.get(name, body.version);
      const rendered = renderTemplate(program.prompt_template, body.variables);
      // Before the model is called: a capture into a missing or closed dataset (a snapshot) is refused first.
      if (body.capture) await tenant.datasets.openForRows(body.capture.dataset);
      const model = await modelForTenant(c.env, tenant, body.model);
      const spent: CallUsage[] = [];
      let run: ProgramRun;
      try {
        run = await runProgram(c.env, {
          program,
          rendered,
          model,
          requestId: c.get("requestId"),
          temperature: body.temperature,
          onCall: (u) => spent.push(u),
        });
      } finally {
        await queueUsage(c.env, { tenantId: tenant.id, requestId: c.get("requestId") }, spent);
      }
      const rowId = body.capture ? await captureRun(tenant, { dataset: body.capture.dataset, run, program }) : null;
      return c.json(
        {
          output: run.output,
          model: model.id,
          program: { name: program.name, version: program.version },
          usage: run.usage,
          latency_ms: run.latency_ms,
          repaired: run.repaired,
          captured: rowId && body.capture ? { dataset: body.capture.dataset, row_id: rowId } : null,
        },
        200,
      );
    },
  );
