import type { MediaItem } from '../lib/api';
import type { KindFilter } from './useMediaLibrary';

/** Video is stored as a file; the library shows and filters it as its own kind. */
export const isVideo = (item: MediaItem) => item.mimeType.startsWith('video/');

export const KIND_OPTIONS: { value: KindFilter | ''; label: string }[] = [
  { value: '', label: 'All kinds' },
  { value: 'image', label: 'Images' },
  { value: 'audio', label: 'Audio' },
  { value: 'video', label: 'Video' },
  { value: 'text', label: 'Text' },
  { value: 'json', label: 'JSON' },
  { value: 'file', label: 'Other files' },
];

export function kindLabel(item: MediaItem): string {
  if (isVideo(item)) return 'Video';
  return { image: 'Image', audio: 'Audio', text: 'Text', json: 'JSON', file: item.mimeType.split(';')[0] }[item.kind];
}
