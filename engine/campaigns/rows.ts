/** Rows of a raw statement, whichever driver answered. */
export { queryRows as rowsOf } from '../../db';
