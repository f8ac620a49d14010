export { buildConsoleApp, type ConsoleDependencies } from './console-app.ts';
export { type ConsoleReads, consoleReads, type FamilyRecord } from './console-reads.ts';
export { type DevicePushes, devicePushes, type PhonePush } from './device-pushes.ts';
export { explainFamily, familyTimeline, type TimelineEntry } from './family-timeline.ts';
