import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { events, messages } from '../../../../db/schema';
import { createContact, getContact } from '../../../../engine/audience/contacts/contacts';
import { enrollContact } from '../../../../engine/automation/runs/enroll';
import { createWorkspace } from '../../../../engine/identity/workspaces';
import { saveTopic } from '../../../../engine/messaging/policy/topics';
import { createTemplate } from '../../../../engine/messaging/templates/templates';
import { type ChannelStack, channelStack, emailThroughSmtp } from '../../../helpers/channel-stack';
import { line, pathOf, publishGraph } from '../../../helpers/fixtures';

const PUBLIC_URL = 'http://wayline.test';

describe('preferences page and topics (real Temporal test server, PGlite, smtp-server sink)', () => {
  const stack = channelStack('time-skipping', { publicUrl: PUBLIC_URL, smtpSink: true });
  // The tests below use the stack's parts by name.
  let { database, temporal, sink, channels, registry, app } = {} as ChannelStack;
  beforeAll(() => {
    ({ database, temporal, sink, channels, registry, app } = stack);
  });

  async function sendWithTopic(workspaceId: string, contactId: string, topic: string) {
    const { journey } = await publishGraph(
      database.db,
      workspaceId,
      line(`Topic ${topic} ${Math.random()}`, [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'send', type: 'email.send', config: { template: 'digest', topic } },
      ]),
      registry,
    );
    const enrolled = await enrollContact(
      { db: database.db, temporal: temporal.client, taskQueue: temporal.taskQueue },
      { workspaceId, journeyId: journey.id, contactId },
    );
    if (!enrolled.enrolled) throw new Error(enrolled.reason);
    await temporal.client.workflow.getHandle(enrolled.workflowId).result();
    const [message] = await database.db
      .select()
      .from(messages)
      .where(eq(messages.workflowId, enrolled.workflowId));
    return { workflowId: enrolled.workflowId, message };
  }

  it('lists the channel and topics, saves a topic opt-out, and the next send of that topic is suppressed while another topic still goes out', async () => {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Topics');
    const contact = await createContact(db, workspace.id, {
      userId: 'grace',
      email: 'grace@example.com',
      attributes: { first_name: 'Grace' },
    });
    await emailThroughSmtp(db, channels, workspace.id, sink.port);
    await saveTopic(db, workspace.id, { name: 'news', label: 'Product news', description: 'Monthly' });
    await saveTopic(db, workspace.id, { name: 'offers', label: 'Special offers' });
    await createTemplate(db, workspace.id, {
      name: 'digest',
      channel: 'email',
      subject: 'Digest for {{ contact.first_name }}',
      body: 'Manage: {{ preferences_url }}',
      html: '<p>Hi {{ contact.first_name }}</p><a href="{{ preferences_url }}">Manage preferences</a>',
    });

    const before = sink.mails.length;
    const first = await sendWithTopic(workspace.id, contact.id, 'news');
    expect(first.message).toMatchObject({ status: 'sent', provider: 'smtp' });
    expect(sink.mails.length).toBe(before + 1);
    const mail = sink.mails.at(-1)!;
    const link = /<a href="([^"]+)">Manage preferences<\/a>/.exec(mail.html as string)![1];
    expect(link).toMatch(/^http:\/\/wayline\.test\/t\/u\//);

    const page = await app.inject({ method: 'GET', url: new URL(link).pathname });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toMatch(
      /<input type="checkbox" name="subscribed" value="on" checked> Receive email messages/,
    );
    expect(page.body).toMatch(
      /<input type="checkbox" name="topic" value="news" checked> Product news <small>Monthly<\/small>/,
    );
    expect(page.body).toMatch(/<input type="checkbox" name="topic" value="offers" checked> Special offers/);
    // Viewing the page changes nothing (link scanners open it).
    expect((await getContact(db, workspace.id, contact.id)).subscriptions).toEqual({});

    // The browser submits the form as rendered, with “news” unticked.
    const action = /<form method="post" action="([^"]+)">/.exec(page.body)![1];
    const saved = await app.inject({
      method: 'POST',
      url: action.replace(/&amp;/g, '&'),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'subscribed=on&topic=offers',
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.body).toContain('Your preferences are saved.');
    expect(saved.body).toMatch(/name="topic" value="news"> Product news/);
    expect(saved.body).toMatch(/name="topic" value="offers" checked> Special offers/);
    expect((await getContact(db, workspace.id, contact.id)).subscriptions).toEqual({
      email: 'subscribed',
      'topic:news': 'unsubscribed',
      'topic:offers': 'subscribed',
    });

    const news = await sendWithTopic(workspace.id, contact.id, 'news');
    expect(news.message).toMatchObject({ status: 'suppressed', reason: 'unsubscribed:topic:news' });
    expect(await pathOf(db, news.workflowId)).toEqual(['start:next', 'send:skipped']);
    expect(sink.mails.length).toBe(before + 1);

    const offers = await sendWithTopic(workspace.id, contact.id, 'offers');
    expect(offers.message).toMatchObject({ status: 'sent', provider: 'smtp' });
    expect(sink.mails.length).toBe(before + 2);
    expect(sink.mails.at(-1)!.subject).toBe('Digest for Grace');

    // A topic opt-out is not a channel unsubscribe event.
    const unsubscribed = await db
      .select()
      .from(events)
      .where(and(eq(events.contactId, contact.id), eq(events.name, 'Unsubscribed')));
    expect(unsubscribed).toHaveLength(0);
  });

  it('answers 400 for a tampered preferences link, saving nothing', async () => {
    const answer = await app.inject({
      method: 'POST',
      url: '/t/p/eyJrIjoidSJ9.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'subscribed=on',
    });
    expect(answer.statusCode).toBe(400);
    expect(JSON.parse(answer.body).error.code).toBe('tracking_token_invalid');
  });
});
