import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { RunViewState } from '../core/runState';
import type { EditorState } from './store';

/** Which stores the canvas nodes read: the editor graph always, a run's live state in run mode. */
export interface FlowEnv {
  editor: StoreApi<EditorState>;
  run?: StoreApi<RunViewState>;
}

export const FlowContext = createContext<FlowEnv | null>(null);

export function useFlowEnv(): FlowEnv {
  const env = useContext(FlowContext);
  if (!env) throw new Error('FlowContext missing');
  return env;
}

export function useEditor<T>(selector: (s: EditorState) => T): T {
  return useStore(useFlowEnv().editor, selector);
}

const noRun = { getState: () => null, subscribe: () => () => undefined, getInitialState: () => null, setState: () => undefined };

export function useRun<T>(selector: (s: RunViewState | null) => T): T {
  const env = useFlowEnv();
  return useStore((env.run ?? noRun) as unknown as StoreApi<RunViewState | null>, selector);
}
