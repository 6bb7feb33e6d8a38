import { findNodeAtLocation, type Node, type ParseError, parseTree, printParseErrorCode } from 'jsonc-parser';

import { PreconditionError } from '../core/errors.js';
import { type ProjectConfig, projectConfigSchema } from './schema.js';

/** One problem in sprout.json, located: "stages.prod.account (line 12): expected a 12-digit AWS account id". */
export interface ConfigProblem {
  path: string;
  line: number;
  message: string;
}

/** Parses and validates the text of a sprout.json; every problem is reported at once (exit 3). */
export function parseConfigText(text: string, file: string): ProjectConfig {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  if (errors.length || !tree) {
    const problems = errors.map((error) => ({
      path: '(syntax)',
      line: lineOf(text, error.offset),
      message: `invalid JSON: ${printParseErrorCode(error.error)}`,
    }));
    throw invalid(file, problems.length ? problems : [{ path: '(syntax)', line: 1, message: 'the file is empty' }]);
  }
  const parsed = projectConfigSchema.safeParse(JSON.parse(text));
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.flatMap((issue): ConfigProblem[] => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: [...path, key].join('.'),
        line: locate(tree, text, [...path, key]),
        message: `unknown field "${key}"`,
      }));
    }
    const missing = issue.code === 'invalid_type' && /received undefined$/.test(issue.message);
    return [{ path: path.join('.') || '(root)', line: locate(tree, text, path), message: missing ? `missing: expected ${issue.expected}` : issue.message }];
  });
  throw invalid(file, problems.sort((a, b) => a.line - b.line));
}

function invalid(file: string, problems: ConfigProblem[]): PreconditionError {
  const lines = problems.map((p) => `  ${p.path} (line ${p.line}): ${p.message}`);
  return new PreconditionError('CONFIG_INVALID', `${file} is not valid:\n${lines.join('\n')}`, {
    details: { file, problems },
    suggestions: ['Fix the fields listed. Editors check sprout.json as you type through its "$schema".'],
  });
}

/** The line of the deepest part of `path` that exists in the file (a missing field points at its parent). */
function locate(tree: Node, text: string, path: string[]): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = findNodeAtLocation(tree, path.slice(0, depth));
    if (node) return lineOf(text, node.parent?.type === 'property' ? node.parent.offset : node.offset);
  }
  return 1;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
