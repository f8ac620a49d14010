import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import type { PushKind } from '@haru/contracts';
import { pushContent } from '../../../services/notifier/src/notifications/push-content.ts';
import { pushMessage } from '../../../services/notifier/src/push/push-message.ts';

// The README's "Pushes the app receives" is what a mobile team builds its handling of taps on;
// the notifier's push-content.ts and push-message.ts are what it sends. A title or a data field
// changed in one and not the other fails here.

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('### Pushes the app receives'), readme.indexOf('## Configuration'));

it("when the notifier builds each kind of push, then the README's table names it with its titles", () => {
  const documented = [...section.matchAll(/^\| `(\w+)` \| [^|]+ \| ([^|/]+) \/ ([^|]+) \|/gm)].map(
    ([, kind = '', ko = '', en = '']) => ({ kind, titles: { ko: ko.trim(), en: en.trim() } }),
  );
  // Every kind, in the table's order: a kind added to PushKind fails the typecheck here.
  const kinds = Object.keys({ question: true, reminder: true, complete: true } satisfies Record<
    PushKind,
    true
  >) as PushKind[];
  assert.deepEqual(
    documented,
    kinds.map((kind) => ({
      kind,
      titles: { ko: pushContent(kind, 'ko', null).title, en: pushContent(kind, 'en', null).title },
    })),
  );
});

it("when the notifier builds a push's data, then the README names each of its fields", () => {
  const message = pushMessage({
    token: 'a-device',
    notificationId: 'n',
    kind: 'question',
    familyId: 'f',
    questionId: 'q',
    content: { title: 't', body: 'b' },
  });
  const named = section.match(/`data` holds ([^(]+)\(/)?.[1] ?? '';
  assert.deepEqual([...named.matchAll(/`(\w+)`/g)].map(([, field]) => field).sort(), Object.keys(message.data).sort());
});
