/**
 * The config commands of `tocsin`: `run` starts every identity of a bot
 * config and keeps it running until SIGINT/SIGTERM, saving profiles on the way
 * out (`run --console` is in console.ts); `id` prints the Tox IDs without
 * creating anything; `check` validates a config and its plugins.
 */
import { resolve } from 'node:path';
import { createLogger, textSink, toHex, type Logger } from '../../base/index.js';
import { formatToxId } from '../../crypto/index.js';
import { loadProfile } from '../../storage/index.js';
import { PluginHost, Permissions, loadPlugins, type LoadedPlugin } from '../bot/index.js';
import { ToxNodeBotApi, publishNodeEvents } from '../bot-bridge.js';
import { loadConfigFile, readNodesFile, type BotConfig, type IdentityConfig, type NetworkConfig } from '../config/index.js';
import { realEnv } from '../env.js';
import { BotEventBus } from '../events.js';
import { ToxNode } from '../tox-node.js';
import { PROJECT_ROOT, identityPassphrase, profilePathOf, type CliIo } from './common.js';

/** The identity's network config with the nodes of its nodes file (public mode) added to `bootstrap`. */
async function withNodesFile(identity: IdentityConfig, log: Logger): Promise<NetworkConfig> {
  const network = identity.network;
  if (network.nodesFile === undefined) return network;
  const { nodes, skipped } = await readNodesFile(resolve(network.nodesFile), { ipv6: network.ipv6 });
  log.info('bootstrap nodes from the nodes file', { identity: identity.id, file: network.nodesFile, nodes: nodes.length, skipped });
  return { ...network, bootstrap: [...network.bootstrap, ...nodes] };
}

/** Loads (and validates the options of) every identity's plugins; nothing starts if one is wrong. */
export async function loadAllPlugins(config: BotConfig): Promise<LoadedPlugin[][]> {
  const lists: LoadedPlugin[][] = [];
  for (const [i, identity] of config.identities.entries()) {
    lists.push(await loadPlugins(identity.plugins, { root: PROJECT_ROOT, path: `identities[${i}].plugins` }));
  }
  return lists;
}

/** Starts every identity; returns once all are up (the process then lives until a signal). */
export async function runNetwork(io: CliIo, configPath: string): Promise<void> {
  const config = loadConfigFile(configPath);
  const log = createLogger({ level: config.logLevel, sink: textSink(io.stderr) });
  const pluginLists = await loadAllPlugins(config);
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
      const passphrase = identityPassphrase(io, identity);
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
      io.stdout.write(
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
  io.stdout.write('running; press Ctrl+C to stop\n');
}

export async function printIds(io: CliIo, configPath: string): Promise<void> {
  const config = loadConfigFile(configPath);
  for (const identity of config.identities) {
    const passphrase = identityPassphrase(io, identity);
    const profile = await loadProfile(profilePathOf(config, identity), passphrase !== undefined ? { passphrase } : {});
    io.stdout.write(`${identity.id} ${formatToxId({ publicKey: profile.keyPair.publicKey, nospam: profile.nospam })}\n`);
  }
}

export async function check(io: CliIo, configPath: string): Promise<void> {
  const config = loadConfigFile(configPath);
  await loadAllPlugins(config);
  for (const identity of config.identities) {
    const plugins = identity.plugins.map((p) => p.name).join(', ') || 'no plugins';
    io.stdout.write(`${identity.id}: ${identity.network.mode} network, profile ${profilePathOf(config, identity)}, ${plugins}\n`);
  }
  io.stdout.write(`${configPath}: ok\n`);
}
