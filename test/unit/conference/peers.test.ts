// The peer list in c-toxcore's array order (append, swap-remove), the frozen-list cap (friends
// first, then the most recently active), and the published view with its diff by public key.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src/base/index.js';
import { diffPeers, newPeer, PeerList, publishedView } from '../../../src/conference/peers.js';
import { dhtOf, key } from './helpers.js';

const peer = (first: number, number: number, now = 0) => newPeer(key(first), dhtOf(key(first)), number, now);
const te = new TextEncoder();

describe('PeerList', () => {
  it('removes by moving the last peer into the gap, as c-toxcore does', () => {
    const list = new PeerList();
    for (const [i, b] of [0x10, 0x20, 0x30, 0x40].entries()) list.append(peer(b, i));
    list.removeAt(1);
    expect(list.current.map((p) => p.peerNumber)).toEqual([0, 3, 2]);
    expect(list.indexByNumber(3)).toBe(1);
    expect(list.indexByKey(toHex(key(0x30)))).toBe(2);
  });

  it('keeps friends first, then the most recently active, when the frozen list is over its cap', () => {
    const list = new PeerList();
    const old = peer(0x10, 1, 100);
    const recent = peer(0x20, 2, 900);
    const friend = peer(0x30, 3, 0);
    friend.isFriend = true;
    const middle = peer(0x40, 4, 500);
    list.frozen.push(old, recent, friend, middle);
    expect(list.trimFrozen(4)).toBe(false);
    expect(list.trimFrozen(3)).toBe(true);
    expect(list.frozen.map((p) => p.peerNumber)).toEqual([3, 2, 4]);
  });
});

describe('published view and diff', () => {
  it('publishes heard peers only, never ourselves', () => {
    const list = new PeerList();
    const me = peer(0x80, 0);
    me.heard = true;
    const heard = peer(0x10, 1);
    heard.heard = true;
    list.append(me);
    list.append(heard);
    list.append(peer(0x20, 2));
    expect([...publishedView(list, me.keyHex).keys()]).toEqual([heard.keyHex]);
  });

  it('reports leaves (left or frozen), joins and renames by key, and nothing for a new peer number', () => {
    const list = new PeerList();
    const a = peer(0x10, 1);
    const b = peer(0x20, 2);
    const c = peer(0x30, 3);
    for (const p of [a, b, c]) {
      p.heard = true;
      list.append(p);
    }
    const before = publishedView(list, 'self');
    list.removeAt(list.indexByKey(a.keyHex));
    list.removeAt(list.indexByKey(b.keyHex));
    list.frozen.push(b);
    c.peerNumber = 33;
    c.name = te.encode('carol');
    const d = peer(0x40, 4);
    d.heard = true;
    list.append(d);
    const changes = diffPeers(before, publishedView(list, 'self'), list);
    expect(changes.map((ch) => [ch.kind, toHex(ch.peer.publicKey).slice(0, 2), 'reason' in ch ? ch.reason : ''])).toEqual([
      ['leave', '10', 'left'],
      ['leave', '20', 'frozen'],
      ['rename', '30', ''],
      ['join', '40', ''],
    ]);
  });
});
