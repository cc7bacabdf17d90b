// docs/config.md cannot rot: every key path of the config schema (walked from the zod schema
// itself) has a row in the reference tables, every row names a path the schema has, and each
// row's default column shows the schema's default.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { configSchema } from '../../../src/runtime/config/index.js';

const DOC = readFileSync(resolve(import.meta.dirname, '../../../docs/config.md'), 'utf8');

interface Field {
  /** Default when the schema has a plain (non-prefault) default. */
  readonly default?: unknown;
}

type Def = { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType; innerType?: z.ZodType; in?: z.ZodType; valueType?: z.ZodType; defaultValue?: unknown };
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The schema under defaults, optionals and pipes. */
function unwrap(schema: z.ZodType): z.ZodType {
  const def = defOf(schema);
  if (def.type === 'default' || def.type === 'optional' || def.type === 'nullable' || def.type === 'prefault') return unwrap(def.innerType!);
  if (def.type === 'pipe') return unwrap(def.in!);
  return schema;
}

/** The default of `schema` when it has a plain (non-prefault) one. */
function fieldOf(schema: z.ZodType): Field {
  const def = defOf(schema);
  if (def.type === 'default') return { default: def.defaultValue };
  if (def.type === 'optional' || def.type === 'nullable' || def.type === 'prefault') return fieldOf(def.innerType!);
  return {};
}

/** Every key path of the objects below `schema` (`a.b`, `list[].c`, `map.*.d`), with defaults. */
function keyPaths(schema: z.ZodType, prefix: string, out: Map<string, Field>): void {
  const def = defOf(unwrap(schema));
  if (def.type === 'array') return keyPaths(def.element!, `${prefix}[]`, out);
  if (def.type === 'record') return keyPaths(def.valueType!, `${prefix}.*`, out);
  if (def.type !== 'object') return;
  for (const [key, value] of Object.entries(def.shape!)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    out.set(path, fieldOf(value));
    keyPaths(value, path, out);
  }
}

/** Rows of the doc's tables whose first cell is a backticked path: path → default cell. */
function documentedRows(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of DOC.split('\n')) {
    const m = /^\| `([^`]+)` \|(.*)\|$/.exec(line);
    if (!m) continue;
    const cells = m[2]!.split(/(?<!\\)\|/).map((c) => c.trim());
    rows.set(m[1]!, cells[1] ?? '');
  }
  return rows;
}

describe('docs/config.md', () => {
  const schemaPaths = new Map<string, Field>();
  keyPaths(configSchema, '', schemaPaths);
  const rows = documentedRows();

  it('the schema walk finds the nested keys (so the checks below are not vacuous)', () => {
    expect(schemaPaths.size).toBeGreaterThan(40);
    for (const p of ['dataDir', 'identities[].network.udp.portRange', 'identities[].network.bootstrap[].publicKey', 'identities[].permissions.conferences.*.banned', 'identities[].plugins[].options']) {
      expect(schemaPaths.has(p), p).toBe(true);
    }
  });

  it('documents every key path of the schema', () => {
    const missing = [...schemaPaths.keys()].filter((p) => !rows.has(p));
    expect(missing).toEqual([]);
  });

  it('documents no key the schema does not have', () => {
    const stale = [...rows.keys()].filter((p) => /^[$a-z]/i.test(p) && !schemaPaths.has(p) && !p.includes(' '));
    expect(stale).toEqual([]);
  });

  it('shows each schema default in the default column', () => {
    const wrong: string[] = [];
    for (const [path, field] of schemaPaths) {
      if (!('default' in field) || !rows.has(path)) continue;
      const shown = rows.get(path)!;
      const expected = `\`${JSON.stringify(field.default).replace(/,/g, ', ')}\``;
      if (!shown.startsWith(expected)) wrong.push(`${path}: doc says ${shown}, schema default is ${expected}`);
    }
    expect(wrong).toEqual([]);
  });
});
