/**
 * The plugin test kits: the in-memory test bot (`createTestBot` on
 * `MemoryBotNode`) and the simulated test network (`createTestNetwork`, real
 * Tox nodes on an in-memory network). Kept apart from the SDK so production
 * plugin code, which imports ./index.js only, never loads the Tox node or the
 * simulated network; tests import the kit from here and the rest from
 * ./index.js (see docs/plugins.md).
 */
export { MemoryBotNode, createTestBot, testPublicKey } from '../bot/testing.js';
export type { SentMessageRecord, TestBot, TestBotOptions } from '../bot/testing.js';

export { createTestNetwork } from '../testing/network.js';
export type { TestNetwork, TestNetworkOptions } from '../testing/network.js';
export { TestNetworkBot, TestPeer } from '../testing/test-peer.js';
export type { InviteOptions, NextOptions } from '../testing/test-peer.js';
