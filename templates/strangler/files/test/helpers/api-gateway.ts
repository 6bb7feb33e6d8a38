/**
 * A model of how an API Gateway REST API picks the resource for a request path: walk the path
 * segment by segment from the root, take the literal child resource when there is one, else the
 * greedy `{proxy+}` child (which takes the rest of the path, at least one segment); at the end of
 * the path the resource must have a method. `backtrack: false` commits to a literal child once
 * taken (the strictest reading of API Gateway); `backtrack: true` falls back to the parent's
 * `{proxy+}` when the literal branch leads nowhere. The facade must route the same under both.
 */
export interface Match {
  resourcePath: string;
  /** The `proxy` path parameter, for a `{proxy+}` resource. */
  proxy?: string;
}

const join = (parent: string, child: string) => (parent === '/' ? `/${child}` : `${parent}/${child}`);

export function matchResource(
  resources: ReadonlySet<string>,
  methods: ReadonlySet<string>,
  requestPath: string,
  { backtrack }: { backtrack: boolean },
): Match | undefined {
  const segments = requestPath.split('/').filter(Boolean);
  const walk = (node: string, i: number): Match | undefined => {
    if (i === segments.length) return methods.has(node) ? { resourcePath: node } : undefined;
    const literal = join(node, segments[i]!);
    if (resources.has(literal)) {
      const found = walk(literal, i + 1);
      if (found || !backtrack) return found;
    }
    const greedy = join(node, '{proxy+}');
    if (resources.has(greedy) && methods.has(greedy)) return { resourcePath: greedy, proxy: segments.slice(i).join('/') };
    return undefined;
  };
  return walk('/', 0);
}
