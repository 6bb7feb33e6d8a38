// Copied from sprout's src/runtime/flags by `npm run sync:runtime`: edit it there, not in a project.

/**
 * What AppConfig accepts in an `AWS.AppConfig.FeatureFlags` hosted configuration, checked here so
 * that sprout finds a problem before CreateHostedConfigurationVersion answers BadRequest.
 *
 * Source: the AppConfig user guide, "Understanding the type reference for
 * AWS.AppConfig.FeatureFlags" (docs.aws.amazon.com/appconfig/latest/userguide/
 * appconfig-type-reference-feature-flags.html), a JSON schema (draft-07). This checker takes the
 * STRICTER of its current text and its 2023 text (awsdocs/aws-appconfig-user-guide):
 * - top level: only `version` ("1"), `flags`, `values`; `flags` required (2023);
 * - flag keys, attribute keys: /^[a-z][a-zA-Z\d_-]{0,63}$/ (the current text; the 2023 text had
 *   no `_` in flag keys, AppConfig accepts it today, and sprout's FLAG_KEY allows it);
 * - at most 100 flags and 100 values (2023: `maxProperties: 100`);
 * - a flag: only name (/^[^\n]{1,64}$/), description (≤ 1024), _createdAt, _updatedAt,
 *   _deprecation ({ status: "planned", date? }), attributes (at most 25);
 * - an attribute definition: only description and constraints, which are one of
 *   { type: number, required?, minimum?, maximum? }, { type: string, required?, pattern? | enum? },
 *   { type: array, required?, elements? }, { type: boolean, required? };
 * - a value: `enabled` (boolean, required) plus attributes; an attribute value is a string
 *   (≤ 1024), a number, a boolean, or a list of strings (each ≤ 1024) or of numbers. (An empty list
 *   matches both list branches of the schema's `oneOf`, which then fails, so it is refused here.)
 *   The retrieval-time form counts `enabled` among at most 25 properties: ≤ 24 attributes.
 * - AppConfig also checks each value against its flag's attribute constraints;
 * - the hosted configuration store takes at most 1 MB (counted here as 1,000,000 bytes).
 * Lengths are in Unicode code points, as JSON schema's maxLength counts them.
 */

import { isObject } from './model.js';

export const APPCONFIG_LIMITS = {
  flags: 100,
  attributesPerFlag: 25,
  /** enabled + attributes, in what GetLatestConfiguration returns for one flag. */
  retrievedPropertiesPerFlag: 25,
  stringLength: 1024,
  nameLength: 64,
  descriptionLength: 1024,
  contentBytes: 1_000_000,
} as const;

export const APPCONFIG_KEY = /^[a-z][a-zA-Z\d_-]{0,63}$/;

const FLAG_FIELDS = ['name', 'description', '_createdAt', '_updatedAt', '_deprecation', 'attributes'];
const VALUE_FIELDS = ['enabled', '_createdAt', '_updatedAt', '_variants'];
const CONSTRAINT_FIELDS: Record<string, string[]> = {
  number: ['type', 'required', 'minimum', 'maximum'],
  string: ['type', 'required', 'pattern', 'enum'],
  array: ['type', 'required', 'elements'],
  boolean: ['type', 'required'],
};

/** Every reason AppConfig would refuse this hosted content (JSON text or parsed); empty when it would accept it. */
export function checkFeatureFlagsContent(content: unknown): string[] {
  const problems: string[] = [];
  let parsed = content;
  if (typeof content === 'string') {
    const bytes = new TextEncoder().encode(content).length;
    if (bytes > APPCONFIG_LIMITS.contentBytes) problems.push(`the content is ${bytes} bytes, more than AppConfig's ${APPCONFIG_LIMITS.contentBytes}`);
    try {
      parsed = JSON.parse(content);
    } catch {
      return [...problems, 'the content is not JSON'];
    }
  }
  if (!isObject(parsed)) return [...problems, 'the content must be a JSON object'];
  problems.push(...unknownFields(parsed, ['version', 'flags', 'values'], ''));
  if (parsed.version !== '1') problems.push('version: must be the string "1"');
  if (!isObject(parsed.flags)) return [...problems, 'flags: must be an object'];
  const flags = parsed.flags;
  problems.push(...checkKeys(flags, 'flags', APPCONFIG_LIMITS.flags));
  for (const [key, definition] of Object.entries(flags)) problems.push(...checkFlagDefinition(definition, `flags.${key}`));

  if (parsed.values === undefined) return problems;
  if (!isObject(parsed.values)) return [...problems, 'values: must be an object'];
  problems.push(...checkKeys(parsed.values, 'values', APPCONFIG_LIMITS.flags));
  for (const [key, value] of Object.entries(parsed.values)) {
    const definition = flags[key];
    if (!isObject(definition)) {
      problems.push(`values.${key}: there is no flag "${key}" in flags`);
      continue;
    }
    problems.push(...checkFlagValue(value, isObject(definition.attributes) ? definition.attributes : {}, `values.${key}`));
  }
  return problems;
}

function checkFlagDefinition(definition: unknown, at: string): string[] {
  if (!isObject(definition)) return [`${at}: must be an object`];
  const problems = unknownFields(definition, FLAG_FIELDS, at);
  const { name, description } = definition;
  if (name !== undefined && (typeof name !== 'string' || name.includes('\n') || !within(name, 1, APPCONFIG_LIMITS.nameLength))) {
    problems.push(`${at}.name: must be 1 to ${APPCONFIG_LIMITS.nameLength} characters on one line`);
  }
  if (description !== undefined && (typeof description !== 'string' || !within(description, 0, APPCONFIG_LIMITS.descriptionLength))) {
    problems.push(`${at}.description: must be a string of at most ${APPCONFIG_LIMITS.descriptionLength} characters`);
  }
  if (definition._deprecation !== undefined) {
    const deprecation = definition._deprecation;
    if (!isObject(deprecation) || deprecation.status !== 'planned' || unknownFields(deprecation, ['status', 'date'], '').length > 0) {
      problems.push(`${at}._deprecation: must be { "status": "planned", "date"?: "YYYY-MM-DD" }`);
    }
  }
  if (definition.attributes === undefined) return problems;
  if (!isObject(definition.attributes)) return [...problems, `${at}.attributes: must be an object`];
  problems.push(...checkKeys(definition.attributes, `${at}.attributes`, APPCONFIG_LIMITS.attributesPerFlag));
  for (const [name, attribute] of Object.entries(definition.attributes)) {
    const where = `${at}.attributes.${name}`;
    if (!isObject(attribute)) {
      problems.push(`${where}: must be an object`);
      continue;
    }
    problems.push(...unknownFields(attribute, ['description', 'constraints'], where));
    if (attribute.description !== undefined && (typeof attribute.description !== 'string' || !within(attribute.description, 0, APPCONFIG_LIMITS.descriptionLength))) {
      problems.push(`${where}.description: must be a string of at most ${APPCONFIG_LIMITS.descriptionLength} characters`);
    }
    if (attribute.constraints !== undefined) problems.push(...checkConstraints(attribute.constraints, `${where}.constraints`, true));
  }
  return problems;
}

function checkConstraints(constraints: unknown, at: string, allowArray: boolean): string[] {
  if (!isObject(constraints) || typeof constraints.type !== 'string') return [`${at}: must be an object with a type`];
  const fields = CONSTRAINT_FIELDS[constraints.type];
  if (!fields || (!allowArray && constraints.type === 'array') || (!allowArray && constraints.type === 'boolean')) {
    return [`${at}.type: must be ${allowArray ? 'number, string, array or boolean' : 'number or string'}`];
  }
  const problems = unknownFields(constraints, fields, at);
  if (constraints.required !== undefined && typeof constraints.required !== 'boolean') problems.push(`${at}.required: must be true or false`);
  if (constraints.pattern !== undefined && constraints.enum !== undefined) problems.push(`${at}: pattern and enum cannot both be set`);
  if (constraints.elements !== undefined) problems.push(...checkConstraints(constraints.elements, `${at}.elements`, false));
  return problems;
}

function checkFlagValue(value: unknown, attributes: Record<string, unknown>, at: string): string[] {
  if (!isObject(value)) return [`${at}: must be an object`];
  const problems: string[] = [];
  if (typeof value.enabled !== 'boolean') problems.push(`${at}.enabled: must be true or false`);
  const names = Object.keys(value).filter((name) => !VALUE_FIELDS.includes(name));
  if (names.length + 1 > APPCONFIG_LIMITS.retrievedPropertiesPerFlag) {
    problems.push(`${at}: ${names.length} attributes, more than the ${APPCONFIG_LIMITS.retrievedPropertiesPerFlag - 1} a flag can return`);
  }
  for (const name of names) {
    const where = `${at}.${name}`;
    if (!APPCONFIG_KEY.test(name)) problems.push(`${where}: the attribute name must match ${APPCONFIG_KEY}`);
    else if (!isObject(attributes[name])) problems.push(`${where}: the flag defines no attribute "${name}"`);
    problems.push(...checkAttributeValue(value[name], where));
  }
  for (const [name, attribute] of Object.entries(attributes)) {
    const constraints = isObject(attribute) && isObject(attribute.constraints) ? attribute.constraints : undefined;
    if (!constraints) continue;
    if (value[name] === undefined) {
      if (constraints.required === true) problems.push(`${at}.${name}: required by its constraints`);
    } else if (!satisfies(value[name], constraints)) {
      problems.push(`${at}.${name}: does not satisfy its constraints (${JSON.stringify(constraints)})`);
    }
  }
  return problems;
}

function checkAttributeValue(value: unknown, at: string): string[] {
  if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) return [];
  if (typeof value === 'string') return within(value, 0, APPCONFIG_LIMITS.stringLength) ? [] : [`${at}: a string of more than ${APPCONFIG_LIMITS.stringLength} characters`];
  if (Array.isArray(value) && value.length > 0) {
    if (value.every((item) => typeof item === 'number' && Number.isFinite(item))) return [];
    if (value.every((item) => typeof item === 'string')) {
      const long = value.findIndex((item) => !within(item as string, 0, APPCONFIG_LIMITS.stringLength));
      return long === -1 ? [] : [`${at}[${long}]: a string of more than ${APPCONFIG_LIMITS.stringLength} characters`];
    }
  }
  return [`${at}: must be a string, a number, a boolean, or a non-empty list of only strings or only numbers`];
}

/** Whether a value meets the constraints AppConfig checks it against (type, list element type, enum, bounds). */
function satisfies(value: unknown, constraints: Record<string, unknown>): boolean {
  switch (constraints.type) {
    case 'string':
      return typeof value === 'string' && (!Array.isArray(constraints.enum) || constraints.enum.includes(value));
    case 'number':
      return (
        typeof value === 'number' &&
        (typeof constraints.minimum !== 'number' || value >= constraints.minimum) &&
        (typeof constraints.maximum !== 'number' || value <= constraints.maximum)
      );
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value) && (!isObject(constraints.elements) || value.every((item) => satisfies(item, constraints.elements as Record<string, unknown>)));
    default:
      return false;
  }
}

function checkKeys(object: Record<string, unknown>, at: string, max: number): string[] {
  const keys = Object.keys(object);
  const problems = keys.filter((key) => !APPCONFIG_KEY.test(key)).map((key) => `${at}.${key}: the key must match ${APPCONFIG_KEY}`);
  if (keys.length > max) problems.push(`${at}: ${keys.length} entries, more than AppConfig's ${max}`);
  return problems;
}

function unknownFields(object: Record<string, unknown>, allowed: string[], at: string): string[] {
  return Object.keys(object)
    .filter((key) => !allowed.includes(key))
    .map((key) => `${at ? `${at}.` : ''}${key}: not allowed here`);
}

function within(text: string, min: number, max: number): boolean {
  const length = [...text].length;
  return length >= min && length <= max;
}
