import { useState } from 'react';
import { useHolidayChanges, useHolidayPresets, useHolidays } from '../api/holidays';
import { ErrorAlert } from '../components/ErrorAlert';

/** The workspace's holiday calendar, which "Holiday" triggers fire on: presets by country and custom dates. */
export function HolidaysPage() {
  const holidays = useHolidays();
  const presets = useHolidayPresets();
  const { add, remove, preset } = useHolidayChanges();
  const [country, setCountry] = useState('');
  const [name, setName] = useState('');
  const [date, setDate] = useState('');

  return (
    <div className="page" data-testid="holidays-page">
      <div className="page-head">
        <h1>Holidays</h1>
      </div>
      <ErrorAlert error={holidays.error ?? add.error ?? remove.error ?? preset.error} />
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (country) preset.mutate(country);
        }}
      >
        <label htmlFor="holiday-country">Add a country's public holidays (this year and next)</label>
        <select id="holiday-country" value={country} onChange={(e) => setCountry(e.target.value)}>
          <option value="">Choose a country…</option>
          {(presets.data ?? []).map((p) => (
            <option key={p.country} value={p.country}>
              {p.name}
            </option>
          ))}
        </select>
        <button type="submit" disabled={!country || preset.isPending}>
          Add
        </button>
      </form>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate({ name, date }, { onSuccess: () => setName('') });
        }}
      >
        <label htmlFor="holiday-name">Custom holiday</label>
        <input id="holiday-name" placeholder="Name" value={name} onChange={(e) => setName(e.target.value)} />
        <input type="date" aria-label="Date" value={date} onChange={(e) => setDate(e.target.value)} />
        <button type="submit" disabled={!name || !date || add.isPending}>
          Add
        </button>
      </form>
      {holidays.data && (
        <table className="table">
          <thead>
            <tr>
              <th>Date</th>
              <th>Name</th>
              <th>Source</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {holidays.data.map((holiday) => (
              <tr key={holiday.id}>
                <td>{holiday.date}</td>
                <td>{holiday.name}</td>
                <td>{holiday.source}</td>
                <td>
                  <button type="button" className="link-button" onClick={() => remove.mutate(holiday.id)}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
