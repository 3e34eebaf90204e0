export { journeyRun } from './journey-run';
