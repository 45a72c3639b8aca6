/** Pipelines used by tests and benches alike. */
export const edge = (source: string, sourceHandle: string, target: string, targetHandle: string) => ({
  source,
  sourceHandle,
  target,
  targetHandle,
});

/** The card's pipeline, plus one illustration per scene: input → story → (narration, illustration, scenes) → uploads. */
export const illustratedStory = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'prompt', type: 'template', params: { template: 'Write a short story about {{topic}}.' } },
    { id: 'story', type: 'story', params: { words: 50, seed: 7, temperature: 0.7 } },
    { id: 'voice', type: 'narration', params: {} },
    { id: 'cover', type: 'illustration', params: { size: '512x512', seed: 3 } },
    { id: 'scenes', type: 'split', params: { by: 'sentences', maxItems: 3 } },
    { id: 'sceneArt', type: 'illustration', params: { size: '256x256', style: 'ink' } },
    { id: 'publishAudio', type: 'upload', params: {} },
    { id: 'publishCover', type: 'upload', params: {} },
    { id: 'publishScenes', type: 'upload', params: {} },
  ],
  edges: [
    edge('topic', 'value', 'prompt', 'topic'),
    edge('prompt', 'text', 'story', 'prompt'),
    edge('story', 'text', 'voice', 'text'),
    edge('story', 'text', 'cover', 'prompt'),
    edge('story', 'text', 'scenes', 'text'),
    edge('scenes', 'items', 'sceneArt', 'prompt'),
    edge('voice', 'audio', 'publishAudio', 'file'),
    edge('cover', 'image', 'publishCover', 'file'),
    edge('sceneArt', 'image', 'publishScenes', 'file'),
  ],
};
