/** Plugin resolution from plugins/<name> and npm, and option errors reported with config paths. */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PluginConfigError, createTestBot, definePlugin, loadPlugin, loadPlugins } from '../../../../src/runtime/bot/index.js';

const root = fileURLToPath(new URL('./fixtures', import.meta.url));
const npmPlugin = definePlugin({ name: '@acme/tocsin-weather', setup() {} });
const importPackage = async (name: string): Promise<unknown> => {
  if (name === '@acme/tocsin-weather') return { default: npmPlugin };
  if (name === 'weird-package') return { something: 1 };
  if (name === 'throws-on-import') throw new TypeError('bad top-level code');
  throw Object.assign(new Error(`Cannot find package '${name}' imported from ${root}`), { code: 'ERR_MODULE_NOT_FOUND' });
};

describe('loadPlugin', () => {
  it('imports plugins/<name>/index.ts from the root', async () => {
    const plugin = await loadPlugin('greeter', { root });
    expect(plugin.name).toBe('greeter');
    const bot = await createTestBot({ plugins: [{ plugin, options: { excited: true } }] });
    const alice = bot.node.addTestFriend();
    await bot.emit({ kind: 'friend.online', friend: alice, transport: 'tcp' });
    expect(bot.node.sentTo(alice)).toEqual(['hello!']);
    await bot.stop();
  });

  it('falls back to an npm package', async () => {
    await expect(loadPlugin('@acme/tocsin-weather', { root, importPackage })).resolves.toBe(npmPlugin);
  });

  it('says clearly what is missing or wrong', async () => {
    await expect(loadPlugin('nothing-here', { root, importPackage })).rejects.toMatchObject({
      code: 'PLUGIN_NOT_FOUND',
      message: `plugin "nothing-here" not found: no plugins/nothing-here/index.ts under ${root} and no installed npm package "nothing-here"`,
    });
    await expect(loadPlugin('broken', { root })).rejects.toMatchObject({ code: 'PLUGIN_INVALID', message: expect.stringMatching(/plugin "broken" \(.*broken\/index\.ts\) failed to load: broken on import/) });
    await expect(loadPlugin('not-a-plugin', { root })).rejects.toMatchObject({ code: 'PLUGIN_INVALID', message: expect.stringMatching(/does not export a plugin/) });
    await expect(loadPlugin('weird-package', { root, importPackage })).rejects.toMatchObject({ code: 'PLUGIN_INVALID', message: 'npm package "weird-package" does not export a plugin (export default definePlugin({ ... }))' });
    await expect(loadPlugin('throws-on-import', { root, importPackage })).rejects.toMatchObject({ code: 'PLUGIN_INVALID', message: 'npm package "throws-on-import" failed to load: bad top-level code' });
    await expect(loadPlugin('../escape', { root })).rejects.toMatchObject({ code: 'PLUGIN_NOT_FOUND' });
  });

  it('reports a missing npm package through the default importer too', async () => {
    await expect(loadPlugin('tocsin-plugin-that-does-not-exist', { root })).rejects.toMatchObject({ code: 'PLUGIN_NOT_FOUND' });
  });
});

describe('loadPlugins', () => {
  it('loads enabled entries and keeps their config paths', async () => {
    const entries = await loadPlugins(
      [{ name: 'greeter', options: { greeting: 'hi' } }, { name: 'broken', enabled: false }, { name: 'greeter', id: 'second' }],
      { root, path: 'identities[1].plugins' },
    );
    expect(entries.map((e) => [e.plugin.name, e.id, e.path, e.options])).toEqual([
      ['greeter', undefined, 'identities[1].plugins[0]', { greeting: 'hi' }],
      ['greeter', 'second', 'identities[1].plugins[2]', undefined],
    ]);
  });

  it('reports every problem at once with its path', async () => {
    const err = await loadPlugins(
      [
        { name: 'greeter', options: { greeting: 1, loud: true } },
        { name: 'missing' },
        { name: 'greeter' },
      ],
      { root, importPackage, path: 'identities[0].plugins' },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PluginConfigError);
    expect(err).toMatchObject({ code: 'PLUGIN_OPTIONS_INVALID' });
    expect((err as PluginConfigError).problems).toEqual([
      'identities[0].plugins[0].options.greeting: Invalid input: expected string, received number',
      'identities[0].plugins[0].options: Unrecognized key: "loud"',
      `identities[0].plugins[1].name: plugin "missing" not found: no plugins/missing/index.ts under ${root} and no installed npm package "missing"`,
      'identities[0].plugins[2]: plugin instance id "greeter" is used twice; give one of them a distinct "id"',
    ]);
  });
});
