import { z } from 'zod';

import { LEVELS, TAGS } from './ids.js';

export { LEVELS, PATTERN_IDS, type PatternId, TAGS } from './ids.js';

const optionName = z
  .string()
  .regex(/^[a-z][a-zA-Z0-9]*$/, 'option names are camelCase, starting with a lower-case letter');

const baseOption = {
  name: optionName,
  description: z.string().min(10),
  /** The question asked in interactive mode. */
  prompt: z.string().min(3),
  /**
   * Where else in sprout.json the chosen value goes, as a dot path (e.g. "domain.mode"), for
   * options that configure sprout itself rather than the CDK app. An empty string is not written.
   */
  configPath: z
    .string()
    .regex(/^[a-zA-Z][a-zA-Z0-9]*(\.[a-zA-Z][a-zA-Z0-9]*)*$/)
    .optional(),
};

export const templateOptionSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...baseOption, type: z.literal('boolean'), default: z.boolean() }),
  z.strictObject({
    ...baseOption,
    type: z.literal('number'),
    default: z.number(),
    min: z.number().optional(),
    max: z.number().optional(),
    integer: z.boolean().optional(),
  }),
  z.strictObject({
    ...baseOption,
    type: z.literal('string'),
    default: z.string(),
    /** A JavaScript regular expression (no slashes) that the value must match in full. */
    pattern: z.string().optional(),
  }),
  z.strictObject({
    ...baseOption,
    type: z.literal('enum'),
    choices: z.array(z.string().min(1)).min(2),
    default: z.string(),
  }),
]);

export type TemplateOption = z.infer<typeof templateOptionSchema>;
export type OptionValue = string | number | boolean;

export const templateManifestSchema = z
  .strictObject({
    $schema: z.string().optional(),
    id: z.string().regex(/^[a-z][a-z0-9-]*$/),
    title: z.string().min(3).max(60),
    summary: z.string().min(10).max(120),
    /** What the pattern is and how the generated project implements it. */
    description: z.string().min(40),
    useWhen: z.string().min(20),
    avoidWhen: z.string().min(20),
    services: z.array(z.string().min(2)).min(1),
    tags: z.array(z.enum(TAGS)).min(1),
    level: z.enum(LEVELS),
    options: z.array(templateOptionSchema),
    /**
     * Whether the generated project serves HTTP (an API or a site). A pattern without (events,
     * streams, workflows) cannot take sprout.json's `domain`: its app refuses one at synth.
     */
    httpEndpoint: z.boolean().default(true),
    /**
     * A workspace template (microservices) lists services that `create` scaffolds from other
     * catalog patterns into services/<name>/, in the same atomic write.
     */
    workspace: z
      .strictObject({
        services: z.array(z.strictObject({ name: z.string().regex(/^[a-z][a-z0-9-]*$/), pattern: z.string() })).min(1),
      })
      .optional(),
    /**
     * A template built on another catalog pattern: `create` copies the base's files (minus
     * `omit`: exact paths, or folders ending in /), then this template's files over them. It also
     * takes the base's options, minus `omitOptions` (options of base code it does not use).
     */
    extends: z
      .strictObject({
        pattern: z.string(),
        omit: z.array(z.string().min(1).refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), { error: 'a path inside the project' })).default([]),
        omitOptions: z.array(z.string().min(1)).default([]),
      })
      .optional(),
    /** A Mermaid flowchart of the architecture. */
    diagram: z.string().regex(/^(flowchart|graph) (LR|RL|TD|TB|BT)\b/, 'the diagram must be a Mermaid flowchart'),
  })
  .superRefine((manifest, ctx) => {
    const seen = new Set<string>();
    manifest.options.forEach((option, index) => {
      if (seen.has(option.name)) {
        ctx.addIssue({ code: 'custom', path: ['options', index, 'name'], message: `duplicate option "${option.name}"` });
      }
      seen.add(option.name);
      if (option.type === 'enum' && !option.choices.includes(option.default)) {
        ctx.addIssue({ code: 'custom', path: ['options', index, 'default'], message: 'the default must be one of the choices' });
      }
      if (option.type === 'number') {
        const outOfRange =
          (option.min !== undefined && option.default < option.min) ||
          (option.max !== undefined && option.default > option.max);
        if (outOfRange) ctx.addIssue({ code: 'custom', path: ['options', index, 'default'], message: 'the default is out of range' });
      }
      if (option.type === 'string' && option.pattern && !new RegExp(`^(?:${option.pattern})$`).test(option.default)) {
        ctx.addIssue({ code: 'custom', path: ['options', index, 'default'], message: 'the default does not match the pattern' });
      }
    });
  });

export type TemplateManifest = z.infer<typeof templateManifestSchema>;
