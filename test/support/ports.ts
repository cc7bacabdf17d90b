// Free loopback ports for tests, always asked from the OS (bind port 0 on 127.0.0.1, read the
// port, close). Never fixed ports: c-toxcore's default range 33445..33545 collides with
// tox-bootstrapd and with other instances. A port handed out by this process is not handed out
// again (the OS may recycle a just-closed ephemeral port before its new owner binds it).

import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const issued = { udp: new Set<number>(), tcp: new Set<number>() };

function probeUdp(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

function probeTcp(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('unexpected TCP server address'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

async function fresh(kind: 'udp' | 'tcp', probe: () => Promise<number>): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await probe();
    if (!issued[kind].has(port)) {
      issued[kind].add(port);
      return port;
    }
  }
  throw new Error(`no fresh ${kind} port after 20 attempts`);
}

export function freeUdpPort(): Promise<number> {
  return fresh('udp', probeUdp);
}

export function freeTcpPort(): Promise<number> {
  return fresh('tcp', probeTcp);
}

/** A free UDP port and a free TCP port (e.g. a node's DHT port and its TCP relay port). */
export async function freePortPair(): Promise<{ udp: number; tcp: number }> {
  return { udp: await freeUdpPort(), tcp: await freeTcpPort() };
}
