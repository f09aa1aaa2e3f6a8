import { DurableObject } from "cloudflare:workers";
import type { Hono } from "hono";
import { createApp } from "./app";
import { createServices, type AppEnv } from "./services";
import { migrate } from "./storage/schema";

/**
 * The emulator's single Durable Object: all state (runs, files, jobs) lives in its SQLite,
 * so every request sees one consistent world. It serves HTTP because the emulator's job is
 * to look exactly like OpenAI's HTTP API.
 */
export class EmulatorState extends DurableObject<EmulatorEnv> {
  private readonly app: Hono<AppEnv>;

  constructor(ctx: DurableObjectState, env: EmulatorEnv) {
    super(ctx, env);
    migrate(ctx.storage.sql);
    this.app = createApp(createServices(ctx.storage.sql));
  }

  override fetch(request: Request): Response | Promise<Response> {
    return this.app.fetch(request);
  }
}
