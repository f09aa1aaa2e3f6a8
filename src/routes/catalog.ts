import { createRoute, z } from "@hono/zod-openapi";
import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { loadCatalog, providerSchema, resolveEndpoint, type Provider } from "../llm";
import { today } from "../lib/clock";
import { isRetired } from "../llm/retirement";
import { createRouter } from "../openapi/router";
import { errorResponses, jsonContent, TENANT_SECURITY } from "../openapi/schemas";

const modelSchema = z
  .object({
    id: z.string(),
    provider: providerSchema,
    kind: z.enum(["chat", "embedding"]),
    supports_tools: z.boolean(),
    supports_response_format: z.string(),
    context_window: z.number(),
    encoding: z.string(),
    token_counts_estimated: z.boolean(),
    prices_per_1m: z.object({ input: z.number(), output: z.number(), training: z.number().optional() }),
    retirement: z
      .object({
        date: z.string().nullable().openapi({ description: "The provider's shutdown date (UTC), or null when none is announced" }),
        retired: z.boolean(),
      })
      .nullable(),
  })
  .openapi("CatalogModel");

const providerStatusSchema = z
  .object({
    id: providerSchema,
    configured: z.boolean(),
    source: z.enum(["override", "provider", "local"]).nullable(),
    hint: z.string().nullable().openapi({ description: "What to set when not configured" }),
    fine_tuning: z
      .object({
        base_models: z.array(z.string()),
        new_jobs_cutoff: z.string().nullable(),
        accepting_new_jobs: z.boolean().openapi({ description: "Whether the provider takes new fine-tuning jobs today" }),
      })
      .nullable(),
  })
  .openapi("ProviderStatus");

/** Which provider endpoint each provider resolves to here; never a key or a URL. */
function providerStatus(env: Bindings, id: Provider) {
  try {
    return { configured: true, source: resolveEndpoint(env, id).source, hint: null };
  } catch (err) {
    return { configured: false, source: null, hint: err instanceof ApiError ? err.message : "not configured" };
  }
}

export const catalogRoutes = createRouter().openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["catalog"],
    summary: "The deployment's model catalog, default model roles and provider status",
    security: TENANT_SECURITY,
    responses: {
      200: jsonContent(
        z.object({
          defaults: z.object({ teacher: z.string(), judge: z.string(), embedding: z.string() }),
          models: z.array(modelSchema),
          providers: z.array(providerStatusSchema),
        }),
        "The catalog",
      ),
      ...errorResponses(401),
    },
  }),
  (c) => {
    const catalog = loadCatalog(c.env);
    const on = today();
    const models = catalog.models.map((m) => ({
      id: m.id,
      provider: m.provider,
      kind: m.kind,
      supports_tools: m.supports_tools,
      supports_response_format: m.supports_response_format,
      context_window: m.context_window,
      encoding: m.encoding,
      token_counts_estimated: m.encoding === "estimate",
      prices_per_1m: { input: m.prices.input, output: m.prices.output, training: m.prices.training },
      retirement: m.retirement ? { date: m.retirement.date, retired: isRetired(m, on) } : null,
    }));
    const providers = providerSchema.options.map((id) => {
      const spec = catalog.fine_tuning[id as keyof typeof catalog.fine_tuning];
      return {
        id,
        ...providerStatus(c.env, id),
        fine_tuning: spec
          ? {
              base_models: spec.base_models,
              new_jobs_cutoff: spec.new_jobs_cutoff ?? null,
              accepting_new_jobs: !spec.new_jobs_cutoff || on < spec.new_jobs_cutoff,
            }
          : null,
      };
    });
    return c.json({ defaults: catalog.defaults, models, providers }, 200);
  },
);
