import { useState } from 'react';
import { useSocialAccountChanges, useSocialAccounts, useSocialProviders } from '../api/content';
import { useCan } from '../api/session';
import { ErrorAlert } from '../components/ErrorAlert';
import { fieldErrors, formLevelError } from '../crm/deals/field-errors';

/** Connected social accounts; connecting one takes the network's settings and write-only credentials. */
export function SocialAccountsPanel() {
  const can = useCan();
  const accounts = useSocialAccounts();
  const providers = useSocialProviders();
  const { connect, remove } = useSocialAccountChanges();
  const [provider, setProvider] = useState('x');
  const [name, setName] = useState('');
  const [settings, setSettings] = useState<Record<string, string>>({});
  const [credentials, setCredentials] = useState<Record<string, string>>({});
  const chosen = (providers.data ?? []).find((p) => p.id === provider);
  const errors = fieldErrors(connect.error);
  const shown = [
    'name',
    ...Object.keys(chosen?.settingsSchema.properties ?? {}).map((k) => `settings.${k}`),
    ...Object.keys(chosen?.credentialsSchema.properties ?? {}).map((k) => `credentials.${k}`),
  ];

  const input = (group: 'settings' | 'credentials', key: string, description?: string) => {
    const values = group === 'settings' ? settings : credentials;
    const setValues = group === 'settings' ? setSettings : setCredentials;
    const id = `social-${group}-${key}`;
    return (
      <div className="field" key={id}>
        <label htmlFor={id}>{key}</label>
        <input
          id={id}
          type={group === 'credentials' ? 'password' : 'text'}
          autoComplete="off"
          placeholder={description}
          value={values[key] ?? ''}
          onChange={(e) => setValues((v) => ({ ...v, [key]: e.target.value }))}
        />
        {errors.get(`${group}.${key}`) && (
          <div className="field-message" data-field-error={id}>
            {errors.get(`${group}.${key}`)}
          </div>
        )}
      </div>
    );
  };

  return (
    <section className="panel" data-testid="social-accounts">
      <h2>Social accounts</h2>
      <ErrorAlert error={accounts.error ?? remove.error ?? formLevelError(connect.error, shown)} />
      <ul className="post-list">
        {(accounts.data ?? []).map((account) => (
          <li key={account.id}>
            {account.name} ({account.provider})
            {can('channels:manage') && (
              <button type="button" className="link-button" onClick={() => remove.mutate(account.id)}>
                Disconnect
              </button>
            )}
          </li>
        ))}
      </ul>
      {can('channels:manage') && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const clean = (values: Record<string, string>) =>
              Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim() !== ''));
            connect.mutate(
              { provider, name, settings: clean(settings), credentials: clean(credentials) },
              {
                onSuccess: () => {
                  setName('');
                  setSettings({});
                  setCredentials({});
                },
              },
            );
          }}
        >
          <div className="field">
            <label htmlFor="social-provider">Network</label>
            <select id="social-provider" value={provider} onChange={(e) => setProvider(e.target.value)}>
              {(providers.data ?? []).map((p) => (
                <option key={p.id} value={p.id}>
                  {p.title}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="social-name">Account name</label>
            <input id="social-name" value={name} onChange={(e) => setName(e.target.value)} />
            {errors.get('name') && <div className="field-message">{errors.get('name')}</div>}
          </div>
          {Object.entries(chosen?.settingsSchema.properties ?? {}).map(([key, p]) =>
            input('settings', key, p.description),
          )}
          {Object.entries(chosen?.credentialsSchema.properties ?? {}).map(([key, p]) =>
            input('credentials', key, p.description),
          )}
          <div className="panel-actions">
            <button type="submit" className="primary" disabled={!name || connect.isPending}>
              Connect
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
