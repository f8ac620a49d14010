import { Hono } from 'hono';
import type { LagGauge } from './lag-gauge.ts';

/**
 * `GET /metrics`: the projection's lag in Prometheus' text format, for scraping (internal,
 * so the scraper presents the service credential).
 */
export function metricsRoutes(lag: LagGauge) {
  return new Hono().get('/', (c) => {
    const age = lag.ageSeconds(new Date());
    const lines = [
      '# HELP haru_projection_newest_applied_event_age_seconds Age of the newest event this process has applied to the completion read model.',
      '# TYPE haru_projection_newest_applied_event_age_seconds gauge',
      // Before the first event there is no age to report: the sample is absent, not zero.
      ...(age === null ? [] : [`haru_projection_newest_applied_event_age_seconds ${age}`]),
      '# HELP haru_projection_events_applied_total Events this process has applied, duplicates included.',
      '# TYPE haru_projection_events_applied_total counter',
      `haru_projection_events_applied_total ${lag.count()}`,
    ];
    return c.body(`${lines.join('\n')}\n`, 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
  });
}
