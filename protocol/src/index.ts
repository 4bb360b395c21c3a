export * from './units.js';
export * from './metrics.js';
export * from './ingest.js';
export * from './series.js';
export * from './live.js';
export * from './line-protocol.js';
export * from './collectors.js';
export * from './calendar.js';
