// Zones with every kind of offset oddity: DST in both hemispheres, 30-minute DST (Lord
// Howe), 45-minute offsets (Kathmandu, Chatham), transitions at midnight (Santiago,
// Havana, Beirut, Cairo), negative DST (Dublin), and none at all (Seoul, Kolkata).
export const awkwardTimeZones: readonly string[] = [
  'Asia/Seoul',
  'America/New_York',
  'Europe/London',
  'Australia/Sydney',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Asia/Kathmandu',
  'America/Santiago',
  'Asia/Kolkata',
  'America/St_Johns',
  'Europe/Berlin',
  'America/Sao_Paulo',
  'Africa/Cairo',
  'Asia/Tehran',
  'Pacific/Auckland',
  'America/Los_Angeles',
  'Europe/Dublin',
  'Asia/Beirut',
  'Asia/Gaza',
  'America/Havana',
  'Pacific/Apia',
  'Australia/Adelaide',
  'Atlantic/Azores',
];

/**
 * The wall-clock time ("HH:MM") in `timezone` `fromNowMs` from now: a push time that a test's
 * family reaches when the test wants it, and not while its other steps run.
 */
export function wallClockIn(timezone: string, fromNowMs: number, now = new Date()): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(now.getTime() + fromNowMs));
}
