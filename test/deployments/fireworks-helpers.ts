import { advanceClock, configureRun, providerCall, uniqueRun } from "../helpers/emulator";
import type { RunConfigInput } from "../helpers/emulator";
import { trainingJsonl } from "../emulator/fixtures";

export const FW_BASE = "accounts/fireworks/models/llama-v3p1-8b-instruct";

export type GoogleError = { error: { code: number; message: string; status: string } };

/** The JSON of a response with the expected status (the body in the failure message). */
export async function bodyOf<T>(res: Response, status = 200): Promise<T> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

/**
 * A run of its own (frozen clock, 1 s fine-tuning phases, deployments provisioning in 60 s and
 * addons loading in 10 s unless `config` says otherwise) and a Fireworks account of its own.
 */
export async function fireworksRun(config: RunConfigInput = {}) {
  const run = uniqueRun("fwd");
  const account = `acct-${run.slice(-8)}`;
  await configureRun(run, {
    clock: { speed: 0 },
    fine_tuning: { durations_ms: { validating: 1_000, queued: 1_000, running: 1_000 } },
    deployments: { provisioning_ms: 60_000, addon_load_ms: 10_000 },
    ...config,
  });
  const call = (method: string, path: string, payload?: unknown) => providerCall(run, method, `/fireworks/v1/accounts/${account}${path}`, payload);
  return { run, account, call };
}

/** LoRAs trained on the emulator in `account` (one dataset of `examples` rows each): their model names. */
export async function trainedLoras(ctx: Awaited<ReturnType<typeof fireworksRun>>, names: string[], examples = 100): Promise<string[]> {
  for (const name of names) {
    await bodyOf(await ctx.call("POST", "/datasets", { datasetId: `ds-${name}`, dataset: { userUploaded: {}, format: "CHAT" } }));
    const form = new FormData();
    form.append("file", new File([trainingJsonl(examples)], `${name}.jsonl`));
    await bodyOf(await ctx.call("POST", `/datasets/ds-${name}:upload`, form));
    await bodyOf(await ctx.call("POST", `/supervisedFineTuningJobs?supervisedFineTuningJobId=ft-${name}-${ctx.account.slice(-8)}`, { dataset: `accounts/${ctx.account}/datasets/ds-${name}`, baseModel: FW_BASE, outputModel: name }));
  }
  await advanceClock(ctx.run, 60_000);
  return names.map((n) => `accounts/${ctx.account}/models/${n}`);
}
