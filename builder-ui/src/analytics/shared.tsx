import { useState } from 'react';
import { useJob, useStartJob } from '../api/analytics';

export function formatNumber(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toLocaleString(undefined, { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function formatPercent(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined) return '—';
  return `${(value * 100).toFixed(digits)} %`;
}

export function ComputedAt(props: { at: string | null | undefined }) {
  return (
    <p className="muted">
      {props.at ? `Computed ${new Date(props.at).toLocaleString()}` : 'Not computed yet.'}
    </p>
  );
}

export function CsvLink(props: { href: string; label?: string }) {
  return (
    <a className="link-button" href={`/v1${props.href}`} download>
      {props.label ?? 'Download CSV'}
    </a>
  );
}

/** Starts a model refresh as a background job and shows its progress until it ends. */
export function JobButton(props: { model: string; options: Record<string, unknown>; label: string }) {
  const start = useStartJob();
  const [jobId, setJobId] = useState<string | null>(null);
  const job = useJob(jobId);
  const running = job.data && (job.data.status === 'queued' || job.data.status === 'running');
  return (
    <span className="inline-form">
      <button
        type="button"
        disabled={start.isPending || Boolean(running)}
        onClick={async () =>
          setJobId((await start.mutateAsync({ model: props.model, options: props.options })).id)
        }
      >
        {props.label}
      </button>
      {start.error && <span className="field-error">{start.error.message}</span>}
      {job.data && (
        <span className="muted" role="status">
          {job.data.status === 'completed'
            ? 'Done.'
            : job.data.status === 'failed'
              ? `Failed: ${job.data.failure ?? ''}`
              : `Running… ${job.data.done}/${job.data.total ?? '?'}`}
        </span>
      )}
    </span>
  );
}
