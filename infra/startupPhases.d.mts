export function recordPhase(phase: string, start: number, end?: number, extra?: { cpuMs?: number }): void;
export function launchStartedAt(): number;
