/**
 * The colour a class is drawn with: the colour the user picked for it (project.json), else the
 * colour its name says ("blue car" is blue, not the palette's green), else a stable palette colour
 * by class id. Always "#rrggbb", so callers can append an alpha ("#rrggbb40").
 */
const PALETTE = ['#ff6b6b', '#4dabf7', '#ffd43b', '#69db7c', '#da77f2', '#ff922b', '#3bc9db', '#f783ac', '#a9e34b', '#9775fa', '#ffa8a8', '#74c0fc'];

/** Colour words a class name may contain, drawn light enough to read on a dark canvas. */
const NAMED: Record<string, string> = {
  red: '#ff5c5c', green: '#51cf66', blue: '#4d8dff', yellow: '#ffd43b', orange: '#ff922b', purple: '#b57bff',
  violet: '#b57bff', pink: '#f783ac', brown: '#c08457', black: '#868e96', white: '#f1f3f5', gray: '#adb5bd',
  grey: '#adb5bd', cyan: '#3bc9db', magenta: '#e64980', teal: '#20c997', gold: '#fab005', silver: '#ced4da',
};

export type ClassColors = Readonly<Record<string, string>>;

const UNKNOWN = '#ced4da';

/** "#abc" → "#aabbcc" (stored colours may be short). */
function long(hex: string): string {
  const h = hex.toLowerCase();
  return h.length === 4 ? `#${h[1]}${h[1]}${h[2]}${h[2]}${h[3]}${h[3]}` : h;
}

/** The colour word in a class name ("Red brick", "blue_car"), if any. */
export function namedColor(name: string): string | null {
  for (const word of name.toLowerCase().split(/[^a-z]+/)) if (NAMED[word]) return NAMED[word];
  return null;
}

/** Palette colour of a class id (golden-angle hues past the palette). */
function paletteColor(id: number): string {
  if (id < PALETTE.length) return PALETTE[id] as string;
  const h = (id * 137.508) % 360;
  // hsl(h, 75%, 62%) as hex, so an alpha can be appended
  const s = 0.75, l = 0.62;
  const f = (n: number): string => {
    const k = (n + h / 30) % 12;
    const c = l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(c * 255).toString(16).padStart(2, '0');
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}

export function classColor(classes: readonly string[], name: string, picked: ClassColors = {}): string {
  const own = picked[name];
  if (own) return long(own);
  const id = classes.indexOf(name);
  if (id < 0) return UNKNOWN; // not a project class (a model's class on a draft)
  return namedColor(name) ?? paletteColor(id);
}
