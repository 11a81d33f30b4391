import { charSeptets } from './gsm7';
import type { Encoding } from './user-data';

/**
 * How a text is cut into SMS parts. One part holds 160 GSM septets or 70 UCS2 code units; a part
 * of a concatenated message loses 6 octets to the header, leaving 153 septets or 67 code units.
 * A cut never separates an escape from its extension character, nor the halves of a surrogate
 * pair (an emoji), so each part decodes on its own.
 */
export const LIMITS = {
  gsm7: { single: 160, part: 153 },
  ucs2: { single: 70, part: 67 },
} as const;

/** The largest message the platform accepts: ten UCS2 parts (670 Chinese characters). */
export const MAX_PARTS = 10;

export interface MessagePlan {
  encoding: Exclude<Encoding, '8bit'>;
  parts: string[];
}

/** Each unit is one character with its cost (septets or UTF-16 code units). */
function units(text: string, encoding: 'gsm7' | 'ucs2'): Array<{ ch: string; cost: number }> {
  return Array.from(text, (ch) => ({ ch, cost: encoding === 'gsm7' ? charSeptets(ch)!.length : ch.length }));
}

export function planMessage(text: string): MessagePlan {
  const encoding = Array.from(text).every((ch) => charSeptets(ch)) ? 'gsm7' : 'ucs2';
  const list = units(text, encoding);
  const total = list.reduce((sum, u) => sum + u.cost, 0);
  if (total <= LIMITS[encoding].single) return { encoding, parts: [text] };
  const parts: string[] = [];
  let current = '';
  let used = 0;
  for (const u of list) {
    if (used + u.cost > LIMITS[encoding].part) {
      parts.push(current);
      current = '';
      used = 0;
    }
    current += u.ch;
    used += u.cost;
  }
  if (current) parts.push(current);
  return { encoding, parts };
}
