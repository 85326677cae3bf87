/** One stable, distinct colour per class id (the class list is append-only, so colours never move). */
const PALETTE = ['#ff6b6b', '#4dabf7', '#ffd43b', '#69db7c', '#da77f2', '#ff922b', '#3bc9db', '#f783ac', '#a9e34b', '#9775fa', '#ffa8a8', '#74c0fc'];

export function classColor(classes: readonly string[], name: string): string {
  const id = classes.indexOf(name);
  if (id < 0) return '#ced4da';
  if (id < PALETTE.length) return PALETTE[id] as string;
  return `hsl(${(id * 137.508) % 360} 75% 62%)`; // golden-angle hues past the palette
}
