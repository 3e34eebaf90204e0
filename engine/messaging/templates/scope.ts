import type { ContactSnapshot, TriggerEvent } from '../../sdk/define-node';
import type { TemplateAnalytics } from './analytics-scope';
import type { ContentLookup } from './content-lookup';

/** Where the scope keeps the loader of the product pairs the `bought_with` filter reads. */
export const PRODUCT_PAIRS = Symbol('product pairs');

/** Where the scope keeps the workspace's content library for `asset_url` and `content_item`. */
export const CONTENT_LIBRARY = Symbol('content library');

/**
 * What templates see. Contact attributes are also readable directly (`contact.first_name`);
 * the fixed fields win over attributes of the same name.
 */
export function renderScope(input: {
  contact: ContactSnapshot;
  trigger?: TriggerEvent | null;
  journey?: { id: string; version: number };
  steps?: Record<string, Record<string, unknown>>;
  links?: { unsubscribeUrl: string; preferencesUrl: string };
  /** RFM, CLV, cluster and product suggestions from the last analytics refresh. */
  analytics?: TemplateAnalytics;
  /** The workspace's assets and items by id (the content filters); without it they fail clearly. */
  content?: ContentLookup;
}): Record<string, unknown> {
  const { contact, trigger } = input;
  const scope: Record<string, unknown> = {
    contact: {
      ...contact.attributes,
      id: contact.id,
      external_id: contact.externalId,
      email: contact.email,
      phone: contact.phone,
      timezone: contact.timezone,
      tags: contact.tags,
      attributes: contact.attributes,
      rfm: input.analytics?.rfm ?? null,
      clv: input.analytics?.clv ?? null,
      cluster: input.analytics?.cluster ?? null,
    },
    event: trigger
      ? {
          ...trigger.properties,
          name: trigger.name,
          properties: trigger.properties,
          timestamp: trigger.timestamp,
        }
      : {},
    journey: input.journey ?? {},
    steps: input.steps ?? {},
    unsubscribe_url: input.links?.unsubscribeUrl ?? '',
    preferences_url: input.links?.preferencesUrl ?? '',
    recommendations: input.analytics?.recommendations ?? [],
    bought_together: input.analytics?.boughtTogether ?? {},
  };
  // For the `bought_with` filter only: not enumerable, so it is no variable the editor offers.
  Object.defineProperty(scope, PRODUCT_PAIRS, { value: input.analytics?.productPairs, enumerable: false });
  Object.defineProperty(scope, CONTENT_LIBRARY, { value: input.content, enumerable: false });
  return scope;
}
