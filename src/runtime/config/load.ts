/**
 * Reading and validating config files. Errors name the exact path inside the
 * file and what was expected, e.g. `identities[0].network.bootstrap[1].host:
 * local mode bootstraps from loopback nodes only`.
 */
import { readFileSync } from 'node:fs';
import { ToxError } from '../../base/index.js';
import { configSchema, type BotConfig } from './schema.js';

export class ConfigError extends ToxError {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super('CONFIG_INVALID', `${file}: invalid config\n${problems.map((p) => `  - ${p}`).join('\n')}`, { file, problems });
  }
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out || '(root)';
}

/** Validates an already-parsed value; `file` is only used in messages. */
export function parseConfig(value: unknown, file = '<config>'): BotConfig {
  const result = configSchema.safeParse(value);
  if (!result.success) {
    throw new ConfigError(file, result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`));
  }
  const ids = new Set<string>();
  const problems: string[] = [];
  result.data.identities.forEach((identity, i) => {
    if (ids.has(identity.id)) problems.push(`identities[${i}].id: "${identity.id}" is used twice`);
    ids.add(identity.id);
  });
  if (problems.length > 0) throw new ConfigError(file, problems);
  return result.data;
}

export function loadConfigFile(file: string): BotConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ToxError('CONFIG_NOT_FOUND', `${file}: cannot read config (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { file });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, [`(root): not valid JSON (${(err as Error).message})`]);
  }
  return parseConfig(json, file);
}
