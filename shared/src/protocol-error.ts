/**
 * The one error type every parser and protocol engine throws for bad input.
 * `code` is a stable machine-readable reason (snake_case) that ends up in the
 * log line and, per protocol, is mapped to a wire-level error in one table.
 *
 * @example
 * throw new ProtocolError('chunk_size_out_of_range', `set chunk size ${n} < 128`);
 */
export class ProtocolError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
  }
}

/** Thrown by bounded readers when the input ends before a structure does. */
export class NeedMoreBytes extends ProtocolError {
  constructor(what: string) {
    super('truncated', `truncated ${what}`);
    this.name = 'NeedMoreBytes';
  }
}
