import { useState } from 'react';
import { useCampaigns } from '../api/campaigns';
import { type ContentItem, usePublishChanges, useSocialAccounts, useSocialPosts } from '../api/content';
import { useCan } from '../api/session';
import { ErrorAlert } from '../components/ErrorAlert';
import { fieldErrors } from '../crm/deals/field-errors';

/** Posts a published item to connected social accounts, now or at a time, and lists its posts with status and link. */
export function PublishPanel(props: { item: ContentItem }) {
  const can = useCan();
  const accounts = useSocialAccounts();
  const posts = useSocialPosts(props.item.id);
  const { publish, cancel } = usePublishChanges(props.item.id);
  const [chosen, setChosen] = useState<string[]>([]);
  const [text, setText] = useState('');
  const [at, setAt] = useState('');
  const campaigns = useCampaigns();
  const [campaignId, setCampaignId] = useState('');
  const errors = fieldErrors(publish.error);

  return (
    <section className="panel" data-testid="publish-panel">
      <h2>Social posts</h2>
      {can('content:write') && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            publish.mutate(
              {
                accountIds: chosen,
                text: text.trim() || undefined,
                at: at ? new Date(at).toISOString() : undefined,
                campaignId: campaignId || undefined,
              },
              { onSuccess: () => setText('') },
            );
          }}
        >
          {(accounts.data ?? []).length === 0 && (
            <p>No social account is connected (POST /v1/social/accounts).</p>
          )}
          {(accounts.data ?? []).map((account) => (
            <label key={account.id} className="checkbox">
              <input
                type="checkbox"
                checked={chosen.includes(account.id)}
                onChange={(e) =>
                  setChosen((c) =>
                    e.target.checked ? [...c, account.id] : c.filter((id) => id !== account.id),
                  )
                }
              />{' '}
              {account.name} ({account.provider})
            </label>
          ))}
          {errors.get('accountIds') && <div className="field-message">{errors.get('accountIds')}</div>}
          <label htmlFor="post-text">Text (the title and link when empty)</label>
          <textarea id="post-text" value={text} onChange={(e) => setText(e.target.value)} rows={3} />
          <label htmlFor="post-at">Publish at (empty: now)</label>
          <input
            id="post-at"
            type="datetime-local"
            step={1}
            value={at}
            onChange={(e) => setAt(e.target.value)}
          />
          {errors.get('at') && <div className="field-message">{errors.get('at')}</div>}
          {(campaigns.data ?? []).length > 0 && (
            <>
              <label htmlFor="post-campaign">For campaign (its page lists the posts)</label>
              <select id="post-campaign" value={campaignId} onChange={(e) => setCampaignId(e.target.value)}>
                <option value="">None</option>
                {(campaigns.data ?? []).map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
              {errors.get('campaignId') && <div className="field-message">{errors.get('campaignId')}</div>}
            </>
          )}
          {errors.get('status') && <div className="field-message">{errors.get('status')}</div>}
          <div className="panel-actions">
            <button type="submit" className="primary" disabled={chosen.length === 0 || publish.isPending}>
              {at ? 'Schedule' : 'Publish now'}
            </button>
          </div>
        </form>
      )}
      <ErrorAlert error={posts.error ?? cancel.error} />
      <ul className="post-list" data-testid="post-list">
        {(posts.data ?? []).map((post) => (
          <li key={post.id} data-status={post.status}>
            <strong>{post.accountName}</strong> ·{' '}
            <span className={`badge status-${post.status}`}>{post.status}</span>
            {post.scheduledAt && post.status === 'scheduled'
              ? ` · due ${new Date(post.scheduledAt).toLocaleString()}`
              : ''}
            {post.url && (
              <>
                {' · '}
                <a href={post.url} target="_blank" rel="noreferrer">
                  View post
                </a>
              </>
            )}
            {post.status === 'published' &&
              ` · ${post.likes} likes, ${post.shares} shares, ${post.comments} comments`}
            {post.error && <div className="field-message">{post.error}</div>}
            {post.status === 'scheduled' && can('content:write') && (
              <button type="button" className="link-button" onClick={() => cancel.mutate(post.id)}>
                Cancel
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
