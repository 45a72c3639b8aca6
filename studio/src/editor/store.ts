import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Connection, EdgeChange, NodeChange } from '@xyflow/react';
import type { NodeInfo } from '../../../api/schemas';
import type { Graph, Problem } from '../../../workflows/pipeline/graph';
import { kindsConnect } from '../../../workflows/pipeline/flow';
import { portsFor } from '../core/ports';
import { edgeFor, flowOf, graphOf, pasteOffset, reaches, uniqueId, uniqueInputName, type FlowEdge, type FlowNode } from './flow';

/**
 * The editor's graph: React Flow nodes/edges plus undo/redo history, clipboard and the server's problems.
 * DOM-free (zustand/vanilla) so it is unit-tested in node; the canvas binds to it with `useStore`.
 */
interface Snapshot {
  nodes: FlowNode[];
  edges: FlowEdge[];
}

export interface EditorState {
  nodes: FlowNode[];
  edges: FlowEdge[];
  past: Snapshot[];
  future: Snapshot[];
  /** Bumped by every edit of the graph itself (not selection or measuring): autosave listens to it. */
  revision: number;
  catalogInfo: Record<string, NodeInfo>;
  /** The project's defaults for new nodes (provider, voice, style): applied where a node has that param and allows the value. */
  projectDefaults: Record<string, unknown>;
  problems: { nodes: Record<string, string[]>; edges: Record<string, string[]>; general: string[] };
  clipboard: Snapshot | null;
  /** Why the last connection attempt was refused, for the UI to show. */
  refusal: { message: string; at: number } | null;

  load(graph: Graph): void;
  /** Replaces the whole graph as one undoable edit (import). */
  replace(graph: Graph): void;
  setCatalog(infos: NodeInfo[]): void;
  setProjectDefaults(defaults: Record<string, unknown>): void;
  addNode(type: string, position: { x: number; y: number }, params?: Record<string, unknown>): string;
  onNodesChange(changes: NodeChange<FlowNode>[]): void;
  onEdgesChange(changes: EdgeChange<FlowEdge>[]): void;
  checkConnection(connection: Connection): string | null;
  connect(connection: Connection): boolean;
  updateParams(id: string, patch: Record<string, unknown>): void;
  setLabel(id: string, label: string): void;
  deleteSelected(): void;
  selectOnly(id: string | null): void;
  copy(): void;
  paste(): void;
  undo(): void;
  redo(): void;
  setProblems(problems: Problem[]): void;
  toGraph(): Graph;
}

const HISTORY_LIMIT = 100;
const COALESCE_MS = 1000;

export function createEditorStore(): StoreApi<EditorState> {
  let lastCoalesceKey: string | null = null;
  let lastCoalesceAt = 0;

  return createStore<EditorState>()((set, get) => {
    /** Records the current graph for undo; `key` merges rapid edits of the same field (typing) into one step. */
    const remember = (key?: string) => {
      const now = Date.now();
      if (key && key === lastCoalesceKey && now - lastCoalesceAt < COALESCE_MS) {
        lastCoalesceAt = now;
        return;
      }
      lastCoalesceKey = key ?? null;
      lastCoalesceAt = now;
      const { nodes, edges, past } = get();
      set({ past: [...past.slice(-(HISTORY_LIMIT - 1)), { nodes, edges }], future: [] });
    };
    const edited = (patch: Partial<EditorState>) => set((s) => ({ ...patch, revision: s.revision + 1 }));
    const info = (type: string) => get().catalogInfo[type];

    return {
      nodes: [],
      edges: [],
      past: [],
      future: [],
      revision: 0,
      catalogInfo: {},
      projectDefaults: {},
      problems: { nodes: {}, edges: {}, general: [] },
      clipboard: null,
      refusal: null,

      load(graph) {
        lastCoalesceKey = null;
        set({
          ...flowOf(graph),
          past: [],
          future: [],
          revision: 0,
          problems: { nodes: {}, edges: {}, general: [] },
        });
      },

      replace(graph) {
        remember();
        edited(flowOf(graph));
      },

      setCatalog(infos) {
        set({ catalogInfo: Object.fromEntries(infos.map((i) => [i.type, i])) });
      },

      setProjectDefaults(defaults) {
        set({ projectDefaults: defaults });
      },

      addNode(type, position, params) {
        remember();
        const { nodes } = get();
        const id = uniqueId(type, new Set(nodes.map((n) => n.id)));
        const defaults = {
          ...(info(type)?.defaults as Record<string, unknown> | undefined),
          ...projectDefaultsFor(info(type), get().projectDefaults),
          ...params,
        };
        if (type === 'input' && !params?.name)
          defaults.name = uniqueInputName(nodes.some((n) => n.data.nodeType === 'input') ? id : String(defaults.name ?? 'prompt'), nodes);
        const node: FlowNode = { id, type: 'pipeline', position, data: { nodeType: type, params: defaults }, selected: true };
        edited({ nodes: [...nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node] });
        return id;
      },

      onNodesChange(changes) {
        let nodes = get().nodes;
        const byId = new Map(nodes.map((n) => [n.id, n]));
        let moved = false;
        const removed = new Set<string>();
        for (const c of changes) {
          if (c.type === 'position' && c.dragging && byId.get(c.id) && !byId.get(c.id)!.dragging && !moved) {
            remember(); // the start of a drag: one undo step per drag
          }
          if (c.type === 'position' && c.position) moved = true;
          if (c.type === 'remove') removed.add(c.id);
        }
        if (removed.size) remember();
        nodes = nodes.flatMap((n) => {
          if (removed.has(n.id)) return [];
          let next = n;
          for (const c of changes) {
            if (c.type === 'remove' || c.type === 'add' || !('id' in c) || c.id !== n.id) continue;
            if (c.type === 'position') next = { ...next, ...(c.position ? { position: c.position } : {}), dragging: c.dragging ?? false };
            else if (c.type === 'select') next = { ...next, selected: c.selected };
            else if (c.type === 'dimensions' && c.dimensions) {
              next = { ...next, measured: { ...c.dimensions } };
              if (c.setAttributes) next = { ...next, width: c.dimensions.width, height: c.dimensions.height };
            } else if (c.type === 'replace') next = c.item;
          }
          return [next];
        });
        for (const c of changes) if (c.type === 'add') nodes = [...nodes, c.item];
        const edges = removed.size ? get().edges.filter((e) => !removed.has(e.source) && !removed.has(e.target)) : get().edges;
        // A drag counts as an edit once, when it ends (autosave need not chase every pointer move).
        const stillDragging = changes.some((c) => c.type === 'position' && c.dragging);
        if ((moved && !stillDragging) || removed.size) edited({ nodes, edges });
        else set({ nodes });
      },

      onEdgesChange(changes) {
        const removed = new Set(changes.flatMap((c) => (c.type === 'remove' ? [c.id] : [])));
        if (removed.size) remember();
        const edges = get()
          .edges.filter((e) => !removed.has(e.id))
          .map((e) => {
            const sel = changes.find((c) => c.type === 'select' && c.id === e.id);
            return sel && sel.type === 'select' ? { ...e, selected: sel.selected } : e;
          });
        if (removed.size) edited({ edges });
        else set({ edges });
      },

      checkConnection(c) {
        const { nodes, edges } = get();
        if (!c.source || !c.target || !c.sourceHandle || !c.targetHandle) return 'Connect an output port to an input port';
        if (c.source === c.target) return 'A node cannot be connected to itself';
        const source = nodes.find((n) => n.id === c.source);
        const target = nodes.find((n) => n.id === c.target);
        if (!source || !target) return 'Unknown node';
        const out = portsFor(source.data.nodeType, source.data.params, info(source.data.nodeType)).outputs.find(
          (p) => p.handle === c.sourceHandle,
        );
        const into = portsFor(target.data.nodeType, target.data.params, info(target.data.nodeType)).inputs.find(
          (p) => p.handle === c.targetHandle,
        );
        if (!out) return `${c.source} has no output '${c.sourceHandle}'`;
        if (!into) return `${c.target} has no input '${c.targetHandle}'`;
        if (!kindsConnect(out.kind, into.kind)) {
          return `Port types don't match: ${c.source}.${c.sourceHandle} gives ${out.kind} but ${c.target}.${c.targetHandle} takes ${into.kind}`;
        }
        if (edges.some((e) => e.target === c.target && e.targetHandle === c.targetHandle)) {
          return `Input ${c.target}.${c.targetHandle} is already connected — remove that connection first`;
        }
        if (reaches(edges, c.target, c.source)) return `Connecting ${c.source} → ${c.target} would create a cycle`;
        return null;
      },

      connect(c) {
        const reason = get().checkConnection(c);
        if (reason) {
          set({ refusal: { message: reason, at: Date.now() } });
          return false;
        }
        remember();
        const edge = edgeFor({ source: c.source, sourceHandle: c.sourceHandle!, target: c.target, targetHandle: c.targetHandle! });
        edited({ edges: [...get().edges, edge], refusal: null });
        return true;
      },

      updateParams(id, patch) {
        remember(`params:${id}:${Object.keys(patch).sort().join(',')}`);
        edited({
          nodes: get().nodes.map((n) => {
            if (n.id !== id) return n;
            const params = { ...n.data.params, ...patch };
            for (const [k, v] of Object.entries(patch)) if (v === undefined) delete params[k];
            return { ...n, data: { ...n.data, params } };
          }),
        });
      },

      setLabel(id, label) {
        remember(`label:${id}`);
        edited({
          nodes: get().nodes.map((n) => {
            if (n.id !== id) return n;
            const data = { ...n.data };
            if (label) data.label = label;
            else delete data.label;
            return { ...n, data };
          }),
        });
      },

      deleteSelected() {
        const { nodes, edges } = get();
        const gone = new Set(nodes.filter((n) => n.selected).map((n) => n.id));
        const keptEdges = edges.filter((e) => !e.selected && !gone.has(e.source) && !gone.has(e.target));
        if (gone.size === 0 && keptEdges.length === edges.length) return;
        remember();
        edited({ nodes: nodes.filter((n) => !gone.has(n.id)), edges: keptEdges });
      },

      selectOnly(id) {
        set({
          nodes: get().nodes.map((n) =>
            n.id === id ? (n.selected ? n : { ...n, selected: true }) : n.selected ? { ...n, selected: false } : n,
          ),
          edges: get().edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
        });
      },

      copy() {
        const { nodes, edges } = get();
        const picked = nodes.filter((n) => n.selected);
        if (picked.length === 0) return;
        const ids = new Set(picked.map((n) => n.id));
        set({ clipboard: { nodes: picked, edges: edges.filter((e) => ids.has(e.source) && ids.has(e.target)) } });
      },

      paste() {
        const { clipboard } = get();
        if (!clipboard || clipboard.nodes.length === 0) return;
        remember();
        let nodes = get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n));
        const taken = new Set(nodes.map((n) => n.id));
        const rename = new Map<string, string>();
        const offset = pasteOffset(clipboard.nodes, nodes);
        for (const n of clipboard.nodes) {
          const id = uniqueId(n.id.replace(/-\d+$/, ''), taken);
          taken.add(id);
          rename.set(n.id, id);
          let params = { ...n.data.params };
          if (n.data.nodeType === 'input') params = { ...params, name: uniqueInputName(id, nodes) };
          const copy: FlowNode = {
            id,
            type: 'pipeline',
            position: { x: n.position.x + offset.x, y: n.position.y + offset.y },
            data: { ...n.data, params },
            selected: true,
          };
          nodes = [...nodes, copy];
        }
        const edges = [
          ...get().edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
          ...clipboard.edges.map((e) =>
            edgeFor({
              source: rename.get(e.source)!,
              sourceHandle: e.sourceHandle!,
              target: rename.get(e.target)!,
              targetHandle: e.targetHandle!,
            }),
          ),
        ];
        edited({ nodes, edges });
      },

      undo() {
        const { past, future, nodes, edges } = get();
        const previous = past[past.length - 1];
        if (!previous) return;
        lastCoalesceKey = null;
        edited({ nodes: previous.nodes, edges: previous.edges, past: past.slice(0, -1), future: [...future, { nodes, edges }] });
      },

      redo() {
        const { past, future, nodes, edges } = get();
        const next = future[future.length - 1];
        if (!next) return;
        lastCoalesceKey = null;
        edited({ nodes: next.nodes, edges: next.edges, future: future.slice(0, -1), past: [...past, { nodes, edges }] });
      },

      setProblems(problems) {
        const out: EditorState['problems'] = { nodes: {}, edges: {}, general: [] };
        for (const p of problems) {
          if (p.edgeId) (out.edges[p.edgeId] ??= []).push(p.message);
          else if (p.nodeId) (out.nodes[p.nodeId] ??= []).push(p.message);
          else out.general.push(p.message);
          if (p.edgeId && p.nodeId) (out.nodes[p.nodeId] ??= []).push(p.message);
        }
        set({ problems: out });
      },

      toGraph() {
        const { nodes, edges } = get();
        return graphOf(nodes, edges);
      },
    };
  });
}

/** The project defaults a node of this type takes: only params its schema has, and only values its schema allows. */
export function projectDefaultsFor(info: NodeInfo | undefined, defaults: Record<string, unknown>): Record<string, unknown> {
  type Prop = { enum?: unknown[]; type?: string; 'x-enum-for'?: Record<string, unknown> };
  const properties = (info?.params as { properties?: Record<string, Prop> } | undefined)?.properties ?? {};
  const allowed = (key: string, value: unknown, chosen: Record<string, unknown>) => {
    const schema = properties[key];
    if (!schema || value === undefined || value === '') return false;
    // An enum that holds only for some params (installed local voices): a cloud provider's voice passes.
    const when = schema['x-enum-for'];
    const enumHolds = !when || Object.entries(when).every(([k, expected]) => (chosen[k] ?? info?.defaults[k] ?? expected) === expected);
    if (schema.enum && enumHolds) return schema.enum.includes(value);
    return schema.type === undefined || typeof value === schema.type;
  };
  // The params the enums depend on (provider) are decided first.
  const plain = Object.fromEntries(
    Object.entries(defaults).filter(([key, value]) => !properties[key]?.['x-enum-for'] && allowed(key, value, {})),
  );
  return Object.fromEntries(Object.entries(defaults).filter(([key, value]) => allowed(key, value, plain)));
}
