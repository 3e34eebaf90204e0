/**
 * The node SDK as plugins import it: `import { defineNode, NodeError, nextPort } from 'wayline/sdk'`.
 * The test harness is `wayline/testing`.
 */

/** The zod that Wayline itself uses, so a plugin's schemas convert to the same JSON Schema. */
export { z } from 'zod';
/** Connectors (providers of a channel) plugins add: `defineConnector`, and the error that says whether to retry. */
export {
  type Connector,
  type ConnectorContext,
  ConnectorError,
  defineConnector,
  type OutboundMessage,
  type SendResult,
} from './connector';
export {
  type AnyNodeDefinition,
  type ContactChanges,
  type ContactEvent,
  type ContactEventFilter,
  type ContactSnapshot,
  defineNode,
  type MessageRecord,
  type NodeContext,
  type NodeDefinition,
  type NodeKind,
  type NodeLogger,
  type NodeResult,
  type NodeSecrets,
  nextPort,
  type PortSpec,
  type TriggerEvent,
} from './define-node';
export {
  createHttpClient,
  DEFAULT_HTTP_TIMEOUT_MS,
  failureForStatus,
  type HttpRequestInit,
  isRetryableStatus,
  type JsonRequestInit,
  type NodeHttp,
} from './http';
export { isNodeError, NodeError } from './node-error';
export { secretNamePattern } from './secrets';
