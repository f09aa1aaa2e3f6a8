import { Hono } from "hono";
import { datasetRoutes } from "../fireworks/dataset-routes";
import { deploymentRoutes } from "../fireworks/deployment-routes";
import { sftJobRoutes } from "../fireworks/job-routes";
import type { AppEnv, Services } from "../services";

/** Fireworks' control plane (/fireworks/v1): datasets, supervised fine-tuning jobs, deployments and deployed models (LoRA addons), any account id. */
export function fireworksRoutes(services: Services) {
  return new Hono<AppEnv>().route("/", datasetRoutes(services)).route("/", sftJobRoutes(services)).route("/", deploymentRoutes(services));
}
