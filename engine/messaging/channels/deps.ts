import type { Client } from '@temporalio/client';
import type { Db } from '../../../db';
import type { Config } from '../../config';
import { SecretBox } from '../../identity/secret-box';
import { resolveSecretKey } from '../../secret-key';

/** What sending and tracking need; built once per process (see `createChannelDeps`). */
export interface ChannelDeps {
  db: Db;
  box: SecretBox;
  /** Base of tracking, unsubscribe and status-callback links (PUBLIC_URL). */
  publicUrl: string;
  /** Per-process connector state: pooled SMTP transports, cached access tokens. */
  cache: Map<string, unknown>;
  /** Signals waiting runs about opens, clicks, unsubscribes (API side; absent on workers). */
  temporal?: Client;
}

export function createChannelDeps(options: Omit<ChannelDeps, 'cache'>): ChannelDeps {
  return { ...options, cache: new Map() };
}

/** Closes pooled connections (SMTP) held in the cache. */
export async function closeChannelDeps(deps: ChannelDeps): Promise<void> {
  for (const value of deps.cache.values()) {
    const closable = value as { close?: () => unknown };
    if (typeof closable?.close === 'function') closable.close();
  }
  deps.cache.clear();
}

/** Channel deps of a process, from its configuration (the secret key is resolved once here). */
export function channelDepsFromConfig(config: Config, db: Db): ChannelDeps {
  return createChannelDeps({ db, box: new SecretBox(resolveSecretKey(config)), publicUrl: config.publicUrl });
}
