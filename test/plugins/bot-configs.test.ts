/**
 * Every shipped bots/*.json is what `tocsin check` accepts (the config schema), and its plugins load
 * and take their options (what `tocsin run` checks before starting a node).
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlugins } from '../../src/runtime/bot/index.js';
import { loadConfigFile } from '../../src/runtime/config/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const files = readdirSync(join(ROOT, 'bots')).filter((f) => f.endsWith('.json')).sort();

describe('shipped bot configs', () => {
  it('include the plugin examples', () => {
    expect(files).toEqual(expect.arrayContaining(['echo.json', 'moderator.json', 'relay.json']));
  });

  it.each(files)('%s is valid, local-only, and its plugins accept their options', async (file) => {
    const config = loadConfigFile(join(ROOT, 'bots', file));
    for (const [i, identity] of config.identities.entries()) {
      expect(identity.network.mode).toBe('local');
      const loaded = await loadPlugins(identity.plugins, { root: ROOT, path: `identities[${i}].plugins` });
      expect(loaded.map((p) => p.plugin.name)).toEqual(identity.plugins.map((p) => p.name));
    }
  });

  it('the check catches a wrong plugin option, naming its path', async () => {
    const config = loadConfigFile(join(ROOT, 'bots/moderator.json'));
    const plugins = config.identities[0]!.plugins.map((p) => (p.name === 'moderation' ? { ...p, options: { join: { policy: 'lottery' } } } : p));
    await expect(loadPlugins(plugins, { root: ROOT, path: 'identities[0].plugins' })).rejects.toThrow(/identities\[0\]\.plugins\[1\]\.options\.join\.policy/);
  });
});
