import { diffLines } from 'diff';
import { useState } from 'react';
import {
  type Template,
  type TemplateVersion,
  useTemplateChanges,
  useTemplateVersions,
} from '../../api/templates';
import { ErrorAlert } from '../../components/ErrorAlert';

type Parts = Pick<TemplateVersion, 'subject' | 'preheader' | 'body' | 'html' | 'mjml' | 'tags'>;

/** The parts of a version as one text, so a line diff shows what changed where. */
function asText(v: Parts): string {
  return [
    `Subject: ${v.subject ?? ''}`,
    `Preheader: ${v.preheader ?? ''}`,
    `Tags: ${v.tags.join(', ')}`,
    '--- text ---',
    v.body,
    v.mjml ? '--- mjml ---' : '--- html ---',
    v.mjml ?? v.html ?? '',
  ].join('\n');
}

/** Who saved each version and when; a version's diff against the current one; revert. */
export function VersionsPanel(props: { templateId: string; current?: Template; readOnly: boolean }) {
  const versions = useTemplateVersions(props.templateId);
  const { revert } = useTemplateChanges();
  const [selected, setSelected] = useState<number | null>(null);
  const chosen = versions.data?.find((v) => v.version === selected);
  return (
    <section className="panel-section" aria-label="Versions">
      <h2 className="section-title">Versions</h2>
      <ErrorAlert error={versions.error ?? revert.error} />
      <table className="table">
        <thead>
          <tr>
            <th>Version</th>
            <th>Saved by</th>
            <th>When</th>
            <th>What</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(versions.data ?? []).map((v) => (
            <tr key={v.version} aria-selected={v.version === selected}>
              <td className="num">v{v.version}</td>
              <td>{v.changedBy ?? 'system'}</td>
              <td>{new Date(v.createdAt).toLocaleString()}</td>
              <td>{v.action === 'revert' ? `revert to v${v.revertedFrom}` : v.action}</td>
              <td>
                {v.version !== props.current?.version && (
                  <button type="button" className="link-button" onClick={() => setSelected(v.version)}>
                    Compare v{v.version}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {chosen && props.current && (
        <div>
          <p className="help">
            Changes from v{chosen.version} to the current v{props.current.version} (removed struck through,
            added highlighted):
          </p>
          <div className="diff-view" data-testid="version-diff">
            {diffLines(asText(chosen), asText(props.current)).map((part, i) =>
              part.added ? (
                // biome-ignore lint/suspicious/noArrayIndexKey: diff parts have no identity but their order.
                <ins key={i}>{part.value}</ins>
              ) : part.removed ? (
                // biome-ignore lint/suspicious/noArrayIndexKey: as above.
                <del key={i}>{part.value}</del>
              ) : (
                // biome-ignore lint/suspicious/noArrayIndexKey: as above.
                <span key={i}>{part.value}</span>
              ),
            )}
          </div>
          {!props.readOnly && (
            <button
              type="button"
              disabled={revert.isPending}
              onClick={() =>
                revert.mutate(
                  { id: props.templateId, version: chosen.version },
                  { onSuccess: () => setSelected(null) },
                )
              }
            >
              Revert to v{chosen.version}
            </button>
          )}
        </div>
      )}
    </section>
  );
}
