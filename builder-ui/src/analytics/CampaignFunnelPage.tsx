import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useCampaignFunnel } from '../api/analytics';
import { type AttributionModel, useCampaigns } from '../api/campaigns';
import { downloadCsv } from '../lib/download';
import { formatNumber, formatPercent } from './shared';

const STEP_NAMES: Record<string, string> = {
  audience: 'Audience',
  sent: 'Sent',
  delivered: 'Delivered',
  opened: 'Opened',
  clicked: 'Clicked',
  converted: 'Converted',
};

const MODELS: { value: AttributionModel; label: string }[] = [
  { value: 'last', label: 'Last touch' },
  { value: 'first', label: 'First touch' },
  { value: 'linear', label: 'Linear' },
];

/** A campaign's funnel in contacts, from its audience to the conversions its attribution credits it. */
export function CampaignFunnelPage() {
  const campaigns = useCampaigns().data ?? [];
  const [campaignId, setCampaignId] = useState('');
  const [model, setModel] = useState<AttributionModel>('last');
  const funnel = useCampaignFunnel(campaignId, model);
  const data = funnel.data;
  const rows = data?.steps.map((s) => ({ ...s, name: STEP_NAMES[s.step] ?? s.step }));
  return (
    <section>
      <div className="form-row">
        <label>
          Campaign
          <select name="campaignId" value={campaignId} onChange={(e) => setCampaignId(e.target.value)}>
            <option value="">Choose a campaign</option>
            {campaigns.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Attribution
          <select name="model" value={model} onChange={(e) => setModel(e.target.value as AttributionModel)}>
            {MODELS.map((m) => (
              <option key={m.value} value={m.value}>
                {m.label}
              </option>
            ))}
          </select>
        </label>
        {rows && data && (
          <button
            type="button"
            className="link-button"
            onClick={() =>
              downloadCsv(
                `campaign-funnel-${data.name}`,
                ['step', 'contacts', 'conversion', 'overall_conversion', 'drop_off'],
                rows.map((r) => [r.step, r.contacts, r.conversion, r.overallConversion, r.dropOff]),
              )
            }
          >
            Download CSV
          </button>
        )}
      </div>
      {funnel.error && <div className="alert error">{funnel.error.message}</div>}
      {data && rows && (
        <>
          <p className="muted" role="note">
            Conversions: {data.attribution.event ?? 'no conversion event'} within{' '}
            {data.attribution.clickWindowHours} h of a click or {data.attribution.openWindowHours} h of an
            open — {formatNumber(data.conversions, 2)} credited, revenue {formatNumber(data.revenue, 2)}{' '}
            {data.currency ?? ''}
          </p>
          <div className="chart">
            <ResponsiveContainer>
              <BarChart data={rows}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="name" />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Bar dataKey="contacts" name="Contacts" fill="#4dabf7" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
          <table className="table" aria-label="Campaign funnel">
            <thead>
              <tr>
                <th>Step</th>
                <th>Contacts</th>
                <th>Conversion</th>
                <th>Of the audience</th>
                <th>Drop-off</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={s.step}>
                  <td>{s.name}</td>
                  <td>{formatNumber(s.contacts)}</td>
                  <td>{formatPercent(s.conversion)}</td>
                  <td>{formatPercent(s.overallConversion)}</td>
                  <td>{formatNumber(s.dropOff)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
