import type { DeliveryStatus } from './delivery.table.ts';

// A member reached on any device was reached; otherwise the most hopeful state wins.
const rank: Record<DeliveryStatus, number> = { sent: 0, pending: 1, failed: 2, invalid: 3 };

/**
 * One status per member from the statuses of their devices' deliveries, members in
 * order of first appearance: what a family wants to know is whether each of them got it.
 */
export function memberStatuses(
  deliveries: ReadonlyArray<{ memberId: string; status: DeliveryStatus }>,
): Array<{ memberId: string; status: DeliveryStatus }> {
  const best = new Map<string, DeliveryStatus>();
  for (const { memberId, status } of deliveries) {
    const current = best.get(memberId);
    if (current === undefined || rank[status] < rank[current]) best.set(memberId, status);
  }
  return [...best].map(([memberId, status]) => ({ memberId, status }));
}
