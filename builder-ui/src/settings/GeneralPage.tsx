import { useEffect, useState } from 'react';
import { useUpdateWorkspaceSettings, useWorkspaceSettings } from '../api/workspace-settings';
import { ErrorAlert } from '../components/ErrorAlert';

const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

/** The workspace's name and default time zone (contacts without one, journeys without a fallback). */
export function GeneralPage() {
  const settings = useWorkspaceSettings();
  const update = useUpdateWorkspaceSettings();
  const [zone, setZone] = useState('');
  useEffect(() => {
    if (settings.data) setZone(settings.data.defaultTimezone);
  }, [settings.data]);
  const changed = !!settings.data && zone !== settings.data.defaultTimezone;

  return (
    <div className="page" data-testid="general-settings">
      <div className="page-head">
        <h1>General</h1>
      </div>
      <ErrorAlert error={settings.error ?? update.error} />
      {settings.data && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            update.mutate({ defaultTimezone: zone });
          }}
        >
          <div className="field">
            <label htmlFor="default-timezone">Default time zone</label>
            <input
              id="default-timezone"
              list="time-zones"
              value={zone}
              onChange={(e) => setZone(e.target.value)}
            />
            <datalist id="time-zones">
              {zones.map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
            <p className="hint">
              Used for contacts without a time zone and journeys without a fallback of their own: quiet hours,
              local times of day, date triggers.
            </p>
          </div>
          <button type="submit" className="primary" disabled={!changed || update.isPending}>
            {update.isPending ? 'Saving…' : 'Save'}
          </button>
        </form>
      )}
    </div>
  );
}
