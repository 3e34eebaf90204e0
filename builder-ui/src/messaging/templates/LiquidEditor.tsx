import {
  autocompletion,
  type Completion,
  type CompletionContext,
  type CompletionResult,
  completionKeymap,
} from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { html } from '@codemirror/lang-html';
import { liquid } from '@codemirror/lang-liquid';
import { defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { type Diagnostic, lintGutter, setDiagnostics } from '@codemirror/lint';
import { Compartment, EditorState } from '@codemirror/state';
import { EditorView, keymap, lineNumbers } from '@codemirror/view';
import { useEffect, useRef } from 'react';
import type { TemplateFields, TemplateSyntaxProblem } from '../../api/templates';

/** Completions for what templates read: `contact.*`, `event.*`, the built-ins and the snippets. */
function liquidConfig(fields: TemplateFields | undefined) {
  const contact = [
    ...(fields?.contactAttributes ?? []),
    'id',
    'email',
    'phone',
    'timezone',
    'tags',
    'external_id',
  ];
  const eventProps = [...new Set((fields?.events ?? []).flatMap((e) => e.properties)), 'name', 'timestamp'];
  const top = [
    'contact',
    'event',
    'journey',
    'steps',
    'unsubscribe_url',
    'preferences_url',
    'recommendations',
  ];
  const asCompletions = (names: string[], type: string, detail?: string): Completion[] =>
    [...new Set(names)].map((label) => ({ label, type, detail }));
  return {
    filters: (fields?.filters ?? []).map((f) => ({ label: f.name, type: 'function', detail: f.detail })),
    variables: asCompletions(top, 'variable'),
    properties: (path: readonly string[]) => {
      if (path.length === 1 && path[0] === 'contact') return asCompletions(contact, 'property', 'contact');
      if (path.length === 1 && path[0] === 'event') return asCompletions(eventProps, 'property', 'event');
      return [];
    },
    tags: [
      ...(fields?.snippets ?? []).map((name) => ({
        label: `render '${name}'`,
        type: 'keyword',
        detail: 'snippet',
      })),
      ...(fields?.snippets ?? []).map((name) => ({
        label: `include '${name}'`,
        type: 'keyword',
        detail: 'snippet',
      })),
      ...(fields?.layouts ?? []).map((name) => ({
        label: `layout '${name}'`,
        type: 'keyword',
        detail: 'layout',
      })),
    ],
  };
}

/**
 * Inside `{{ }}`, typing `asset` or `content` offers the workspace's assets and published items
 * by name and inserts their id with the filter: `'<id>' | asset_url`, `'<id>' | content_url`.
 */
function contentCompletions(fields: TemplateFields | undefined) {
  const options: Completion[] = [
    ...(fields?.assets ?? []).map((a) => ({
      label: `asset ${a.filename}`,
      apply: `'${a.id}' | asset_url`,
      type: 'constant',
      detail: a.contentType,
    })),
    ...(fields?.contentItems ?? []).map((i) => ({
      label: `content ${i.title}`,
      apply: `'${i.id}' | content_url`,
      type: 'constant',
      detail: i.kind,
    })),
  ];
  return (context: CompletionContext): CompletionResult | null => {
    const before = context.state.sliceDoc(Math.max(0, context.pos - 300), context.pos);
    if (before.lastIndexOf('{{') <= before.lastIndexOf('}}')) return null;
    const word = context.matchBefore(/[A-Za-z_][\w-]*/);
    if (!word && !context.explicit) return null;
    return options.length ? { from: word?.from ?? context.pos, options } : null;
  };
}

function languageFor(fields: TemplateFields | undefined) {
  return [
    liquid({ base: html(), ...liquidConfig(fields) }),
    EditorState.languageData.of(() => [{ autocomplete: contentCompletions(fields) }]),
  ];
}

/**
 * A CodeMirror 6 editor for one Liquid part: Liquid over HTML highlighting, completion of
 * contact attributes, event properties, snippets, content filters and the workspace's assets and
 * items, and the server's syntax problems at their line.
 */
export function LiquidEditor(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  fields?: TemplateFields;
  problems: TemplateSyntaxProblem[];
  readOnly?: boolean;
  minHeight?: number;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const language = useRef(new Compartment());
  const editable = useRef(new Compartment());
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the view is built once; later props reach it through the effects below.
  useEffect(() => {
    if (!host.current) return;
    const created = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: props.value,
        extensions: [
          lineNumbers(),
          history(),
          lintGutter(),
          syntaxHighlighting(defaultHighlightStyle),
          language.current.of(languageFor(props.fields)),
          autocompletion(),
          editable.current.of(EditorState.readOnly.of(!!props.readOnly)),
          keymap.of([...completionKeymap, ...defaultKeymap, ...historyKeymap]),
          EditorView.lineWrapping,
          EditorView.contentAttributes.of({ 'aria-label': props.label, id: props.id }),
          EditorView.theme({
            '&': { minHeight: `${props.minHeight ?? 120}px` },
            '.cm-scroller': { minHeight: 'inherit' },
          }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) onChange.current(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = created;
    return () => {
      created.destroy();
      view.current = null;
    };
  }, []);

  useEffect(() => {
    const current = view.current;
    if (!current || current.state.doc.toString() === props.value) return;
    current.dispatch({ changes: { from: 0, to: current.state.doc.length, insert: props.value } });
  }, [props.value]);

  useEffect(() => {
    view.current?.dispatch({
      effects: language.current.reconfigure(languageFor(props.fields)),
    });
  }, [props.fields]);

  useEffect(() => {
    view.current?.dispatch({
      effects: editable.current.reconfigure(EditorState.readOnly.of(!!props.readOnly)),
    });
  }, [props.readOnly]);

  useEffect(() => {
    const current = view.current;
    if (!current) return;
    const doc = current.state.doc;
    const diagnostics: Diagnostic[] = props.problems.map((p) => {
      const line = doc.line(Math.min(Math.max(p.line, 1), doc.lines));
      const from = Math.min(line.from + Math.max(p.column - 1, 0), line.to);
      return { from, to: Math.max(from, line.to), severity: 'error', message: p.message };
    });
    current.dispatch(setDiagnostics(current.state, diagnostics));
  }, [props.problems]);

  return (
    <div className={`field code-field${props.problems.length ? ' field-error' : ''}`}>
      <label htmlFor={props.id}>{props.label}</label>
      <div ref={host} className="code-editor" data-testid={`editor-${props.id}`} />
      {props.problems.map((p) => (
        <div key={`${p.line}:${p.column}:${p.message}`} className="field-message" role="alert">
          Line {p.line}, column {p.column}: {p.message}
        </div>
      ))}
    </div>
  );
}
