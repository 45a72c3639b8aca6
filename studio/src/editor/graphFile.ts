import { GraphSchema, migrateGraph, type Graph } from '../../../workflows/pipeline';

/** Downloads the graph as a JSON file named after the pipeline. */
export function downloadGraph(graph: Graph, pipelineName: string): void {
  const blob = new Blob([JSON.stringify(graph, null, 2)], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `${pipelineName.replace(/[^\w-]+/g, '_') || 'pipeline'}.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/** The graph in a JSON file (a bare graph or anything holding one as `graph`, of any schema version); throws saying what is wrong. */
export async function readGraphFile(file: File): Promise<Graph> {
  const raw = JSON.parse(await file.text());
  const parsed = GraphSchema.safeParse(migrateGraph(raw.graph ?? raw));
  if (!parsed.success) throw new Error(`Not a pipeline graph: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data as Graph;
}
