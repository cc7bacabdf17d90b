// The 16-slot connection table: new entries take the last free slot, cleaning keeps two slots free
// preferring connecting then online non-closest connections (else the slot at the bound), and
// squashing keeps order.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src/base/index.js';
import { ConnectionTable, REASON_CLOSEST, REASON_INTRODUCER, type GroupConnection } from '../../../src/conference/connections.js';
import { key } from './helpers.js';

function conn(n: number, online: boolean, reasons: number): GroupConnection {
  const publicKey = key(n);
  return { publicKey, keyHex: toHex(publicKey), online, reasons, groupNumber: 0 };
}

function fill(table: ConnectionTable, count: number, make: (i: number) => GroupConnection): void {
  for (let i = 0; i < count; i++) table.put(table.freeSlot(), make(i));
}

describe('ConnectionTable', () => {
  it('puts new connections in the last free slot and squashes them to the front in order', () => {
    const table = new ConnectionTable();
    expect(table.freeSlot()).toBe(15);
    fill(table, 3, (i) => conn(i + 1, false, REASON_CLOSEST));
    expect([...table.entries()].map(([i]) => i)).toEqual([13, 14, 15]);
    table.squash();
    expect([...table.entries()].map(([i, c]) => [i, c.publicKey[0]])).toEqual([
      [0, 3],
      [1, 2],
      [2, 1],
    ]);
  });

  it('needs no cleaning while two slots are free', () => {
    const table = new ConnectionTable();
    fill(table, 14, (i) => conn(i, false, REASON_INTRODUCER));
    expect(table.victims()).toEqual([]);
  });

  it('cleans connecting non-closest connections first, then online non-closest ones', () => {
    const table = new ConnectionTable();
    // Slots 15..0: 14 online closest ones, then (slot 1) an online introducer, (slot 0) a connecting introducer.
    fill(table, 14, (i) => conn(i, true, REASON_CLOSEST));
    table.put(1, conn(100, true, REASON_INTRODUCER));
    table.put(0, conn(101, false, REASON_INTRODUCER));
    expect(table.victims()).toEqual([0, 1]);
    expect(table.countOnline()).toBe(15);
    expect(table.countWithReason(REASON_INTRODUCER)).toBe(2);
  });

  it('falls back to the slot at the bound when only closest connections are left', () => {
    const table = new ConnectionTable();
    fill(table, 16, (i) => conn(i, true, REASON_CLOSEST));
    expect(table.victims()).toEqual([14, 15]);
  });
});
