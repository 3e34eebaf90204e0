export { analyticsRefresh } from './analytics-refresh';
export { backgroundJob } from './background-job';
export { broadcast } from './broadcast';
export { dateTriggerScan, dateTriggerScanLoop } from './date-trigger-scan';
export { journeyRun } from './journey-run';
export { scheduledEnrollment } from './scheduled-enrollment';
export { segmentRefresh } from './segment-refresh';
export { socialEngagementRefresh, socialPublish } from './social-publish';
export { ticketSla } from './ticket-sla';
