import { useState } from 'react';
import { useCampaignFunnel } from '../api/analytics';
import { type AttributionModel, useCampaigns } from '../api/campaigns';
import { downloadCsv } from '../lib/download';
import { FunnelChart, type FunnelRow, FunnelTable } from './FunnelView';
import { formatNumber } from './shared';

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
  const rows = data?.steps.map((s): FunnelRow & { step: string } => ({
    ...s,
    key: s.step,
    name: STEP_NAMES[s.step] ?? s.step,
    count: s.contacts,
  }));
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
                rows.map((r) => [r.step, r.count, r.conversion, r.overallConversion, r.dropOff]),
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
          <FunnelChart rows={rows} countName="Contacts" />
          <FunnelTable
            rows={rows}
            ariaLabel="Campaign funnel"
            labels={{ step: 'Step', count: 'Contacts', overall: 'Of the audience' }}
          />
        </>
      )}
    </section>
  );
}
