import { exports, env } from "cloudflare:workers";
import { expect, it } from "vitest";

it("answers", async () => {
  const res = await exports.default.fetch("http://x/health");
  expect(await res.text()).toBe("ok");
  const emu = await env.LOCAL_OPENAI!.fetch("http://emulator/x");
  expect(await emu.text()).toBe("ok");
});
