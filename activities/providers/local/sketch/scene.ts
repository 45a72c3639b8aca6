/** Prompt → scene: which subjects, which mood (the palette), which style and accent colour. */
import { SKETCH_STYLES, type Mood, type SceneSpec, type SketchStyle, type Subject } from './spec';

const VOCABULARY: [RegExp, Subject][] = [
  [/\b(sun|sunny|sunshine)\b/, 'sun'],
  [/\b(moon|moonlit|moonlight|lunar)\b/, 'moon'],
  [/\b(stars?|starry|starlit|galaxy|constellations?)\b/, 'stars'],
  [/\b(mountains?|peaks?|hills?|alps|summit|volcano)\b/, 'mountain'],
  [/\b(sea|seas|ocean|lake|beach|shore|coast|waves?|river|bay|harbou?r|pond)\b/, 'water'],
  [/\b(trees?|oak|pine|palm|willow)\b/, 'tree'],
  [/\b(forest|woods|woodland|jungle|grove)\b/, 'forest'],
  [/\b(house|home|cottage|cabin|hut|village|farm|barn)\b/, 'house'],
  [/\b(castle|palace|fortress|tower|kingdom)\b/, 'castle'],
  [/\b(lighthouse|beacon)\b/, 'lighthouse'],
  [/\b(cats?|kitten|kitty)\b/, 'cat'],
  [/\b(dogs?|puppy|pup|hound)\b/, 'dog'],
  [/\b(birds?|gulls?|seagulls?|crows?|swallows?|flock)\b/, 'bird'],
  [/\b(fish|fishes|whale|dolphin|koi)\b/, 'fish'],
  [/\b(person|people|man|woman|girl|boy|child|children|kid|traveller|traveler|wanderer|hero|knight|figure)\b/, 'person'],
  [/\b(flowers?|roses?|tulips?|garden|meadow|blossoms?|daisy|daisies)\b/, 'flower'],
  [/\b(boats?|ship|sail|sailboat|yacht|canoe)\b/, 'boat'],
  [/\b(city|town|skyline|skyscrapers?|buildings?|street|metropolis)\b/, 'city'],
  [/\b(clouds?|cloudy|sky)\b/, 'cloud'],
  [/\b(rain|rainy|raining|storm|stormy|drizzle)\b/, 'rain'],
  [/\b(snow|snowy|snowing|blizzard|snowfall)\b/, 'snow'],
  [/\b(dragons?|wyvern)\b/, 'dragon'],
];

const MOODS: [RegExp, Mood][] = [
  [/\b(night|midnight|nocturnal|moonlit|starry|starlit)\b/, 'night'],
  [/\b(sunset|dusk|evening|twilight|golden hour)\b/, 'sunset'],
  [/\b(dawn|sunrise|morning|daybreak)\b/, 'dawn'],
  [/\b(winter|snowy|snow|frozen|ice|icy|frost|christmas)\b/, 'winter'],
  [/\b(dark|gloomy|spooky|haunted|storm|stormy|sinister|grim|eerie|horror)\b/, 'dark'],
  [/\b(happy|cheerful|bright|joyful|sunny|summer|playful|colou?rful|cute)\b/, 'happy'],
];

const COLOUR_WORDS: Record<string, string> = {
  red: '#d1495b',
  orange: '#f08a4b',
  yellow: '#f2c14e',
  gold: '#e0a526',
  golden: '#e0a526',
  green: '#5b9a52',
  blue: '#3f7cc4',
  purple: '#8a5cc4',
  violet: '#8a5cc4',
  pink: '#e58fb0',
  teal: '#2a9d8f',
  white: '#f4f1ea',
  black: '#2a2a30',
};

export function describeScene(prompt: string, style?: string): SceneSpec {
  const p = prompt.toLowerCase();
  const subjects = VOCABULARY.filter(([re]) => re.test(p)).map(([, s]) => s);
  const mood = MOODS.find(([re]) => re.test(p))?.[1] ?? 'day';
  const colour = Object.keys(COLOUR_WORDS).find((w) => new RegExp(`\\b${w}\\b`).test(p));
  const s = (style ?? '').toLowerCase();
  const fromPrompt = SKETCH_STYLES.find((k) => p.includes(k)) ?? (/\b(pen|sepia|etching|line art)\b/.test(p) ? 'ink' : undefined);
  const chosen = (SKETCH_STYLES as readonly string[]).includes(s) ? (s as SketchStyle) : (fromPrompt ?? 'watercolor');
  return { subjects: [...new Set(subjects)], mood, style: chosen, accent: colour ? COLOUR_WORDS[colour] : undefined };
}
