/**
 * Go's JSON spellings of the values protobuf carries differently: int64
 * beyond 2^53, times (metav1.Time/MicroTime as RFC 3339 in UTC), durations
 * (time.Duration.String / time.ParseDuration) and []byte (standard base64).
 */
import { ProtobufBodyError } from './errors';

// JSON.rawJSON (V8, Node >= 21) is not in TypeScript's ES2023 lib yet.
interface RawJson {
  readonly rawJSON: string;
}
const JSONRaw = JSON as unknown as {
  rawJSON(text: string): RawJson;
  isRawJSON(v: unknown): v is RawJson;
};

/**
 * int64 in JSON. Go prints every int64 exactly; a JS number is exact only up
 * to 2^53. We emit a plain number when it is a safe integer and otherwise a
 * JSON.rawJSON value: JSON.stringify then prints the exact digits, so a value
 * like 9007199254740993 reaches the apiserver unchanged (a bigint would make
 * JSON.stringify throw, a rounded number would change the value).
 */
export function int64Json(v: number | bigint): number | RawJson {
  return typeof v === 'number' ? v : JSONRaw.rawJSON(v.toString());
}

/** An integer from JSON (number, bigint or rawJSON digits) as a bigint; undefined if it is not one. */
export function jsonInteger(v: unknown): bigint | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : undefined;
  if (typeof v === 'bigint') return v;
  if (JSONRaw.isRawJSON(v) && /^-?\d+$/.test(v.rawJSON)) return BigInt(v.rawJSON);
  return undefined;
}

export function isRawJson(v: unknown): v is RawJson {
  return JSONRaw.isRawJSON(v);
}

// ---- time ----

const SECONDS_PER_DAY = 86400;
/** Unix seconds of Go's zero time.Time, 0001-01-01T00:00:00Z (IsZero: JSON null). */
export const GO_ZERO_TIME_SECONDS = -62135596800;
/** Far beyond any real timestamp, small enough for exact arithmetic in doubles. */
const MAX_ABS_SECONDS = 1e15;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Go's appendInt(year, 4): at least 4 digits, '-' before a negative year. */
function goYear(y: number): string {
  return y < 0 ? `-${pad(-y, 4)}` : pad(y, 4);
}

/** Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's civil_from_days). */
function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * A protobuf Timestamp as metav1.Time/MicroTime print it: RFC 3339 in UTC,
 * seconds only for Time, 6 fractional digits for MicroTime; null for Go's
 * zero time. Time's Unmarshal ignores nanos; MicroTime truncates them to
 * microseconds.
 */
export function formatTime(seconds: number | bigint, nanos: number, micro: boolean): string | null {
  const s = Number(seconds);
  if (typeof seconds === 'bigint' || Math.abs(s) > MAX_ABS_SECONDS) {
    throw new ProtobufBodyError(`timestamp ${seconds} seconds is out of range`);
  }
  const micros = micro ? Math.trunc(nanos / 1000) : 0;
  if (s === GO_ZERO_TIME_SECONDS && micros === 0) return null;
  if (micros < 0 || micros > 999999) throw new ProtobufBodyError(`timestamp nanos ${nanos} out of range`);
  const days = Math.floor(s / SECONDS_PER_DAY);
  const secOfDay = s - days * SECONDS_PER_DAY;
  const [y, m, d] = civilFromDays(days);
  const hh = Math.floor(secOfDay / 3600);
  const mm = Math.floor((secOfDay % 3600) / 60);
  const ss = secOfDay % 60;
  const frac = micro ? `.${pad(micros, 6)}` : '';
  return `${goYear(y)}-${pad(m, 2)}-${pad(d, 2)}T${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}${frac}Z`;
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** time.Parse(time.RFC3339, s) as Unix seconds and nanos (nanos >= 0). */
export function parseTime(s: string): { seconds: number; nanos: number } | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const daysIn = [
    31,
    y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28,
    31,
    30,
    31,
    30,
    31,
    31,
    30,
    31,
    30,
    31,
  ];
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn[mo - 1]! || h > 23 || mi > 59 || se > 59) return undefined;
  let offset = 0;
  if (m[8]) {
    const oh = Number(m[9]);
    const om = Number(m[10]);
    if (oh > 23 || om > 59) return undefined;
    offset = (m[8] === '-' ? -1 : 1) * (oh * 3600 + om * 60);
  }
  const nanos = m[7] ? Number(m[7].padEnd(9, '0')) : 0;
  return { seconds: daysFromCivil(y, mo, d) * SECONDS_PER_DAY + h * 3600 + mi * 60 + se - offset, nanos };
}

// ---- duration ----

/** Go's fmtFrac: v's last prec digits as a fraction without trailing zeros. */
function fracDigits(v: bigint, prec: number): [string, bigint] {
  let frac = '';
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print ||= digit !== 0n;
    if (print) frac = digit.toString() + frac;
    v /= 10n;
  }
  return [print ? `.${frac}` : '', v];
}

/** time.Duration(nanos).String(), e.g. "1h0m0s", "1.5s", "500ms", "1µs", "0s". */
export function formatDuration(nanos: bigint): string {
  const neg = nanos < 0n;
  let u = neg ? -nanos : nanos;
  let out: string;
  if (u < 1_000_000_000n) {
    if (u === 0n) return '0s';
    let unit: string;
    let prec: number;
    if (u < 1000n) [unit, prec] = ['ns', 0];
    else if (u < 1_000_000n) [unit, prec] = ['µs', 3];
    else [unit, prec] = ['ms', 6];
    const [frac, whole] = fracDigits(u, prec);
    out = `${whole}${frac}${unit}`;
  } else {
    const [frac, secs] = fracDigits(u, 9);
    out = `${secs % 60n}${frac}s`;
    u = secs / 60n;
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n;
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

const DURATION_UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  µs: 1000n, // U+00B5
  μs: 1000n, // U+03BC
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const INT64_MAX = (1n << 63n) - 1n;

/** time.ParseDuration: nanoseconds, or undefined where Go returns an error. */
export function parseDuration(s: string): bigint | undefined {
  let rest = s;
  let neg = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    neg = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') return undefined;
  let total = 0n;
  const part = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;
  while (rest !== '') {
    const m = part.exec(rest);
    if (!m || (m[1] === '' && (m[2] ?? '') === '')) return undefined;
    const unit = DURATION_UNITS[m[3]!]!;
    const whole = BigInt(m[1] || '0');
    let value = whole * unit;
    if (m[2]) {
      // Go scales the fraction by the unit and truncates.
      value += (BigInt(m[2]) * unit) / 10n ** BigInt(m[2].length);
    }
    total += value;
    if (total > INT64_MAX + (neg ? 1n : 0n)) return undefined;
    rest = rest.slice(m[0].length);
  }
  return neg ? -total : total;
}

// ---- bytes ----

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** encoding/json's []byte: standard base64 with padding (Go's decoder skips \r and \n). */
export function decodeBase64(s: string): Buffer | undefined {
  const clean = s.includes('\n') || s.includes('\r') ? s.replace(/[\r\n]/g, '') : s;
  return BASE64.test(clean) ? Buffer.from(clean, 'base64') : undefined;
}

export function encodeBase64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}
