import type { ClientOptions } from "openai";
import type { Bindings } from "../env";
import { ApiError } from "../errors";
import type { Provider } from "./catalog-schema";
import { pacedFetch } from "./pace";

/** The `fetch` the OpenAI SDK is handed. */
export type FetchLike = NonNullable<ClientOptions["fetch"]>;

/** `inference` serves chat and embeddings; `control` is where files and fine-tuning jobs live. */
export type Plane = "inference" | "control";

/** Where and how to call one provider. */
export interface ProviderEndpoint {
  provider: Provider;
  baseURL: string;
  apiKey: string;
  fetch: FetchLike;
  source: "override" | "provider" | "local";
  /** Fireworks only: the account its control-plane paths name (`/v1/accounts/{accountId}/…`). */
  accountId?: string;
}

/** The variables `resolveEndpoint` reads; any Bindings object satisfies it. */
export type ProviderEnv = Pick<
  Bindings,
  | "OPENAI_API_KEY" | "OPENAI_BASE_URL"
  | "TOGETHER_API_KEY" | "TOGETHER_BASE_URL"
  | "FIREWORKS_API_KEY" | "FIREWORKS_BASE_URL" | "FIREWORKS_ACCOUNT_ID"
  | "WORKERS_AI_API_KEY" | "WORKERS_AI_BASE_URL" | "CLOUDFLARE_ACCOUNT_ID"
  | "OPENAI_COMPATIBLE_API_KEY" | "OPENAI_COMPATIBLE_BASE_URL"
  | "LOCAL_OPENAI"
>;

type SecretName = Exclude<keyof ProviderEnv, "LOCAL_OPENAI">;

interface ProviderSpec {
  keyVar: SecretName;
  urlVar: SecretName;
  /** The provider's public root for each plane, or the variable still missing to build it. */
  publicURL(env: ProviderEnv, plane: Plane): string | { missing: SecretName };
  /** Path of the provider's API on the local OpenAI-compatible service. */
  localPath: Record<Plane, string>;
}

const both = (path: string): Record<Plane, string> => ({ inference: path, control: path });

const SPECS: Record<Provider, ProviderSpec> = {
  openai: {
    keyVar: "OPENAI_API_KEY",
    urlVar: "OPENAI_BASE_URL",
    publicURL: () => "https://api.openai.com/v1",
    localPath: both("/v1"),
  },
  together: {
    keyVar: "TOGETHER_API_KEY",
    urlVar: "TOGETHER_BASE_URL",
    publicURL: () => "https://api.together.xyz/v1",
    localPath: both("/together/v1"),
  },
  fireworks: {
    keyVar: "FIREWORKS_API_KEY",
    urlVar: "FIREWORKS_BASE_URL",
    publicURL: (_env, plane) => fireworksURL("https://api.fireworks.ai", plane),
    localPath: { inference: "/fireworks/inference/v1", control: "/fireworks" },
  },
  "workers-ai": {
    keyVar: "WORKERS_AI_API_KEY",
    urlVar: "WORKERS_AI_BASE_URL",
    publicURL: (env) => {
      const account = nonEmpty(env.CLOUDFLARE_ACCOUNT_ID);
      if (!account) return { missing: "CLOUDFLARE_ACCOUNT_ID" };
      return `https://api.cloudflare.com/client/v4/accounts/${encodeURIComponent(account)}/ai/v1`;
    },
    localPath: both("/v1"),
  },
  "openai-compatible": {
    keyVar: "OPENAI_COMPATIBLE_API_KEY",
    urlVar: "OPENAI_COMPATIBLE_BASE_URL",
    // No public endpoint to default to: a key alone says nothing about where to send it.
    publicURL: () => ({ missing: "OPENAI_COMPATIBLE_BASE_URL" }),
    localPath: both("/v1"),
  },
};

const LOCAL_ORIGIN = "http://local-openai";
// The SDK refuses to run without a key; endpoints that need none get a visible placeholder.
const PLACEHOLDER_KEY = "no-key-configured";

/**
 * Decides where calls to `provider` go, with which key and which `fetch`. The one place that does.
 *
 * Precedence, for each provider P (OPENAI, TOGETHER, FIREWORKS, WORKERS_AI, OPENAI_COMPATIBLE):
 * 1. `P_BASE_URL` set: calls go there, with `P_API_KEY` if set, else a placeholder key
 *    (source "override"). FIREWORKS_BASE_URL is the API root (as `https://api.fireworks.ai`;
 *    a value ending in `/inference/v1` is accepted): inference is `<root>/inference/v1`, the
 *    control plane `<root>`.
 * 2. Else `P_API_KEY` set: the provider's public endpoint (source "provider"):
 *    `https://api.openai.com/v1`, `https://api.together.xyz/v1`, Fireworks
 *    `https://api.fireworks.ai/inference/v1` (control plane `https://api.fireworks.ai`),
 *    Workers AI `https://api.cloudflare.com/client/v4/accounts/<CLOUDFLARE_ACCOUNT_ID>/ai/v1`.
 *    OPENAI_COMPATIBLE has no public endpoint and needs its base URL.
 * 3. Else, when the `LOCAL_OPENAI` service binding exists: the local OpenAI-compatible service
 *    at `http://local-openai/v1` (Together `/together/v1`, Fireworks `/fireworks/inference/v1`,
 *    control plane `/fireworks`), reached through the binding (source "local"); the keyless
 *    providers (Workers AI, OpenAI-compatible) use its OpenAI route.
 * 4. Else a 400 `bad_request` naming the variable to set, before any call is made, so a
 *    provider's 401 never stands in for missing configuration. (Likewise when a key is set
 *    but its endpoint needs another variable: CLOUDFLARE_ACCOUNT_ID, OPENAI_COMPATIBLE_BASE_URL.)
 * Empty values count as unset. FIREWORKS_ACCOUNT_ID is passed through as `accountId`
 * ("local" against the local service when unset).
 */
export function resolveEndpoint(env: ProviderEnv, provider: Provider, plane: Plane = "inference"): ProviderEndpoint {
  const spec = SPECS[provider];
  const apiKey = nonEmpty(env[spec.keyVar]);
  const override = nonEmpty(env[spec.urlVar]);
  const accountId = provider === "fireworks" ? nonEmpty(env.FIREWORKS_ACCOUNT_ID) : undefined;
  const endpoint = (baseURL: string, source: ProviderEndpoint["source"], key = apiKey, fetch = globalFetch) => ({
    provider,
    baseURL,
    apiKey: key ?? PLACEHOLDER_KEY,
    // Inference calls made inside a pacing context wait for the provider key's allowance (pace.ts).
    fetch: plane === "inference" ? pacedFetch(fetch, { provider, baseURL, apiKey: key ?? PLACEHOLDER_KEY }) : fetch,
    source,
    ...(provider === "fireworks" ? { accountId: accountId ?? (source === "local" ? "local" : undefined) } : {}),
  });

  if (override) {
    const root = override.replace(/\/+$/, "");
    const baseURL = provider === "fireworks" ? fireworksURL(root.replace(/\/inference\/v1$/, ""), plane) : root;
    return endpoint(baseURL, "override");
  }
  if (apiKey) {
    const url = spec.publicURL(env, plane);
    if (typeof url === "string") return endpoint(url, "provider");
    // A key means the real provider was meant: say what else it needs rather than go local.
    throw notConfigured(provider, url.missing, `${spec.keyVar} is set but `);
  }
  const local = env.LOCAL_OPENAI;
  if (local) {
    const localFetch: FetchLike = (input, init) => local.fetch(input as RequestInfo | URL, init as RequestInit);
    return endpoint(`${LOCAL_ORIGIN}${spec.localPath[plane]}`, "local", undefined, localFetch);
  }
  throw notConfigured(provider, spec.keyVar, "", spec.urlVar);
}

function notConfigured(provider: Provider, missing: SecretName, context: string, alternative?: SecretName): ApiError {
  return new ApiError(
    "bad_request",
    `Provider "${provider}" is not configured: ${context}set ${missing}` +
      (alternative ? ` (or ${alternative} to use another OpenAI-compatible endpoint).` : "."),
    { details: { provider, missing: [missing] } },
  );
}

// Looked up at call time, so a test's stubbed global fetch is seen; and called unbound, which
// workerd requires of its global fetch.
const globalFetch: FetchLike = (input, init) => fetch(input as RequestInfo | URL, init as RequestInit);

function fireworksURL(root: string, plane: Plane): string {
  return plane === "control" ? root : `${root}/inference/v1`;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
