// A 3×5 pixel font (upper-case letters, digits, a little punctuation) for labels drawn into PNG figures
// without a text-rendering dependency. Lower-case text is drawn in upper case; unknown characters as blanks.

export const GLYPH_WIDTH = 3;
export const GLYPH_HEIGHT = 5;

// Each glyph: 5 rows of 3 pixels, row by row, '#' = ink.
const GLYPHS: Record<string, string> = {
  A: '.#.#.#####.##.#', B: '##.#.###.#.###.', C: '.###..#..#...##', D: '##.#.##.##.###.', E: '####..##.#..###',
  F: '####..##.#..#..', G: '.###..#.##.#.##', H: '#.##.#####.##.#', I: '###.#..#..#.###', J: '..#..#..##.#.#.',
  K: '#.##.###.#.##.#', L: '#..#..#..#..###', M: '#.########.##.#', N: '##.#.##.##.##.#', O: '.#.#.##.##.#.#.',
  P: '##.#.###.#..#..', Q: '.#.#.##.###..##', R: '##.#.###.#.##.#', S: '.###...#...###.', T: '###.#..#..#..#.',
  U: '#.##.##.##.####', V: '#.##.##.##.#.#.', W: '#.##.########.#', X: '#.##.#.#.#.##.#', Y: '#.##.#.#..#..#.',
  Z: '###..#.#.#..###', '0': '.#.#.##.##.#.#.', '1': '.#.##..#..#.###', '2': '##...#.#.#..###',
  '3': '##...#.#...###.', '4': '#.##.####..#..#', '5': '####..##...###.', '6': '.###..####.####',
  '7': '###..#.#..#..#.', '8': '####.#####.####', '9': '####.####..###.', '.': '.............#.',
  ',': '..........#.#..', ':': '....#.....#....', '-': '......###......', '+': '....#.###.#....',
  '=': '...###...###...', '/': '..#..#.#.#..#..', '|': '.#..#..#..#..#.', '(': '.#.#..#..#...#.',
  ')': '.#...#..#..#.#.', '#': '#.#####.#####.#', '%': '#.#..#.#.#..#.#', '<': '..#.#.#...#...#',
  '>': '#...#...#.#.#..', '_': '............###', "'": '.#..#..........', ' ': '...............',
};

/** Whether pixel (x, y) of the character's 3×5 cell is ink. */
export function glyphPixel(ch: string, x: number, y: number): boolean {
  const bits = GLYPHS[ch.toUpperCase()] ?? GLYPHS[' ']!;
  return bits[y * GLYPH_WIDTH + x] === '#';
}

/** Width in pixels of text at the given scale (one blank column between characters). */
export function textWidth(text: string, scale: number): number {
  return text.length === 0 ? 0 : (text.length * (GLYPH_WIDTH + 1) - 1) * scale;
}
