import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { type AudienceChoice, useAudienceSources, useSaveBroadcast } from '../api/campaigns';
import { fieldErrors, formLevelError } from '../audience/field-errors';
import { ErrorAlert } from '../components/ErrorAlert';
import './campaigns.css';

type ScheduleKind = 'now' | 'at' | 'local';

/** Compose a broadcast: content (one template or an A/B test), audience, timing and pace; saved as a draft to confirm. */
export function BroadcastComposer() {
  const [params] = useSearchParams();
  const campaignId = params.get('campaignId');
  const sources = useAudienceSources();
  const save = useSaveBroadcast();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [channel, setChannel] = useState<'email' | 'sms' | 'push'>('email');
  const [templateA, setTemplateA] = useState('');
  const [abTest, setAbTest] = useState(false);
  const [templateB, setTemplateB] = useState('');
  const [testShare, setTestShare] = useState(20);
  const [metric, setMetric] = useState<'open' | 'click' | 'conversion'>('open');
  const [windowHours, setWindowHours] = useState(4);
  const [audience, setAudience] = useState<AudienceChoice>({
    segmentIds: [],
    listIds: [],
    excludeSegmentIds: [],
    excludeListIds: [],
  });
  const [scheduleKind, setScheduleKind] = useState<ScheduleKind>('now');
  const [at, setAt] = useState('');
  const [localDate, setLocalDate] = useState('');
  const [localTime, setLocalTime] = useState('09:00');
  const [throttle, setThrottle] = useState('');
  const [holdout, setHoldout] = useState(0);
  const errors = fieldErrors(save.error);
  const templates = (sources.data?.templates ?? []).filter((t) => t.channel === channel);

  const toggle = (key: keyof AudienceChoice, id: string) =>
    setAudience((a) => ({
      ...a,
      [key]: a[key].includes(id) ? a[key].filter((x) => x !== id) : [...a[key], id],
    }));

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const schedule =
      scheduleKind === 'at'
        ? { kind: 'at', at: at ? new Date(at).toISOString() : '' }
        : scheduleKind === 'local'
          ? { kind: 'local', date: localDate, time: localTime }
          : { kind: 'now' };
    const row = await save.mutateAsync({
      name,
      campaignId,
      channel,
      variants: [
        { key: 'A', templateId: templateA },
        ...(abTest ? [{ key: 'B', templateId: templateB }] : []),
      ],
      audience,
      schedule,
      throttlePerMinute: throttle ? Number(throttle) : null,
      holdoutShare: holdout / 100,
      abTest: abTest ? { testShare: testShare / 100, metric, windowHours, autoSend: true } : null,
    });
    navigate(`/broadcasts/${row.id}`);
  };
  const error = (field: string) =>
    errors.get(field) && <span className="field-error">{errors.get(field)}</span>;
  const choices = (
    key: keyof AudienceChoice,
    items: { id: string; name: string; members?: number }[],
    label: string,
  ) => (
    <fieldset>
      <legend>{label}</legend>
      <div className="choice-list">
        {items.map((item) => (
          <label key={item.id} className="checkbox">
            <input
              type="checkbox"
              checked={audience[key].includes(item.id)}
              onChange={() => toggle(key, item.id)}
            />
            {item.name}
            {item.members !== undefined ? ` (${item.members})` : ''}
          </label>
        ))}
        {items.length === 0 && <span className="muted">none</span>}
      </div>
    </fieldset>
  );
  return (
    <div className="page campaigns-page">
      <h1>New broadcast</h1>
      <form className="card broadcast-form" onSubmit={submit} aria-label="Broadcast">
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required />
          {error('name')}
        </label>
        <label>
          Channel
          <select value={channel} onChange={(e) => setChannel(e.target.value as 'email')}>
            <option value="email">Email</option>
            <option value="sms">SMS</option>
            <option value="push">Push</option>
          </select>
        </label>
        <label>
          Template
          <select aria-label="Template" value={templateA} onChange={(e) => setTemplateA(e.target.value)}>
            <option value="">Choose…</option>
            {templates.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
          {error('variants.0.templateId') ?? error('variants')}
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={abTest} onChange={(e) => setAbTest(e.target.checked)} />
          A/B test
        </label>
        {abTest && (
          <>
            <label>
              Template B
              <select
                aria-label="Template B"
                value={templateB}
                onChange={(e) => setTemplateB(e.target.value)}
              >
                <option value="">Choose…</option>
                {templates.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </select>
              {error('variants.1.templateId')}
            </label>
            <label>
              Test share (%)
              <input
                type="number"
                min={1}
                max={90}
                value={testShare}
                onChange={(e) => setTestShare(Number(e.target.value))}
              />
            </label>
            <label>
              Winner by
              <select value={metric} onChange={(e) => setMetric(e.target.value as 'open')}>
                <option value="open">Open rate</option>
                <option value="click">Click rate</option>
                <option value="conversion">Conversion rate</option>
              </select>
            </label>
            <label>
              Test window (hours)
              <input
                type="number"
                min={0.25}
                step={0.25}
                value={windowHours}
                onChange={(e) => setWindowHours(Number(e.target.value))}
              />
            </label>
          </>
        )}
        {choices('segmentIds', sources.data?.segments ?? [], 'Segments')}
        {choices('listIds', sources.data?.lists ?? [], 'Lists')}
        {choices('excludeSegmentIds', sources.data?.segments ?? [], 'Exclude segments')}
        {choices('excludeListIds', sources.data?.lists ?? [], 'Exclude lists')}
        <label>
          When
          <select
            aria-label="When"
            value={scheduleKind}
            onChange={(e) => setScheduleKind(e.target.value as ScheduleKind)}
          >
            <option value="now">Now</option>
            <option value="at">At a time</option>
            <option value="local">At a local time in each contact’s zone</option>
          </select>
        </label>
        {scheduleKind === 'at' && (
          <label>
            Send at
            <input type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} />
            {error('schedule.at') ?? error('schedule')}
          </label>
        )}
        {scheduleKind === 'local' && (
          <>
            <label>
              Date
              <input type="date" value={localDate} onChange={(e) => setLocalDate(e.target.value)} />
              {error('schedule.date')}
            </label>
            <label>
              Local time
              <input type="time" value={localTime} onChange={(e) => setLocalTime(e.target.value)} />
            </label>
          </>
        )}
        <label>
          Messages per minute
          <input
            type="number"
            min={1}
            value={throttle}
            placeholder="as fast as allowed"
            onChange={(e) => setThrottle(e.target.value)}
          />
          {error('throttlePerMinute')}
        </label>
        <label>
          Holdout (%)
          <input
            type="number"
            min={0}
            max={50}
            value={holdout}
            onChange={(e) => setHoldout(Number(e.target.value))}
          />
        </label>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={save.isPending}>
            Save and review
          </button>
        </div>
        <ErrorAlert error={formLevelError(save.error, [...errors.keys()])} />
      </form>
    </div>
  );
}
