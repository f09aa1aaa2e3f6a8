import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv, Services } from "../services";
import { DEFAULT_PROVISIONING_MS } from "../together/deployments";
import { parseOrThrow, readJsonText } from "../validation";

const endpointBody = z.looseObject({ name: z.string().min(1), visibility: z.enum(["VISIBILITY_PRIVATE", "VISIBILITY_INTERNAL"]).optional() });
const autoscaling = z.looseObject({ minReplicas: z.number().int().min(0).optional(), maxReplicas: z.number().int().min(0).optional() });
const deploymentBody = z.looseObject({
  name: z.string().min(1),
  model: z.string().min(1),
  config: z.string().min(1),
  autoscaling,
  inactiveTimeout: z.number().int().min(0).optional(),
});
const patchBody = z.looseObject({ autoscaling: autoscaling.optional() });
const failBody = z.strictObject({ message: z.string().min(1).default("Insufficient capacity for the requested hardware.") });

/** `name="x"` (the only filter Distillery sends): the name, else null. */
function nameFilter(filter: string | undefined): string | null {
  if (!filter) return null;
  const m = /^name\s*=\s*"([^"]*)"$/.exec(filter.trim());
  return m ? m[1]! : null;
}

/** Together's 2.0 endpoints API (/together/v2): endpoints, their deployments, supported models' deployment profiles. */
export function togetherDeploymentRoutes(services: Services) {
  const { togetherDeployments: store } = services;
  const json = async (req: Request) => readJsonText(await req.text());
  return new Hono<AppEnv>()
    .post("/projects/:project/endpoints", async (c) => {
      const body = parseOrThrow(endpointBody, await json(c.req.raw));
      const name = body.name.includes("/") ? body.name.split("/").pop()! : body.name;
      return c.json(store.renderEndpoint(store.createEndpoint(c.req.param("project"), name)));
    })
    .get("/projects/:project/endpoints", (c) =>
      c.json({ data: store.endpoints(c.req.param("project"), nameFilter(c.req.query("filter"))).map((e) => store.renderEndpoint(e)), next_cursor: "" }),
    )
    .get("/projects/:project/endpoints/:id", (c) => c.json(store.renderEndpoint(store.endpoint(c.req.param("project"), c.req.param("id")))))
    .post("/projects/:project/endpoints/:ep/deployments", async (c) => {
      const body = parseOrThrow(deploymentBody, await json(c.req.raw));
      const run = c.get("run");
      const minReplicas = body.autoscaling.minReplicas ?? 1;
      const d = store.createDeployment(c.req.param("project"), c.req.param("ep"), run.name, run.config.deployments?.provisioning_ms ?? DEFAULT_PROVISIONING_MS, run.config.deployments?.fail ?? null, {
        name: body.name,
        model: body.model,
        config: body.config,
        minReplicas,
        maxReplicas: body.autoscaling.maxReplicas ?? minReplicas,
        inactiveTimeout: body.inactiveTimeout ?? 0,
      });
      return c.json(store.render(d));
    })
    .get("/projects/:project/endpoints/:ep/deployments", (c) => {
      const endpoint = store.endpoint(c.req.param("project"), c.req.param("ep"));
      return c.json({ data: store.deploymentsIn(endpoint.id).map((d) => store.render(d)), next_cursor: "" });
    })
    .get("/projects/:project/endpoints/:ep/deployments/:id", (c) =>
      c.json(store.render(store.deployment(c.req.param("project"), c.req.param("ep"), c.req.param("id")))),
    )
    .patch("/projects/:project/endpoints/:ep/deployments/:id", async (c) => {
      const body = parseOrThrow(patchBody, await json(c.req.raw));
      const d = store.deployment(c.req.param("project"), c.req.param("ep"), c.req.param("id"));
      if (!body.autoscaling) return c.json(store.render(d));
      const min = body.autoscaling.minReplicas ?? d.min_replicas;
      return c.json(store.render(store.scale(d, min, body.autoscaling.maxReplicas ?? Math.max(min, d.max_replicas))));
    })
    .get("/supported-models/:id", (c) => c.json(store.supportedModel(c.req.param("id"))));
}

/** Control plane (/_emulator/together): fail a deployment now; list what exists. */
export function togetherDeploymentControl(services: Services) {
  const { togetherDeployments: store } = services;
  return new Hono<AppEnv>()
    .post("/deployments/:id/fail", async (c) => {
      const text = await c.req.text();
      const { message } = parseOrThrow(failBody, text.trim() ? readJsonText(text) : {});
      return c.json(store.render(store.fail(c.req.param("id"), message)));
    })
    .get("/deployments", (c) => c.json({ data: store.all(c.req.query("run")).map((d) => ({ ...store.render(d), run: d.run })) }));
}
