import type { ContactSnapshot, TriggerEvent } from '../../sdk/define-node';
import type { TemplateAnalytics } from './analytics-scope';

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
}): Record<string, unknown> {
  const { contact, trigger } = input;
  return {
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
    product_pairs: input.analytics?.productPairs ?? {},
  };
}
