import { adminAuth, tenantAuth } from "./auth/middleware";
import type { AppEnv } from "./env";
import { onError } from "./errors";
import { limitBody } from "./middleware/body-limit";
import { idempotent } from "./middleware/idempotency";
import { notFoundOrMethodNotAllowed } from "./middleware/method-not-allowed";
import { requestContext } from "./middleware/request-context";
import { createRouter } from "./openapi/router";
import { adminTenantRoutes } from "./routes/admin-tenants";
import { catalogRoutes } from "./routes/catalog";
import { datasetRoutes } from "./routes/datasets";
import { jobRoutes } from "./routes/jobs";
import { modelRegistryRoutes } from "./routes/models";
import { docsRoutes } from "./routes/docs";
import { documentRoutes } from "./routes/documents";
import { healthRoutes } from "./routes/health";
import { keyRoutes } from "./routes/keys";
import { openaiModelRoutes } from "./routes/openai-models";
import { programRoutes } from "./routes/programs";
import { queryRoutes } from "./routes/query";
import { retrieveRoutes } from "./routes/retrieve";
import { settingsRoutes } from "./routes/settings";
import { usageRoutes } from "./routes/usage";
import { webhookRoutes } from "./routes/webhooks";

export const OPENAPI_PATH = "/openapi.json";

/** The HTTP surface: middleware, one sub-app per resource, the OpenAPI document, errors. */
export function createApp() {
  const app = createRouter();

  app.openAPIRegistry.registerComponent("securitySchemes", "tenantKey", {
    type: "http",
    scheme: "bearer",
    description: "A tenant API key (`dk_…`)",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "adminToken", {
    type: "http",
    scheme: "bearer",
    description: "The operator's ADMIN_TOKEN",
  });

  app.use("*", requestContext());
  app.use("*", limitBody());
  app.use("/admin/*", adminAuth());
  app.use("/api/*", tenantAuth());
  app.use("/openai/*", tenantAuth());
  app.on("POST", ["/admin/*", "/api/*"], idempotent());

  // Every sub-app is mounted at its resource's path and declares its routes relative to it.
  app.route("/health", healthRoutes);
  app.route("/docs", docsRoutes);
  app.route("/admin/tenants", adminTenantRoutes);
  app.route("/api/keys", keyRoutes);
  app.route("/api/catalog", catalogRoutes);
  app.route("/api/settings", settingsRoutes);
  app.route("/api/documents", documentRoutes);
  app.route("/api/retrieve", retrieveRoutes);
  app.route("/api/programs", programRoutes);
  app.route("/api/query", queryRoutes);
  app.route("/api/datasets", datasetRoutes);
  app.route("/api/jobs", jobRoutes);
  app.route("/api/models", modelRegistryRoutes);
  app.route("/api/usage", usageRoutes);
  app.route("/api/webhooks", webhookRoutes);
  app.route("/openai/v1/models", openaiModelRoutes);

  app.doc31(OPENAPI_PATH, {
    openapi: "3.1.0",
    info: {
      title: "Distillery",
      version: "0.1.0",
      description:
        "Distill a strong teacher model into a cheaper fine-tuned student, and serve it. " +
        "Errors are `{error: {code, message, details?, request_id}}`; under `/openai/*` they use OpenAI's shape.",
    },
  });

  app.notFound(notFoundOrMethodNotAllowed(() => app.routes));
  app.onError(onError);
  return app;
}

export type App = ReturnType<typeof createApp>;
export type { AppEnv };
