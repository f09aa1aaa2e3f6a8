import { describe, expect, it } from "vitest";
import { BASE_STUDENT, fineTunedRate } from "../../emulator/src/profiles/config";
import { degradationFor } from "../../emulator/src/profiles/degrade";
import { profileFor } from "../../emulator/src/profiles/resolve";

const BASE = "gpt-4o-mini-2024-07-18";
const FT = `ft:${BASE}:distillery-emulator::abc12345`;
const trainedOn = (examples: number) => () => ({ baseModel: BASE, examples });

describe("emulator profiles (configuration)", () => {
  it("moves a fine-tuned student toward the teacher with its examples, never closer than 10% of answers", () => {
    expect(fineTunedRate(10)).toBe(BASE_STUDENT.rate);
    expect(fineTunedRate(100)).toBeCloseTo(0.325, 10);
    expect(fineTunedRate(1000)).toBeCloseTo(0.15, 10);
    expect(fineTunedRate(1_000_000)).toBeCloseTo(0.15, 10);
    for (let n = 11; n < 5000; n += 97) expect(fineTunedRate(n)).toBeLessThan(fineTunedRate(n - 1) + 1e-12);
  });

  it("reads kinds from the model: the teacher, a base student, a fine-tune of one from its job's record", () => {
    expect(profileFor("gpt-6.1-sol", () => undefined)).toEqual({ kind: "teacher" });
    expect(profileFor("meta-llama/Llama-3.2-3B-Instruct", () => undefined)).toEqual({ kind: "teacher" });
    expect(profileFor(BASE, () => undefined)).toMatchObject({ kind: "base_student", rate: 0.5 });
    expect(profileFor(FT, trainedOn(500))).toMatchObject({ kind: "fine_tuned", base: BASE, examples: 500 });
    expect(profileFor(`${FT}:ckpt-step-3`, trainedOn(500))).toMatchObject({ kind: "fine_tuned", examples: 500 });
    expect(profileFor(FT, () => undefined)).toEqual({ kind: "teacher" });
  });

  it("spoils a fine-tuned student's answers only where its base spoils them, the same way, and a 10-row student exactly as its base", () => {
    const base = profileFor(BASE, () => undefined);
    const ten = profileFor(FT, trainedOn(10));
    const trained = profileFor(FT, trainedOn(1000));
    let spoiledBase = 0;
    let spoiledTrained = 0;
    for (let i = 0; i < 2000; i++) {
      const key = `request ${i}`;
      const b = degradationFor(base, key, 0);
      const t = degradationFor(trained, key, 0);
      expect(degradationFor(ten, key, 0)).toBe(b);
      if (t !== null) expect(t).toBe(b);
      if (b) spoiledBase++;
      if (t) spoiledTrained++;
    }
    expect(spoiledBase / 2000).toBeCloseTo(0.5, 1);
    expect(spoiledTrained / 2000).toBeCloseTo(0.15, 1);
    expect(degradationFor({ kind: "teacher" }, "request 1", 0)).toBeNull();
  });
});
