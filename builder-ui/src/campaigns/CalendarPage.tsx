import { useState } from 'react';
import { Link } from 'react-router';
import { type CalendarItem, useCalendar } from '../api/campaigns';
import { ErrorAlert } from '../components/ErrorAlert';
import './campaigns.css';

type View = 'day' | 'week' | 'month';

const iso = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);

function rangeOf(view: View, anchor: Date): Date[] {
  if (view === 'day') return [anchor];
  const start =
    view === 'week'
      ? addDays(anchor, -((anchor.getUTCDay() + 6) % 7))
      : new Date(Date.UTC(anchor.getUTCFullYear(), anchor.getUTCMonth(), 1));
  const days =
    view === 'week' ? 7 : new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 0)).getUTCDate();
  return Array.from({ length: days }, (_, i) => addDays(start, i));
}

function linkOf(item: CalendarItem): string {
  if (item.kind === 'campaign') return `/campaigns/${item.id}`;
  if (item.kind === 'broadcast') return `/broadcasts/${item.id}`;
  if (item.itemId) return `/content/${item.itemId}`;
  return item.campaignId ? `/campaigns/${item.campaignId}` : '/content';
}

const onDay = (item: CalendarItem, day: string) => item.start <= day && (item.end ?? item.start) >= day;

/** Campaigns, broadcasts and social posts by day, week or month; broadcasts whose audiences share contacts on a day are flagged. */
export function CalendarPage() {
  const [view, setView] = useState<View>('month');
  const [anchor, setAnchor] = useState(() => new Date(`${iso(new Date())}T00:00:00Z`));
  const days = rangeOf(view, anchor);
  const calendar = useCalendar(iso(days[0]), iso(days[days.length - 1]));
  const step = (sign: number) =>
    setAnchor((a) =>
      view === 'month'
        ? new Date(Date.UTC(a.getUTCFullYear(), a.getUTCMonth() + sign, 1))
        : addDays(a, sign * (view === 'week' ? 7 : 1)),
    );
  return (
    <div className="page campaigns-page">
      <div className="page-head">
        <h1>Marketing calendar</h1>
        <div className="page-actions">
          <select aria-label="View" value={view} onChange={(e) => setView(e.target.value as View)}>
            <option value="day">Day</option>
            <option value="week">Week</option>
            <option value="month">Month</option>
          </select>
          <button type="button" onClick={() => step(-1)}>
            Previous
          </button>
          <button type="button" onClick={() => step(1)}>
            Next
          </button>
        </div>
      </div>
      <ErrorAlert error={calendar.error} />
      <section className="calendar-grid" aria-label="Calendar">
        {days.map((d) => {
          const day = iso(d);
          return (
            <div className="calendar-day" key={day} data-day={day}>
              <strong>{day.slice(5)}</strong>
              {(calendar.data ?? [])
                .filter((item) => onDay(item, day))
                .map((item) => (
                  <Link key={item.id} className={`item ${item.kind}`} to={linkOf(item)}>
                    {item.name}
                    {item.overlaps.length > 0 && (
                      <span
                        className="overlap"
                        title={item.overlaps
                          .map((o) => `${o.contacts} contacts shared with ${o.name}`)
                          .join('; ')}
                      >
                        {' '}
                        ⚠ overlap {item.overlaps.reduce((s, o) => s + o.contacts, 0)}
                      </span>
                    )}
                  </Link>
                ))}
            </div>
          );
        })}
      </section>
    </div>
  );
}
