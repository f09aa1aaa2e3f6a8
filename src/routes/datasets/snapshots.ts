import { createRoute, z } from "@hono/zod-openapi";
import { tenantHandle } from "../../auth/middleware";
import { enqueueWork } from "../../datasets/steps";
import { finalizeDataset, writeClaimed } from "../../datasets/finalize";
import { listBody, listSchema, pageOf, pageQuery } from "../../openapi/lists";
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
      summary: "A dataset's snapshots, newest first (OpenAI's list shape; page with `after` or `before`)",
      security: TENANT_SECURITY,
      request: {
        params: idParams,
        query: pageQuery(),
      },
      responses: {
        200: jsonContent(listSchema(datasetSchema), "A page of snapshots"),
        ...errorResponses(400, 401, 404),
      },
    }),
    async (c) => {
      const page = await tenantHandle(c).datasets.snapshots(c.req.valid("param").id, pageOf(c.req.valid("query")));
      return c.json(listBody(page.data.map(datasetView), page.has_more), 200);
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
