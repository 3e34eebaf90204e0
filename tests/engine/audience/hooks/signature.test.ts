import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  generateWebhookSecret,
  signWebhook,
  verifyWebhook,
} from '../../../../engine/audience/hooks/signature';

describe('Standard Webhooks signatures', () => {
  const secret = generateWebhookSecret();
  const body = Buffer.from('{"type":"order.completed","total":12.5}');
  const now = Date.now();
  const headers = (signature: string, id = 'msg_1', at = now) => ({
    id,
    timestamp: String(Math.floor(at / 1000)),
    signature,
  });

  it('signs exactly as the standardwebhooks library does, and verifies its signatures', () => {
    const id = `msg_${randomUUID()}`;
    const at = new Date(Math.floor(now / 1000) * 1000);
    const theirs = new Webhook(secret).sign(id, at, body.toString());
    expect(signWebhook(secret, id, at.getTime() / 1000, body)).toBe(theirs);
    expect(verifyWebhook([secret], headers(theirs, id, at.getTime()), body, now)).toEqual({ ok: true });
  });

  it('accepts any one matching signature among several, against any active secret', () => {
    const other = generateWebhookSecret();
    const mine = signWebhook(secret, 'msg_1', Math.floor(now / 1000), body);
    const theirs = signWebhook(other, 'msg_1', Math.floor(now / 1000), body);
    expect(verifyWebhook([secret], headers(`v1,bm90LWl0 ${mine}`), body, now).ok).toBe(true);
    expect(verifyWebhook([other, secret], headers(mine), body, now).ok).toBe(true);
    expect(verifyWebhook([secret], headers(theirs), body, now)).toEqual({
      ok: false,
      reason: 'no_matching_signature',
    });
  });

  it('refuses a changed body or id, a timestamp over five minutes away either way, and missing headers', () => {
    const sig = signWebhook(secret, 'msg_1', Math.floor(now / 1000), body);
    expect(verifyWebhook([secret], headers(sig), Buffer.from(`${body} `), now).ok).toBe(false);
    expect(verifyWebhook([secret], headers(sig, 'msg_2'), body, now).ok).toBe(false);
    for (const skew of [-301_000, 301_000]) {
      const at = now + skew;
      const signed = signWebhook(secret, 'msg_1', Math.floor(at / 1000), body);
      expect(verifyWebhook([secret], headers(signed, 'msg_1', at), body, now)).toEqual({
        ok: false,
        reason: 'timestamp_out_of_tolerance',
      });
    }
    expect(verifyWebhook([secret], { id: 'msg_1', timestamp: '1' }, body, now)).toEqual({
      ok: false,
      reason: 'missing_headers',
    });
    expect(verifyWebhook([secret], headers(`v2,${sig.slice(3)}`), body, now).ok).toBe(false);
  });
});
