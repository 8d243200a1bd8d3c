// Money is integer fen; the workbench formats and parses it with integer
// arithmetic only, never floats.

// yuan formats integer fen as ¥12,345.67.
export function yuan(fen) {
  if (fen === null || fen === undefined || fen === '') return '';
  let n = BigInt(fen);
  const neg = n < 0n;
  if (neg) n = -n;
  const whole = (n / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = (n % 100n).toString().padStart(2, '0');
  return (neg ? '-¥' : '¥') + whole + '.' + cents;
}

// parseYuan reads "12,345.67" (or "12345.6", "12345") as integer fen; it
// returns null for anything else, including more than two decimals.
export function parseYuan(text) {
  const s = String(text).trim().replace(/^¥/, '').replace(/,/g, '');
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return null;
  const fen = BigInt(m[2]) * 100n + BigInt((m[3] || '').padEnd(2, '0'));
  const v = m[1] ? -fen : fen;
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return Number(v);
}

// fenToInput writes fen the way parseYuan reads it, without ¥ or commas.
export function fenToInput(fen) {
  return yuan(fen).replace('¥', '').replace(/,/g, '');
}
