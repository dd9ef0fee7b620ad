/** A frame rate as ffmpeg spells it ("30000/1001"): kept exact so GOPs and timestamps line up. */
export interface Rational {
  num: number;
  den: number;
}

/** Parses "30000/1001" or "25"; undefined for "0/0", "N/A" and anything not positive. */
export function parseRational(text: string | undefined): Rational | undefined {
  if (!text) return undefined;
  const m = /^(\d+)(?:\/(\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  const num = Number(m[1]);
  const den = m[2] === undefined ? 1 : Number(m[2]);
  if (!(num > 0) || !(den > 0)) return undefined;
  return reduce({ num, den });
}

export function toNumber(r: Rational): number {
  return r.num / r.den;
}

export function formatRational(r: Rational): string {
  return r.den === 1 ? String(r.num) : `${r.num}/${r.den}`;
}

export function reduce(r: Rational): Rational {
  const g = gcd(r.num, r.den);
  return { num: r.num / g, den: r.den / g };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
