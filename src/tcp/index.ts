/**
 * Public surface of the TCP relay layer: the wire formats (`tcpCodecs`), the
 * handshake and framed secure link, the relay server, the single-relay client,
 * the TcpConnections manager and the ports runtime/ wires to other layers.
 */
export * from './constants.js';
export * from './wire/codecs.js';
export * from './wire/packets.js';
export * from './wire/frame.js';
export * from './wire/decode.js';
export * from './handshake.js';
export * from './secure-stream.js';
export * from './ports.js';
export * from './server/stats.js';
export * from './server/server.js';
export * from './client/proxy.js';
export * from './client/client.js';
export * from './client/connections.js';
