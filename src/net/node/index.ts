/**
 * Real sockets: the NetStack over node:dgram and node:net. Only the runtime
 * (and tests) import this entry point; protocol layers see the ports in
 * `net/index.ts`.
 */
export { NodeNetStack, UDP_BUFFER_BYTES, UDP_RECEIVE_BUFFER_BYTES, type NodeNetStackOptions } from './stack.js';
export { NodeDatagramSocket, type DatagramStats } from './datagram.js';
export { NodeStreamSocket, NodeStreamListener } from './stream.js';
