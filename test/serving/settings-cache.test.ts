import { afterEach, describe, expect, it } from "vitest";
import { advanceClock, setClock } from "../../src/lib/clock";
import { forgetServingSettings, SERVING_SETTINGS_TTL_MS, servingSettingsOf } from "../../src/serving/settings";

/** A tenant whose object counts the settings reads and whose settings a test can change "elsewhere". */
function tenant(id: string) {
  const t = {
    id,
    reads: 0,
    stored: { serving: { fallback: true } } as Record<string, unknown>,
    profile: {
      settings: async () => {
        t.reads++;
        return t.stored;
      },
    },
  };
  return t;
}

describe("serving settings cached per isolate", () => {
  afterEach(() => setClock(null));

  it("reads the object once within the bound, and again after it (a change made elsewhere is seen then)", async () => {
    setClock("2026-12-07T00:00:00Z");
    const t = tenant("ten_cache_1");
    expect((await servingSettingsOf(t as never)).fallback).toBe(true);
    t.stored = { serving: { fallback: false } };
    advanceClock(SERVING_SETTINGS_TTL_MS - 1_000); // the clock seam still runs: leave a margin
    expect((await servingSettingsOf(t as never)).fallback).toBe(true);
    expect(t.reads).toBe(1);
    advanceClock(1_000);
    expect((await servingSettingsOf(t as never)).fallback).toBe(false);
    expect(t.reads).toBe(2);
  });

  it("the isolate that changes the settings forgets its copy at once", async () => {
    setClock("2026-12-07T00:00:00Z");
    const t = tenant("ten_cache_2");
    await servingSettingsOf(t as never);
    t.stored = { serving: { schema_guard: true } };
    forgetServingSettings(t.id);
    expect((await servingSettingsOf(t as never)).schema_guard).toBe(true);
    expect(t.reads).toBe(2);
  });
});
