import { OUTPUT_FORMATS, type OutputFormat } from './image-types.js';
import { requiredEnv } from './storage.js';

/** An integer environment variable set by the stack from sprout.json's options. */
export function integerEnv(name: string, min: number, max: number): number {
  const value = Number(requiredEnv(name));
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`Environment variable ${name} must be an integer from ${min} to ${max}`);
  return value;
}

export function outputFormatEnv(): OutputFormat {
  const value = requiredEnv('OUTPUT_FORMAT');
  if (!(OUTPUT_FORMATS as readonly string[]).includes(value)) throw new Error(`Environment variable OUTPUT_FORMAT must be one of ${OUTPUT_FORMATS.join(', ')}`);
  return value as OutputFormat;
}
