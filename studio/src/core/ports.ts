import type { NodeInfo } from '../../../api/schemas';
import { catalog, type PortSpec } from '../../../workflows/pipeline/catalog';

export interface Ports {
  inputs: PortSpec[];
  outputs: PortSpec[];
}

/** Ports of a node with these params: from the shared catalog (params change ports, e.g. template), else the server's defaults. */
export function portsFor(type: string, params: Record<string, unknown>, info?: NodeInfo): Ports {
  const definition = catalog.get(type);
  if (definition) {
    const parsed = definition.params.safeParse(params);
    if (parsed.success) return { inputs: definition.inputs(parsed.data), outputs: definition.outputs(parsed.data) };
  }
  return { inputs: info?.inputs ?? [], outputs: info?.outputs ?? [] };
}
