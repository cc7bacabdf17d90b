import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfig } from '../../../src/runtime/config/index.js';

const KEY = 'AB'.repeat(32);

function problemsOf(value: unknown): readonly string[] {
  try {
    parseConfig(value, 'test.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('config was accepted');
}

describe('bot config', () => {
  it('fills local-only defaults', () => {
    const config = parseConfig({ identities: [{ id: 'echo' }] });
    const net = config.identities[0]!.network;
    expect(net.mode).toBe('local');
    expect(net.udp.portRange).toEqual([33445, 33545]);
    expect(net.bootstrap).toEqual([]);
    expect(config.dataDir).toBe('data');
  });

  it('the shipped default config is valid and local-only', () => {
    const config = loadConfigFile('bots/echo.json');
    expect(config.identities.map((i) => i.network.mode)).toEqual(['local']);
  });

  it('names the exact failing path and what was expected', () => {
    const problems = problemsOf({ identities: [{ id: 'a', network: { bootstrap: [{ host: '127.0.0.1', port: 'x', publicKey: KEY }] } }] });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^identities\[0\]\.network\.bootstrap\[0\]\.port: .*number/);
  });

  it('refuses non-loopback nodes and bind addresses in local mode', () => {
    const problems = problemsOf({
      identities: [{ id: 'a', network: { udp: { host: '0.0.0.0' }, bootstrap: [{ host: '203.0.113.5', port: 33445, publicKey: KEY }] } }],
    });
    expect(problems.some((p) => p.startsWith('identities[0].network.udp.host: local mode binds loopback only'))).toBe(true);
    expect(problems.some((p) => p.startsWith('identities[0].network.bootstrap[0].host: local mode bootstraps from loopback nodes only'))).toBe(true);
  });

  it('accepts public nodes only with an explicit public mode', () => {
    const config = parseConfig({ identities: [{ id: 'a', network: { mode: 'public', bootstrap: [{ host: '203.0.113.5', port: 33445, publicKey: KEY }] } }] });
    expect(config.identities[0]!.network.bootstrap[0]!.host).toBe('203.0.113.5');
  });

  it('a TCP-only network needs a relay and nothing else', () => {
    expect(problemsOf({ identities: [{ id: 'a', network: { udp: { enabled: false } } }] })).toEqual([
      'identities[0].network.relays: a TCP-only node ("udp": { "enabled": false }) needs at least one relay',
    ]);
    const config = parseConfig({ identities: [{ id: 'a', network: { udp: { enabled: false }, relays: [{ host: '127.0.0.1', port: 33445, publicKey: KEY }] } }] });
    expect(config.identities[0]!.network.udp.enabled).toBe(false);
    expect(config.identities[0]!.network.bootstrap).toEqual([]);
  });

  it('rejects duplicate identity ids and an empty identity list', () => {
    expect(problemsOf({ identities: [{ id: 'a' }, { id: 'a' }] })).toEqual(['identities[1].id: "a" is used twice']);
    expect(problemsOf({ identities: [] })[0]).toMatch(/^identities: /);
  });

  it('reports unreadable and non-JSON files with codes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tocsin-config-'));
    expect(() => loadConfigFile(join(dir, 'missing.json'))).toThrow(expect.objectContaining({ code: 'CONFIG_NOT_FOUND' }));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ nope');
    expect(() => loadConfigFile(bad)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});
