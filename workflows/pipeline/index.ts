export * from './graph';
export * from './catalog';
export * from './template';
export * from './validate';
export * from './flow';
export * from './payloads';
export * from './providers';
export * from './webhooks';
