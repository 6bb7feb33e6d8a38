import { describe, expect, it } from 'vitest';

import { renderTable } from '../../src/ui/table.js';

const rows = [
  { id: 'saga', services: 'AWS Step Functions, AWS Lambda, Amazon SQS' },
  { id: 'backend-api', services: 'Amazon API Gateway' },
];
const columns = [
  { header: 'ID', value: (r: (typeof rows)[number]) => r.id },
  { header: 'SERVICES', value: (r: (typeof rows)[number]) => r.services, shrink: true },
];

describe('renderTable', () => {
  it('aligns columns under their headers', () => {
    const lines = renderTable(rows, columns).split('\n');
    expect(lines[0]).toBe('ID           SERVICES');
    expect(lines[1]).toBe('saga         AWS Step Functions, AWS Lambda, Amazon SQS');
    expect(lines[2]).toBe('backend-api  Amazon API Gateway');
  });

  it('cuts the shrinkable column to fit the terminal, with an ellipsis', () => {
    const lines = renderTable(rows, columns, 30).split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(30);
    expect(lines[1]).toBe('saga         AWS Step Functio…');
  });
});
