/**
 * The one way a duration is written, everywhere (check reasons, timeouts, details, the CLI summary,
 * evidence reports, drill and rollout timers, the status bar):
 *
 *   < 1 s      `41 ms`
 *   < 10 s     `1.5 s`, `5 s` (tenths, without a trailing `.0`)
 *   < 1 min    `12 s`
 *   < 1 h      `2 min 05 s`
 *   longer     `1 h 02 min`
 *
 * `clock` is the countdown form of the rollout window (`29:59`, whole seconds rounded down so it
 * never shows more time than is left; minutes are not folded into hours).
 */
export function formatDuration(ms: number, style: 'text' | 'clock' = 'text'): string {
  const t = Number.isFinite(ms) && ms > 0 ? ms : 0;
  if (style === 'clock') {
    const s = Math.floor(t / 1000);
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  }
  if (Math.round(t) < 1000) return `${Math.round(t)} ms`;
  const tenths = Math.round(t / 100);
  if (tenths < 100) return `${tenths % 10 ? (tenths / 10).toFixed(1) : tenths / 10} s`;
  const s = Math.round(t / 1000);
  if (s < 60) return `${s} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h) return `${h} h ${String(m).padStart(2, '0')} min`;
  return `${m} min ${String(s % 60).padStart(2, '0')} s`;
}
