import { useState } from 'react';

const MIN_LENGTH = 10;

/**
 * A new password typed twice; `onChange` gets it only once both agree and it is long enough
 * (the server also refuses common passwords and ones containing the email's name).
 */
export function PasswordFields(props: { onChange: (password: string) => void }) {
  const [first, setFirst] = useState('');
  const [second, setSecond] = useState('');
  const update = (a: string, b: string) => {
    setFirst(a);
    setSecond(b);
    props.onChange(a.length >= MIN_LENGTH && a === b ? a : '');
  };
  const mismatch = second.length > 0 && first !== second;
  return (
    <>
      <label className="field">
        <span>New password</span>
        <input
          type="password"
          name="new-password"
          autoComplete="new-password"
          required
          minLength={MIN_LENGTH}
          value={first}
          onChange={(e) => update(e.target.value, second)}
        />
        <small className="help">At least {MIN_LENGTH} characters; common passwords are refused.</small>
      </label>
      <label className="field">
        <span>Repeat it</span>
        <input
          type="password"
          name="repeat-password"
          autoComplete="new-password"
          required
          value={second}
          onChange={(e) => update(first, e.target.value)}
        />
        {mismatch && <small className="field-message">The two passwords differ.</small>}
      </label>
    </>
  );
}
