// Legal dates are YYYY-MM-DD, always: the workbench never uses the
// browser's date picker, whose format follows the browser's locale
// (mm/dd/yyyy in an English one), and reads and checks dates itself.

const shape = /^\d{4}-\d{2}-\d{2}$/;

// validDate reports whether text is a real calendar day YYYY-MM-DD within
// the API's range (1900-01-01 to 2199-12-31).
export function validDate(text) {
  if (!shape.test(text)) return false;
  const [y, m, d] = text.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d));
  return y >= 1900 && y <= 2199 && t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

// weekday is 0 (Sunday) to 6 (Saturday) for a YYYY-MM-DD date.
export function weekday(date) {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

// restDays reads a GET /calendars/{jurisdiction}/{year} answer as a
// function telling whether a date of that year is a rest day: a holiday of
// the arrangement in force (national and the jurisdiction's own), or a
// statutory holiday, or a weekend day that is not a make-up working day
// (调休上班). Its nameOf(date) is the holiday's or make-up day's name.
export function restDays(cal) {
  const names = new Map([...(cal?.statutory || []), ...(cal?.holidays || [])].map(x => [x.date, x.name]));
  const workdays = new Map((cal?.workdays || []).map(x => [x.date, x.name]));
  const rest = date => {
    if (workdays.has(date)) return false;
    if (names.has(date)) return true;
    const w = weekday(date);
    return w === 0 || w === 6;
  };
  rest.nameOf = date => workdays.get(date) || names.get(date) || '';
  return rest;
}

// chinaTime writes an RFC 3339 instant as YYYY-MM-DD HH:MM:SS in China
// Standard Time (UTC+8, no daylight saving).
export function chinaTime(instant) {
  if (!instant) return '';
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) return String(instant);
  return new Date(ms + 8 * 3600e3).toISOString().slice(0, 19).replace('T', ' ');
}
