import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { FireworksDeploymentProvider } from "./fireworks";
import { TogetherDeploymentProvider } from "./together";
import type { DeploymentProvider } from "./types";

export type { DeploymentProvider, DeploymentSpec, DeploymentState, DeploymentStatus } from "./types";

/** Providers whose fine-tunes need a deployment before they serve. */
export const DEPLOYABLE_PROVIDERS = ["together", "fireworks"] as const;
export type DeployableProvider = (typeof DEPLOYABLE_PROVIDERS)[number];

/** Whether a fine-tune of `provider` needs a deployment (OpenAI's are callable at once). */
export function needsDeployment(provider: string): provider is DeployableProvider {
  return (DEPLOYABLE_PROVIDERS as readonly string[]).includes(provider);
}

/**
 * The deployment provider for `provider`. OpenAI has nothing to deploy (a 409 saying so); a
 * provider not configured is resolveEndpoint's 400 naming the variable to set.
 */
export function deploymentProviderFor(env: Bindings, provider: string, opts: { requestId: string }): DeploymentProvider {
  switch (provider) {
    case "together":
      return new TogetherDeploymentProvider(env, opts);
    case "fireworks":
      return new FireworksDeploymentProvider(env, opts);
    case "openai":
      throw new ApiError("conflict", "OpenAI fine-tunes need no deployment: they are callable as soon as their job succeeds.", {
        details: { provider },
        retryable: false,
      });
    default:
      throw new ApiError("bad_request", `Deploying ${provider} models is not supported yet.`, { details: { provider }, retryable: false });
  }
}
