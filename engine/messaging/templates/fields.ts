import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../../../db';
import { assets, contacts, contentItems, events, templates } from '../../../db/schema';

export interface TemplateFields {
  /** Variables every template can read (`contact.email`, `unsubscribe_url`, ...). */
  builtIn: string[];
  /** Attribute names seen on the workspace's contacts, readable as `contact.<name>`. */
  contactAttributes: string[];
  /** Event names with the property names seen on them, readable as `event.<name>`. */
  events: { name: string; properties: string[] }[];
  /** Snippets and layouts, for `{% render %}`, `{% include %}` and `{% layout %}`. */
  snippets: string[];
  layouts: string[];
  /** The newest assets and published content items, for `asset_url`, `content_item` and `content_url`. */
  assets: { id: string; filename: string; contentType: string }[];
  contentItems: { id: string; title: string; kind: string }[];
  /** Wayline's own Liquid filters, offered after `|`. */
  filters: { name: string; detail: string }[];
}

/** The Liquid filters Wayline adds to the standard ones, with what they do (the editor offers them after `|`). */
export const CONTENT_FILTERS = [
  { name: 'asset_url', detail: "an asset's public URL: {{ 'asset-id' | asset_url }}" },
  { name: 'asset_thumbnail_url', detail: "an image asset's thumbnail URL" },
  { name: 'content_item', detail: "{% assign offer = 'item-id' | content_item %}{{ offer.title }}" },
  { name: 'content_url', detail: "a published item's page (its clicks count for the item)" },
  { name: 'bought_with', detail: 'products often bought with a product' },
];

const BUILT_IN = [
  'contact.id',
  'contact.external_id',
  'contact.email',
  'contact.phone',
  'contact.timezone',
  'contact.tags',
  'contact.rfm',
  'contact.clv',
  'contact.cluster',
  'event.name',
  'event.timestamp',
  'journey.id',
  'unsubscribe_url',
  'preferences_url',
  'recommendations',
  'bought_together',
];

/**
 * What the editor suggests: attribute and event property names read from a recent sample of
 * the workspace's data (the newest 2,000 contacts and 5,000 events), and the partials by name.
 */
export async function templateFields(db: Db, workspaceId: string): Promise<TemplateFields> {
  const attributeRows = rowsOf<{ key: string }>(
    await db.execute(sql`
      select distinct jsonb_object_keys(sample.attributes) as key
      from (select ${contacts.attributes} as attributes from ${contacts}
            where ${contacts.workspaceId} = ${workspaceId} and jsonb_typeof(${contacts.attributes}) = 'object'
            order by ${contacts.createdAt} desc limit 2000) as sample
      order by key limit 300`),
  );
  const eventRows = rowsOf<{ name: string; key: string | null }>(
    await db.execute(sql`
      select sample.name, k.key
      from (select ${events.name} as name, ${events.properties} as properties from ${events}
            where ${events.workspaceId} = ${workspaceId} order by ${events.receivedAt} desc limit 5000) as sample
      left join lateral (select jsonb_object_keys(case when jsonb_typeof(sample.properties) = 'object'
                         then sample.properties else '{}'::jsonb end) as key) k on true
      where sample.name is not null
      group by sample.name, k.key order by sample.name, k.key limit 2000`),
  );
  const byEvent = new Map<string, string[]>();
  for (const row of eventRows) {
    const list = byEvent.get(row.name) ?? [];
    if (row.key) list.push(row.key);
    byEvent.set(row.name, list);
  }
  const partials = await db
    .select({ name: templates.name, channel: templates.channel })
    .from(templates)
    .where(and(eq(templates.workspaceId, workspaceId), inArray(templates.channel, ['layout', 'snippet'])))
    .orderBy(desc(templates.channel), templates.name);
  const assetRows = await db
    .select({ id: assets.id, filename: assets.filename, contentType: assets.contentType })
    .from(assets)
    .where(eq(assets.workspaceId, workspaceId))
    .orderBy(desc(assets.createdAt))
    .limit(200);
  const itemRows = await db
    .select({ id: contentItems.id, title: contentItems.title, kind: contentItems.kind })
    .from(contentItems)
    .where(and(eq(contentItems.workspaceId, workspaceId), eq(contentItems.status, 'published')))
    .orderBy(desc(contentItems.updatedAt))
    .limit(200);
  return {
    assets: assetRows,
    contentItems: itemRows,
    filters: CONTENT_FILTERS,
    builtIn: BUILT_IN,
    contactAttributes: attributeRows.map((r) => r.key),
    events: [...byEvent].map(([name, properties]) => ({ name, properties })),
    snippets: partials.filter((p) => p.channel === 'snippet').map((p) => p.name),
    layouts: partials.filter((p) => p.channel === 'layout').map((p) => p.name),
  };
}
