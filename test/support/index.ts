export * from './dovecot.ts';
export * from './postgres.ts';
