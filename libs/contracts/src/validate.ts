import { z } from 'zod';
import { TranscodeSpecSchema, type TranscodeSpec } from './transcode.schema';

export interface FieldError {
  path: string;
  message: string;
}

export type SpecValidation =
  { ok: true; spec: TranscodeSpec } | { ok: false; errors: FieldError[] };

/** Validates (and defaults) a Transcode spec; errors carry dotted field paths like `ladder.renditions.0.height`. */
export function validateTranscodeSpec(input: unknown): SpecValidation {
  const parsed = TranscodeSpecSchema.safeParse(input);
  if (parsed.success) return { ok: true, spec: parsed.data };
  return { ok: false, errors: fieldErrors(parsed.error) };
}

export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: issue.path.join('.') || '(root)',
    message: issue.message,
  }));
}
