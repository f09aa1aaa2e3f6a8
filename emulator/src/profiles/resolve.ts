import { parseFineTunedName } from "../models";
import { BASE_STUDENT, STUDENT_BASES, fineTunedRate } from "./config";

/** How a model answers: the teacher answers from the context; students degrade structured answers at `rate`. */
export type Profile =
  | { kind: "teacher" }
  | { kind: "base_student"; base: string; rate: number }
  | { kind: "fine_tuned"; base: string; examples: number; rate: number };

/** What the emulator's own record of a fine-tuning job says about the model it made. */
export type TrainedOn = (modelName: string) => { baseModel: string; examples: number } | undefined;

/**
 * A model's profile: a catalogue student base is a base student; a fine-tuned model of one is a
 * fine-tuned student trained on its job's examples; everything else answers as the teacher.
 */
export function profileFor(modelId: string, trainedOn: TrainedOn): Profile {
  if (STUDENT_BASES.has(modelId)) return { kind: "base_student", base: modelId, rate: BASE_STUDENT.rate };
  const ft = parseFineTunedName(modelId);
  if (ft) {
    const job = trainedOn(modelId.replace(/:ckpt-step-\d+$/, ""));
    if (job && STUDENT_BASES.has(job.baseModel)) return { kind: "fine_tuned", base: job.baseModel, examples: job.examples, rate: fineTunedRate(job.examples) };
  }
  return { kind: "teacher" };
}
