// How every report of a run (job summary, pull request, transcript, rescue messages, the CLI) writes a duration.

/** `320ms`, `4.2s`, `42s`, `1m 05s`, `1h 02m 05s`: one format everywhere a person reads a run's times. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 9_950) return `${(ms / 1000).toFixed(1)}s`;
  const total = Math.round(ms / 1000);
  const seconds = total % 60;
  const minutes = Math.floor(total / 60) % 60;
  const hours = Math.floor(total / 3600);
  if (total < 60) return `${total}s`;
  const ss = String(seconds).padStart(2, '0');
  if (hours === 0) return `${minutes}m ${ss}s`;
  return `${hours}h ${String(minutes).padStart(2, '0')}m ${ss}s`;
}
