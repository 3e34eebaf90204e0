import { describe, expect, it } from 'vitest';
import { testNode } from 'wayline/testing';
import { scoreLead } from './score-lead';

const daysAgo = (days: number) => new Date(Date.now() - days * 24 * 60 * 60 * 1000);

describe('score.lead (harness on PGlite)', () => {
  it("adds up the weights of the contact's recent events and stores the score", async () => {
    const result = await testNode(scoreLead, {
      config: { weights: { 'Page Viewed': 1, 'Demo Requested': 25 }, hotThreshold: 100 },
      events: [
        { name: 'Page Viewed', timestamp: daysAgo(1) },
        { name: 'Page Viewed', timestamp: daysAgo(2) },
        { name: 'Demo Requested', timestamp: daysAgo(3) },
        { name: 'Newsletter Opened', timestamp: daysAgo(1) },
        { name: 'Demo Requested', timestamp: daysAgo(90) },
      ],
    });

    expect(result.output).toEqual({ score: 27, hot: false, events: 3 });
    expect(result.port).toBe('next');
    expect(result.contactChanges.set).toEqual({ leadScore: 27 });
  });

  it('sends a contact over the threshold out of the Hot port', async () => {
    const result = await testNode(scoreLead, {
      config: { attribute: 'score', hotThreshold: 50 },
      contact: { attributes: { score: 3 } },
      events: [{ name: 'Demo Requested' }, { name: 'Demo Requested' }, { name: 'Pricing Viewed' }],
    });

    expect(result.port).toBe('hot');
    expect(result.output).toMatchObject({ score: 60, hot: true });
    expect(result.contact.attributes.score).toBe(60);
  });

  it('scores a contact without events as zero', async () => {
    const result = await testNode(scoreLead, { config: {} });
    expect(result.output).toMatchObject({ score: 0, hot: false, events: 0 });
    expect(result.contactChanges.set).toEqual({ leadScore: 0 });
  });
});
