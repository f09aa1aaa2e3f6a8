import { createRoute, z } from "@hono/zod-openapi";
import { tenantHandle } from "../auth/middleware";
import { launchDeployment } from "../durable/model-deployment";
import { createRouter } from "../openapi/router";
import { errorResponses, idempotencyKeyHeader, jsonContent, nameField, TENANT_SECURITY } from "../openapi/schemas";
import { deploymentSchema } from "./deployments";

/** A registered model's id: a provider's fine-tune name, which may hold `/` and `:` (send it URL-encoded). */
const modelParams = z.object({
  id: nameField(256).openapi({ param: { name: "id", in: "path" }, description: "The registered model's id, URL-encoded" }),
});

const deployBody = z
  .object({
    profile: nameField(64).optional().openapi({ description: "A deployment profile of the catalog for the model's provider and base (default: the first)" }),
    min_replicas: z.int().min(0).max(1000).optional().openapi({ description: "Within the profile's replica bounds (default 1)" }),
    max_replicas: z.int().min(0).max(1000).optional().openapi({ description: "At least min_replicas, within the profile's bounds (default min_replicas)" }),
    idle_minutes: z.int().min(0).max(100_000).optional().openapi({ description: "Stopped by the provider after this many idle minutes: 0 (never) or within the profile's bounds" }),
    shared: z.boolean().optional().openapi({ description: "Fireworks: load as an addon on the shared base deployment (default for LoRA)" }),
  })
  .strict()
  .openapi("DeployModel");

/** `POST /api/models/{id}/deploy`, a sub-app of its own beside the registry's routes. */
export const modelDeployRoutes = createRouter().openapi(
  createRoute({
    method: "post",
    path: "/{id}/deploy",
    tags: ["deployments"],
    summary: "Deploy a registered open-weights student so it can serve",
    description:
      "Checks the model (this tenant's; OpenAI fine-tunes need none: 409), the profile, the replica bounds and the provider's " +
      "credentials, then answers 201 with the deployment `requested`; its Durable Object creates it at the provider and polls it. " +
      "When it is ready the model becomes servable with its inference endpoint. A model with a live deployment answers 200 with it.",
    security: TENANT_SECURITY,
    request: {
      params: modelParams,
      headers: idempotencyKeyHeader,
      body: { required: false, content: { "application/json": { schema: deployBody } } },
    },
    responses: {
      201: jsonContent(deploymentSchema, "The deployment"),
      200: jsonContent(deploymentSchema, "The model's live deployment"),
      ...errorResponses(400, 401, 404, 409),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json") ?? {};
    const { created, deployment } = await launchDeployment(c.env, tenantHandle(c), { model: id, ...body, request_id: c.get("requestId") });
    return c.json(deployment, created ? 201 : 200);
  },
);
