/**
 * The OpenAI-compatible emulator Worker: every request goes to one Durable Object
 * (EmulatorState, named "global"), which runs the Hono app.
 */
export { EmulatorState } from "./state";

export default {
  fetch(request, env) {
    const stub = env.EMULATOR_STATE.get(env.EMULATOR_STATE.idFromName("global"));
    return stub.fetch(request);
  },
} satisfies ExportedHandler<EmulatorEnv>;
