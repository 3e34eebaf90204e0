/**
 * Thrown by a node's `execute`. Retryable errors are retried by Temporal with backoff;
 * fatal ones are not, and take the node's `error` port when it has one.
 */
export class NodeError extends Error {
  readonly retryable: boolean;
  readonly details?: Record<string, unknown>;

  private constructor(message: string, retryable: boolean, details?: Record<string, unknown>) {
    super(message);
    this.name = retryable ? 'NodeRetryableError' : 'NodeFatalError';
    this.retryable = retryable;
    this.details = details;
  }

  static retryable(message: string, details?: Record<string, unknown>): NodeError {
    return new NodeError(message, true, details);
  }

  static fatal(message: string, details?: Record<string, unknown>): NodeError {
    return new NodeError(message, false, details);
  }
}

export const FATAL_NODE_ERROR = 'NodeFatalError';

/**
 * True for a `NodeError`, also one thrown by a plugin that bundles its own copy of the SDK (so
 * `instanceof` alone would miss it).
 */
export function isNodeError(value: unknown): value is NodeError {
  if (value instanceof NodeError) return true;
  if (!(value instanceof Error)) return false;
  const candidate = value as Partial<NodeError>;
  return (
    typeof candidate.retryable === 'boolean' &&
    (value.name === 'NodeRetryableError' || value.name === FATAL_NODE_ERROR)
  );
}
