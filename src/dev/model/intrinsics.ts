import { LOCAL_ACCOUNT, LOCAL_PARTITION, LOCAL_REGION } from '../types.js';
import type { CfnTemplate } from './assembly.js';
import { stableUuid } from './naming.js';
import { isUnresolved, unresolved, type Unresolved } from './unresolved.js';

/** What the resolver needs from outside the template: the local identities of its resources, and other stacks' exports. */
export interface ResolverHooks {
  stackName: string;
  /** `Ref` of a resource of this template; undefined when there is no such resource. */
  resourceRef(logicalId: string): string | Unresolved | undefined;
  /** `Fn::GetAtt`; undefined when there is no such resource. */
  resourceAttribute(logicalId: string, attribute: string): string | Unresolved | undefined;
  /** `Fn::ImportValue`: another stack's export; undefined when no stack exports that name. */
  importValue(name: string): string | Unresolved | undefined;
  /** Values given for parameters (they win over Default). */
  parameters?: Record<string, string>;
}

/** What `{ Ref: AWS::NoValue }` resolves to: the enclosing key or list item is removed. */
const NO_VALUE: unique symbol = Symbol('AWS::NoValue');
type Resolved = unknown;

export const LOCAL_AZS = ['a', 'b', 'c', 'd', 'e', 'f'].map((letter) => `${LOCAL_REGION}${letter}`);

export function stackIdOf(stackName: string): string {
  return `arn:${LOCAL_PARTITION}:cloudformation:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stack/${stackName}/${stableUuid('stack', stackName)}`;
}

/**
 * Resolves CloudFormation intrinsic functions with local values. It never throws for a value
 * it cannot compute: that value becomes an `{ unresolved }` marker (and so does any function
 * that consumes it), the rest of the template resolves as usual.
 */
export class TemplateResolver {
  private readonly conditionCache = new Map<string, boolean | Unresolved>();
  private readonly conditionsInProgress = new Set<string>();

  constructor(
    private readonly template: CfnTemplate,
    private readonly hooks: ResolverHooks,
  ) {}

  /** The value with every intrinsic resolved; a top-level `AWS::NoValue` gives undefined. */
  resolve(value: unknown): unknown {
    const resolved = this.value(value);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  /** Whether a named condition of the template holds (an unknown or unresolvable condition is an `Unresolved`). */
  condition(name: string): boolean | Unresolved {
    const cached = this.conditionCache.get(name);
    if (cached !== undefined) return cached;
    const expression = this.template.Conditions?.[name];
    if (expression === undefined) return unresolved(`condition ${name} is not defined`);
    if (this.conditionsInProgress.has(name)) return unresolved(`condition ${name} refers to itself`);
    this.conditionsInProgress.add(name);
    const result = this.conditionValue(expression);
    this.conditionsInProgress.delete(name);
    this.conditionCache.set(name, result);
    return result;
  }

  private value(value: unknown): Resolved | typeof NO_VALUE {
    if (Array.isArray(value)) return value.map((item) => this.value(item)).filter((item) => item !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && isIntrinsicKey(keys[0]!)) return this.intrinsic(keys[0]!, (value as Record<string, unknown>)[keys[0]!]);
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const item = this.value((value as Record<string, unknown>)[key]);
      if (item !== NO_VALUE) out[key] = item;
    }
    return out;
  }

  private intrinsic(name: string, args: unknown): Resolved | typeof NO_VALUE {
    switch (name) {
      case 'Ref':
        return this.ref(args);
      case 'Fn::GetAtt':
        return this.getAtt(args);
      case 'Fn::Join':
        return this.join(args);
      case 'Fn::Sub':
        return this.sub(args);
      case 'Fn::Select':
        return this.select(args);
      case 'Fn::Split':
        return this.split(args);
      case 'Fn::GetAZs':
        return this.getAZs(args);
      case 'Fn::If':
        return this.fnIf(args);
      case 'Fn::Base64': {
        const text = this.value(args);
        if (isUnresolved(text)) return text;
        if (typeof text !== 'string') return unresolved('Fn::Base64 needs a string');
        return Buffer.from(text, 'utf8').toString('base64');
      }
      case 'Fn::ImportValue': {
        const exportName = this.value(args);
        if (isUnresolved(exportName)) return exportName;
        if (typeof exportName !== 'string') return unresolved('Fn::ImportValue needs a string');
        return this.hooks.importValue(exportName) ?? unresolved(`no stack of the app exports ${exportName}`);
      }
      case 'Fn::FindInMap':
        return this.findInMap(args);
      case 'Fn::Equals':
      case 'Fn::Not':
      case 'Fn::And':
      case 'Fn::Or':
        return this.conditionValue({ [name]: args });
      case 'Fn::Length': {
        const list = this.value(args);
        if (isUnresolved(list)) return list;
        return Array.isArray(list) ? list.length : unresolved('Fn::Length needs a list');
      }
      case 'Fn::ToJsonString': {
        const resolved = this.value(args);
        const marker = firstUnresolved([resolved], true);
        return marker ?? JSON.stringify(resolved);
      }
      default:
        return unresolved(`${name} is not evaluated locally`);
    }
  }

  private ref(args: unknown): Resolved | typeof NO_VALUE {
    const target = this.value(args);
    if (isUnresolved(target)) return target;
    if (typeof target !== 'string') return unresolved('Ref needs a name');
    switch (target) {
      case 'AWS::NoValue':
        return NO_VALUE;
      case 'AWS::AccountId':
        return LOCAL_ACCOUNT;
      case 'AWS::Region':
        return LOCAL_REGION;
      case 'AWS::Partition':
        return LOCAL_PARTITION;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return this.hooks.stackName;
      case 'AWS::StackId':
        return stackIdOf(this.hooks.stackName);
      case 'AWS::NotificationARNs':
        return [];
    }
    const parameter = this.template.Parameters?.[target];
    if (parameter) return this.parameter(target, parameter);
    return this.hooks.resourceRef(target) ?? unresolved(`Ref to ${target}, which is not in ${this.hooks.stackName}`);
  }

  private parameter(name: string, parameter: { Type?: string; Default?: unknown }): Resolved {
    const type = parameter.Type ?? 'String';
    const given = this.hooks.parameters?.[name];
    if (given === undefined && type.startsWith('AWS::SSM::Parameter::Value')) {
      return unresolved(`parameter ${name} is read from SSM Parameter Store (${String(parameter.Default ?? '')}) at deploy time`);
    }
    const raw = given ?? parameter.Default;
    if (raw === undefined) return unresolved(`parameter ${name} has no Default and no local value`);
    const text = Array.isArray(raw) ? raw.map(String).join(',') : String(raw);
    if (type === 'CommaDelimitedList' || type.startsWith('List<')) return text === '' ? [] : text.split(',').map((item) => item.trim());
    return text;
  }

  private getAtt(args: unknown): Resolved {
    let logicalId: unknown;
    let attribute: unknown;
    if (typeof args === 'string') {
      const dot = args.indexOf('.');
      if (dot < 0) return unresolved(`Fn::GetAtt ${args} has no attribute`);
      logicalId = args.slice(0, dot);
      attribute = args.slice(dot + 1);
    } else if (Array.isArray(args) && args.length === 2) {
      logicalId = args[0];
      attribute = this.value(args[1]);
    } else {
      return unresolved('Fn::GetAtt needs [logicalId, attribute]');
    }
    if (isUnresolved(attribute)) return attribute;
    if (typeof logicalId !== 'string' || typeof attribute !== 'string') return unresolved('Fn::GetAtt needs [logicalId, attribute]');
    return this.hooks.resourceAttribute(logicalId, attribute) ?? unresolved(`Fn::GetAtt to ${logicalId}, which is not in ${this.hooks.stackName}`);
  }

  private join(args: unknown): Resolved {
    if (!Array.isArray(args) || args.length !== 2) return unresolved('Fn::Join needs [delimiter, list]');
    const delimiter = this.value(args[0]);
    const list = this.value(args[1]);
    if (isUnresolved(delimiter)) return delimiter;
    if (isUnresolved(list)) return list;
    if (typeof delimiter !== 'string' || !Array.isArray(list)) return unresolved('Fn::Join needs [delimiter, list]');
    const marker = firstUnresolved(list);
    if (marker) return marker;
    if (!list.every(isScalar)) return unresolved('Fn::Join of a value that is not a string');
    return list.map(String).join(delimiter);
  }

  private sub(args: unknown): Resolved {
    let text: unknown;
    let variables: Record<string, unknown> = {};
    if (typeof args === 'string') text = args;
    else if (Array.isArray(args) && args.length === 2 && typeof args[1] === 'object' && args[1] !== null) {
      text = this.value(args[0]);
      variables = args[1] as Record<string, unknown>;
    } else return unresolved('Fn::Sub needs a string or [string, variables]');
    if (isUnresolved(text)) return text;
    if (typeof text !== 'string') return unresolved('Fn::Sub needs a string');

    let failure: Unresolved | undefined;
    const out = text.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
      if (inner.startsWith('!')) return `\${${inner.slice(1)}}`; // ${!Literal} is the literal ${Literal}
      const name = inner.trim();
      let value: unknown;
      if (Object.prototype.hasOwnProperty.call(variables, name)) value = this.value(variables[name]);
      else if (name.includes('.') && !name.startsWith('AWS::')) value = this.getAtt(name);
      else value = this.ref(name);
      if (isUnresolved(value)) failure ??= value;
      else if (!isScalar(value)) failure ??= unresolved(`Fn::Sub variable ${name} is not a string`);
      else return String(value);
      return whole;
    });
    return failure ?? out;
  }

  private select(args: unknown): Resolved {
    if (!Array.isArray(args) || args.length !== 2) return unresolved('Fn::Select needs [index, list]');
    const index = this.value(args[0]);
    const list = this.value(args[1]);
    if (isUnresolved(index)) return index;
    if (isUnresolved(list)) return list;
    const position = Number(index);
    if (!Array.isArray(list) || !Number.isInteger(position)) return unresolved('Fn::Select needs [index, list]');
    if (position < 0 || position >= list.length) return unresolved(`Fn::Select index ${position} is outside a list of ${list.length}`);
    return list[position];
  }

  private split(args: unknown): Resolved {
    if (!Array.isArray(args) || args.length !== 2) return unresolved('Fn::Split needs [delimiter, string]');
    const delimiter = this.value(args[0]);
    const source = this.value(args[1]);
    if (isUnresolved(delimiter)) return delimiter;
    if (isUnresolved(source)) return source;
    if (typeof delimiter !== 'string' || typeof source !== 'string') return unresolved('Fn::Split needs [delimiter, string]');
    return source.split(delimiter);
  }

  private getAZs(args: unknown): Resolved {
    const region = this.value(args);
    if (isUnresolved(region)) return region;
    if (region === '' || region === LOCAL_REGION || region === undefined || region === null) return [...LOCAL_AZS];
    if (typeof region !== 'string') return unresolved('Fn::GetAZs needs a region');
    return ['a', 'b', 'c'].map((letter) => `${region}${letter}`);
  }

  private fnIf(args: unknown): Resolved | typeof NO_VALUE {
    if (!Array.isArray(args) || args.length !== 3 || typeof args[0] !== 'string') return unresolved('Fn::If needs [condition, then, else]');
    const holds = this.condition(args[0]);
    if (isUnresolved(holds)) return holds;
    return this.value(holds ? args[1] : args[2]);
  }

  private findInMap(args: unknown): Resolved {
    if (!Array.isArray(args) || args.length < 3) return unresolved('Fn::FindInMap needs [map, key, key]');
    const [mapName, topKey, secondKey] = args.slice(0, 3).map((item) => this.value(item));
    for (const item of [mapName, topKey, secondKey]) if (isUnresolved(item)) return item;
    const found = this.template.Mappings?.[String(mapName)]?.[String(topKey)]?.[String(secondKey)];
    if (found !== undefined) return this.value(found);
    // AWS::LanguageExtensions: [map, key, key, { DefaultValue }]
    const options = args[3] as { DefaultValue?: unknown } | undefined;
    if (options && typeof options === 'object' && 'DefaultValue' in options) return this.value(options.DefaultValue);
    return unresolved(`Fn::FindInMap: ${String(mapName)}.${String(topKey)}.${String(secondKey)} is not in the template's Mappings`);
  }

  private conditionValue(expression: unknown): boolean | Unresolved {
    if (typeof expression === 'boolean') return expression;
    if (typeof expression === 'string') return expression === 'true' ? true : expression === 'false' ? false : unresolved(`not a condition: ${expression}`);
    if (expression === null || typeof expression !== 'object' || Array.isArray(expression)) return unresolved('not a condition');
    const keys = Object.keys(expression);
    const name = keys[0];
    const args = (expression as Record<string, unknown>)[name ?? ''];
    if (keys.length !== 1 || name === undefined) return unresolved('not a condition');
    switch (name) {
      case 'Condition':
        return typeof args === 'string' ? this.condition(args) : unresolved('Condition needs a name');
      case 'Fn::Equals': {
        if (!Array.isArray(args) || args.length !== 2) return unresolved('Fn::Equals needs two values');
        const left = this.value(args[0]);
        const right = this.value(args[1]);
        if (isUnresolved(left)) return left;
        if (isUnresolved(right)) return right;
        return JSON.stringify(normalizeScalar(left)) === JSON.stringify(normalizeScalar(right));
      }
      case 'Fn::Not': {
        if (!Array.isArray(args) || args.length !== 1) return unresolved('Fn::Not needs one condition');
        const inner = this.conditionValue(args[0]);
        return isUnresolved(inner) ? inner : !inner;
      }
      case 'Fn::And':
      case 'Fn::Or': {
        if (!Array.isArray(args)) return unresolved(`${name} needs a list of conditions`);
        const values = args.map((item) => this.conditionValue(item));
        const marker = values.find(isUnresolved);
        if (marker) return marker;
        return name === 'Fn::And' ? values.every((item) => item === true) : values.some((item) => item === true);
      }
      default: {
        // Fn::If, Ref to a boolean parameter, ... resolve as a value
        const value = this.value(expression);
        if (isUnresolved(value)) return value;
        if (value === true || value === 'true') return true;
        if (value === false || value === 'false') return false;
        return unresolved(`not a condition: ${name}`);
      }
    }
  }
}

function isIntrinsicKey(key: string): boolean {
  return key === 'Ref' || key.startsWith('Fn::');
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** CloudFormation compares as strings: `Fn::Equals [1, "1"]` holds. */
function normalizeScalar(value: unknown): unknown {
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

function firstUnresolved(values: unknown[], deep = false): Unresolved | undefined {
  for (const value of values) {
    if (isUnresolved(value)) return value;
    if (deep && typeof value === 'object' && value !== null) {
      const inner = firstUnresolved(Array.isArray(value) ? value : Object.values(value), true);
      if (inner) return inner;
    }
  }
  return undefined;
}
