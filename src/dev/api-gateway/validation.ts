/**
 * Request body validation against an API Gateway Model (JSON Schema draft 4) with ajv, loaded
 * lazily. Errors are phrased like API Gateway's validator so `$context.error.validationErrorString`
 * reads as it does in the cloud (`[object has missing required properties (["name"])]`).
 */
import type { ErrorObject, ValidateFunction } from 'ajv';

const compiled = new WeakMap<object, ValidateFunction>();
let ajvInstance: { compile(schema: object): ValidateFunction } | undefined;

/** undefined when the body is valid, else the validation error string. */
export async function validateBody(schema: object, body: string): Promise<string | undefined> {
  let value: unknown;
  try {
    // API Gateway validates an empty body as an empty object.
    value = body.trim() === '' ? {} : JSON.parse(body);
  } catch (error) {
    return `[Invalid request body: ${(error as Error).message}]`;
  }
  const validate = await compile(schema);
  if (validate(value)) return undefined;
  return `[${(validate.errors ?? []).map(describe).join(', ')}]`;
}

async function compile(schema: object): Promise<ValidateFunction> {
  const cached = compiled.get(schema);
  if (cached) return cached;
  if (!ajvInstance) {
    const { default: Ajv } = (await import('ajv')) as unknown as { default: new (options: object) => { compile(schema: object): ValidateFunction } };
    ajvInstance = new Ajv({ strict: false, allErrors: true, verbose: true, validateSchema: false });
  }
  const validate = ajvInstance.compile(fromDraft4(schema) as object);
  compiled.set(schema, validate);
  return validate;
}

/** Draft 4 → what ajv 8 reads: no $schema/id, boolean exclusiveMinimum/Maximum turned into numbers. */
export function fromDraft4(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(fromDraft4);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  const source = schema as Record<string, unknown>;
  for (const [key, value] of Object.entries(source)) {
    if (key === '$schema' || (key === 'id' && typeof value === 'string')) continue;
    if (key === 'exclusiveMinimum' && typeof value === 'boolean') {
      if (value && typeof source.minimum === 'number') out.exclusiveMinimum = source.minimum;
      continue;
    }
    if (key === 'exclusiveMaximum' && typeof value === 'boolean') {
      if (value && typeof source.maximum === 'number') out.exclusiveMaximum = source.maximum;
      continue;
    }
    // `properties`/`definitions` hold names → schemas: keep the names, convert the schemas.
    out[key] = key === 'properties' || key === 'definitions' || key === 'patternProperties' ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, fromDraft4(v)])) : fromDraft4(value);
  }
  if (source.exclusiveMinimum === true && typeof source.minimum === 'number') delete out.minimum;
  if (source.exclusiveMaximum === true && typeof source.maximum === 'number') delete out.maximum;
  return out;
}

function describe(error: ErrorObject): string {
  const p = error.params as Record<string, any>;
  const where = error.instancePath ? ` at ${error.instancePath}` : '';
  switch (error.keyword) {
    case 'required':
      return `object has missing required properties (["${p.missingProperty}"])${where}`;
    case 'additionalProperties':
      return `object instance has properties which are not allowed by the schema: ["${p.additionalProperty}"]${where}`;
    case 'type':
      return `instance type (${jsonType(error.data)}) does not match any allowed primitive type (allowed: ${JSON.stringify([p.type].flat())})${where}`;
    case 'minLength':
      return `string ${JSON.stringify(error.data)} is too short (length: ${String(error.data).length}, required minimum: ${p.limit})${where}`;
    case 'maxLength':
      return `string ${JSON.stringify(error.data)} is too long (length: ${String(error.data).length}, maximum allowed: ${p.limit})${where}`;
    case 'minimum':
    case 'exclusiveMinimum':
      return `numeric instance is lower than the required minimum (minimum: ${p.limit}, found: ${error.data})${where}`;
    case 'maximum':
    case 'exclusiveMaximum':
      return `numeric instance is greater than the required maximum (maximum: ${p.limit}, found: ${error.data})${where}`;
    case 'enum':
      return `instance value (${JSON.stringify(error.data)}) not found in enum (possible values: ${JSON.stringify(p.allowedValues)})${where}`;
    case 'pattern':
      return `ECMA 262 regex "${p.pattern}" does not match input string ${JSON.stringify(error.data)}${where}`;
    default:
      return `${error.message ?? error.keyword}${where}`;
  }
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}
