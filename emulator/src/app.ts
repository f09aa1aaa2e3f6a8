import { Hono } from "hono";
import { OpenAIError } from "./errors";
import { googleBody } from "./fireworks/errors";
import { chatRoutes } from "./routes/chat";
import { controlRoutes } from "./routes/control";
import { embeddingRoutes } from "./routes/embeddings";
import { fileRoutes } from "./routes/files";
import { fineTuningRoutes } from "./routes/fine-tuning";
import { modelRoutes } from "./routes/models";
import { signedUploadRoutes } from "./fireworks/dataset-routes";
import { fireworksRoutes } from "./routes/fireworks";
import { togetherRoutes } from "./routes/together";
import { togetherDeploymentControl, togetherDeploymentRoutes } from "./routes/together-deployments";
import { uploadRoutes } from "./routes/uploads";
import { requestContext, requireBearer, runEffects } from "./runs/middleware";
import type { AppEnv, Services } from "./services";

/** The emulator's HTTP surface: OpenAI's /v1 routes and the /_emulator control plane. */
export function createApp(services: Services): Hono<AppEnv> {
  const v1 = new Hono<AppEnv>()
    .use("*", requireBearer)
    .use("*", runEffects(services))
    .route("/", modelRoutes(services))
    .route("/", chatRoutes(services))
    .route("/", embeddingRoutes(services))
    .route("/", fileRoutes(services))
    .route("/", uploadRoutes(services))
    .route("/", fineTuningRoutes(services));

  // Together's and Fireworks' OpenAI-compatible inference (chat, embeddings, models) at their
  // own paths, so a model configured with those providers resolves here too.
  const inference = () =>
    new Hono<AppEnv>()
      .use("*", requireBearer)
      .use("*", runEffects(services))
      .route("/", modelRoutes(services))
      .route("/", chatRoutes(services))
      .route("/", embeddingRoutes(services));

  const app = new Hono<AppEnv>();
  app.use("*", requestContext(services));
  app.route("/v1", v1);
  app.route("/together/v1", inference().route("/", togetherRoutes(services)));
  app.route("/together/v2", new Hono<AppEnv>().use("*", requireBearer).use("*", runEffects(services)).route("/", togetherDeploymentRoutes(services)));
  app.route("/_emulator/together", togetherDeploymentControl(services));
  app.route("/fireworks/inference/v1", inference());
  app.route(
    "/fireworks/v1",
    new Hono<AppEnv>().use("*", requireBearer).use("*", runEffects(services)).route("/", fireworksRoutes(services)),
  );
  // Signed URLs carry their own credential (the token), as a storage bucket's do: no bearer.
  app.route("/fireworks/_signed", signedUploadRoutes(services));
  app.route("/_emulator", controlRoutes(services));
  app.notFound((c) => {
    if (c.req.method !== "GET" || /^\/(v1|_emulator|together|fireworks)\//.test(c.req.path)) {
      const error = new OpenAIError(404, `Invalid URL (${c.req.method} ${c.req.path})`, "invalid_request_error");
      return c.json(errorBody(c.req.path, error), 404);
    }
    // Liveness for anything else (dev tooling and smoke tests probe arbitrary paths).
    return c.text("ok");
  });
  app.onError((err, c) => {
    const error =
      err instanceof OpenAIError
        ? err
        : new OpenAIError(500, "The server had an error while processing your request. Sorry about that!", "server_error");
    if (!(err instanceof OpenAIError)) console.error("emulator: unhandled error", err);
    for (const [k, v] of Object.entries(error.headers)) c.header(k, v);
    return c.json(errorBody(c.req.path, error), error.status);
  });
  return app;
}

/** Fireworks' control plane answers errors in Google's API shape; everything else in OpenAI's. */
function errorBody(path: string, error: OpenAIError) {
  return path.startsWith("/fireworks/v1/") || path.startsWith("/fireworks/_signed/") ? googleBody(error) : error.body();
}
