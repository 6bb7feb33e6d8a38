/**
 * What Lambda's Invoke accepts as FunctionName: a name, a name with a qualifier, a partial ARN
 * (`123456789012:function:name`) or a full ARN, each optionally qualified by a version, an alias
 * or $LATEST.
 */
export interface InvokeTarget {
  name: string;
  qualifier?: string;
}

export function parseTarget(target: string): InvokeTarget {
  const parts = target.split(':');
  const at = parts.indexOf('function');
  if (at >= 0 && parts[at + 1]) return withQualifier(parts[at + 1]!, parts[at + 2]);
  return withQualifier(parts[0]!, parts[1]);
}

function withQualifier(name: string, qualifier: string | undefined): InvokeTarget {
  return qualifier ? { name, qualifier } : { name };
}
