import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ControlAction, MigrateRun, RunEndStatus, RunEvent } from './types';

/**
 * The journey run's signals and query, defined once: the interpreter sets its handlers with
 * them and clients send and ask through them, so a name or payload cannot drift between sides.
 */
export const eventSignal = defineSignal<[RunEvent]>('event');
export const controlSignal = defineSignal<[ControlAction]>('control');
/** The contact's attributes, tags, lists or segment memberships changed: conditions a run waits for may hold now. */
export const contactChangedSignal = defineSignal('contact-changed');
export const statusQuery = defineQuery<RunStatus>('status');
/** Move to a newer version of the journey at the node the mapping gives (after any action in progress). */
export const migrateSignal = defineSignal<[MigrateRun]>('migrate');

export interface RunStatus {
  cursor: string | null;
  paused: boolean;
  ended: RunEndStatus | null;
  eventsReceived: number;
}
