import { afterEach, describe, expect, it } from "vitest";
import { BUILTIN_CATALOG } from "../../src/llm/catalog";
import { loadCatalog } from "../../src/llm/config";
import { checkDefaultRetirements, daysUntilRetirement, isRetired } from "../../src/llm/retirement";
import { setClock } from "../../src/lib/clock";
import { watchConsole } from "../helpers/secrets";

afterEach(() => setClock(null));

const RETIRING_2027_01_14 = ["gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18", "gpt-4.1-2025-04-14", "gpt-4.1-mini-2025-04-14"];

describe("retirement dates in the built-in catalog", () => {
  it("gives every built-in model a retirement date (or null) and its source", () => {
    for (const m of BUILTIN_CATALOG.models) {
      expect(m.retirement, m.id).toBeDefined();
      expect(m.retirement!.source, m.id).toMatch(/^https:\/\/\S+ \(read \d{4}-\d{2}\)$/);
    }
  });

  it("carries OpenAI's announced shutdowns", () => {
    const date = (id: string) => BUILTIN_CATALOG.models.find((m) => m.id === id)?.retirement?.date;
    for (const id of RETIRING_2027_01_14) expect(date(id), id).toBe("2027-01-14");
    expect(date("gpt-4.1-nano-2025-04-14")).toBe("2026-10-23");
  });

  it("picks defaults that are on no retirement list", () => {
    const catalog = loadCatalog({});
    for (const role of ["teacher", "judge", "embedding"] as const) {
      const model = catalog.byId.get(catalog.defaults[role])!;
      expect(model.retirement?.date, role).toBeNull();
    }
  });

  it("lets a fine-tune inherit its base's shutdown", () => {
    const catalog = loadCatalog({
      MODEL_CATALOG: JSON.stringify({ models: [{ id: "ft:gpt-4o-mini-2024-07-18:org:x:1", base_model: "gpt-4o-mini-2024-07-18" }] }),
    });
    expect(catalog.byId.get("ft:gpt-4o-mini-2024-07-18:org:x:1")?.retirement?.date).toBe("2027-01-14");
  });
});

describe("isRetired and daysUntilRetirement", () => {
  const model = { retirement: { date: "2027-01-14", source: "x" } };

  it("counts the shutdown day as retired, the day before as not", () => {
    expect(isRetired(model, "2027-01-13")).toBe(false);
    expect(isRetired(model, "2027-01-14")).toBe(true);
    expect(daysUntilRetirement(model, "2026-12-15")).toBe(30);
    expect(isRetired({ retirement: { date: null, source: "x" } }, "2099-01-01")).toBe(false);
    expect(daysUntilRetirement({}, "2027-01-01")).toBeNull();
  });

  it("reads the clock seam when no day is given", () => {
    setClock("2027-01-14T00:00:01Z");
    expect(isRetired(model)).toBe(true);
    setClock("2027-01-13T23:59:59Z");
    expect(isRetired(model)).toBe(false);
  });
});

describe("checking the configured defaults", () => {
  const env = { DEFAULT_TEACHER_MODEL: "gpt-4.1-2025-04-14" };

  it("refuses a default teacher that has already retired, naming the variable", () => {
    setClock("2027-01-20T00:00:00Z");
    expect(() => loadCatalog(env)).toThrow(/DEFAULT_TEACHER_MODEL/);
    try {
      loadCatalog(env);
    } catch (err) {
      expect(err).toMatchObject({ code: "internal", retryable: false });
      expect((err as Error).message).toContain("2027-01-14");
    }
  });

  it("warns once when a default retires within 30 days, and accepts it", () => {
    setClock("2026-12-01T00:00:00Z"); // 44 days before the teacher's shutdown: valid, no warning yet
    const catalog = loadCatalog(env);
    const log = watchConsole();
    checkDefaultRetirements(catalog, "2026-12-20");
    checkDefaultRetirements(catalog, "2026-12-20");
    const lines = log().filter((l) => l.level === "warn").map((l) => JSON.parse(l.text));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: "default model retires soon", model: "gpt-4.1-2025-04-14", days_left: 25, variable: "DEFAULT_TEACHER_MODEL" });
  });

  it("says nothing about a default more than 30 days from its shutdown", () => {
    setClock("2026-12-01T00:00:00Z"); // 44 days before the teacher's shutdown: valid, no warning yet
    const catalog = loadCatalog(env);
    const log = watchConsole();
    checkDefaultRetirements(catalog, "2026-11-01");
    expect(log().filter((l) => l.level === "warn")).toEqual([]);
  });
});
