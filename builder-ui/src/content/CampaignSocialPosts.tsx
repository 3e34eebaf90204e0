import { Link } from 'react-router';
import type { CampaignSocialPost } from '../api/campaigns';

/** The social posts of a campaign: where each went, its status and link, and its engagement. */
export function CampaignSocialPosts(props: { posts: CampaignSocialPost[] }) {
  return (
    <>
      <h2 className="section-title">Social posts</h2>
      <table className="table" aria-label="Campaign social posts">
        <thead>
          <tr>
            <th>Account</th>
            <th>Post</th>
            <th>From</th>
            <th>Status</th>
            <th className="num">Likes</th>
            <th className="num">Shares</th>
            <th className="num">Comments</th>
          </tr>
        </thead>
        <tbody>
          {props.posts.map((p) => (
            <tr key={p.id}>
              <td>
                {p.accountName} <span className="muted">({p.provider})</span>
              </td>
              <td>
                {p.url ? (
                  <a href={p.url} target="_blank" rel="noreferrer">
                    {p.text}
                  </a>
                ) : (
                  p.text
                )}
              </td>
              <td>
                {p.journeyId ? (
                  <Link to={`/journeys/${p.journeyId}`}>Journey</Link>
                ) : p.itemId ? (
                  <Link to={`/content/${p.itemId}`}>Content item</Link>
                ) : (
                  '—'
                )}
              </td>
              <td>
                <span className={`status status-${p.status}`}>{p.status}</span>
              </td>
              <td className="num">{p.likes}</td>
              <td className="num">{p.shares}</td>
              <td className="num">{p.comments}</td>
            </tr>
          ))}
          {props.posts.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                No social posts: publish a content item for this campaign, or add a “Publish to social” step
                to one of its journeys.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </>
  );
}
