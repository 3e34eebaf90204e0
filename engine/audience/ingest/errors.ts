import { DomainError } from '../../errors';

/** A body or event over the documented limits (measured after decompression). */
export class PayloadTooLarge extends DomainError {
  constructor(message: string, field?: string) {
    super('payload_too_large', message, 'too_large', field);
  }
}

export class WriteKeyInvalid extends DomainError {
  constructor(message: string) {
    super('unauthorized', message, 'unauthenticated', 'writeKey');
  }
}

export class UnsupportedEncoding extends DomainError {
  constructor(encoding: string) {
    super(
      'unsupported_encoding',
      `Content-Encoding ${encoding} is not supported; send gzip, deflate or identity`,
      'unsupported',
      'Content-Encoding',
    );
  }
}

/** Transient trouble (database busy or away): clients retry the same message ids later. */
export class IngestUnavailable extends DomainError {
  constructor(message = 'Events cannot be stored right now; retry shortly') {
    super('ingest_unavailable', message, 'unavailable');
  }
}
