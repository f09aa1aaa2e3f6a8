import { createRoute, z } from "@hono/zod-openapi";
import { tenantHandle } from "../../auth/middleware";
import { enqueueWork } from "../../datasets/steps";
import { finalizeDataset, writeClaimed } from "../../datasets/finalize";
import { createRouter } from "../../openapi/router";
import { errorResponses, idempotencyKeyHeader, idParams, jsonContent, TENANT_SECURITY } from "../../openapi/schemas";
import { datasetSchema, datasetView } from "./lifecycle";

/** A dataset's snapshots (what freezing made) and the retry of a failed dataset. */
export const datasetSnapshotRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}/snapshots",
      tags: ["datasets"],
      summary: "A dataset's snapshots, newest first (OpenAI's list shape; page with `after`)",
      security: TENANT_SECURITY,
      request: {
        params: idParams,
        query: z.object({
          limit: z.coerce.number().int().min(1).max(100).default(20),
          after: z.string().min(1).max(100).optional().openapi({ description: "A snapshot id: the page after it" }),
        }),
      },
      responses: {
        200: jsonContent(
          z.object({
            object: z.literal("list"),
            data: z.array(datasetSchema),
            first_id: z.string().nullable(),
            last_id: z.string().nullable(),
            has_more: z.boolean(),
          }),
          "A page of snapshots",
        ),
        ...errorResponses(400, 401, 404),
      },
    }),
    async (c) => {
      const page = await tenantHandle(c).datasets.snapshots(c.req.valid("param").id, c.req.valid("query"));
      const data = page.data.map(datasetView);
      return c.json({ object: "list" as const, data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: page.has_more }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/retry",
      tags: ["datasets"],
      summary: "Retry a failed dataset: its steps that gave up run again, or a snapshot's files are written again",
      description:
        "A failed source dataset: the rows and question-generation tasks that gave up after repeated provider failures are " +
        "pending again and queued (202, the dataset generating or labeling), or, when nothing is left to do, its snapshot is " +
        "written (200). A failed snapshot: its files are written (200). Anything not failed: 409.",
      security: TENANT_SECURITY,
      request: { params: idParams, headers: idempotencyKeyHeader },
      responses: {
        200: jsonContent(datasetSchema, "The dataset, its files written"),
        202: jsonContent(datasetSchema, "The dataset, its work queued"),
        ...errorResponses(401, 404, 409),
      },
    }),
    async (c) => {
      const tenant = tenantHandle(c);
      const { dataset, next, pending } = await tenant.datasets.retry(c.req.valid("param").id);
      if (next === "write") return c.json(datasetView(await writeClaimed(c.env, tenant, dataset.id, c.get("requestId"))), 200);
      if (next === "finalize") {
        await finalizeDataset(c.env, tenant, dataset.id, c.get("requestId"));
        return c.json(datasetView(await tenant.datasets.get(dataset.id)), 200);
      }
      const base = { tenant_id: tenant.id, request_id: c.get("requestId"), dataset_id: dataset.id };
      await enqueueWork(c.env, base, pending);
      return c.json(datasetView(dataset), 202);
    },
  );
