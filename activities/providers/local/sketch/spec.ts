/**
 * What a sketch is made of: the subjects it can draw, the moods it paints in and the styles it draws with.
 * A leaf: the modules that read a scene (palette, brushes, painter, composition) import these, never each other's.
 */
import { IMAGE_STYLES } from '../../../../workflows/pipeline';

export type Subject =
  | 'sun'
  | 'moon'
  | 'stars'
  | 'mountain'
  | 'water'
  | 'tree'
  | 'forest'
  | 'house'
  | 'castle'
  | 'lighthouse'
  | 'cat'
  | 'dog'
  | 'bird'
  | 'fish'
  | 'person'
  | 'flower'
  | 'boat'
  | 'city'
  | 'cloud'
  | 'rain'
  | 'snow'
  | 'dragon';
export type Mood = 'day' | 'night' | 'dawn' | 'sunset' | 'winter' | 'dark' | 'happy';

/** Exactly the styles the illustration node offers: a catalog style without a brush and a finish does not compile. */
export const SKETCH_STYLES = IMAGE_STYLES;
export type SketchStyle = (typeof SKETCH_STYLES)[number];

export interface SceneSpec {
  subjects: Subject[];
  mood: Mood;
  style: SketchStyle;
  accent?: string;
}
