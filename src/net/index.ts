/**
 * Public surface of the net layer: addresses, packed nodes, transport ports,
 * bind rules, NetError and the packet router. Real sockets live in `net/node`,
 * the simulator in `net/sim`; each has its own entry point so protocol layers
 * never import either.
 */
export * from './address.js';
export * from './errors.js';
export * from './bind.js';
export * from './packed-node.js';
export * from './transport.js';
export * from './router.js';
export * from './no-udp.js';
