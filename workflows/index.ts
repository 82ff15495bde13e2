/** Every workflow the worker runs (the bundle's entry point). */
export { caseWorkflow, incidentWorkflow } from './case';
export { dailyDigestWorkflow } from './digest';
export { ssdSyncWorkflow } from './ssd-sync';
