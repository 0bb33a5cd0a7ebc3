export * from './calendar-store.ts';
export * from './expand-instances.ts';
export * from './gmail-store.ts';
export * from './google-errors.ts';
export * from './google-server.ts';
export * from './load-google-data.ts';
