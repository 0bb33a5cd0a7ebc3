export * from './compile-rules.ts';
export * from './match-rules.ts';
export * from './normalize-rule-fields.ts';
