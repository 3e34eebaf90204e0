import { useEffect } from 'react';
import type { Job } from '../api/contacts';

/** A background job's progress bar; calls `onFinished` once when it ends. */
export function JobProgress(props: { job: Job; onFinished?: () => void }) {
  const { job, onFinished } = props;
  const finished = job.status === 'completed' || job.status === 'failed';
  useEffect(() => {
    if (finished && onFinished) {
      const timer = setTimeout(onFinished, 1500);
      return () => clearTimeout(timer);
    }
  }, [finished, onFinished]);
  const total = job.total ?? 0;
  const percent = total > 0 ? Math.round((job.done / total) * 100) : finished ? 100 : 0;
  return (
    <div className="job-progress" data-testid="job-progress" data-status={job.status}>
      <progress max={100} value={percent} aria-label="Job progress" />
      <span>
        {job.status === 'failed'
          ? `Failed: ${job.failure ?? 'unknown error'}`
          : `${job.done} of ${total || '…'} done — ${job.succeeded} succeeded, ${job.failed} failed${job.heldOut > 0 ? `, ${job.heldOut} held out (control group)` : ''}`}
        {finished && job.status === 'completed' && ' ✓'}
      </span>
    </div>
  );
}
