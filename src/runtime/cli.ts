/**
 * The `tocsin` command line: `run [config]` starts every identity of a bot
 * config (default bots/echo.json) and keeps it running until SIGINT/SIGTERM,
 * saving profiles on the way out; `id [config]` prints the Tox IDs; `check
 * [config]` validates a config. Exit codes: 0 ok, 1 runtime failure, 2 bad
 * usage or invalid config.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ToxError, createLogger, textSink, toHex, type Logger } from '../base/index.js';
import { formatToxId, initCrypto } from '../crypto/index.js';
import { loadProfile } from '../storage/index.js';
import { PluginConfigError, PluginHost, Permissions, loadPlugins, type LoadedPlugin } from './bot/index.js';
import { ToxNodeBotApi, publishNodeEvents } from './bot-bridge.js';
import { ConfigError, loadConfigFile, readNodesFile, type BotConfig, type IdentityConfig, type NetworkConfig } from './config/index.js';
import { realEnv } from './env.js';
import { BotEventBus } from './events.js';
import { ToxNode } from './tox-node.js';

/** The project root: `plugins/<name>` is resolved from here. */
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const DEFAULT_CONFIG = 'bots/echo.json';
const USAGE = `usage: tocsin <command> [config]

commands:
  run [config]    start the bot(s) of a config (default ${DEFAULT_CONFIG})
  id [config]     print the Tox ID of each identity (creating nothing)
  check [config]  validate a config and print what it declares`;

class UsageError extends ToxError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

function profilePathOf(config: BotConfig, identity: IdentityConfig): string {
  return resolve(identity.profile ?? join(config.dataDir, `${identity.id}.tox`));
}

function passphraseOf(identity: IdentityConfig): string | undefined {
  if (!identity.passphraseEnv) return undefined;
  const value = process.env[identity.passphraseEnv];
  if (value === undefined) throw new ToxError('PASSPHRASE_MISSING', `identity "${identity.id}": environment variable ${identity.passphraseEnv} is not set`);
  return value;
}

/** The identity's network config with the nodes of its nodes file (public mode) added to `bootstrap`. */
async function withNodesFile(identity: IdentityConfig, log: Logger): Promise<NetworkConfig> {
  const network = identity.network;
  if (network.nodesFile === undefined) return network;
  const { nodes, skipped } = await readNodesFile(resolve(network.nodesFile), { ipv6: network.ipv6 });
  log.info('bootstrap nodes from the nodes file', { identity: identity.id, file: network.nodesFile, nodes: nodes.length, skipped });
  return { ...network, bootstrap: [...network.bootstrap, ...nodes] };
}

async function run(configPath: string): Promise<void> {
  const config = loadConfigFile(configPath);
  const log = createLogger({ level: config.logLevel, sink: textSink(process.stderr) });
  // Every identity's plugins load (and their options validate) before any node starts.
  const pluginLists: LoadedPlugin[][] = [];
  for (const [i, identity] of config.identities.entries()) {
    pluginLists.push(await loadPlugins(identity.plugins, { root: PROJECT_ROOT, path: `identities[${i}].plugins` }));
  }
  const env = realEnv(log);
  const nodes: ToxNode[] = [];
  const hosts: PluginHost[] = [];
  let stopping: Promise<void> | undefined;
  // Plugins stop first (they may still send), then nodes save their profiles, then sockets close.
  const stopAll = (): Promise<void> =>
    (stopping ??= (async () => {
      for (const host of hosts.reverse()) await host.stop().catch((err: unknown) => log.error('plugin host stop failed', { error: String(err) }));
      for (const node of nodes.reverse()) await node.stop().catch((err: unknown) => log.error('stop failed', { error: String(err) }));
      await env.close();
    })());
  const shutdown = (): void => void stopAll().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  try {
    for (const [i, identity] of config.identities.entries()) {
      const passphrase = passphraseOf(identity);
      const identityLog = log.child({ identity: identity.id });
      const node = new ToxNode({
        env: { ...env, log: identityLog },
        profilePath: profilePathOf(config, identity),
        ...(passphrase !== undefined ? { passphrase } : {}),
        network: await withNodesFile(identity, log),
        initial: { name: identity.name, statusMessage: identity.statusMessage, status: identity.status },
      });
      await node.start();
      nodes.push(node);
      const host = new PluginHost({
        node: new ToxNodeBotApi(node),
        scheduler: env.scheduler,
        random: env.random,
        log: identityLog.child({ layer: 'bot' }),
        plugins: pluginLists[i]!,
        permissions: Permissions.fromConfig(identity.permissions),
        commandPrefix: identity.commandPrefix,
        storeDir: resolve(config.dataDir, identity.id, 'plugins'),
        configPath: `identities[${i}].plugins`,
      });
      await host.start();
      hosts.push(host);
      const bus = new BotEventBus();
      host.attach(bus);
      publishNodeEvents(node, bus);
      const boot = node.bootstrapInfo();
      const plugins = pluginLists[i]!.map((p) => p.id ?? p.plugin.name);
      process.stdout.write(
        [
          `identity ${identity.id} (${identity.network.mode === 'local' ? 'local-only' : 'public network'})`,
          `  Tox ID:    ${node.toxIdText}`,
          `  bootstrap: ${boot.address.ip} ${boot.address.port} ${toHex(boot.publicKey, true)}`,
          `  profile:   ${profilePathOf(config, identity)}`,
          `  plugins:   ${plugins.length ? plugins.join(', ') : 'none'}`,
          '',
        ].join('\n'),
      );
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  process.stdout.write('running; press Ctrl+C to stop\n');
}

async function printIds(configPath: string): Promise<void> {
  const config = loadConfigFile(configPath);
  for (const identity of config.identities) {
    const passphrase = passphraseOf(identity);
    const profile = await loadProfile(profilePathOf(config, identity), passphrase !== undefined ? { passphrase } : {});
    process.stdout.write(`${identity.id} ${formatToxId({ publicKey: profile.keyPair.publicKey, nospam: profile.nospam })}\n`);
  }
}

function check(configPath: string): void {
  const config = loadConfigFile(configPath);
  for (const identity of config.identities) {
    const plugins = identity.plugins.map((p) => p.name).join(', ') || 'no plugins';
    process.stdout.write(`${identity.id}: ${identity.network.mode} network, profile ${profilePathOf(config, identity)}, ${plugins}\n`);
  }
  process.stdout.write(`${configPath}: ok\n`);
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const [command, configArg, ...extra] = parsed.positionals;
  if (parsed.values.help || command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined && !parsed.values.help ? 2 : 0;
  }
  const configPath = configArg ?? DEFAULT_CONFIG;
  try {
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    await initCrypto();
    switch (command) {
      case 'run':
        await run(configPath);
        return 0;
      case 'id':
        await printIds(configPath);
        return 0;
      case 'check':
        check(configPath);
        return 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`tocsin: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    if (err instanceof ConfigError || err instanceof PluginConfigError || (err instanceof ToxError && err.code === 'CONFIG_NOT_FOUND')) {
      process.stderr.write(`tocsin: ${err.message}\n`);
      return 2;
    }
    const code = err instanceof ToxError ? ` [${err.code}]` : '';
    process.stderr.write(`tocsin: ${err instanceof Error ? err.message : String(err)}${code}\n`);
    return 1;
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === new URL(`file://${resolve(process.argv[1])}`).href;
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code !== 0) process.exit(code);
    },
    (err: unknown) => {
      process.stderr.write(`tocsin: ${String(err)}\n`);
      process.exit(1);
    },
  );
}
