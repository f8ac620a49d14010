import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pushContent } from './push-content.ts';

const question = { ko: '오늘 가장 웃겼던 일은?', en: 'What made you laugh today?' };

describe('pushContent', () => {
  it('when a question opens, then each locale reads the question in its language', () => {
    assert.deepEqual(pushContent('question', 'ko', question), { title: '오늘의 질문', body: question.ko });
    assert.deepEqual(pushContent('question', 'en', question), { title: "Today's question", body: question.en });
  });

  it('when everyone answered, then the push says so and invites reading the answers', () => {
    assert.match(pushContent('complete', 'en', null).body, /Everyone answered — go read each other's answers/);
    assert.match(pushContent('complete', 'ko', null).body, /모두 답했어요 — 서로의 답을 읽어 보세요/);
  });

  it('when a reminder has no known question text, then it still has a body', () => {
    assert.ok(pushContent('reminder', 'en', null).body.length > 0);
  });
});
