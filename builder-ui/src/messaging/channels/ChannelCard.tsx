import { useEffect, useState } from 'react';
import {
  type ChannelPolicy,
  type ChannelSettings,
  type Provider,
  useChannelChanges,
} from '../../api/channels';
import { ApiError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import type { JsonSchema } from '../../lib/types';
import './channels.css';

/** The field a server error names, without the `body.` prefix of a schema error. */
function errorField(error: unknown): string | undefined {
  return error instanceof ApiError ? error.field?.replace(/^body\./, '') : undefined;
}

function ConfigField(props: {
  name: string;
  schema: JsonSchema;
  secret: boolean;
  isSet: boolean;
  required: boolean;
  value: unknown;
  error?: string;
  disabled: boolean;
  onChange: (value: unknown) => void;
  channel: string;
}) {
  const id = `${props.channel}-config-${props.name}`;
  const type = props.schema.type;
  if (type === 'boolean') {
    return (
      <div className="field field-inline">
        <input
          id={id}
          type="checkbox"
          checked={props.value === true}
          disabled={props.disabled}
          onChange={(e) => props.onChange(e.target.checked)}
        />
        <label htmlFor={id}>{props.name}</label>
      </div>
    );
  }
  if ((type === 'object' || type === 'array') && !props.secret) {
    // Structured settings (a plugin connector's options) are edited as JSON.
    return (
      <div className={`field${props.error ? ' field-error' : ''}`}>
        <label htmlFor={id}>
          {props.name}
          {props.required ? ' *' : ''} (JSON)
        </label>
        <textarea
          id={id}
          rows={3}
          disabled={props.disabled}
          defaultValue={props.value === undefined ? '' : JSON.stringify(props.value, null, 2)}
          onChange={(e) => {
            try {
              props.onChange(e.target.value.trim() ? JSON.parse(e.target.value) : undefined);
            } catch {
              // Kept as typed until it parses; the server names the field if it never does.
            }
          }}
        />
        {props.error && <div className="field-message">{props.error}</div>}
      </div>
    );
  }
  const label = (
    <label htmlFor={id}>
      {props.name}
      {props.required ? ' *' : ''}
      {props.secret ? ' (secret)' : ''}
    </label>
  );
  const placeholder =
    props.secret && props.isSet ? 'Set: leave empty to keep' : (props.schema.description ?? '');
  // A pasted key or certificate file keeps its line breaks (an input would drop them); a secret
  // one is masked as it is typed and never shown once saved.
  const pastedFile = /\bfile\b|\bPEM\b/.test(props.schema.description ?? '');
  return (
    <div className={`field${props.error ? ' field-error' : ''}`}>
      {label}
      {pastedFile ? (
        <textarea
          id={id}
          rows={3}
          className={props.secret ? 'secret-text' : undefined}
          spellCheck={false}
          autoComplete="off"
          placeholder={placeholder}
          value={typeof props.value === 'string' ? props.value : ''}
          disabled={props.disabled}
          onChange={(e) => props.onChange(e.target.value === '' ? undefined : e.target.value)}
        />
      ) : (
        <input
          id={id}
          type={props.secret ? 'password' : type === 'number' || type === 'integer' ? 'number' : 'text'}
          autoComplete={props.secret ? 'new-password' : 'off'}
          placeholder={placeholder}
          value={props.value === undefined || props.value === null ? '' : String(props.value)}
          disabled={props.disabled}
          onChange={(e) => {
            const raw = e.target.value;
            if (raw === '') props.onChange(undefined);
            else props.onChange(type === 'number' || type === 'integer' ? Number(raw) : raw);
          }}
        />
      )}
      {props.error && <div className="field-message">{props.error}</div>}
    </div>
  );
}

const PROVIDER_GROUPS: Record<string, string> = {
  fcm: 'Firebase Cloud Messaging: Android and web app tokens',
  apns: 'Apple Push Notification service: iOS app tokens',
};

/**
 * A provider that combines two (FCM + APNs) prefixes its fields with each one's id: its form
 * shows them in one box per provider. Other providers' fields stay in one ungrouped list.
 */
function providerGroups(names: string[]): { title?: string; names: string[] }[] {
  const groups: { title?: string; names: string[] }[] = [];
  for (const name of names) {
    const prefix = /^([a-z]+)[A-Z]/.exec(name)?.[1];
    const title = prefix ? PROVIDER_GROUPS[prefix] : undefined;
    const last = groups.at(-1);
    if (last && last.title === title) last.names.push(name);
    else groups.push({ title, names: [name] });
  }
  return groups;
}

/**
 * One channel: its provider and credentials (secrets write-only: never shown, left empty to keep),
 * its send policy, and a check that sends a short message through it.
 */
export function ChannelCard(props: {
  channel: string;
  settings?: ChannelSettings;
  providers: Provider[];
  canManage: boolean;
}) {
  const { save, reset, test } = useChannelChanges();
  const [provider, setProvider] = useState<string>(props.settings?.provider ?? '');
  const [config, setConfig] = useState<Record<string, unknown>>(props.settings?.config ?? {});
  const [policy, setPolicy] = useState<ChannelPolicy>(props.settings?.policy ?? {});
  const [to, setTo] = useState('');

  useEffect(() => {
    setProvider(props.settings?.provider ?? '');
    setConfig(props.settings?.config ?? {});
    setPolicy(props.settings?.policy ?? {});
  }, [props.settings]);

  const chosen = props.providers.find((p) => p.id === provider);
  const schema = chosen?.configSchema;
  const properties = schema?.properties ?? {};
  const required = new Set((schema?.required as string[] | undefined) ?? []);
  const failedField = errorField(save.error);
  const disabled = !props.canManage;
  const setPolicyPart = <K extends keyof ChannelPolicy>(key: K, value: ChannelPolicy[K] | undefined) =>
    setPolicy((p) => {
      const next = { ...p };
      if (value === undefined) delete next[key];
      else next[key] = value;
      return next;
    });

  return (
    <section
      className="card channel-card"
      aria-label={`${props.channel} channel`}
      data-testid={`channel-${props.channel}`}
    >
      <h2 className="section-title">{props.channel}</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const clean = Object.fromEntries(
            Object.entries(config).filter(([, v]) => v !== undefined && v !== ''),
          );
          save.mutate({
            channel: props.channel,
            input: { provider: provider || null, config: clean, policy },
          });
        }}
      >
        <div className="field">
          <label htmlFor={`${props.channel}-provider`}>Provider</label>
          <select
            id={`${props.channel}-provider`}
            value={provider}
            disabled={disabled}
            onChange={(e) => {
              setProvider(e.target.value);
              setConfig({});
            }}
          >
            <option value="">Dev outbox (captured locally)</option>
            {props.providers.map((p) => (
              <option key={p.id} value={p.id}>
                {p.title}
              </option>
            ))}
          </select>
        </div>
        {chosen &&
          providerGroups(Object.keys(properties)).map((group) => {
            const fields = group.names.map((name) => {
              const fieldSchema = properties[name];
              const secret = chosen.secretFields.includes(name);
              return (
                <ConfigField
                  key={name}
                  channel={props.channel}
                  name={name}
                  schema={fieldSchema}
                  secret={secret}
                  isSet={
                    props.settings?.provider === chosen.id &&
                    (props.settings?.secretsSet ?? []).includes(name)
                  }
                  required={required.has(name) && !(fieldSchema as { default?: unknown }).default}
                  value={config[name]}
                  error={failedField === `config.${name}` ? save.error?.message : undefined}
                  disabled={disabled}
                  onChange={(value) => setConfig((c) => ({ ...c, [name]: value }))}
                />
              );
            });
            return group.title ? (
              <fieldset key={group.title} className="provider-group" aria-label={group.title}>
                <legend>{group.title}</legend>
                {fields}
              </fieldset>
            ) : (
              fields
            );
          })}
        <fieldset className="policy">
          <legend>Send policy (marketing sends)</legend>
          <div className="field-row">
            <div className={`field${failedField?.startsWith('policy.quietHours') ? ' field-error' : ''}`}>
              <label htmlFor={`${props.channel}-quiet-start`}>Quiet hours from</label>
              <input
                id={`${props.channel}-quiet-start`}
                type="time"
                disabled={disabled}
                value={policy.quietHours?.start ?? ''}
                onChange={(e) =>
                  setPolicyPart(
                    'quietHours',
                    e.target.value
                      ? { start: e.target.value, end: policy.quietHours?.end ?? '08:00' }
                      : undefined,
                  )
                }
              />
            </div>
            <div className={`field${failedField?.startsWith('policy.quietHours') ? ' field-error' : ''}`}>
              <label htmlFor={`${props.channel}-quiet-end`}>to (contact's local time)</label>
              <input
                id={`${props.channel}-quiet-end`}
                type="time"
                disabled={disabled || !policy.quietHours}
                value={policy.quietHours?.end ?? ''}
                onChange={(e) =>
                  policy.quietHours &&
                  setPolicyPart('quietHours', { ...policy.quietHours, end: e.target.value })
                }
              />
              {failedField?.startsWith('policy.quietHours') && (
                <div className="field-message">{save.error?.message}</div>
              )}
            </div>
          </div>
          <div className="field-row">
            <div className="field">
              <label htmlFor={`${props.channel}-cap-max`}>At most (per contact)</label>
              <input
                id={`${props.channel}-cap-max`}
                type="number"
                min={1}
                disabled={disabled}
                value={policy.frequencyCap?.max ?? ''}
                onChange={(e) =>
                  setPolicyPart(
                    'frequencyCap',
                    e.target.value
                      ? { max: Number(e.target.value), windowHours: policy.frequencyCap?.windowHours ?? 24 }
                      : undefined,
                  )
                }
              />
            </div>
            <div className="field">
              <label htmlFor={`${props.channel}-cap-window`}>within (hours)</label>
              <input
                id={`${props.channel}-cap-window`}
                type="number"
                min={1}
                disabled={disabled || !policy.frequencyCap}
                value={policy.frequencyCap?.windowHours ?? ''}
                onChange={(e) =>
                  policy.frequencyCap &&
                  setPolicyPart('frequencyCap', {
                    ...policy.frequencyCap,
                    windowHours: Number(e.target.value),
                  })
                }
              />
            </div>
            <div className={`field${failedField?.startsWith('policy.rate') ? ' field-error' : ''}`}>
              <label htmlFor={`${props.channel}-rate`}>Rate (sends per minute, workspace)</label>
              <input
                id={`${props.channel}-rate`}
                type="number"
                min={1}
                disabled={disabled}
                value={policy.rate?.perMinute ?? ''}
                onChange={(e) =>
                  setPolicyPart('rate', e.target.value ? { perMinute: Number(e.target.value) } : undefined)
                }
              />
            </div>
          </div>
        </fieldset>
        <ErrorAlert error={save.error ?? reset.error} />
        {save.isSuccess && (
          <div className="alert ok" role="status">
            Saved.
          </div>
        )}
        {props.canManage && (
          <div className="panel-actions">
            <button type="submit" disabled={save.isPending}>
              Save {props.channel}
            </button>
            {props.settings?.provider && (
              <button type="button" className="link-button" onClick={() => reset.mutate(props.channel)}>
                Back to the dev outbox
              </button>
            )}
          </div>
        )}
      </form>
      {props.canManage && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            test.mutate({ channel: props.channel, to });
          }}
        >
          <label htmlFor={`${props.channel}-test-to`}>Send a check to</label>
          <input id={`${props.channel}-test-to`} value={to} onChange={(e) => setTo(e.target.value)} />
          <button type="submit" disabled={!to || test.isPending}>
            Send check
          </button>
        </form>
      )}
      <ErrorAlert error={test.error} />
      {test.data && (
        <div className="alert ok" role="status">
          {test.data.captured
            ? 'Captured in the dev outbox (no provider).'
            : `Sent through ${test.data.provider}.`}
        </div>
      )}
    </section>
  );
}
