import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { HaruError } from '@haru/errors';
import { bundledCatalogueFile } from './catalogue.repository.ts';
import { validateCatalogue } from './catalogue-file.ts';

const question = (
  id: number,
  ko = `오늘 기억에 남는 일 ${id}번은 무엇인가요?`,
  en = `What is memorable thing number ${id}?`,
) => ({
  id,
  ko,
  en,
});
const file = (questions: unknown[], version = 2) => ({ version, questions });

/** The problems an import would be refused for. */
const problemsOf = (input: unknown, current?: Parameters<typeof validateCatalogue>[1]): string[] => {
  try {
    validateCatalogue(input, current);
    return [];
  } catch (error) {
    assert.ok(error instanceof HaruError && error.kind === 'invalid');
    return (error.extensions.problems as string[] | undefined) ?? [error.message];
  }
};

describe('a catalogue file, checked before import', () => {
  test('when it is well made, then it is taken as it is', () => {
    const catalogue = validateCatalogue(file([question(1), question(2)]));
    assert.deepEqual(catalogue.questions[1], { id: 2, text: { ko: question(2).ko, en: question(2).en } });
  });

  test('when a question is twice (in either language, case and punctuation aside), then each repeat is named', () => {
    const problems = problemsOf(
      file([
        question(1, '가장 좋아하는 계절은 언제인가요?', 'What is your favourite season?'),
        question(2, '가장 좋아하는 계절은 언제인가요', 'Which season do you like best?'),
        question(3, '어느 계절을 가장 좋아하나요?', 'what is your FAVOURITE season'),
      ]),
    );
    assert.deepEqual(problems, ['question 2 (ko): the same as question 1', 'question 3 (en): the same as question 1']);
  });

  test('when a language is missing, mixed up, too long or padded, or an id repeats, then it says so', () => {
    const problems = problemsOf(
      file([
        question(1, 'What is your favourite colour?'),
        question(2, '가장 좋아하는 색은 무엇인가요?', '가장 좋아하는 색'),
        question(3, '', 'An empty Korean text'),
        question(4, `${'아주 긴 질문 '.repeat(20)}?`),
        question(5, ' 앞에 빈칸이 있는 질문인가요?'),
        question(5),
      ]),
    );
    assert.deepEqual(problems, [
      'question 1 (ko): not Korean',
      'question 2 (en): not English',
      'question 3 (ko): 0 characters (5–120)',
      'question 3 (ko): not Korean',
      'question 4 (ko): 161 characters (5–120)',
      'question 5 (ko): leading or trailing spaces',
      'question 5: the id is used twice',
      'question 5 (en): the same as question 5',
    ]);
    assert.match(problemsOf({ version: 1, questions: [{ id: 1, ko: '질문입니다' }] })[0] ?? '', /not a catalogue file/);
  });

  test('when it is not newer than the catalogue in use, or leaves out a question of it, then it is refused', () => {
    const current = validateCatalogue(file([question(1), question(2), question(3)], 3));
    assert.deepEqual(problemsOf(file([question(1), question(3), question(4)], 3), current), [
      'version 3 is not newer than the catalogue in use (version 3)',
      'questions of version 3 left out: 2',
    ]);
    const corrected = question(2, '두 번째 질문을 고쳐 쓰면 어떤가요?', 'What if the second question is reworded?');
    assert.equal(validateCatalogue(file([question(1), corrected, question(3), question(4)], 4), current).version, 4);
  });

  test('when the catalogue bundled with the service is checked, then it passes with at least a year of questions', () => {
    const catalogue = validateCatalogue(JSON.parse(readFileSync(bundledCatalogueFile, 'utf8')));
    assert.ok(catalogue.questions.length >= 365, `${catalogue.questions.length} questions`);
  });
});
