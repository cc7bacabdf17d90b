// Relay connections through a proxy: the SOCKS5 and HTTP CONNECT byte formats c-toxcore uses,
// reply parsing (split replies, refusals, bytes after the reply), and a TcpRelayClient reaching
// our relay through tiny in-test proxies on the simulated network.
import { afterEach, describe, expect, it } from 'vitest';
import { concatBytes, utf8Decode, utf8Encode } from '../../../src/base/index.js';
import { formatIpPort, ipPort, ipPortFromBytes, type IpPort, type StreamSocket } from '../../../src/net/index.js';
import type { SimHost } from '../../../src/net/sim/index.js';
import { proxyNegotiation, TcpRelayClient, type ProxyConfig } from '../../../src/tcp/index.js';
import { settle, simWorld, startServer, type SimWorld } from './harness.js';

describe('proxy negotiation', () => {
  it('SOCKS5: greeting, CONNECT request for IPv4 and IPv6, replies in pieces, bytes after the reply', () => {
    const n = proxyNegotiation({ type: 'socks5', address: ipPort('10.0.0.9', 1080) }, ipPort('10.1.2.3', 33445));
    expect([...n.greeting]).toEqual([5, 1, 0]);
    expect(n.receive(Uint8Array.of(5))).toEqual({ kind: 'wait' });
    const request = n.receive(Uint8Array.of(0));
    expect(request).toEqual({ kind: 'send', bytes: Uint8Array.of(5, 1, 0, 1, 10, 1, 2, 3, 0x82, 0xa5) });
    expect(n.receive(Uint8Array.of(5, 0, 0, 1, 0, 0))).toEqual({ kind: 'wait' });
    expect(n.receive(Uint8Array.of(0, 0, 0, 0, 42))).toEqual({ kind: 'done', rest: Uint8Array.of(42) });

    const v6 = proxyNegotiation({ type: 'socks5', address: ipPort('10.0.0.9', 1080) }, ipPort('::1', 7));
    const step = v6.receive(Uint8Array.of(5, 0));
    expect(step.kind === 'send' && [...step.bytes]).toEqual([5, 1, 0, 4, ...new Array<number>(15).fill(0), 1, 0, 7]);
  });

  it('SOCKS5: refuses authentication demands and failed connects', () => {
    const auth = proxyNegotiation({ type: 'socks5', address: ipPort('10.0.0.9', 1) }, ipPort('10.1.2.3', 1));
    expect(auth.receive(Uint8Array.of(5, 0xff)).kind).toBe('fail');
    const refused = proxyNegotiation({ type: 'socks5', address: ipPort('10.0.0.9', 1) }, ipPort('10.1.2.3', 1));
    refused.receive(Uint8Array.of(5, 0));
    expect(refused.receive(Uint8Array.of(5, 5, 0, 1, 0, 0, 0, 0, 0, 0)).kind).toBe('fail');
  });

  it('HTTP CONNECT: request line and Host header, 200 accepted, anything else refused, header bounded', () => {
    const n = proxyNegotiation({ type: 'http', address: ipPort('10.0.0.9', 8080) }, ipPort('10.1.2.3', 33445));
    expect(utf8Decode(n.greeting)).toBe('CONNECT 10.1.2.3:33445 HTTP/1.1\r\nHost: 10.1.2.3:33445\r\n\r\n');
    expect(n.receive(utf8Encode('HTTP/1.1 200 Connection established\r\nVia: x\r\n'))).toEqual({ kind: 'wait' });
    expect(n.receive(concatBytes(utf8Encode('\r\n'), Uint8Array.of(1, 2)))).toEqual({ kind: 'done', rest: Uint8Array.of(1, 2) });
    const refused = proxyNegotiation({ type: 'http', address: ipPort('10.0.0.9', 1) }, ipPort('10.1.2.3', 1));
    expect(refused.receive(utf8Encode('HTTP/1.1 403 Forbidden\r\n\r\n')).kind).toBe('fail');
    const endless = proxyNegotiation({ type: 'http', address: ipPort('10.0.0.9', 1) }, ipPort('10.1.2.3', 1));
    expect(endless.receive(new Uint8Array(5000).fill(65)).kind).toBe('fail');
  });
});

/** A minimal SOCKS5 / HTTP CONNECT proxy on a simulated host; `refuse` makes it deny every request. */
class TinyProxy {
  readonly targets: IpPort[] = [];
  address!: IpPort;
  private readonly sockets: StreamSocket[] = [];

  constructor(
    private readonly host: SimHost,
    private readonly type: ProxyConfig['type'],
    private readonly refuse = false,
  ) {}

  get config(): ProxyConfig {
    return { type: this.type, address: this.address };
  }

  async listen(world: SimWorld): Promise<void> {
    const listener = await settle(world.scheduler, this.host.listenTcp({ host: this.host.ip, port: 0 }, (s) => this.accept(s)));
    this.address = listener.local;
    this.close = async () => {
      await listener.close();
      for (const s of this.sockets) s.destroy();
    };
  }

  close: () => Promise<void> = async () => undefined;

  private accept(client: StreamSocket): void {
    this.sockets.push(client);
    let buffer: Uint8Array = new Uint8Array(0);
    let upstream: StreamSocket | undefined;
    let stage: 'greeting' | 'request' | 'connecting' | 'piping' = this.type === 'socks5' ? 'greeting' : 'request';
    const connect = (target: IpPort, ok: Uint8Array, no: Uint8Array): void => {
      if (this.refuse) {
        client.write(no);
        return;
      }
      stage = 'connecting';
      this.targets.push(target);
      void this.host.connectTcp(target).then((socket) => {
        upstream = socket;
        this.sockets.push(socket);
        socket.onData((chunk) => client.write(chunk));
        socket.onClose(() => client.destroy());
        client.onClose(() => socket.destroy());
        client.write(ok);
        stage = 'piping';
        if (buffer.length > 0) socket.write(buffer);
      });
    };
    client.onData((chunk) => {
      if (stage === 'piping') {
        upstream!.write(chunk);
        return;
      }
      buffer = concatBytes(buffer, chunk);
      if (stage === 'greeting' && buffer.length >= 3) {
        buffer = buffer.subarray(3);
        client.write(Uint8Array.of(5, 0));
        stage = 'request';
      }
      if (stage !== 'request') return;
      if (this.type === 'socks5') {
        const need = buffer[3] === 4 ? 22 : 10;
        if (buffer.length < need) return;
        const target = ipPortFromBytes(buffer.subarray(4, need - 2), (buffer[need - 2]! << 8) | buffer[need - 1]!);
        buffer = buffer.subarray(need);
        connect(target, Uint8Array.of(5, 0, 0, 1, 0, 0, 0, 0, 0, 0), Uint8Array.of(5, 2, 0, 1, 0, 0, 0, 0, 0, 0));
      } else {
        const text = utf8Decode(buffer);
        const end = text.indexOf('\r\n\r\n');
        if (end < 0) return;
        const [host, port] = /^CONNECT (\S+):(\d+) /.exec(text)!.slice(1) as [string, string];
        buffer = buffer.subarray(end + 4);
        connect(ipPort(host, Number(port)), utf8Encode('HTTP/1.1 200 Connection established\r\n\r\n'), utf8Encode('HTTP/1.1 403 Forbidden\r\n\r\n'));
      }
    });
  }
}

describe('TcpRelayClient through a proxy', () => {
  let world: SimWorld;
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  for (const type of ['socks5', 'http'] as const) {
    it(`reaches our relay through a ${type} proxy`, async () => {
      world = simWorld(11);
      const server = await startServer(world, world.host('10.0.0.1'));
      cleanup.push(() => server.stop());
      const proxy = new TinyProxy(world.host('10.0.0.5'), type);
      await proxy.listen(world);
      cleanup.push(() => proxy.close());
      const client = new TcpRelayClient(
        { net: world.host('10.0.0.2'), scheduler: world.scheduler, random: world.random.fork(), log: world.log },
        { relay: { address: server.address, publicKey: server.publicKey }, keyPair: world.keyPair(), proxy: proxy.config },
      );
      cleanup.push(() => client.close());
      client.connect();
      await world.scheduler.runUntil(() => client.stats.pongsReceived === 1, { timeoutMs: 5_000 });
      expect(proxy.targets.map(formatIpPort)).toEqual([formatIpPort(server.address)]);
      expect(server.hasClient(client.publicKey)).toBe(true);
    });

    it(`fails with proxyFailed when the ${type} proxy refuses`, async () => {
      world = simWorld(12);
      const server = await startServer(world, world.host('10.0.0.1'));
      cleanup.push(() => server.stop());
      const proxy = new TinyProxy(world.host('10.0.0.5'), type, true);
      await proxy.listen(world);
      cleanup.push(() => proxy.close());
      const client = new TcpRelayClient(
        { net: world.host('10.0.0.2'), scheduler: world.scheduler, random: world.random.fork(), log: world.log },
        { relay: { address: server.address, publicKey: server.publicKey }, keyPair: world.keyPair(), proxy: proxy.config },
      );
      cleanup.push(() => client.close());
      client.connect();
      await world.scheduler.advance(1_000);
      expect(client.closeReason).toBe('proxyFailed');
      expect(server.stats.accepted).toBe(0);
    });
  }
});
