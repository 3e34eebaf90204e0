// The connector contract is part of the SDK (plugins add connectors); providers import it from here.
export * from '../engine/sdk/connector';
