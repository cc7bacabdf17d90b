/**
 * Finding plugins and checking their options. `loadPlugin(name, { root })`
 * imports `<root>/plugins/<name>/index.ts` (or `.js`/`.mjs`) when it exists,
 * else the npm package `name`; the module must export a `definePlugin(...)`
 * result (default export, or a named `plugin`). `loadPlugins` does that for a
 * config's plugin list and validates each entry's options with the plugin's
 * zod schema, reporting every problem at once with its config path, e.g.
 * `identities[0].plugins[1].options.greeting: expected string`.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PluginConfigError, describeError, type PluginConfigErrorCode } from './errors.js';
import { isPlugin, type Plugin } from './plugin.js';

export interface LoadPluginOptions {
  /** The project root holding `plugins/`. */
  root: string;
  /** How npm packages are imported (default: dynamic `import()` from the framework's install). */
  importPackage?: (name: string) => Promise<unknown>;
}

/** One plugin of a bot, ready for the host: options are still the raw config value. */
export interface LoadedPlugin {
  readonly plugin: Plugin;
  /** Instance id (default: the plugin's name); also names the plugin's store file. */
  readonly id?: string;
  readonly options?: unknown;
  /** Config path of this entry for error messages, e.g. `identities[0].plugins[2]`. */
  readonly path?: string;
}

/** A plugin as a config declares it (the shape of the config schema's plugin entries). */
export interface PluginSource {
  readonly name: string;
  readonly id?: string;
  readonly options?: unknown;
  readonly enabled?: boolean;
}

const NAME = /^(?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i;
const LOCAL_FILES = ['index.ts', 'index.js', 'index.mjs'];

function configError(code: PluginConfigErrorCode, problem: string, cause?: unknown): PluginConfigError {
  return new PluginConfigError(code, [problem], cause === undefined ? undefined : { cause });
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function exportedPlugin(module: unknown, where: string): Plugin {
  const m = module as { default?: unknown; plugin?: unknown } | undefined;
  const found = [m?.default, m?.plugin, (m?.default as { default?: unknown } | undefined)?.default].find(isPlugin);
  if (!found) throw configError('PLUGIN_INVALID', `${where} does not export a plugin (export default definePlugin({ ... }))`);
  return found;
}

function isMissingPackage(err: unknown, name: string): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && describeError(err).includes(`'${name}'`);
}

/** Resolves and imports one plugin; throws `PluginConfigError` (PLUGIN_NOT_FOUND / PLUGIN_INVALID). */
export async function loadPlugin(name: string, options: LoadPluginOptions): Promise<Plugin> {
  if (!NAME.test(name)) throw configError('PLUGIN_NOT_FOUND', `"${name}" is not a plugin name (a directory under plugins/ or an npm package name)`);
  if (!name.startsWith('@')) {
    for (const file of LOCAL_FILES) {
      const path = join(options.root, 'plugins', name, file);
      if (!(await isFile(path))) continue;
      let module: unknown;
      try {
        module = await import(pathToFileURL(path).href);
      } catch (err) {
        throw configError('PLUGIN_INVALID', `plugin "${name}" (${path}) failed to load: ${describeError(err)}`, err);
      }
      return exportedPlugin(module, `plugin "${name}" (${path})`);
    }
  }
  const importPackage = options.importPackage ?? ((n: string) => import(n));
  let module: unknown;
  try {
    module = await importPackage(name);
  } catch (err) {
    if (isMissingPackage(err, name)) {
      const local = name.startsWith('@') ? '' : `no plugins/${name}/index.ts under ${options.root} and `;
      throw configError('PLUGIN_NOT_FOUND', `plugin "${name}" not found: ${local}no installed npm package "${name}"`, err);
    }
    throw configError('PLUGIN_INVALID', `npm package "${name}" failed to load: ${describeError(err)}`, err);
  }
  return exportedPlugin(module, `npm package "${name}"`);
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}

/** Checks raw options against a plugin's schema; problems carry `<path>.options.<key>` paths. */
export function validatePluginOptions(plugin: Plugin, raw: unknown, path: string): { ok: true; value: unknown } | { ok: false; problems: string[] } {
  const result = plugin.options.safeParse(raw ?? {});
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: result.error.issues.map((i) => `${path}.options${formatPath(i.path)}: ${i.message}`) };
}

/** Problems with instance ids: empty or used twice (ids name store files, encoded, so any other text is fine). */
export function checkInstanceIds(entries: readonly LoadedPlugin[], basePath: string): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  entries.forEach((entry, j) => {
    const id = entry.id ?? entry.plugin.name;
    const where = entry.path ?? `${basePath}[${j}]`;
    if (id.length === 0) problems.push(`${where}.id: an instance id cannot be empty`);
    else if (seen.has(id)) problems.push(`${where}: plugin instance id "${id}" is used twice; give one of them a distinct "id"`);
    seen.add(id);
  });
  return problems;
}

/**
 * Loads every enabled plugin of a config list and validates its options.
 * `path` is the list's config path (default `plugins`). All problems are
 * reported together in one `PluginConfigError`.
 */
export async function loadPlugins(sources: readonly PluginSource[], options: LoadPluginOptions & { path?: string }): Promise<LoadedPlugin[]> {
  const base = options.path ?? 'plugins';
  const entries: LoadedPlugin[] = [];
  const problems: string[] = [];
  let code: PluginConfigErrorCode | undefined;
  for (const [j, source] of sources.entries()) {
    if (source.enabled === false) continue;
    const path = `${base}[${j}]`;
    try {
      const plugin = await loadPlugin(source.name, options);
      const checked = validatePluginOptions(plugin, source.options, path);
      if (!checked.ok) {
        problems.push(...checked.problems);
        code ??= 'PLUGIN_OPTIONS_INVALID';
      }
      entries.push({ plugin, options: source.options, path, ...(source.id !== undefined ? { id: source.id } : {}) });
    } catch (err) {
      if (!(err instanceof PluginConfigError)) throw err;
      problems.push(...err.problems.map((p) => `${path}.name: ${p}`));
      code ??= err.code;
    }
  }
  const idProblems = checkInstanceIds(entries, base);
  problems.push(...idProblems);
  if (idProblems.length > 0) code ??= 'PLUGIN_OPTIONS_INVALID';
  if (code !== undefined) throw new PluginConfigError(code, problems);
  return entries;
}
