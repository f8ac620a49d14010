import type { DeadLetterQueueStatus } from '@haru/messaging/dead-letter-queues';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { FamilyRecord, FamilySchedule, Notification } from './console-reads.ts';
import type { DevicePushes } from './device-pushes.ts';
import type { TimelineEntry } from './family-timeline.ts';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const style = `
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d1d1f; background: #fafafa; }
  h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
  table { border-collapse: collapse; background: #fff; } td, th { border: 1px solid #ddd; padding: .3rem .5rem; text-align: left; vertical-align: top; }
  .devices { display: flex; flex-wrap: wrap; gap: 1rem; }
  .phone { width: 19rem; border: 2px solid #333; border-radius: 1.2rem; padding: .8rem; background: #eef; }
  .phone h3 { font-size: .8rem; margin: 0 0 .5rem; overflow-wrap: anywhere; }
  .push { background: #fff; border-radius: .6rem; padding: .5rem .6rem; margin-bottom: .5rem; box-shadow: 0 1px 2px #0002; }
  .push strong { display: block; } .meta { color: #666; font-size: .75rem; overflow-wrap: anywhere; }
  .bad { color: #b00020; } .empty { color: #666; font-style: italic; }
`;

const when = (at: Date | string) =>
  new Date(at)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');

export function page(title: string, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>${title}</title><style>${style}</style></head>
  <body>${body}</body>
</html>`;
}

export function overviewPage(view: {
  devices: DevicePushes[];
  families: FamilySchedule[];
  notifications: Notification[];
  deadLetters: DeadLetterQueueStatus[] | string;
}): Html {
  return page(
    'haru console',
    html`<h1>haru console</h1>
      <h2 id="devices">Devices (pushes as the phone shows them, newest first)</h2>
      ${view.devices.length === 0 ? html`<p class="empty">no device has got a push yet</p>` : html`<div class="devices">${view.devices.map(devicePanel)}</div>`}
      <h2 id="families">Families</h2>
      ${familiesTable(view.families)}
      <h2 id="notifications">Notifications and their deliveries</h2>
      ${notificationsTable(view.notifications)}
      <h2 id="dead-letters">Dead-letter queues</h2>
      ${deadLettersTable(view.deadLetters)}`,
  );
}

function devicePanel(device: DevicePushes): Html {
  return html`<section class="phone" data-token="${device.token}">
    <h3>${device.token}</h3>
    ${device.pushes.map(
      (push) => html`<div class="push" data-kind="${push.kind}">
        <strong>${push.title}</strong>${push.body}
        <div class="meta">${push.kind} · ${when(push.receivedAt)} · collapse ${push.collapseId}</div>
      </div>`,
    )}
  </section>`;
}

function familiesTable(families: FamilySchedule[]): Html {
  if (families.length === 0) return html`<p class="empty">no family yet</p>`;
  return html`<table>
    <tr><th>family</th><th>push time</th><th>quiet hours</th><th>reminder</th><th>next question</th><th>other pushes due</th></tr>
    ${families.map(
      (family) => html`<tr>
        <td><a href="/families/${family.familyId}">${family.familyId}</a></td>
        <td>${family.pushTime} ${family.timezone}</td>
        <td>${family.quietHours ?? 'none'}</td>
        <td>${family.reminderOffsetMinutes} min</td>
        <td>${when(family.nextQuestionAt)}</td>
        <td>${family.pending.length === 0 ? '—' : family.pending.map((push) => html`${push.kind} ${when(push.dueAt)}<br>`)}</td>
      </tr>`,
    )}
  </table>`;
}

function notificationsTable(notifications: Notification[]): Html {
  if (notifications.length === 0) return html`<p class="empty">no notification yet</p>`;
  return html`<table>
    <tr><th>made</th><th>kind</th><th>family</th><th>notification</th><th>deliveries (device: status, FCM code, sends)</th></tr>
    ${notifications.map(
      (notification) => html`<tr>
        <td>${when(notification.createdAt)}</td>
        <td>${notification.kind}</td>
        <td><a href="/families/${notification.familyId}">${notification.familyId.slice(0, 8)}</a></td>
        <td>${notification.notificationId}</td>
        <td>${notification.deliveries.map(
          (delivery) =>
            html`<div class="${delivery.status === 'sent' ? '' : 'bad'}">${delivery.token}: ${delivery.status}${delivery.errorCode ? html`, ${delivery.errorCode}` : ''}, ${delivery.attempts}</div>`,
        )}</td>
      </tr>`,
    )}
  </table>`;
}

function deadLettersTable(deadLetters: DeadLetterQueueStatus[] | string): Html {
  if (typeof deadLetters === 'string') return html`<p class="bad">${deadLetters}</p>`;
  return html`<table>
    <tr><th>dead-letter queue</th><th>messages</th><th>in flight</th><th>source queue</th></tr>
    ${deadLetters.map(
      (queue) => html`<tr class="${queue.depth.visible > 0 ? 'bad' : ''}">
        <td>${queue.deadLetterQueue}</td><td>${queue.depth.visible}</td><td>${queue.depth.inFlight}</td><td>${queue.sourceQueue}</td>
      </tr>`,
    )}
  </table>`;
}

export function familyPage(record: FamilyRecord, explanation: string[], timeline: TimelineEntry[]): Html {
  return page(
    `family ${record.familyId}`,
    html`<p><a href="/">← console</a></p>
      <h1>Family ${record.familyId}</h1>
      <h2>Today's question</h2>
      <pre id="explanation">${explanation.join('\n')}</pre>
      <h2>Schedule</h2>
      ${familiesTable(record.schedule ? [record.schedule] : [])}
      <h2>Devices</h2>
      ${
        record.devices.length === 0
          ? html`<p class="empty">no member has a device</p>`
          : html`<table><tr><th>member</th><th>device</th><th>platform</th><th>active</th></tr>
            ${record.devices.map((device) => html`<tr><td>${device.memberId}</td><td>${device.token}</td><td>${device.platform}</td><td>${device.active ? 'yes' : 'no'}</td></tr>`)}
          </table>`
      }
      <h2>Timeline</h2>
      <table id="timeline">
        <tr><th>when</th><th>service</th><th>what</th><th>detail</th></tr>
        ${timeline.map(
          (entry) =>
            html`<tr><td>${when(entry.at)}</td><td>${entry.source}</td><td>${entry.what}</td><td>${entry.detail}</td></tr>`,
        )}
      </table>`,
  );
}
