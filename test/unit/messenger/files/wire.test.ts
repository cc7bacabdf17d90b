// Byte layouts of the file packets against c-toxcore 0.2.18's Messenger.c (send request, the four
// controls with seek's u64, data), and the shapes the decoders refuse.
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../../src/base/index.js';
import { DecodeError } from '../../../../src/binary/index.js';
import { FILE_CONTROL, FileControl, FileData, FileSendRequest, fileTransferCodecs } from '../../../../src/messenger/files/index.js';

const ID = 'aa'.repeat(32);

describe('file transfer wire formats', () => {
  it('registers the three packets under their Messenger ids', () => {
    expect(fileTransferCodecs.all().map((d) => [d.name, d.id])).toEqual([
      ['messenger.files.FileSendRequest', 0x50],
      ['messenger.files.FileControl', 0x51],
      ['messenger.files.FileData', 0x52],
    ]);
  });

  it('lays out FILE_SENDREQUEST as [80][file number][u32 kind][u64 size][32 id][name]', () => {
    const value = { fileNumber: 5, kind: 1, size: 0x0102030405060708n, fileId: fromHex(ID), fileName: new TextEncoder().encode('ab') };
    const hex = '50' + '05' + '00000001' + '0102030405060708' + ID + '6162';
    expect(toHex(FileSendRequest.encode(value))).toBe(hex);
    expect(FileSendRequest.decode(fromHex(hex))).toEqual(value);
    // No name at all, and the unknown-size marker.
    const stream = FileSendRequest.decode(fromHex('50' + 'ff' + 'ffffffff' + 'ffffffffffffffff' + ID));
    expect(stream).toMatchObject({ fileNumber: 255, kind: 0xffffffff, size: 0xffffffffffffffffn, fileName: new Uint8Array(0) });
  });

  it('lays out FILE_CONTROL as [81][send_receive][file number][control][u64 position for seek]', () => {
    const cases: Array<[Parameters<typeof FileControl.encode>[0], string]> = [
      [{ sendReceive: 0, fileNumber: 9, control: { kind: FILE_CONTROL.accept } }, '51000900'],
      [{ sendReceive: 1, fileNumber: 9, control: { kind: FILE_CONTROL.pause } }, '51010901'],
      [{ sendReceive: 0, fileNumber: 255, control: { kind: FILE_CONTROL.kill } }, '5100ff02'],
      [{ sendReceive: 1, fileNumber: 0, control: { kind: FILE_CONTROL.seek, position: 0x1000n } }, '5101000300000000000010' + '00'],
    ];
    for (const [value, hex] of cases) {
      expect(toHex(FileControl.encode(value))).toBe(hex);
      expect(FileControl.decode(fromHex(hex))).toEqual(value);
    }
  });

  it('lays out FILE_DATA as [82][file number][0..1371 bytes]', () => {
    expect(toHex(FileData.encode({ fileNumber: 3, data: fromHex('0102') }))).toBe('52030102');
    expect(FileData.decode(fromHex('5203'))).toEqual({ fileNumber: 3, data: new Uint8Array(0) });
    expect(FileData.decode(new Uint8Array([0x52, 1, ...new Uint8Array(1371)])).data).toHaveLength(1371);
  });

  it('refuses what c-toxcore would drop, and the few shapes it would tolerate but never sends', () => {
    const bad = [
      ['50' + '05' + '00000001' + '0102030405060708' + ID.slice(2), FileSendRequest], // header short of the id
      ['50' + '05' + '00000001' + '0102030405060708' + ID + '61'.repeat(256), FileSendRequest], // name of 256 bytes
      ['5100', FileControl],
      ['510009', FileControl],
      ['51020900', FileControl], // send_receive must be 0 or 1
      ['51000904', FileControl], // unknown control
      ['5101000300000000000010', FileControl], // seek with 7 position bytes
      ['510109030000000000001000ff', FileControl], // seek with a trailing byte
      ['5100090000', FileControl], // accept with a trailing byte
      ['52', FileData],
      ['5201' + '00'.repeat(1372), FileData], // chunk over 1371 bytes
    ] as const;
    for (const [hex, def] of bad) {
      expect(() => def.decode(fromHex(hex)), hex.slice(0, 40)).toThrow(DecodeError);
    }
  });
});
