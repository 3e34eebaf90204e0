import type { Db } from '../../db';
import { SecretBox } from '../../engine/identity/secret-box';
import { type ChannelDeps, createChannelDeps } from '../../engine/messaging/channels/deps';

/** A fixed key for tests: tokens signed by a worker verify in the API of the same test. */
export const testSecretBox = new SecretBox(Buffer.alloc(32, 7));

/** Channel deps over a test database; `publicUrl` is where tracking links point (the test's API). */
export function testChannelDeps(db: Db, publicUrl = 'http://127.0.0.1:1'): ChannelDeps {
  return createChannelDeps({ db, box: testSecretBox, publicUrl });
}
