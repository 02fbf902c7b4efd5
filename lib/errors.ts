// Error types thrown by faltung. FaltungError carries a stable `code` for failures that come from
// native code or files (not from bad arguments, which get TypeError/RangeError).

export class FaltungError extends Error {
  readonly code: string;

  constructor(message: string, code: string) {
    super(message);
    this.name = 'FaltungError';
    this.code = code;
  }
}
