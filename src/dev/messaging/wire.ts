/** Small helpers for AWS's query protocol: flattened form parameters in, XML out. */

export function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** `Prefix.1.Name=a&Prefix.1.Value=b ...` → [{Name:'a', Value:'b'}, ...] (any depth of `.N.` nesting below the prefix is left flat). */
export function indexedList(params: URLSearchParams, prefix: string): Array<Record<string, string>> {
  const byIndex = new Map<number, Record<string, string>>();
  for (const [key, value] of params) {
    if (!key.startsWith(`${prefix}.`)) continue;
    const rest = key.slice(prefix.length + 1);
    const dot = rest.indexOf('.');
    const index = Number(dot === -1 ? rest : rest.slice(0, dot));
    if (!Number.isInteger(index)) continue;
    const entry = byIndex.get(index) ?? {};
    entry[dot === -1 ? '' : rest.slice(dot + 1)] = value;
    byIndex.set(index, entry);
  }
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/** `Prefix.1=a&Prefix.2=b` → ['a', 'b']. */
export function indexedValues(params: URLSearchParams, prefix: string): string[] {
  return indexedList(params, prefix).map((e) => e[''] ?? '').filter((v) => v !== '');
}

export type MessageAttributeValue = { DataType: string; StringValue?: string; BinaryValue?: string };

/** Message attributes as the query protocol flattens them: SQS `MessageAttribute.N.Name`/`.Value.X`, SNS `MessageAttributes.entry.N.Name`/`.Value.X`. */
export function queryMessageAttributes(entries: Array<Record<string, string>>): Record<string, MessageAttributeValue> | undefined {
  const out: Record<string, MessageAttributeValue> = {};
  for (const e of entries) {
    if (!e.Name) continue;
    out[e.Name] = {
      DataType: e['Value.DataType'] ?? 'String',
      ...(e['Value.StringValue'] !== undefined ? { StringValue: e['Value.StringValue'] } : {}),
      ...(e['Value.BinaryValue'] !== undefined ? { BinaryValue: e['Value.BinaryValue'] } : {}),
    };
  }
  return Object.keys(out).length ? out : undefined;
}

/** Entries of a nested sub-list inside one indexed entry (`MessageAttributes.entry.1.Name` inside a batch member). */
export function subEntries(entry: Record<string, string>, prefix: string): Array<Record<string, string>> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(entry)) if (k.startsWith(`${prefix}.`)) params.append(k, v);
  return indexedList(params, prefix);
}

/** A plain value tree as XML elements; arrays repeat their element name (the query protocol's flattened lists). */
export function toXml(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((v) => toXml(name, v)).join('');
  if (typeof value === 'object') {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => toXml(k, v))
      .join('');
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${xmlEscape(String(value))}</${name}>`;
}
