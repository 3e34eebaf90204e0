import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useCampaigns, useSaveCampaign } from '../api/campaigns';
import { useCan } from '../api/session';
import { fieldErrors } from '../audience/field-errors';
import { ErrorAlert } from '../components/ErrorAlert';
import { money } from './format';
import './campaigns.css';

/** Every campaign with its status, budget and dates; a marketer creates one here. */
export function CampaignsPage() {
  const campaigns = useCampaigns();
  const can = useCan();
  const [creating, setCreating] = useState(false);
  return (
    <div className="page campaigns-page">
      <div className="page-head">
        <h1>Campaigns</h1>
        <div className="page-actions">
          <Link to="/campaigns/calendar">Calendar</Link>
          {can('campaigns:write') && (
            <button type="button" className="primary" onClick={() => setCreating(true)}>
              New campaign
            </button>
          )}
        </div>
      </div>
      {creating && <CampaignForm onClose={() => setCreating(false)} />}
      <ErrorAlert error={campaigns.error} />
      {campaigns.data?.length === 0 && <p className="muted">No campaign yet.</p>}
      {campaigns.data && campaigns.data.length > 0 && (
        <table className="table" aria-label="Campaigns">
          <thead>
            <tr>
              <th>Name</th>
              <th>Status</th>
              <th>Objective</th>
              <th className="num">Budget</th>
              <th>Channels</th>
            </tr>
          </thead>
          <tbody>
            {campaigns.data.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link to={`/campaigns/${c.id}`}>{c.name}</Link>
                </td>
                <td>
                  <span className={`status status-${c.status}`}>{c.status}</span>
                </td>
                <td>{c.objective.event}</td>
                <td className="num">{money(c.budget, c.currency)}</td>
                <td>{c.channels.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function CampaignForm(props: { onClose: () => void }) {
  const save = useSaveCampaign();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [event, setEvent] = useState('Order Completed');
  const [targetRevenue, setTargetRevenue] = useState('');
  const [budget, setBudget] = useState('');
  const [currency, setCurrency] = useState('EUR');
  const [emailCost, setEmailCost] = useState('0.001');
  const [smsCost, setSmsCost] = useState('0.05');
  const [stopAtBudget, setStopAtBudget] = useState(true);
  const [startsAt, setStartsAt] = useState('');
  const [endsAt, setEndsAt] = useState('');
  const errors = fieldErrors(save.error);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const campaign = await save.mutateAsync({
      name,
      objective: { event, targetRevenue: targetRevenue ? Number(targetRevenue) : null },
      budget: budget ? Number(budget) : null,
      currency,
      costModel: { email: Number(emailCost || 0), sms: Number(smsCost || 0) },
      channels: ['email', 'sms'],
      stopAtBudget,
      startsAt: startsAt ? new Date(startsAt).toISOString() : null,
      endsAt: endsAt ? new Date(endsAt).toISOString() : null,
    });
    navigate(`/campaigns/${campaign.id}`);
  };
  const error = (field: string) =>
    errors.get(field) && <span className="field-error">{errors.get(field)}</span>;
  return (
    <form className="card campaign-form" onSubmit={submit} aria-label="New campaign">
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} required />
        {error('name')}
      </label>
      <label>
        Conversion event
        <input value={event} onChange={(e) => setEvent(e.target.value)} />
        {error('objective.event')}
      </label>
      <label>
        Target revenue
        <input
          type="number"
          min={0}
          value={targetRevenue}
          onChange={(e) => setTargetRevenue(e.target.value)}
        />
      </label>
      <label>
        Budget
        <input type="number" min={0} step="0.01" value={budget} onChange={(e) => setBudget(e.target.value)} />
        {error('budget')}
      </label>
      <label>
        Currency
        <input value={currency} onChange={(e) => setCurrency(e.target.value.toUpperCase())} maxLength={3} />
        {error('currency')}
      </label>
      <label>
        Cost per email
        <input
          type="number"
          min={0}
          step="0.0001"
          value={emailCost}
          onChange={(e) => setEmailCost(e.target.value)}
        />
      </label>
      <label>
        Cost per SMS
        <input
          type="number"
          min={0}
          step="0.0001"
          value={smsCost}
          onChange={(e) => setSmsCost(e.target.value)}
        />
      </label>
      <label>
        Starts
        <input type="datetime-local" value={startsAt} onChange={(e) => setStartsAt(e.target.value)} />
      </label>
      <label>
        Ends
        <input type="datetime-local" value={endsAt} onChange={(e) => setEndsAt(e.target.value)} />
        {error('endsAt')}
      </label>
      <label className="checkbox">
        <input type="checkbox" checked={stopAtBudget} onChange={(e) => setStopAtBudget(e.target.checked)} />
        Stop sends at the budget
      </label>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          Create campaign
        </button>
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
      </div>
      {save.error && errors.size === 0 && <ErrorAlert error={save.error} />}
    </form>
  );
}
