export function recordPhase(phase: string, start: number, end?: number): void;
export function launchStartedAt(): number;
