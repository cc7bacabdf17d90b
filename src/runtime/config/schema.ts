/**
 * The bot config file (`bots/*.json`), validated with zod. One file declares
 * one or more identities; each has a profile, a network section and the
 * plugins it runs. The default network mode is local-only: loopback binding,
 * loopback bootstrap nodes, LAN discovery aimed at loopback ports. Joining the
 * public Tox network is the explicit `"mode": "public"`.
 *
 * Every field is described in docs/config.md; test/unit/runtime/config-doc.test.ts
 * fails when a key path or default here has no matching row there.
 */
import { z } from 'zod';
import { permissionsSchema } from '../bot/permissions.js';

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;

const hexKey = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'a public key is 64 hexadecimal characters');

const port = z.number().int().min(1).max(65535);

export const bootstrapNodeSchema = z.object({
  host: z.string().min(1),
  port,
  /** The node's DHT public key (for tox-bootstrapd and public nodes: the key they publish). */
  publicKey: hexKey,
  /** TCP relay ports offered by the same node, if any. */
  tcpPorts: z.array(port).default([]),
});

export const networkSchema = z
  .object({
    mode: z.enum(['local', 'public']).default('local'),
    udp: z
      .object({
        /** false = TCP only: no UDP socket, everything through `relays` (one relay suffices; see README). */
        enabled: z.boolean().default(true),
        /** Bind address; local mode requires loopback. */
        host: z.string().optional(),
        /** First free port in this range is taken (c-toxcore's default is 33445..33545). */
        portRange: z.tuple([port, port]).default([33445, 33545]),
      })
      .prefault({}),
    ipv6: z.boolean().default(false),
    lanDiscovery: z.boolean().default(true),
    /** Run a TCP relay on this port (like c-toxcore's tcp_port); 0 = no relay. */
    tcpRelayPort: z.number().int().min(0).max(65535).default(0),
    bootstrap: z.array(bootstrapNodeSchema).default([]),
    /** TCP relays to use (host, port, public key). */
    relays: z.array(bootstrapNodeSchema.omit({ tcpPorts: true })).default([]),
    /** Nodes file in the nodes.tox.chat JSON format, used in public mode. */
    nodesFile: z.string().optional(),
  })
  .superRefine((net, ctx) => {
    if (!net.udp.enabled && net.relays.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['relays'], message: 'a TCP-only node ("udp": { "enabled": false }) needs at least one relay' });
    }
    if (net.mode !== 'local') return;
    if (net.udp.host !== undefined && !LOOPBACK.test(net.udp.host)) {
      ctx.addIssue({ code: 'custom', path: ['udp', 'host'], message: `local mode binds loopback only; "${net.udp.host}" is not a loopback address (set "mode": "public" to join the public network)` });
    }
    net.bootstrap.forEach((node, i) => {
      if (!LOOPBACK.test(node.host)) {
        ctx.addIssue({ code: 'custom', path: ['bootstrap', i, 'host'], message: `local mode bootstraps from loopback nodes only; "${node.host}" is not loopback` });
      }
    });
    net.relays.forEach((node, i) => {
      if (!LOOPBACK.test(node.host)) {
        ctx.addIssue({ code: 'custom', path: ['relays', i, 'host'], message: `local mode uses loopback relays only; "${node.host}" is not loopback` });
      }
    });
    if (net.nodesFile !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['nodesFile'], message: 'a nodes file is only used in public mode' });
    }
  });

export const pluginEntrySchema = z.object({
  /** `plugins/<name>` in this project, or an npm package name. */
  name: z.string().min(1),
  /** Instance id (names the plugin's store); needed when one plugin is listed twice. */
  id: z.string().min(1).optional(),
  options: z.record(z.string(), z.unknown()).default({}),
  enabled: z.boolean().default(true),
});

export const identitySchema = z.object({
  /** Short id used in logs and for the default profile path. */
  id: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "_" and "-" only'),
  /** Profile path (c-toxcore savedata); default `data/<id>.tox`, relative to the working directory. */
  profile: z.string().optional(),
  /** Name of an environment variable holding the profile passphrase (never the passphrase itself). */
  passphraseEnv: z.string().optional(),
  name: z.string().max(128).default('Tocsin bot'),
  statusMessage: z.string().max(1007).default(''),
  status: z.enum(['online', 'away', 'busy']).default('online'),
  network: networkSchema.prefault({}),
  plugins: z.array(pluginEntrySchema).default([]),
  /** Roles by public key (owner/admin/user/banned), globally and per conference. */
  permissions: permissionsSchema.optional(),
  /** Prefix of bot commands (default "!"). */
  commandPrefix: z.string().min(1).max(8).default('!'),
});

export const configSchema = z.object({
  $schema: z.string().optional(),
  /** Directory for profiles and plugin data (default `./data`). */
  dataDir: z.string().default('data'),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
  identities: z.array(identitySchema).min(1, 'declare at least one identity'),
});

export type BotConfig = z.output<typeof configSchema>;
export type IdentityConfig = z.output<typeof identitySchema>;
export type NetworkConfig = z.output<typeof networkSchema>;
export type BootstrapNodeConfig = z.output<typeof bootstrapNodeSchema>;
export type PluginEntry = z.output<typeof pluginEntrySchema>;
