import type { TenantHandle } from "./durable/tenant/handle";

/**
 * Secrets are not in wrangler.jsonc, so `wrangler types` cannot see them: they are
 * declared here. Every provider credential is optional; see src/llm/providers.ts
 * for the precedence between a base URL override, a key, and the local emulator.
 */
export interface Secrets {
  /** Operator token for `/admin/*`. */
  ADMIN_TOKEN?: string;
  OPENAI_API_KEY?: string;
  OPENAI_BASE_URL?: string;
  TOGETHER_API_KEY?: string;
  TOGETHER_BASE_URL?: string;
  FIREWORKS_API_KEY?: string;
  FIREWORKS_BASE_URL?: string;
  FIREWORKS_ACCOUNT_ID?: string;
  /** Together's project for dedicated deployments (its 2.0 endpoints API is project-scoped). */
  TOGETHER_PROJECT_ID?: string;
  /** Workers AI's OpenAI-compatible route: an API token, and the account it lives in. */
  WORKERS_AI_API_KEY?: string;
  WORKERS_AI_BASE_URL?: string;
  CLOUDFLARE_ACCOUNT_ID?: string;
  /** Any other OpenAI-compatible endpoint (models with provider "openai-compatible"). */
  OPENAI_COMPATIBLE_API_KEY?: string;
  OPENAI_COMPATIBLE_BASE_URL?: string;
  /** JSON merged over the built-in model catalog (src/llm/catalog.ts). */
  MODEL_CATALOG?: string;
  DEFAULT_TEACHER_MODEL?: string;
  DEFAULT_JUDGE_MODEL?: string;
  DEFAULT_EMBEDDING_MODEL?: string;
  /** Dev and tests only: the instant the clock reads at start-up (src/lib/clock.ts); ignored in production. */
  CLOCK_AT?: string;
}

export type Bindings = Env & Secrets;

/** What a request knows about its caller once auth has run. */
export interface AuthContext {
  tenantId: string;
  keyId: string;
}

export interface Variables {
  requestId: string;
  /** Set by tenant auth; absent on public and admin routes. */
  auth?: AuthContext;
  /** The authenticated tenant's Durable Object, opened by tenant auth for the request (disposed after it). */
  tenant?: TenantHandle;
  /** The matched route pattern, for the log line. */
  route?: string;
  /**
   * Set when the route's handler starts (src/openapi/router.ts): the request passed auth, content
   * type and validation. Only such requests' answers are kept for their Idempotency-Key.
   */
  began?: boolean;
  /** A short description of an internal error, for the log line (never sent to the client). */
  errorCause?: string;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: Variables;
}
