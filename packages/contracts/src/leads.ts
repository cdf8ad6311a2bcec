/**
 * Leads (R3): intake, dedupe (撞单), scoring, assignment, SLA, pool (公海), conversion. Routes
 * under /api/v1/leads and the public form routes under /api/v1/public.
 */
export * from './leads/home-cards.ts';
export * from './leads/inbox-stats.ts';
export * from './leads/requests.ts';
export * from './leads/responses.ts';
export * from './leads/vocabulary.ts';
