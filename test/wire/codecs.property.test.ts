/**
 * Registry-wide wire properties: every packet of every layer registry gets the
 * round-trip, byte-exact re-encode and hostile-input properties. Adding a packet
 * to a registry (and the registry to test/support/registries.ts) is enough.
 * Run longer with TOCSIN_FUZZ_RUNS=5000.
 */
import { describe, expect, it } from 'vitest';
import { allRegistries } from '../support/registries.js';
import { checkCanonical, checkHostile, checkRoundTrip } from './properties.js';

const registries = allRegistries();

describe('packet registries', () => {
  it('are all non-empty, with packet names unique across layers', () => {
    expect(registries.length).toBeGreaterThan(0);
    const seen = new Map<string, string>();
    for (const registry of registries) {
      expect(registry.all().length, `registry ${registry.layer}`).toBeGreaterThan(0);
      for (const def of registry.all()) {
        expect(seen.get(def.name), `packet name ${def.name}`).toBeUndefined();
        seen.set(def.name, registry.layer);
      }
    }
  });
});

for (const registry of registries) {
  describe(`${registry.layer} packets`, () => {
    for (const def of registry.all()) {
      describe(def.name, () => {
        it('round-trips generated values with exact sizes', () => checkRoundTrip(def));
        it(def.nonCanonical ? 're-encodes decoded bytes to an equal value (nonCanonical)' : 're-encodes decoded bytes byte-exactly', () =>
          checkCanonical(def));
        it('rejects hostile input with DecodeError only', () => checkHostile(def));
      });
    }
  });
}
