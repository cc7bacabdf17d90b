// MemoryBotNode's conference peers: adding and removing test peers keeps numbers dense, as c-toxcore renumbers.
import { describe, expect, it } from 'vitest';
import { MemoryBotNode } from '../../../../src/runtime/bot/testing.js';

describe('MemoryBotNode conference peers', () => {
  it('removes a peer, renumbers the rest, and never removes ourselves', () => {
    const node = new MemoryBotNode();
    const room = node.addTestConference('room');
    const alice = node.addTestPeer(room.id, 'alice');
    const bob = node.addTestPeer(room.id, 'bob');
    expect(node.peers(room.id).map((p) => [p.name, p.number])).toEqual([['test bot', 0], ['alice', 1], ['bob', 2]]);
    expect(node.removeTestPeer(room.id, alice.publicKey)).toBe(true);
    expect(node.removeTestPeer(room.id, alice.publicKey)).toBe(false);
    expect(node.peers(room.id).map((p) => [p.publicKey, p.number])).toEqual([[node.self().publicKey, 0], [bob.publicKey, 1]]);
    expect(node.removeTestPeer(room.id, node.self().publicKey)).toBe(false);
  });
});
