// The asciicast v2 format (asciinema): a JSON header line, then one JSON array per event, `[seconds, code, data]`.
// ci-medic writes output events ("o") and markers ("m"); it reads any valid v2 file.

export interface CastHeader {
  version: 2;
  width: number;
  height: number;
  timestamp?: number;
  title?: string;
  env?: Record<string, string>;
  [key: string]: unknown;
}

export type CastEvent = [time: number, code: string, data: string];

export interface Cast {
  header: CastHeader;
  events: CastEvent[];
}

export class CastFormatError extends Error {}

const positiveInt = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v > 0;

/** Strict check of one header object: version 2, positive integer width and height, numeric timestamp if present. */
export function checkHeader(value: unknown, where = 'line 1'): CastHeader {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new CastFormatError(`${where}: the header must be a JSON object`);
  const h = value as Record<string, unknown>;
  if (h.version !== 2)
    throw new CastFormatError(`${where}: "version" must be 2 (asciicast v2), got ${String(h.version)}`);
  if (!positiveInt(h.width) || !positiveInt(h.height))
    throw new CastFormatError(`${where}: "width" and "height" must be positive integers`);
  if (h.timestamp !== undefined && typeof h.timestamp !== 'number')
    throw new CastFormatError(`${where}: "timestamp" must be a number`);
  return h as CastHeader;
}

/** Strict check of one event: a 3-element array, non-negative time, a one-letter code, string data. */
export function checkEvent(value: unknown, where: string): CastEvent {
  if (!Array.isArray(value) || value.length !== 3)
    throw new CastFormatError(`${where}: an event must be [time, code, data]`);
  const [time, code, data] = value as unknown[];
  if (typeof time !== 'number' || !Number.isFinite(time) || time < 0)
    throw new CastFormatError(`${where}: the event time must be a non-negative number`);
  if (typeof code !== 'string' || !/^[a-z]$/.test(code))
    throw new CastFormatError(`${where}: the event code must be one letter`);
  if (typeof data !== 'string') throw new CastFormatError(`${where}: the event data must be a string`);
  return [time, code, data];
}

/** Parse a whole recording strictly: every line valid JSON, times never going backwards. */
export function parseCast(text: string, name = 'recording'): Cast {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length === 0) throw new CastFormatError(`${name} is empty: not an asciicast v2 recording`);
  const json = (line: string, i: number): unknown => {
    try {
      return JSON.parse(line);
    } catch {
      throw new CastFormatError(`${name} line ${i + 1}: not valid JSON`);
    }
  };
  const header = checkHeader(json(lines[0], 0), `${name} line 1`);
  const events: CastEvent[] = [];
  let last = 0;
  for (let i = 1; i < lines.length; i++) {
    const event = checkEvent(json(lines[i], i), `${name} line ${i + 1}`);
    if (event[0] < last) throw new CastFormatError(`${name} line ${i + 1}: time goes backwards`);
    last = event[0];
    events.push(event);
  }
  return { header, events };
}

/** One event as a line of the file (times rounded to microseconds, like asciinema). */
export function eventLine(time: number, code: string, data: string): string {
  return `${JSON.stringify([Math.round(time * 1e6) / 1e6, code, data])}\n`;
}
