import { Hono } from "hono";
import { datasetRoutes } from "../fireworks/dataset-routes";
import { sftJobRoutes } from "../fireworks/job-routes";
import type { AppEnv, Services } from "../services";

/** Fireworks' control plane (/fireworks/v1): datasets and supervised fine-tuning jobs, any account id. */
export function fireworksRoutes(services: Services) {
  return new Hono<AppEnv>().route("/", datasetRoutes(services)).route("/", sftJobRoutes(services));
}
