import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../../api/client';
import { useCan } from '../../api/session';
import {
  type Template,
  type TemplateDraft,
  type TemplateKind,
  type TemplateSyntaxProblem,
  templateKinds,
  useTemplate,
  useTemplateChanges,
  useTemplateFields,
  useTemplateUsage,
  validateTemplate,
} from '../../api/templates';
import { ErrorAlert } from '../../components/ErrorAlert';
import { LiquidEditor } from './LiquidEditor';
import { PreviewPanel } from './PreviewPanel';
import { VersionsPanel } from './VersionsPanel';
import './templates.css';

const STARTER_MJML = `<mjml>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-text font-size="18px">Hi {{ contact.first_name | default: "there" }},</mj-text>
        <mj-text>Write your message here.</mj-text>
        <mj-button href="{{ unsubscribe_url }}">Unsubscribe</mj-button>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;

/** What each kind calls its text part. */
const bodyLabel: Record<TemplateKind, string> = {
  email: 'Text part (plain-text alternative)',
  sms: 'SMS text',
  push: 'Push body',
  slack: 'Slack message text',
  webhook: 'Webhook body (JSON)',
  wechat: 'WeChat message text',
  layout: 'Text layout',
  snippet: 'Snippet',
};

const emptyDraft: TemplateDraft = {
  name: '',
  channel: 'email',
  subject: '',
  preheader: '',
  body: '',
  html: null,
  mjml: STARTER_MJML,
  tags: [],
};

function draftOf(t: Template): TemplateDraft {
  return {
    name: t.name,
    channel: t.channel as TemplateKind,
    subject: t.subject ?? '',
    preheader: t.preheader ?? '',
    body: t.body,
    html: t.mjml ? null : (t.html ?? ''),
    mjml: t.mjml,
    tags: t.tags,
  };
}

/** The payload a save sends: only the parts the channel uses. */
function saved(draft: TemplateDraft): TemplateDraft {
  const email = draft.channel === 'email';
  const rich = email || draft.channel === 'layout';
  return {
    ...draft,
    subject: email || draft.channel === 'push' ? draft.subject || null : null,
    preheader: email ? draft.preheader || null : null,
    html: rich && !draft.mjml ? draft.html || null : null,
    mjml: rich ? draft.mjml || null : null,
  };
}

/** Problems of a failed save: every problem the server listed, or the one it named. */
function problemsOf(error: unknown): TemplateSyntaxProblem[] {
  if (!(error instanceof ApiError)) return [];
  const listed = error.details.problems;
  if (Array.isArray(listed)) return listed as TemplateSyntaxProblem[];
  if (typeof error.details.line === 'number' && error.field) {
    return [
      {
        part: error.field as TemplateSyntaxProblem['part'],
        line: error.details.line,
        column: Number(error.details.column ?? 1),
        message: error.message,
      },
    ];
  }
  return [];
}

/**
 * The template studio: Liquid editors with highlighting, completion and the server's syntax
 * problems at their line; MJML or HTML for email; a live server-rendered preview, a test send,
 * and the versions with their diff and revert.
 */
export function TemplateEditorPage() {
  const { templateId } = useParams();
  const isNew = !templateId || templateId === 'new';
  const stored = useTemplate(isNew ? undefined : templateId);
  const fields = useTemplateFields().data;
  const usage = useTemplateUsage(isNew ? undefined : templateId).data ?? [];
  const { create, update, remove } = useTemplateChanges();
  const navigate = useNavigate();
  const can = useCan();
  const readOnly = !can('templates:write');
  const [draft, setDraft] = useState<TemplateDraft>(emptyDraft);
  const [problems, setProblems] = useState<TemplateSyntaxProblem[]>([]);
  const [tagText, setTagText] = useState('');
  const [renderProblem, setRenderProblem] = useState<TemplateSyntaxProblem | null>(null);
  // One object per draft, so the preview re-renders on edits only.
  const previewDraft = useMemo(() => saved(draft), [draft]);

  useEffect(() => {
    if (stored.data) {
      setDraft(draftOf(stored.data));
      setTagText(stored.data.tags.join(', '));
    }
  }, [stored.data]);

  // The server's parser judges the draft as it is typed (debounced); its problems show at their line.
  useEffect(() => {
    const timer = setTimeout(() => {
      validateTemplate(saved(draft)).then(
        (answer) => setProblems(answer.problems),
        () => {},
      );
    }, 400);
    return () => clearTimeout(timer);
  }, [draft]);

  const saveError = create.error ?? update.error;
  const allProblems = useMemo(() => {
    const fromSave = problemsOf(saveError);
    const syntax = problems.length > 0 ? problems : fromSave;
    // A render failure (an unknown variable) shows at its line too, once the syntax is sound.
    return syntax.length === 0 && renderProblem ? [renderProblem] : syntax;
  }, [problems, saveError, renderProblem]);
  const at = (part: TemplateSyntaxProblem['part']) => allProblems.filter((p) => p.part === part);
  const fieldError = saveError instanceof ApiError && !problemsOf(saveError).length ? saveError : null;

  const change = (patch: Partial<TemplateDraft>) => {
    create.reset();
    update.reset();
    setDraft((d) => ({ ...d, ...patch }));
  };
  const rich = draft.channel === 'email' || draft.channel === 'layout';
  const format = draft.mjml !== null && draft.mjml !== undefined ? 'mjml' : 'html';

  const save = () => {
    const payload = saved({
      ...draft,
      tags: tagText
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    });
    if (isNew)
      create.mutate(payload, { onSuccess: (row) => navigate(`/templates/${row.id}`, { replace: true }) });
    else update.mutate({ id: templateId, draft: payload });
  };

  if (!isNew && stored.isLoading) return <div className="page loading">Loading…</div>;
  return (
    <div className="page" data-testid="template-editor">
      <div className="page-head">
        <div>
          <Link to="/templates">← Templates</Link>
          <h1>{isNew ? 'New template' : draft.name}</h1>
          {stored.data && (
            <p className="help">
              Version {stored.data.version}
              {stored.data.updatedBy ? `, saved by ${stored.data.updatedBy}` : ''}
            </p>
          )}
          {usage.length > 0 && (
            <p className="help" data-testid="template-usage">
              Sent by{' '}
              {usage.map((j, i) => (
                <span key={j.id}>
                  {i > 0 ? ', ' : ''}
                  <Link to={`/journeys/${j.id}`}>{j.name}</Link> ({j.status})
                </span>
              ))}
              : it keeps its name while they run.
            </p>
          )}
        </div>
        {!readOnly && (
          <div className="page-actions">
            <button type="button" onClick={save} disabled={create.isPending || update.isPending}>
              {isNew ? 'Create template' : 'Save'}
            </button>
            {!isNew && (
              <button
                type="button"
                className="link-button danger"
                onClick={() => {
                  if (window.confirm(`Delete “${draft.name}” and its versions?`))
                    remove.mutate(templateId, { onSuccess: () => navigate('/templates') });
                }}
              >
                Delete
              </button>
            )}
          </div>
        )}
      </div>
      <ErrorAlert error={stored.error ?? fieldError ?? remove.error} />
      {update.isSuccess && (
        <div className="alert ok" role="status">
          Saved as version {update.data.version}.
        </div>
      )}
      <div className="template-studio">
        <div>
          <div className="field-row">
            <div className={`field${fieldError?.field === 'name' ? ' field-error' : ''}`}>
              <label htmlFor="template-name">Name</label>
              <input
                id="template-name"
                value={draft.name}
                readOnly={readOnly}
                onChange={(e) => change({ name: e.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor="template-channel">Channel</label>
              <select
                id="template-channel"
                value={draft.channel}
                disabled={readOnly || !isNew}
                onChange={(e) => {
                  const channel = e.target.value as TemplateKind;
                  const richNow = channel === 'email' || channel === 'layout';
                  change({
                    channel,
                    mjml: richNow ? (draft.mjml ?? null) : null,
                    html: richNow ? draft.html : null,
                  });
                }}
              >
                {templateKinds.map((kind) => (
                  <option key={kind} value={kind}>
                    {kind}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="template-tags">Tags</label>
              <input
                id="template-tags"
                placeholder="comma, separated"
                value={tagText}
                readOnly={readOnly}
                onChange={(e) => setTagText(e.target.value)}
              />
            </div>
          </div>
          {(draft.channel === 'email' || draft.channel === 'push') && (
            <div className={`field${at('subject').length ? ' field-error' : ''}`}>
              <label htmlFor="template-subject">{draft.channel === 'push' ? 'Title' : 'Subject'}</label>
              <input
                id="template-subject"
                value={draft.subject ?? ''}
                readOnly={readOnly}
                onChange={(e) => change({ subject: e.target.value })}
              />
              {at('subject').map((p) => (
                <div key={p.message} className="field-message" role="alert">
                  Line {p.line}, column {p.column}: {p.message}
                </div>
              ))}
            </div>
          )}
          {draft.channel === 'email' && (
            <div className="field">
              <label htmlFor="template-preheader">Preheader</label>
              <input
                id="template-preheader"
                value={draft.preheader ?? ''}
                readOnly={readOnly}
                placeholder="The preview line inboxes show after the subject"
                onChange={(e) => change({ preheader: e.target.value })}
              />
            </div>
          )}
          {rich && (
            <div className="field">
              <fieldset className="segmented" aria-label="Format">
                <button
                  type="button"
                  className="link-button"
                  aria-pressed={format === 'mjml'}
                  disabled={readOnly}
                  onClick={() => change({ mjml: draft.mjml ?? STARTER_MJML, html: null })}
                >
                  MJML (responsive)
                </button>
                <button
                  type="button"
                  className="link-button"
                  aria-pressed={format === 'html'}
                  disabled={readOnly}
                  onClick={() => change({ html: draft.html ?? '', mjml: null })}
                >
                  HTML
                </button>
              </fieldset>
            </div>
          )}
          {rich && format === 'mjml' && (
            <LiquidEditor
              id="template-mjml"
              label="MJML (compiled to responsive HTML on save)"
              value={draft.mjml ?? ''}
              onChange={(mjml) => change({ mjml })}
              fields={fields}
              problems={at('mjml')}
              readOnly={readOnly}
              minHeight={260}
            />
          )}
          {rich && format === 'html' && (
            <LiquidEditor
              id="template-html"
              label="HTML"
              value={draft.html ?? ''}
              onChange={(html) => change({ html })}
              fields={fields}
              problems={at('html')}
              readOnly={readOnly}
              minHeight={260}
            />
          )}
          <LiquidEditor
            id="template-body"
            label={bodyLabel[draft.channel as TemplateKind]}
            value={draft.body}
            onChange={(body) => change({ body })}
            fields={fields}
            problems={at('body')}
            readOnly={readOnly}
          />
          {!isNew && templateId && (
            <VersionsPanel templateId={templateId} current={stored.data} readOnly={readOnly} />
          )}
        </div>
        <PreviewPanel draft={previewDraft} canSend={!readOnly} onRenderProblem={setRenderProblem} />
      </div>
    </div>
  );
}
