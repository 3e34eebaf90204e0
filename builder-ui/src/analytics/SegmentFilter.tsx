import { usePickerSources } from '../api/pickers';

/** "All contacts" or one segment, to narrow an analysis. */
export function SegmentFilter(props: { value: string; onChange: (segmentId: string) => void }) {
  const segments = usePickerSources().data?.segments ?? [];
  return (
    <label>
      Segment
      <select name="segmentId" value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">All contacts</option>
        {segments.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
          </option>
        ))}
      </select>
    </label>
  );
}
