// c-toxcore 0.2.18's AV conferences (groupav.c through the old toxav_*_av_groupchat API) for the
// c-toxcore instance wrapper. Owns: the koffi bindings of toxav_add_av_groupchat,
// toxav_join_av_groupchat and toxav_group_send_audio, and the one registered audio trampoline,
// which hands decoded audio to the listener of the Tox* it came from.
// Gotchas: these take the Tox* itself (no ToxAV instance); c-toxcore encodes what it sends with
// Opus and decodes what it receives, so only real Opus frames reach the audio callback;
// tox_conference_join refuses AV invites (use joinAvConference).

import koffi from 'koffi';
import { declareOnce, type Ptr } from './bindings.js';
import type { ToxcoreInstance } from './instance.js';
import { toxcore } from './lib.js';

/** One decoded audio frame c-toxcore delivered: its conference, its sender (peer index) and its size. */
export interface AvAudioFrame {
  readonly conference: number;
  readonly peer: number;
  readonly samples: number;
  readonly channels: number;
  readonly sampleRate: number;
}

type AudioListener = (frame: AvAudioFrame) => void;

interface AvBindings {
  readonly add: (tox: Ptr, cb: unknown, userdata: null) => number;
  readonly join: (tox: Ptr, friend: number, cookie: Uint8Array, length: number, cb: unknown, userdata: null) => number;
  readonly sendAudio: (tox: Ptr, conference: number, pcm: Int16Array, samples: number, channels: number, sampleRate: number) => number;
  readonly trampoline: unknown;
  readonly listeners: Map<Ptr, AudioListener>;
}

let bindings: AvBindings | undefined;

function bind(): AvBindings {
  if (bindings) return bindings;
  const { handle } = toxcore();
  declareOnce('toxav_audio_data_cb', () =>
    koffi.proto('void toxav_audio_data_cb(Tox *tox, uint32_t groupnumber, uint32_t peernumber, const int16_t *pcm, uint32_t samples, uint8_t channels, uint32_t sample_rate, void *userdata)'));
  const listeners = new Map<Ptr, AudioListener>();
  const trampoline = koffi.register(
    (tox: Ptr, conference: number, peer: number, _pcm: unknown, samples: number, channels: number, sampleRate: number) =>
      listeners.get(tox)?.({ conference, peer, samples, channels, sampleRate }),
    koffi.pointer('toxav_audio_data_cb'),
  );
  bindings = {
    add: handle.func('int toxav_add_av_groupchat(Tox *tox, toxav_audio_data_cb *cb, void *userdata)') as AvBindings['add'],
    join: handle.func('int toxav_join_av_groupchat(Tox *tox, uint32_t friendnumber, const uint8_t *data, uint16_t length, toxav_audio_data_cb *cb, void *userdata)') as AvBindings['join'],
    sendAudio: handle.func('int toxav_group_send_audio(Tox *tox, uint32_t groupnumber, const int16_t *pcm, unsigned int samples, uint8_t channels, uint32_t sample_rate)') as AvBindings['sendAudio'],
    trampoline,
    listeners,
  };
  return bindings;
}

/** Where `tox`'s decoded audio goes (one listener per instance; the last call wins). */
export function onAvAudio(tox: ToxcoreInstance, listener: AudioListener): void {
  bind().listeners.set(tox.tox, listener);
}

/** Stops delivering `tox`'s audio (call before killing it). */
export function offAvAudio(tox: ToxcoreInstance): void {
  bindings?.listeners.delete(tox.tox);
}

/** toxav_add_av_groupchat: a new AV conference; returns its number. */
export function createAvConference(tox: ToxcoreInstance): number {
  const b = bind();
  const n = b.add(tox.tox, b.trampoline, null);
  if (n < 0) throw new Error('toxav_add_av_groupchat failed');
  return n;
}

/** toxav_join_av_groupchat with the cookie of a conference_invite event of type AV; returns the conference number. */
export function joinAvConference(tox: ToxcoreInstance, friend: number, cookie: Uint8Array): number {
  const b = bind();
  const n = b.join(tox.tox, friend, cookie, cookie.length, b.trampoline, null);
  if (n < 0) throw new Error('toxav_join_av_groupchat failed');
  return n;
}

/** toxav_group_send_audio: PCM in, one Opus-encoded lossy packet (id 192) out; false when c-toxcore refused. */
export function sendAvAudio(tox: ToxcoreInstance, conference: number, pcm: Int16Array, channels = 1, sampleRate = 48_000): boolean {
  return bind().sendAudio(tox.tox, conference, pcm, pcm.length / channels, channels, sampleRate) === 0;
}
