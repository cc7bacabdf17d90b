/**
 * The layering checker behind test/architecture/layers.test.ts (architecture
 * C2): a small scanner that blanks comments, strings and regex literals, pulls
 * out import specifiers, and checks them and the banned time/randomness globals
 * against the layer table. Works on in-memory files so it can be self-tested.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { posix, join, relative, sep } from 'node:path';

export interface SourceFile {
  /** Repository-relative path with forward slashes, e.g. `src/dht/dht.ts`. */
  readonly path: string;
  readonly text: string;
}

export type RuleId = 'layer' | 'entry-point' | 'banned-global' | 'node-builtin' | 'plugin' | 'unknown-location';

export interface Violation {
  readonly file: string;
  readonly line: number;
  readonly rule: RuleId;
  readonly message: string;
}

const FRIEND_DEPS = ['base', 'binary', 'crypto', 'net', 'dht', 'tcp', 'onion', 'netcrypto'];
const MESSENGER_DEPS = [...FRIEND_DEPS, 'friend'];
const CONFERENCE_DEPS = [...MESSENGER_DEPS, 'messenger'];

/** Layer → the src layers it may import (always through their index.ts). */
export const LAYER_IMPORTS: Readonly<Record<string, readonly string[]>> = {
  base: [],
  binary: ['base'],
  crypto: ['base', 'binary'],
  net: ['base', 'binary', 'crypto'],
  storage: ['base', 'binary', 'crypto', 'net'],
  dht: ['base', 'binary', 'crypto', 'net'],
  tcp: ['base', 'binary', 'crypto', 'net'],
  onion: ['base', 'binary', 'crypto', 'net', 'dht', 'tcp'],
  netcrypto: ['base', 'binary', 'crypto', 'net', 'tcp'],
  friend: FRIEND_DEPS,
  messenger: MESSENGER_DEPS,
  conference: CONFERENCE_DEPS,
  runtime: [...CONFERENCE_DEPS, 'conference', 'storage'],
};

/** Extra entry points (besides `src/<layer>/index`) and the layers allowed to use them. */
const SUB_ENTRIES: ReadonlyArray<{ entry: string; importers: readonly string[] }> = [
  { entry: 'src/net/node/index', importers: ['runtime'] },
  { entry: 'src/net/sim/index', importers: ['runtime'] },
];

/**
 * The src modules a plugin file may import: the SDK, and the test kits for the
 * tests a plugin may keep in its own folder.
 */
const PLUGIN_SDK_ENTRIES: readonly string[] = ['src/runtime/sdk/index', 'src/runtime/sdk/testing'];

interface BannedGlobal {
  readonly name: string;
  readonly pattern: RegExp;
}

/** Real time and real randomness: only src/base may touch them (everything else gets a Scheduler/Random). */
const BANNED_GLOBALS: readonly BannedGlobal[] = [
  { name: 'Date.now', pattern: /(?<![\w$])Date\s*\.\s*now(?![\w$])/g },
  { name: 'new Date(', pattern: /(?<![\w$])new\s+Date\s*\(/g },
  { name: 'performance.now', pattern: /(?<![\w$])performance\s*\.\s*now(?![\w$])/g },
  { name: 'Math.random', pattern: /(?<![\w$])Math\s*\.\s*random(?![\w$])/g },
  ...['setTimeout', 'setInterval', 'setImmediate', 'getRandomValues', 'randomBytes', 'randomFillSync'].map((name) => ({
    name,
    pattern: new RegExp(`(?<![\\w$])${name}(?![\\w$])`, 'g'),
  })),
];

const SOCKET_MODULES = new Set(['dgram', 'node:dgram', 'net', 'node:net']);
const FS_MODULE = /^(node:)?fs(\/promises)?$/;

// ---------------------------------------------------------------- scanner

export interface ScannedSource {
  /** The text with comments, string/template contents and regex bodies blanked (quotes and newlines kept). */
  readonly code: string;
  /** Import specifiers with the offset of their opening quote. */
  readonly imports: ReadonlyArray<{ specifier: string; at: number }>;
}

const REGEX_AFTER_CHAR = new Set([...'(,=:[!&|?{};+-*%<>~^']);
const REGEX_AFTER_WORD = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'instanceof', 'yield', 'await']);

/** Whether a `/` at `at` in the partly built `code` starts a regex literal (rather than a division). */
function regexMayStart(code: string[], at: number): boolean {
  let i = at - 1;
  while (i >= 0 && /\s/.test(code[i]!)) i--;
  if (i < 0) return true;
  const c = code[i]!;
  if (REGEX_AFTER_CHAR.has(c)) return true;
  if (!/[\w$]/.test(c)) return false;
  let j = i;
  while (j >= 0 && /[\w$]/.test(code[j]!)) j--;
  return REGEX_AFTER_WORD.has(code.slice(j + 1, i + 1).join(''));
}

/** Blanks everything that is not code and records string literals by their opening offset. */
export function scanSource(text: string): ScannedSource {
  const code = text.split('');
  const strings = new Map<number, string>();
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (code[k] !== '\n') code[k] = ' ';
  };
  const templateDepths: number[] = [];
  let depth = 0;
  let i = 0;

  /** Scans template text from `i` (just after a backtick or a closing `}`); returns true at a `${`. */
  const templateText = (): boolean => {
    const start = i;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '\\') i += 2;
      else if (c === '`') {
        blank(start, i);
        i++;
        return false;
      } else if (c === '$' && text[i + 1] === '{') {
        blank(start, i);
        templateDepths.push(depth);
        i += 2;
        return true;
      } else i++;
    }
    blank(start, text.length);
    return false;
  };

  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && regexMayStart(code, i)) {
      let j = i + 1;
      let inClass = false;
      for (; j < text.length && text[j] !== '\n'; j++) {
        const d = text[j];
        if (d === '\\') j++;
        else if (d === '[') inClass = true;
        else if (d === ']') inClass = false;
        else if (d === '/' && !inClass) break;
      }
      blank(i + 1, j);
      i = j + 1;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      strings.set(i, text.slice(i + 1, j));
      blank(i + 1, j);
      i = j + 1;
    } else if (c === '`') {
      const start = i + 1;
      i++;
      if (!templateText()) strings.set(start - 1, text.slice(start, i - 1));
    } else if (c === '{') {
      depth++;
      i++;
    } else if (c === '}' && templateDepths.length > 0 && templateDepths[templateDepths.length - 1] === depth) {
      templateDepths.pop();
      i++;
      templateText();
    } else {
      if (c === '}') depth--;
      i++;
    }
  }

  const masked = code.join('');
  const imports: Array<{ specifier: string; at: number }> = [];
  const patterns = [
    /(?<![\w$.])from\s*(?=['"])/g,
    /(?<![\w$.])import\s*(?=['"])/g,
    /(?<![\w$.])import\s*\(\s*(?=['"`])/g,
    /(?<![\w$.])require\s*\(\s*(?=['"])/g,
  ];
  for (const pattern of patterns) {
    for (const m of masked.matchAll(pattern)) {
      const at = m.index + m[0].length;
      const specifier = strings.get(at);
      if (specifier !== undefined) imports.push({ specifier, at });
    }
  }
  imports.sort((a, b) => a.at - b.at);
  return { code: masked, imports };
}

// ---------------------------------------------------------------- rules

type Location = { kind: 'layer'; layer: string } | { kind: 'plugin'; root: string } | { kind: 'other' };

function locate(path: string): Location {
  const parts = path.split('/');
  if (parts[0] === 'src' && parts.length > 2) return { kind: 'layer', layer: parts[1]! };
  if (parts[0] === 'plugins' && parts.length > 2) return { kind: 'plugin', root: `plugins/${parts[1]}/` };
  return { kind: 'other' };
}

function withoutExtension(path: string): string {
  return path.replace(/\.(js|ts|mjs|mts)$/, '');
}

function lineOf(text: string, at: number): number {
  let line = 1;
  for (let k = 0; k < at && k < text.length; k++) if (text[k] === '\n') line++;
  return line;
}

/** Checks one relative import of a src file; returns a violation message or undefined. */
function checkLayerImport(layer: string, target: string): { rule: RuleId; message: string } | undefined {
  if (target.startsWith(`src/${layer}/`)) return undefined;
  const parts = target.split('/');
  if (parts[0] !== 'src' || parts.length < 3) return { rule: 'layer', message: `imports ${target}, outside the src layers` };
  const other = parts[1]!;
  if (!(LAYER_IMPORTS[layer] ?? []).includes(other)) return { rule: 'layer', message: `layer ${layer} may not import layer ${other} (${target})` };
  const entry = withoutExtension(target);
  if (entry === `src/${other}/index`) return undefined;
  const sub = SUB_ENTRIES.find((s) => s.entry === entry);
  if (sub) {
    return sub.importers.includes(layer) ? undefined : { rule: 'entry-point', message: `${target} is importable only by ${sub.importers.join(', ')} and tests` };
  }
  return { rule: 'entry-point', message: `imports ${target}; go through src/${other}/index.js` };
}

function checkFile(file: SourceFile): Violation[] {
  const out: Violation[] = [];
  const report = (at: number, rule: RuleId, message: string): void => {
    out.push({ file: file.path, line: lineOf(file.text, at), rule, message });
  };
  const where = locate(file.path);
  if (where.kind === 'other') return out;
  if (where.kind === 'layer' && !(where.layer in LAYER_IMPORTS)) report(0, 'unknown-location', `src/${where.layer} is not a layer in the table`);
  const scanned = scanSource(file.text);
  const dir = posix.dirname(file.path);

  for (const { specifier, at } of scanned.imports) {
    if (SOCKET_MODULES.has(specifier) && !file.path.startsWith('src/net/node/')) {
      report(at, 'node-builtin', `${specifier} is allowed only in src/net/node`);
    } else if (FS_MODULE.test(specifier) && !file.path.startsWith('src/storage/') && !file.path.startsWith('src/runtime/')) {
      report(at, 'node-builtin', `${specifier} is allowed only in src/storage and src/runtime`);
    }
    if (specifier.startsWith('/')) {
      report(at, 'layer', `absolute import ${specifier}`);
      continue;
    }
    if (!specifier.startsWith('.')) continue;
    const target = posix.normalize(posix.join(dir, specifier));
    if (where.kind === 'plugin') {
      if (!target.startsWith(where.root) && !PLUGIN_SDK_ENTRIES.includes(withoutExtension(target))) {
        report(at, 'plugin', `plugins may import only src/runtime/sdk/index.js (and src/runtime/sdk/testing.js in their tests), not ${target}`);
      }
    } else if (where.layer in LAYER_IMPORTS) {
      const problem = checkLayerImport(where.layer, target);
      if (problem) report(at, problem.rule, problem.message);
    }
  }

  if (!file.path.startsWith('src/base/')) {
    for (const banned of BANNED_GLOBALS) {
      for (const m of scanned.code.matchAll(banned.pattern)) {
        report(m.index, 'banned-global', `${banned.name} is allowed only in src/base (use the injected Scheduler/Random)`);
      }
    }
  }
  return out;
}

/** All layering violations in `files`, ordered by file and line. */
export function checkFiles(files: readonly SourceFile[]): Violation[] {
  return files.flatMap(checkFile).sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

/** Every .ts file under `dirs` (relative to `root`); a missing directory yields nothing. */
export function loadSources(root: string, dirs: readonly string[]): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (abs: string): void => {
    let entries;
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const e of entries) {
      const child = join(abs, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules') walk(child);
      } else if (e.isFile() && e.name.endsWith('.ts')) {
        out.push({ path: relative(root, child).split(sep).join('/'), text: readFileSync(child, 'utf8') });
      }
    }
  };
  for (const d of dirs) walk(join(root, d));
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * The repository-relative paths of every file `entry` reaches through relative
 * imports and re-exports (type-only ones included), `entry` first. `.js`
 * specifiers resolve to the `.ts` source; package imports are not followed.
 */
export function importClosure(root: string, entry: string): string[] {
  const seen = new Set<string>();
  const resolve = (target: string): string | undefined => {
    const stem = withoutExtension(target);
    for (const candidate of [`${stem}.ts`, target, `${target}/index.ts`]) {
      try {
        if (statSync(join(root, candidate)).isFile()) return candidate;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    return undefined;
  };
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    const { imports } = scanSource(readFileSync(join(root, path), 'utf8'));
    for (const { specifier } of imports) {
      if (!specifier.startsWith('.')) continue;
      const target = posix.normalize(posix.join(posix.dirname(path), specifier));
      const file = resolve(target);
      if (file === undefined) throw new Error(`${path}: cannot resolve ${specifier}`);
      visit(file);
    }
  };
  visit(entry);
  return [...seen];
}

/** One line per violation, for assertion messages. */
export function formatViolations(violations: readonly Violation[]): string {
  return violations.map((v) => `${v.file}:${v.line} [${v.rule}] ${v.message}`).join('\n');
}
