import type { PushKind } from '@haru/contracts';
import type { PushContent } from '../push/push-message.ts';
import type { QuestionText } from '../questions/question.table.ts';
import type { Locale } from '../recipients/recipient.table.ts';

const titles: Record<PushKind, Record<Locale, string>> = {
  question: { ko: '오늘의 질문', en: "Today's question" },
  complete: { ko: '모두 답했어요', en: 'Everyone answered' },
  reminder: { ko: '아직 답하지 않았어요', en: "You haven't answered yet" },
};

const fallbackBodies: Record<PushKind, Record<Locale, string>> = {
  question: { ko: '오늘의 질문이 도착했어요.', en: "Today's question is here." },
  complete: { ko: '모두 답했어요 — 서로의 답을 읽어 보세요.', en: "Everyone answered — go read each other's answers." },
  reminder: { ko: '가족이 당신의 답을 기다리고 있어요.', en: 'Your family is waiting for your answer.' },
};

/**
 * What a member reads on the lock screen, in their language. Pushes about a question
 * quote it when its text is known.
 */
export function pushContent(kind: PushKind, locale: Locale, question: QuestionText | null): PushContent {
  const title = titles[kind][locale];
  switch (kind) {
    case 'question':
    case 'reminder':
      return { title, body: question?.[locale] || fallbackBodies[kind][locale] };
    case 'complete':
      return { title, body: fallbackBodies.complete[locale] };
    default: {
      const unknown: never = kind;
      throw new Error(`no content for push kind ${String(unknown)}`);
    }
  }
}
