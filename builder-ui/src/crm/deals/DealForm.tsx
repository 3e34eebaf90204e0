import { type ReactNode, useState } from 'react';
import { useContactSearch } from '../../api/contacts';
import { type Deal, type DealFields, type Pipeline, useDealChanges, useDealOwners } from '../../api/deals';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Modal } from '../../components/Modal';
import { fieldErrors, formLevelError } from './field-errors';

const FIELDS = ['title', 'pipelineId', 'stageId', 'value', 'currency', 'ownerUserId', 'expectedCloseDate'];

function Field(props: { id: string; label: string; error?: string; children: ReactNode }) {
  return (
    <div className={`field${props.error ? ' field-error' : ''}`}>
      <label htmlFor={props.id}>{props.label}</label>
      {props.children}
      {props.error && (
        <div className="field-message" data-field-error={props.id}>
          {props.error}
        </div>
      )}
    </div>
  );
}

/** Create a deal, or edit one: the server validates, and its field errors show under the inputs. */
export function DealForm(props: {
  pipelines: Pipeline[];
  pipelineId: string;
  deal?: Deal;
  onClose: () => void;
  onSaved?: (deal: Deal) => void;
}) {
  const { deal } = props;
  const { create, update } = useDealChanges();
  const owners = useDealOwners();
  const [fields, setFields] = useState<DealFields>({
    title: deal?.title ?? '',
    pipelineId: deal?.pipelineId ?? props.pipelineId,
    stageId: deal?.stageId,
    value: deal?.value ?? 0,
    currency: deal?.currency ?? 'EUR',
    ownerUserId: deal?.owner?.userId ?? null,
    contactIds: deal?.contacts.map((c) => c.id) ?? [],
    expectedCloseDate: deal?.expectedCloseDate ?? null,
  });
  const [picked, setPicked] = useState(
    deal?.contacts.map((c) => ({ id: c.id, label: c.email ?? c.externalId ?? c.id })) ?? [],
  );
  const [contactQuery, setContactQuery] = useState('');
  const contacts = useContactSearch(contactQuery, contactQuery.length > 1);
  const pipeline = props.pipelines.find((p) => p.id === fields.pipelineId);
  const mutation = deal ? update : create;
  const errors = fieldErrors(mutation.error);
  const set = <K extends keyof DealFields>(key: K, value: DealFields[K]) =>
    setFields((f) => ({ ...f, [key]: value }));

  const submit = () => {
    const input = { ...fields, contactIds: picked.map((c) => c.id) };
    const done = { onSuccess: (saved: Deal) => (props.onSaved ?? props.onClose)(saved) };
    if (deal) {
      const { pipelineId: _pipeline, ...changes } = input;
      update.mutate({ id: deal.id, fields: changes }, done);
    } else create.mutate(input, done);
  };

  return (
    <Modal title={deal ? 'Edit deal' : 'New deal'} onClose={props.onClose} testId="deal-form">
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <ErrorAlert error={formLevelError(mutation.error, [...FIELDS, ...errors.keys()])} />
        <Field id="deal-title" label="Title" error={errors.get('title')}>
          <input id="deal-title" value={fields.title} onChange={(e) => set('title', e.target.value)} />
        </Field>
        {!deal && (
          <Field id="deal-pipeline" label="Pipeline" error={errors.get('pipelineId')}>
            <select
              id="deal-pipeline"
              value={fields.pipelineId}
              onChange={(e) => setFields((f) => ({ ...f, pipelineId: e.target.value, stageId: undefined }))}
            >
              {props.pipelines.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </Field>
        )}
        <Field id="deal-stage" label="Stage" error={errors.get('stageId')}>
          <select
            id="deal-stage"
            value={fields.stageId ?? ''}
            onChange={(e) => set('stageId', e.target.value || undefined)}
          >
            {!deal && <option value="">First stage</option>}
            {pipeline?.stages.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </Field>
        <div className="field-row">
          <Field id="deal-value" label="Value" error={errors.get('value')}>
            <input
              id="deal-value"
              type="number"
              step="0.01"
              value={Number.isNaN(fields.value) ? '' : fields.value}
              onChange={(e) => set('value', e.target.valueAsNumber)}
            />
          </Field>
          <Field id="deal-currency" label="Currency" error={errors.get('currency')}>
            <input
              id="deal-currency"
              value={fields.currency}
              maxLength={8}
              onChange={(e) => set('currency', e.target.value.toUpperCase())}
            />
          </Field>
        </div>
        <div className="field-row">
          <Field id="deal-owner" label="Owner" error={errors.get('ownerUserId')}>
            <select
              id="deal-owner"
              value={fields.ownerUserId ?? ''}
              onChange={(e) => set('ownerUserId', e.target.value || null)}
            >
              <option value="">Nobody</option>
              {owners.data?.map((o) => (
                <option key={o.userId} value={o.userId}>
                  {o.name || o.email} ({o.role})
                </option>
              ))}
            </select>
          </Field>
          <Field id="deal-close" label="Expected close" error={errors.get('expectedCloseDate')}>
            <input
              id="deal-close"
              type="date"
              value={fields.expectedCloseDate ?? ''}
              onChange={(e) => set('expectedCloseDate', e.target.value || null)}
            />
          </Field>
        </div>
        <Field
          id="deal-contacts"
          label="Contacts"
          error={[...errors.entries()].find(([k]) => k.startsWith('contactIds'))?.[1]}
        >
          <div className="deal-chips">
            {picked.map((c) => (
              <span key={c.id} className="badge">
                {c.label}{' '}
                <button
                  type="button"
                  className="link-button"
                  aria-label={`Remove ${c.label}`}
                  onClick={() => setPicked((p) => p.filter((x) => x.id !== c.id))}
                >
                  ×
                </button>
              </span>
            ))}
          </div>
          <input
            id="deal-contacts"
            placeholder="Search contacts by e-mail or id…"
            value={contactQuery}
            onChange={(e) => setContactQuery(e.target.value)}
          />
          {contactQuery.length > 1 && (
            <ul className="deal-suggestions">
              {(contacts.data ?? [])
                .filter((c) => !picked.some((p) => p.id === c.id))
                .slice(0, 8)
                .map((c) => (
                  <li key={c.id}>
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => {
                        setPicked((p) => [...p, { id: c.id, label: c.email ?? c.externalId ?? c.id }]);
                        setContactQuery('');
                      }}
                    >
                      {c.email ?? c.externalId ?? c.id}
                    </button>
                  </li>
                ))}
            </ul>
          )}
        </Field>
        <div className="panel-actions">
          <button type="submit" className="primary" disabled={mutation.isPending}>
            {deal ? 'Save' : 'Create deal'}
          </button>
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}
