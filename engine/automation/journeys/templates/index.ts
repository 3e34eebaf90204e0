import type { JourneyGraphInput } from '../model';
import { abandonedCart } from './abandoned-cart';
import { birthdayGreeting } from './birthday-greeting';
import { csatRequest } from './csat-request';
import { holidayGreeting } from './holiday-greeting';
import { reEngagement } from './re-engagement';
import { supportRequestTicket } from './support-request-ticket';
import { welcomeSeries } from './welcome-series';

/** A ready-made journey a marketer can start from in the builder. */
export interface JourneyTemplate {
  id: string;
  name: string;
  description: string;
  graph: JourneyGraphInput;
  /** Message templates the journey sends, created with it in a workspace that lacks them. */
  messageTemplates?: {
    name: string;
    channel: 'email' | 'sms';
    subject?: string;
    preheader?: string;
    body: string;
    html?: string;
  }[];
}

export const journeyTemplates: JourneyTemplate[] = [
  welcomeSeries,
  birthdayGreeting,
  holidayGreeting,
  abandonedCart,
  reEngagement,
  csatRequest,
  supportRequestTicket,
];

export function getTemplate(id: string): JourneyTemplate | undefined {
  return journeyTemplates.find((template) => template.id === id);
}
