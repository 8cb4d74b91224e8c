// The audit log of typed input (--allow-input): one JSON line per input batch, written before the input is sent.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface AuditEntry {
  time: string;
  viewer: string;
  session: string;
  /** The bytes typed, as text (JSON-escaped), and their count. */
  bytes: string;
  length: number;
}

export class AuditLog {
  constructor(readonly path: string) {}

  record(viewer: string, session: string, data: string): void {
    const entry: AuditEntry = {
      time: new Date().toISOString(),
      viewer,
      session,
      bytes: data,
      length: Buffer.byteLength(data),
    };
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    appendFileSync(this.path, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  }
}
