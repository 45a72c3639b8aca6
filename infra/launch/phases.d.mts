export function recordPhase(phase: string, start: number, end?: number): void;
export function timed<T>(phase: string, fn: () => T | Promise<T>): Promise<T>;
export function launchStartedAt(): number;
