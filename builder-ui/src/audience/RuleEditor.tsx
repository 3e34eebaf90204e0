import type { SegmentCondition, SegmentGroup } from '../api/segments';

type Rule = SegmentCondition | SegmentGroup;
type Draft = Record<string, unknown>;

const OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists', 'not_exists', 'in'] as const;
const OP_LABELS: Record<string, string> = {
  eq: 'equals',
  neq: 'differs from',
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
  contains: 'contains',
  exists: 'is set',
  not_exists: 'is not set',
  in: 'is one of',
};
const ANALYTICS_FIELDS = [
  'rfm.segment',
  'rfm.value_class',
  'rfm.r',
  'rfm.f',
  'rfm.m',
  'rfm.score',
  'cluster',
  'clv.value',
  'clv.probability_alive',
];
const UNITS = ['hours', 'days', 'weeks'] as const;

export const KIND_LABELS: Record<string, string> = {
  attribute: 'Attribute',
  tag: 'Tag',
  list: 'List membership',
  event: 'Did an event',
  engagement: 'Message engagement',
  analytics: 'Analytics (RFM, cluster, CLV)',
  deal: 'Deal',
  ticket: 'Service ticket',
};

export interface Pipeline {
  id: string;
  name: string;
  stages: { id: string; name: string }[];
}
const TICKET_STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'] as const;

export function newRule(kind: string): SegmentCondition {
  switch (kind) {
    case 'tag':
      return { kind: 'tag', tag: '', present: true };
    case 'list':
      return { kind: 'list', list: '', member: true };
    case 'event':
      return { kind: 'event', event: '', minCount: 1 };
    case 'engagement':
      return { kind: 'engagement', status: 'opened', minCount: 1 };
    case 'analytics':
      return { kind: 'analytics', field: 'rfm.segment', op: 'eq', value: '' };
    case 'deal':
      return { kind: 'deal', status: 'open', present: true };
    case 'ticket':
      return { kind: 'ticket', status: ['new', 'open', 'pending'], present: true };
    default:
      return { kind: 'attribute', path: '', op: 'eq', value: '' };
  }
}

export function isGroup(rule: Rule): rule is SegmentGroup {
  return 'rules' in rule;
}

/** A typed value from what was typed: numbers stay numbers, "a, b" is a list for `in`. */
function parseValue(text: string, op: string): unknown {
  if (op === 'in') return text.split(',').map((s) => parseValue(s.trim(), 'eq'));
  if (text.trim() !== '' && !Number.isNaN(Number(text))) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}
const shown = (value: unknown) =>
  value === undefined || value === null ? '' : Array.isArray(value) ? value.join(', ') : String(value);

function Comparison(props: { draft: Draft; onChange: (d: Draft) => void; label: string }) {
  const { draft } = props;
  const op = String(draft.op ?? 'eq');
  return (
    <>
      <select
        aria-label={`${props.label} operator`}
        value={op}
        onChange={(e) => props.onChange({ ...draft, op: e.target.value })}
      >
        {OPS.map((o) => (
          <option key={o} value={o}>
            {OP_LABELS[o]}
          </option>
        ))}
      </select>
      {op !== 'exists' && op !== 'not_exists' && (
        <input
          aria-label={`${props.label} value`}
          placeholder="value"
          defaultValue={shown(draft.value)}
          onBlur={(e) => props.onChange({ ...draft, value: parseValue(e.target.value, op) })}
        />
      )}
    </>
  );
}

function Within(props: { draft: Draft; onChange: (d: Draft) => void }) {
  const within = props.draft.within as { amount: number; unit: string } | undefined;
  return (
    <>
      <span>in the last</span>
      <input
        type="number"
        min={1}
        aria-label="Within amount"
        className="narrow"
        placeholder="any"
        value={within?.amount ?? ''}
        onChange={(e) => {
          const amount = Number(e.target.value);
          props.onChange({
            ...props.draft,
            within: amount > 0 ? { amount, unit: within?.unit ?? 'days' } : undefined,
          });
        }}
      />
      <select
        aria-label="Within unit"
        value={within?.unit ?? 'days'}
        onChange={(e) =>
          within && props.onChange({ ...props.draft, within: { ...within, unit: e.target.value } })
        }
      >
        {UNITS.map((u) => (
          <option key={u}>{u}</option>
        ))}
      </select>
    </>
  );
}

/** One condition of the rules: its kind and the fields of that kind. */
export function ConditionEditor(props: {
  rule: SegmentCondition;
  onChange: (rule: SegmentCondition) => void;
  lists: string[];
  journeys: { id: string; name: string }[];
  pipelines: Pipeline[];
}) {
  const draft = props.rule as unknown as Draft;
  const set = (next: Draft) => props.onChange(next as unknown as SegmentCondition);
  const where = (draft.where as { path: string; op: string; value?: unknown }[] | undefined) ?? [];
  return (
    <div className="rule" data-testid="rule" data-kind={draft.kind as string}>
      <select
        aria-label="Condition kind"
        value={draft.kind as string}
        onChange={(e) => props.onChange(newRule(e.target.value))}
      >
        {Object.entries(KIND_LABELS).map(([kind, label]) => (
          <option key={kind} value={kind}>
            {label}
          </option>
        ))}
      </select>
      {draft.kind === 'attribute' && (
        <>
          <input
            aria-label="Attribute path"
            placeholder="e.g. plan or address.country"
            value={String(draft.path ?? '')}
            onChange={(e) => set({ ...draft, path: e.target.value })}
          />
          <Comparison draft={draft} onChange={set} label="Attribute" />
        </>
      )}
      {draft.kind === 'tag' && (
        <>
          <select
            aria-label="Has tag"
            value={String(draft.present)}
            onChange={(e) => set({ ...draft, present: e.target.value === 'true' })}
          >
            <option value="true">has tag</option>
            <option value="false">has not tag</option>
          </select>
          <input
            aria-label="Tag"
            placeholder="tag"
            value={String(draft.tag ?? '')}
            onChange={(e) => set({ ...draft, tag: e.target.value })}
          />
        </>
      )}
      {draft.kind === 'list' && (
        <>
          <select
            aria-label="In list"
            value={String(draft.member)}
            onChange={(e) => set({ ...draft, member: e.target.value === 'true' })}
          >
            <option value="true">is in</option>
            <option value="false">is not in</option>
          </select>
          <select
            aria-label="List"
            value={String(draft.list ?? '')}
            onChange={(e) => set({ ...draft, list: e.target.value })}
          >
            <option value="">Choose a list…</option>
            {props.lists.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </>
      )}
      {draft.kind === 'event' && (
        <>
          <input
            aria-label="Event name"
            placeholder="Order Completed"
            value={String(draft.event ?? '')}
            onChange={(e) => set({ ...draft, event: e.target.value })}
          />
          <span>at least</span>
          <input
            type="number"
            min={0}
            className="narrow"
            aria-label="At least times"
            value={Number(draft.minCount ?? 1)}
            onChange={(e) => set({ ...draft, minCount: Number(e.target.value) })}
          />
          <span>times</span>
          <Within draft={draft} onChange={set} />
          {where.map((w, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: filters have no ids, and typing a path must keep the input
            <span className="rule-where" key={i}>
              <span>with</span>
              <input
                aria-label="Property path"
                placeholder="total"
                value={w.path}
                onChange={(e) =>
                  set({
                    ...draft,
                    where: where.map((x, j) => (j === i ? { ...x, path: e.target.value } : x)),
                  })
                }
              />
              <Comparison
                draft={w}
                label="Property"
                onChange={(next) =>
                  set({ ...draft, where: where.map((x, j) => (j === i ? (next as typeof w) : x)) })
                }
              />
              <button
                type="button"
                className="link-button"
                onClick={() => set({ ...draft, where: where.filter((_, j) => j !== i) })}
              >
                ×
              </button>
            </span>
          ))}
          <button
            type="button"
            className="link-button"
            onClick={() => set({ ...draft, where: [...where, { path: '', op: 'gt', value: '' }] })}
          >
            + property filter
          </button>
        </>
      )}
      {draft.kind === 'engagement' && (
        <>
          <select
            aria-label="Engagement"
            value={String(draft.status)}
            onChange={(e) => set({ ...draft, status: e.target.value })}
          >
            <option value="sent">was sent</option>
            <option value="delivered">received</option>
            <option value="opened">opened</option>
            <option value="clicked">clicked</option>
          </select>
          <input
            aria-label="Template"
            placeholder="any template"
            value={String(draft.template ?? '')}
            onChange={(e) => set({ ...draft, template: e.target.value || undefined })}
          />
          <select
            aria-label="Journey"
            value={String(draft.journeyId ?? '')}
            onChange={(e) => set({ ...draft, journeyId: e.target.value || undefined })}
          >
            <option value="">any journey</option>
            {props.journeys.map((j) => (
              <option key={j.id} value={j.id}>
                {j.name}
              </option>
            ))}
          </select>
          <Within draft={draft} onChange={set} />
        </>
      )}
      {draft.kind === 'deal' && (
        <>
          <select
            aria-label="Has deal"
            value={String(draft.present)}
            onChange={(e) => set({ ...draft, present: e.target.value === 'true' })}
          >
            <option value="true">has a deal</option>
            <option value="false">has no deal</option>
          </select>
          <select
            aria-label="Deal status"
            value={String(draft.status ?? '')}
            onChange={(e) => set({ ...draft, status: e.target.value || undefined })}
          >
            <option value="">any status</option>
            <option value="open">open</option>
            <option value="won">won</option>
            <option value="lost">lost</option>
          </select>
          <select
            aria-label="Deal stage"
            value={String(draft.stageId ?? '')}
            onChange={(e) => {
              const pipeline = props.pipelines.find((p) => p.stages.some((st) => st.id === e.target.value));
              set({ ...draft, stageId: e.target.value || undefined, pipelineId: pipeline?.id });
            }}
          >
            <option value="">any stage</option>
            {props.pipelines.flatMap((p) =>
              p.stages.map((st) => (
                <option key={st.id} value={st.id}>
                  {p.name}: {st.name}
                </option>
              )),
            )}
          </select>
        </>
      )}
      {draft.kind === 'ticket' && (
        <>
          <select
            aria-label="Has ticket"
            value={String(draft.present)}
            onChange={(e) => set({ ...draft, present: e.target.value === 'true' })}
          >
            <option value="true">has a ticket</option>
            <option value="false">has no ticket</option>
          </select>
          <span>in</span>
          {TICKET_STATUSES.map((status) => {
            const chosen = (draft.status as string[] | undefined) ?? [];
            return (
              <label key={status} className="chip">
                <input
                  type="checkbox"
                  checked={chosen.includes(status)}
                  onChange={(e) => {
                    const next = e.target.checked ? [...chosen, status] : chosen.filter((x) => x !== status);
                    set({ ...draft, status: next.length ? next : undefined });
                  }}
                />{' '}
                {status}
              </label>
            );
          })}
          <select
            aria-label="Ticket priority"
            value={String(draft.priority ?? '')}
            onChange={(e) => set({ ...draft, priority: e.target.value || undefined })}
          >
            <option value="">any priority</option>
            {['low', 'normal', 'high', 'urgent'].map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </>
      )}
      {draft.kind === 'analytics' && (
        <>
          <select
            aria-label="Analytics field"
            value={String(draft.field)}
            onChange={(e) => set({ ...draft, field: e.target.value })}
          >
            {ANALYTICS_FIELDS.map((f) => (
              <option key={f}>{f}</option>
            ))}
          </select>
          <Comparison draft={draft} onChange={set} label="Analytics" />
        </>
      )}
    </div>
  );
}

/** An AND / OR group of conditions and nested groups. */
export function GroupEditor(props: {
  group: SegmentGroup;
  onChange: (group: SegmentGroup) => void;
  onRemove?: () => void;
  depth: number;
  lists: string[];
  journeys: { id: string; name: string }[];
  pipelines: Pipeline[];
}) {
  const { group } = props;
  const setRule = (i: number, rule: Rule | null) =>
    props.onChange({
      ...group,
      rules:
        rule === null
          ? group.rules.filter((_, j) => j !== i)
          : group.rules.map((r, j) => (j === i ? rule : r)),
    });
  return (
    <fieldset className={`rule-group depth-${props.depth}`} data-testid="rule-group">
      <legend>
        <select
          aria-label="Match"
          value={group.match}
          onChange={(e) => props.onChange({ ...group, match: e.target.value as 'all' | 'any' })}
        >
          <option value="all">All of (AND)</option>
          <option value="any">Any of (OR)</option>
        </select>
        {props.onRemove && (
          <button type="button" className="link-button" onClick={props.onRemove}>
            Remove group
          </button>
        )}
      </legend>
      {group.rules.map((rule, i) =>
        isGroup(rule) ? (
          <GroupEditor
            // biome-ignore lint/suspicious/noArrayIndexKey: rules have no ids; their place is their identity
            key={i}
            group={rule}
            depth={props.depth + 1}
            lists={props.lists}
            journeys={props.journeys}
            pipelines={props.pipelines}
            onChange={(next) => setRule(i, next)}
            onRemove={() => setRule(i, null)}
          />
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: rules have no ids; their place is their identity
          <div className="rule-row" key={i}>
            <ConditionEditor
              rule={rule}
              onChange={(next) => setRule(i, next)}
              lists={props.lists}
              journeys={props.journeys}
              pipelines={props.pipelines}
            />
            <button
              type="button"
              className="link-button"
              aria-label="Remove condition"
              onClick={() => setRule(i, null)}
            >
              ×
            </button>
          </div>
        ),
      )}
      <div className="group-actions">
        <button
          type="button"
          onClick={() => props.onChange({ ...group, rules: [...group.rules, newRule('attribute')] })}
        >
          + Condition
        </button>
        {props.depth < 4 && (
          <button
            type="button"
            onClick={() =>
              props.onChange({
                ...group,
                rules: [...group.rules, { match: 'any', rules: [newRule('attribute')] }],
              })
            }
          >
            + Group
          </button>
        )}
      </div>
    </fieldset>
  );
}
