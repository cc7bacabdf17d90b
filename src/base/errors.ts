/**
 * Typed errors with stable codes. Every error Tocsin throws on purpose is a
 * `ToxError` (or subclass) whose `code` is a stable string callers can switch on;
 * messages are for humans and may change.
 */

export class ToxError extends Error {
  readonly code: string;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/**
 * Raised while processing bytes that came from the network or a file: the
 * packet router and other receive paths count and drop these at debug level
 * (anything else escaping a handler is a bug and is logged as a warning).
 */
export class UntrustedInputError extends ToxError {}

/** API misuse: a caller passed a value the API does not accept. */
export class InvalidArgumentError extends ToxError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('INVALID_ARGUMENT', message, details);
  }
}

/** An operation was called in a lifecycle state that does not allow it. */
export class InvalidStateError extends ToxError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('INVALID_STATE', message, details);
  }
}

/** A wait (virtual or real) ran past its deadline. */
export class TimeoutError extends ToxError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('TIMEOUT', message, details);
  }
}

export function isToxError(value: unknown, code?: string): value is ToxError {
  return value instanceof ToxError && (code === undefined || value.code === code);
}
