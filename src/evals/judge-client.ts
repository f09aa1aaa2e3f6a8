import type { Bindings } from "../env";
import { embedTexts } from "../ingest/embed";
import { loadCatalog, resolveModel } from "../llm";
import { withPacing, type PacingContext } from "../llm/pace";
import { chatCall } from "../programs/chat-call";
import type { CallUsage } from "../usage/record";
import type { Judge } from "./judge-call";
import type { Embed } from "./relevancy";

/** How an eval's calls go out: its request id (scopes logs and provider request ids), pacing, and who hears of usage. */
export interface EvalCallContext {
  requestId: string;
  /** A fan-out's pacing: when given, every call runs inside `withPacing` (the provider key's limiter). */
  pacing?: PacingContext;
  /** Told of every call's usage (judge and embeddings), for the caller to record and price. */
  onCall?: (usage: CallUsage) => void;
}

const paced = <T>(ctx: EvalCallContext, fn: () => Promise<T>) => (ctx.pacing ? withPacing(ctx.pacing, fn) : fn());

/** The judge: the model asked for, else the catalog's default judge; every call a chat call through the SDK. */
export function judgeFor(env: Bindings, ctx: EvalCallContext & { model?: string }): Judge {
  const catalog = loadCatalog(env);
  const model = resolveModel(catalog, ctx.model ?? catalog.defaults.judge);
  return {
    model: model.id,
    chat: async (params) => {
      const res = await paced(ctx, () => chatCall(env, model, params, ctx.requestId));
      ctx.onCall?.(res.usage);
      return res;
    },
  };
}

/** Embeddings for answer relevancy: the deployment's embedding model, paced like the judge. */
export function embedderFor(env: Bindings, ctx: EvalCallContext): Embed {
  return async (texts) => {
    const { vectors, usage } = await paced(ctx, () => embedTexts(env, texts, ctx.requestId));
    ctx.onCall?.(usage);
    return vectors;
  };
}
