/**
 * The callback half of a StreamSocket, shared by the real and the simulated
 * stream so both keep the same promises: one handler per event (setting one
 * replaces the last), bytes held until `onData` is set, close reported exactly
 * once and only after every received chunk went to `onData` (a stream nobody
 * reads never reports its close, as in Node), and a close handler set after
 * the close still called. Held data is handed over on a microtask.
 */

type DataHandler = (chunk: Uint8Array) => void;
type CloseHandler = (error?: Error) => void;

export class StreamHandlers {
  private dataHandler: DataHandler | undefined;
  private drainHandler: (() => void) | undefined;
  private closeHandler: CloseHandler | undefined;
  private readonly held: Uint8Array[] = [];
  private flushQueued = false;
  private closeResult: { readonly error: Error | undefined } | undefined;
  private closeReported = false;

  setData(handler: DataHandler): void {
    this.dataHandler = handler;
    if (this.held.length > 0) this.queueFlush();
  }

  setDrain(handler: () => void): void {
    this.drainHandler = handler;
  }

  setClose(handler: CloseHandler): void {
    this.closeHandler = handler;
    if (this.closeResult && !this.closeReported) this.queueFlush();
  }

  /** Bytes from the peer. Ignored after close. */
  data(chunk: Uint8Array): void {
    if (this.closeResult) return;
    if (this.dataHandler && this.held.length === 0) this.dataHandler(chunk);
    else this.held.push(chunk);
  }

  drain(): void {
    if (!this.closeResult) this.drainHandler?.();
  }

  /** The stream is fully closed; the first call wins. Reported once held bytes went to `onData` (as Node does). */
  close(error?: Error): void {
    if (this.closeResult) return;
    this.closeResult = { error };
    if (this.held.length === 0) this.reportClose();
  }

  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushQueued = false;
    while (this.dataHandler && this.held.length > 0) this.dataHandler(this.held.shift()!);
    if (this.held.length === 0) this.reportClose();
  }

  private reportClose(): void {
    const handler = this.closeHandler;
    if (!handler || !this.closeResult || this.closeReported) return;
    this.closeReported = true;
    const { error } = this.closeResult;
    if (error) handler(error);
    else handler();
  }
}
