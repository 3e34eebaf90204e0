import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useAddCost, useAudienceSources, useCampaign, useLinkJourney, useReport } from '../api/campaigns';
import { useCan } from '../api/session';
import { ErrorAlert } from '../components/ErrorAlert';
import { CampaignSocialPosts } from '../content/CampaignSocialPosts';
import { money } from './format';
import { BudgetLine } from './ReportPage';
import './campaigns.css';

/** A campaign with the journeys and broadcasts that serve it, its costs and its budget. */
export function CampaignPage() {
  const { campaignId } = useParams();
  const overview = useCampaign(campaignId);
  const report = useReport('campaigns', campaignId, 'last');
  const can = useCan();
  if (overview.error) return <ErrorAlert error={overview.error} />;
  if (!overview.data) return <p className="muted">Loading…</p>;
  const { campaign, journeys, broadcasts, costs } = overview.data;
  return (
    <div className="page campaigns-page">
      <div className="page-head">
        <h1>{campaign.name}</h1>
        <div className="page-actions">
          <Link to={`/campaigns/${campaign.id}/report`}>Report</Link>
          {can('broadcasts:write') && (
            <Link className="button primary" to={`/broadcasts/new?campaignId=${campaign.id}`}>
              New broadcast
            </Link>
          )}
        </div>
      </div>
      <p>
        <span className={`status status-${campaign.status}`}>{campaign.status}</span> · objective{' '}
        <strong>{campaign.objective.event}</strong>
        {campaign.objective.targetRevenue
          ? ` (target ${money(campaign.objective.targetRevenue, campaign.currency)})`
          : ''}
        {' · '}channels {campaign.channels.join(', ')}
      </p>
      {report.data?.budget && <BudgetLine budget={report.data.budget} currency={campaign.currency} />}
      <h2 className="section-title">Broadcasts and journeys</h2>
      <table className="table" aria-label="Campaign items">
        <thead>
          <tr>
            <th>Kind</th>
            <th>Name</th>
            <th>Status</th>
            <th className="num">Audience</th>
          </tr>
        </thead>
        <tbody>
          {broadcasts.map((b) => (
            <tr key={b.id}>
              <td>Broadcast</td>
              <td>
                <Link to={`/broadcasts/${b.id}`}>{b.name}</Link>
              </td>
              <td>
                <span className={`status status-${b.status}`}>{b.status}</span>
              </td>
              <td className="num">{b.audienceSize ?? '—'}</td>
            </tr>
          ))}
          {journeys.map((j) => (
            <tr key={j.id}>
              <td>Journey</td>
              <td>
                <Link to={`/journeys/${j.id}`}>{j.name}</Link>
              </td>
              <td>
                <span className={`status status-${j.status}`}>{j.status}</span>
              </td>
              <td className="num">—</td>
            </tr>
          ))}
          {broadcasts.length + journeys.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                Nothing yet: add a broadcast or a journey.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {can('campaigns:write') && <LinkJourney campaignId={campaign.id} linked={journeys.map((j) => j.id)} />}
      <CampaignSocialPosts posts={overview.data.socialPosts ?? []} />
      <h2 className="section-title">Fixed costs</h2>
      <ul>
        {costs.map((c) => (
          <li key={c.id}>
            {c.incurredOn} · {c.label}: {money(c.amount, campaign.currency)}
          </li>
        ))}
      </ul>
      {can('campaigns:write') && <AddCost campaignId={campaign.id} />}
    </div>
  );
}

function LinkJourney(props: { campaignId: string; linked: string[] }) {
  const sources = useAudienceSources();
  const link = useLinkJourney(props.campaignId);
  const [journeyId, setJourneyId] = useState('');
  const choices = (sources.data?.journeys ?? []).filter((j) => !props.linked.includes(j.id));
  if (choices.length === 0) return null;
  return (
    <div className="inline-form">
      <select aria-label="Journey to add" value={journeyId} onChange={(e) => setJourneyId(e.target.value)}>
        <option value="">Add a journey…</option>
        {choices.map((j) => (
          <option key={j.id} value={j.id}>
            {j.name}
          </option>
        ))}
      </select>
      <button type="button" disabled={!journeyId || link.isPending} onClick={() => link.mutate(journeyId)}>
        Add journey
      </button>
    </div>
  );
}

function AddCost(props: { campaignId: string }) {
  const add = useAddCost(props.campaignId);
  const [label, setLabel] = useState('');
  const [amount, setAmount] = useState('');
  return (
    <form
      className="inline-form"
      aria-label="Add a cost"
      onSubmit={async (e) => {
        e.preventDefault();
        await add.mutateAsync({ label, amount: Number(amount) });
        setLabel('');
        setAmount('');
      }}
    >
      <input
        placeholder="Ad spend"
        aria-label="Cost label"
        value={label}
        onChange={(e) => setLabel(e.target.value)}
      />
      <input
        type="number"
        min={0}
        step="0.01"
        aria-label="Cost amount"
        value={amount}
        onChange={(e) => setAmount(e.target.value)}
      />
      <button type="submit" disabled={!label || !amount || add.isPending}>
        Add cost
      </button>
      <ErrorAlert error={add.error} />
    </form>
  );
}
