/**
 * The command language: `<prefix><name> args...` where args are split on
 * whitespace, grouped by "double", 'single' or “curly” quotes, with `\` escaping
 * the next character; `--flag value`, `--flag=value` and bare boolean `--flag`
 * are read when the command declares flags (`--` ends them). Positional args
 * are validated by a zod schema (usually a tuple; use `z.coerce.number()` for
 * numbers), flags by a zod object. The same schemas generate the usage line
 * shown by `help` and in error replies.
 */
import type { z } from 'zod';
import { ToxError } from '../../base/index.js';
import type { Role } from './permissions.js';

export type ArgsSchema = z.ZodType;
export type FlagsSchema = z.ZodObject;

export interface CommandOptions<A extends ArgsSchema | undefined = ArgsSchema | undefined, F extends FlagsSchema | undefined = FlagsSchema | undefined> {
  description?: string;
  /** Positional arguments; names for usage come from `.describe('name')` on each tuple item. */
  args?: A;
  /** `--flags`; keys in camelCase are also accepted in kebab-case. */
  flags?: F;
  /** Least role that may run it (default `user`). */
  role?: Role;
  aliases?: readonly string[];
  /** Where it may be used (default both). */
  in?: 'friend' | 'conference' | 'any';
  /** Replaces the generated argument part of the usage line. */
  usage?: string;
  /** Left out of the `help` list (still shown by `help <name>`). */
  hidden?: boolean;
}

/** What a command handler finds in `ctx.command`. */
export interface CommandInvocation<A = string[], F = Record<string, never>> {
  /** The canonical (first) name. */
  readonly name: string;
  /** The name or alias as typed. */
  readonly invokedAs: string;
  readonly args: A;
  readonly flags: F;
  /** The raw text after the command name. */
  readonly rest: string;
}

/** A registered command, as `help` lists it. */
export interface CommandSpec {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly description: string | undefined;
  /** Arguments part of the usage line, e.g. `<peer> [reason] [--dry-run]`. */
  readonly usage: string;
  readonly role: Role;
  readonly where: 'friend' | 'conference' | 'any';
  readonly hidden: boolean;
}

export class CommandSyntaxError extends ToxError {
  constructor(message: string) {
    super('COMMAND_SYNTAX', message);
  }
}

export interface Token {
  readonly text: string;
  /** Any part was quoted or escaped, so `"--x"` stays a positional argument. */
  readonly quoted: boolean;
}

const CLOSING: Record<string, string> = { '"': '"', "'": "'", '“': '”' };

/** Splits an argument string into tokens; throws `CommandSyntaxError` on an unterminated quote or a trailing `\`. */
export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let current = '';
  let inToken = false;
  let quoted = false;
  let close: string | undefined;
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c === '\\') {
      if (i + 1 >= input.length) throw new CommandSyntaxError('the text ends with a lone \\');
      current += input[++i];
      inToken = true;
      quoted = true;
    } else if (close !== undefined) {
      if (c === close) close = undefined;
      else current += c;
    } else if (c in CLOSING) {
      close = CLOSING[c];
      inToken = true;
      quoted = true;
    } else if (/\s/.test(c)) {
      if (inToken) tokens.push({ text: current, quoted });
      current = '';
      inToken = false;
      quoted = false;
    } else {
      current += c;
      inToken = true;
    }
  }
  if (close !== undefined) throw new CommandSyntaxError(`a quote is not closed (expected ${close})`);
  if (inToken) tokens.push({ text: current, quoted });
  return tokens;
}

/** `!name rest` → `{ name, rest }` (name lower-cased), or undefined when `text` is not a command. */
export function parseCommandLine(text: string, prefix: string): { name: string; rest: string } | undefined {
  if (!text.startsWith(prefix)) return undefined;
  const m = /^([A-Za-z0-9][\w-]*)(?:\s+|$)/.exec(text.slice(prefix.length));
  if (!m) return undefined;
  return { name: m[1]!.toLowerCase(), rest: text.slice(prefix.length + m[0].length) };
}

// ---------------------------------------------------------------- zod introspection (for usage and flags)

interface Introspected {
  readonly _zod: {
    readonly def: {
      readonly type: string;
      readonly innerType?: Introspected;
      readonly in?: Introspected;
      readonly items?: readonly Introspected[];
      readonly rest?: Introspected | null;
      readonly element?: Introspected;
      readonly entries?: Record<string, unknown>;
    };
    /** Set ('optional', or 'defaulted' in newer zod) when the schema accepts a missing value. */
    readonly optin?: string;
  };
  readonly description?: string;
  readonly shape?: Record<string, Introspected>;
}

const WRAPPERS = new Set(['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch', 'nonoptional']);

/** The schema under optional/default/... wrappers and transforms. */
function base(schema: Introspected): Introspected {
  let s = schema;
  for (;;) {
    const def = s._zod.def;
    if (WRAPPERS.has(def.type) && def.innerType) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else return s;
  }
}

function valueName(schema: Introspected): string {
  const b = base(schema);
  if (b._zod.def.type === 'enum' && b._zod.def.entries) return Object.values(b._zod.def.entries).join('|');
  return b._zod.def.type === 'number' || b._zod.def.type === 'int' || b._zod.def.type === 'bigint' ? 'number' : 'text';
}

function argName(schema: Introspected, fallback: string): string {
  return schema.description ?? base(schema).description ?? fallback;
}

function isOptional(schema: Introspected): boolean {
  return schema._zod.optin !== undefined;
}

function isBooleanFlag(schema: Introspected): boolean {
  return base(schema)._zod.def.type === 'boolean';
}

function isArrayFlag(schema: Introspected): boolean {
  return base(schema)._zod.def.type === 'array';
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Names of positional arguments in order, for usage and error messages. */
function positionalNames(args: Introspected | undefined): { names: string[]; optional: boolean[]; rest: string | undefined } {
  if (!args) return { names: [], optional: [], rest: undefined };
  const b = base(args);
  const def = b._zod.def;
  if (def.type === 'tuple' && def.items) {
    return {
      names: def.items.map((item, i) => argName(item, base(item)._zod.def.type === 'enum' ? valueName(item) : `arg${i + 1}`)),
      optional: def.items.map(isOptional),
      rest: def.rest ? argName(def.rest, 'more') : undefined,
    };
  }
  return { names: [], optional: [], rest: argName(args, def.type === 'array' && def.element ? argName(def.element, 'args') : 'args') };
}

/** The generated argument part of a usage line. */
export function usageOf(options: Pick<CommandOptions, 'args' | 'flags' | 'usage'>): string {
  if (options.usage !== undefined) return options.usage;
  const { names, optional, rest } = positionalNames(options.args as Introspected | undefined);
  const parts = names.map((n, i) => (optional[i] ? `[${n}]` : `<${n}>`));
  if (rest !== undefined) parts.push(`[${rest}...]`);
  const shape = (options.flags as Introspected | undefined)?.shape ?? {};
  for (const [key, schema] of Object.entries(shape)) {
    const flag = isBooleanFlag(schema) ? `--${kebab(key)}` : `--${kebab(key)} <${valueName(schema)}>`;
    parts.push(isOptional(schema) ? `[${flag}]` : flag);
  }
  return parts.join(' ');
}

// ---------------------------------------------------------------- parsing

export type ParsedArguments = { ok: true; args: unknown; flags: unknown } | { ok: false; problems: string[] };

const BOOLEAN_WORDS: Record<string, boolean> = { true: true, yes: true, on: true, '1': true, false: false, no: false, off: false, '0': false };

interface Issue {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly origin?: string;
  readonly maximum?: unknown;
}

/** Splits tokens into positionals and raw flag values per the flags schema. */
function splitFlags(tokens: readonly Token[], flags: Introspected | undefined, problems: string[]): { positional: string[]; raw: Record<string, unknown> } {
  const shape = flags?.shape;
  const positional: string[] = [];
  const raw: Record<string, unknown> = {};
  if (!shape) return { positional: tokens.map((t) => t.text), raw };
  const byName = new Map<string, string>();
  for (const key of Object.keys(shape)) {
    byName.set(key, key);
    byName.set(kebab(key), key);
  }
  let flagsDone = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (flagsDone || t.quoted || !t.text.startsWith('--')) {
      positional.push(t.text);
      continue;
    }
    if (t.text === '--') {
      flagsDone = true;
      continue;
    }
    const eq = t.text.indexOf('=');
    const name = t.text.slice(2, eq < 0 ? undefined : eq);
    const key = byName.get(name);
    if (key === undefined) {
      problems.push(`unknown flag --${name} (known: ${Object.keys(shape).map((k) => `--${kebab(k)}`).join(', ')})`);
      continue;
    }
    const schema = shape[key]!;
    let value: unknown;
    if (isBooleanFlag(schema)) {
      value = eq < 0 ? true : BOOLEAN_WORDS[t.text.slice(eq + 1).toLowerCase()];
      if (value === undefined) problems.push(`--${name} takes no value or one of true/false`);
    } else if (eq >= 0) value = t.text.slice(eq + 1);
    else if (i + 1 < tokens.length) value = tokens[++i]!.text;
    else problems.push(`--${name} needs a value`);
    if (value === undefined) continue;
    if (isArrayFlag(schema)) raw[key] = [...((raw[key] as unknown[] | undefined) ?? []), value];
    else if (key in raw) problems.push(`--${name} is given twice`);
    else raw[key] = value;
  }
  return { positional, raw };
}

function describeIssue(issue: Issue, names: readonly string[], flagged: boolean): string {
  const [head, ...tail] = issue.path;
  if (flagged) return `--${kebab(String(head))}${tail.length ? `.${tail.map(String).join('.')}` : ''}: ${issue.message}`;
  if (head === undefined) {
    if (issue.code === 'too_big' && issue.origin === 'array') return `too many arguments (at most ${String(issue.maximum)})`;
    if (issue.code === 'too_small' && issue.origin === 'array') return 'missing arguments';
    return issue.message;
  }
  const name = typeof head === 'number' ? names[head] ?? `argument ${head + 1}` : String(head);
  return `<${name}>: ${issue.message}`;
}

/** Validates tokens against a command's schemas; problems are short sentences for the reply. */
export function parseArguments(tokens: readonly Token[], options: Pick<CommandOptions, 'args' | 'flags'>): ParsedArguments {
  const problems: string[] = [];
  const { positional, raw } = splitFlags(tokens, options.flags as Introspected | undefined, problems);
  let args: unknown = positional;
  let flags: unknown = {};
  if (options.args) {
    const r = options.args.safeParse(positional);
    if (r.success) args = r.data;
    else {
      const { names, optional } = positionalNames(options.args as Introspected);
      const issues = r.error.issues as unknown as Issue[];
      // Too few args shows up as a length issue, or (with a rest element) as "undefined" items past the end.
      const isMissing = (i: Issue): boolean =>
        (i.code === 'too_small' && i.path.length === 0) || (typeof i.path[0] === 'number' && i.path[0] >= positional.length);
      if (issues.some(isMissing)) {
        const missing = names.filter((_, i) => i >= positional.length && !optional[i]).map((n) => `<${n}>`);
        problems.push(`missing ${missing.join(' ') || 'arguments'}`);
      }
      for (const issue of issues) if (!isMissing(issue)) problems.push(describeIssue(issue, names, false));
    }
  }
  if (options.flags) {
    const r = options.flags.safeParse(raw);
    if (r.success) flags = r.data;
    else for (const issue of r.error.issues as unknown as Issue[]) problems.push(describeIssue(issue, [], true));
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, args, flags };
}

// ---------------------------------------------------------------- help

function line(spec: CommandSpec, prefix: string): string {
  return `${prefix}${spec.name}${spec.usage ? ` ${spec.usage}` : ''}`;
}

/** The `help` listing: one line per command, with its description. */
export function formatHelp(specs: readonly CommandSpec[], prefix: string): string {
  if (specs.length === 0) return 'No commands available.';
  const lines = specs.map((s) => `${line(s, prefix)}${s.description ? ` — ${s.description}` : ''}`);
  return [`Commands:`, ...lines, `Type ${prefix}help <command> for details.`].join('\n');
}

/** `help <name>`: usage, description, aliases, role and where it works. */
export function formatCommandHelp(spec: CommandSpec, prefix: string): string {
  const out = [`Usage: ${line(spec, prefix)}`];
  if (spec.description) out.push(spec.description);
  if (spec.aliases.length > 0) out.push(`Aliases: ${spec.aliases.map((a) => prefix + a).join(', ')}`);
  if (spec.role !== 'user') out.push(`Needs the ${spec.role} role.`);
  if (spec.where !== 'any') out.push(`Only in ${spec.where === 'friend' ? 'private messages' : 'conferences'}.`);
  return out.join('\n');
}
