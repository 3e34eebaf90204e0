import { useEffect, useState } from 'react';
import { ApiError } from '../../api/client';
import { useContactSearch } from '../../api/contacts';
import {
  type PreviewTarget,
  previewTemplate,
  type TemplateDraft,
  type TemplatePreview,
  type TemplateSyntaxProblem,
  useSendTemplateTest,
} from '../../api/templates';
import { ErrorAlert } from '../../components/ErrorAlert';

const SAMPLE_CONTACT = '{\n  "email": "ada@example.com",\n  "first_name": "Ada"\n}';
const SAMPLE_EVENT = '{\n  "name": "Signed Up",\n  "properties": { "plan": "pro" }\n}';

function parseJson(text: string, what: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text || '{}');
    if (value && typeof value === 'object' && !Array.isArray(value)) return value;
  } catch {}
  throw new Error(`${what} is not a JSON object`);
}

/**
 * The server's rendering of the draft for a chosen contact or sample JSON, at desktop or mobile
 * width (a sandboxed frame: no scripts, no same-origin access), with the SMS segment count, and
 * the test send through the channel's provider.
 */
/** A render failure that names its part and position, as the editor marks it (the text part is `body`). */
function renderProblem(error: unknown): TemplateSyntaxProblem | null {
  if (!(error instanceof ApiError) || error.code !== 'template_render_failed') return null;
  const line = Number(error.details.line);
  if (!line || !error.field) return null;
  const part = error.field === 'text' ? 'body' : error.field;
  return {
    part: part as TemplateSyntaxProblem['part'],
    line,
    column: Number(error.details.column ?? 1),
    message: error.message.replace(/^.*failed to render: /, '').replace(/, line:\d+, col:\d+$/, ''),
  };
}

export function PreviewPanel(props: {
  draft: TemplateDraft;
  canSend: boolean;
  /** Told of a render failure's position (an unknown variable), or null once the draft renders. */
  onRenderProblem?: (problem: TemplateSyntaxProblem | null) => void;
}) {
  const [mode, setMode] = useState<'contact' | 'sample'>('contact');
  const [query, setQuery] = useState('');
  const [contactId, setContactId] = useState('');
  const [sampleContact, setSampleContact] = useState(SAMPLE_CONTACT);
  const [sampleEvent, setSampleEvent] = useState(SAMPLE_EVENT);
  const [width, setWidth] = useState<'desktop' | 'mobile'>('desktop');
  const [preview, setPreview] = useState<TemplatePreview | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [to, setTo] = useState('');
  const contacts = useContactSearch(query, mode === 'contact');
  const sendTest = useSendTemplateTest();
  const sendable = !['layout', 'snippet'].includes(props.draft.channel);

  const target = (): PreviewTarget | null => {
    const event = parseJson(sampleEvent, 'The sample event') as PreviewTarget['event'];
    if (mode === 'contact') return contactId ? { contactId, event } : null;
    return { contact: parseJson(sampleContact, 'The sample contact'), event };
  };

  // Re-rendered by the server shortly after every change to the draft or the subject of the preview.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `target` reads exactly these states.
  useEffect(() => {
    const timer = setTimeout(() => {
      let chosen: PreviewTarget | null;
      try {
        chosen = target();
      } catch (e) {
        setError(e);
        return;
      }
      if (!chosen) return;
      previewTemplate(props.draft, chosen).then(
        (answer) => {
          setPreview(answer);
          setError(null);
          props.onRenderProblem?.(null);
        },
        (e) => {
          setError(e);
          props.onRenderProblem?.(renderProblem(e));
        },
      );
    }, 350);
    return () => clearTimeout(timer);
  }, [props.draft, mode, contactId, sampleContact, sampleEvent]);

  return (
    <aside className="panel" aria-label="Preview" data-testid="template-preview">
      <div className="panel-head">
        <h2>Preview</h2>
        <fieldset className="segmented" aria-label="Preview for">
          <button
            type="button"
            className="link-button"
            aria-pressed={mode === 'contact'}
            onClick={() => setMode('contact')}
          >
            A contact
          </button>
          <button
            type="button"
            className="link-button"
            aria-pressed={mode === 'sample'}
            onClick={() => setMode('sample')}
          >
            Sample JSON
          </button>
        </fieldset>
      </div>
      {mode === 'contact' ? (
        <div className="field-row">
          <div className="field">
            <label htmlFor="preview-contact-search">Find a contact</label>
            <input
              id="preview-contact-search"
              type="search"
              placeholder="Email or name"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="preview-contact">Contact</label>
            <select id="preview-contact" value={contactId} onChange={(e) => setContactId(e.target.value)}>
              <option value="">Choose…</option>
              {(contacts.data ?? []).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.email ?? c.phone ?? c.externalId ?? c.id}
                </option>
              ))}
            </select>
          </div>
        </div>
      ) : (
        <div className="field">
          <label htmlFor="preview-sample-contact">Sample contact (JSON)</label>
          <textarea
            id="preview-sample-contact"
            rows={4}
            value={sampleContact}
            onChange={(e) => setSampleContact(e.target.value)}
          />
        </div>
      )}
      <div className="field">
        <label htmlFor="preview-sample-event">Triggering event (JSON, readable as event)</label>
        <textarea
          id="preview-sample-event"
          rows={3}
          value={sampleEvent}
          onChange={(e) => setSampleEvent(e.target.value)}
        />
      </div>
      <ErrorAlert error={error} />
      {preview && (
        <div data-testid="preview-result">
          {preview.subject !== undefined && (
            <div className="preview-meta">
              <strong>Subject:</strong> <span data-testid="preview-subject">{preview.subject}</span>
            </div>
          )}
          {preview.preheader && (
            <div className="preview-meta">
              <strong>Preheader:</strong> {preview.preheader}
            </div>
          )}
          {preview.sms && (
            <div className="preview-meta" data-testid="sms-segments">
              {preview.sms.segments} segment{preview.sms.segments === 1 ? '' : 's'} · {preview.sms.encoding} ·{' '}
              {preview.sms.characters} characters ({preview.sms.remaining} left in the last segment of{' '}
              {preview.sms.perSegment})
            </div>
          )}
          {preview.html !== undefined && (
            <>
              <fieldset className="segmented" aria-label="Width">
                <button
                  type="button"
                  className="link-button"
                  aria-pressed={width === 'desktop'}
                  onClick={() => setWidth('desktop')}
                >
                  Desktop
                </button>
                <button
                  type="button"
                  className="link-button"
                  aria-pressed={width === 'mobile'}
                  onClick={() => setWidth('mobile')}
                >
                  Mobile
                </button>
              </fieldset>
              <iframe
                title="Email preview"
                className={`preview-frame ${width}`}
                sandbox=""
                srcDoc={preview.html}
              />
            </>
          )}
          {preview.text !== undefined && preview.text !== '' && (
            <pre className="preview-text" data-testid="preview-text">
              {preview.text}
            </pre>
          )}
        </div>
      )}
      {props.canSend && sendable && (
        <form
          className="panel-section"
          onSubmit={(e) => {
            e.preventDefault();
            let chosen: PreviewTarget | null = null;
            try {
              chosen = target();
            } catch {}
            sendTest.mutate({ draft: props.draft, to, target: chosen ?? {} });
          }}
        >
          <div className="field">
            <label htmlFor="test-to">Send a test to</label>
            <input
              id="test-to"
              placeholder={props.draft.channel === 'email' ? 'you@example.com' : 'Address on this channel'}
              value={to}
              onChange={(e) => setTo(e.target.value)}
            />
          </div>
          <button type="submit" disabled={!to || sendTest.isPending}>
            Send test
          </button>
          <ErrorAlert error={sendTest.error} />
          {sendTest.data && (
            <div className="alert ok" role="status">
              {sendTest.data.captured
                ? 'No provider is set up for this channel: the dev outbox captured the test (Messages page).'
                : `Sent through ${sendTest.data.provider} (${sendTest.data.status}).`}
            </div>
          )}
        </form>
      )}
    </aside>
  );
}
