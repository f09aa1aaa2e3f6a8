import { Hono } from "hono";
import { modelObject } from "../models";
import type { AppEnv, Services } from "../services";

/** GET /v1/models and /v1/models/:id (ids may contain slashes, as Together's and Fireworks' do). */
export function modelRoutes(services: Services) {
  return new Hono<AppEnv>()
    .get("/models", (c) => c.json({ object: "list", data: services.listModels().map(modelObject) }))
    .get("/models/:id{.+}", (c) => c.json(modelObject(services.resolveModel(c.req.param("id")))));
}
