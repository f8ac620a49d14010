import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type AnswerInBatch, answerBatchSchema, maxAnswersPerBatch } from '@haru/contracts';
import { serviceClient } from '@haru/http';
import fc from 'fast-check';
import { validate as isUuid } from 'uuid';
import { answerSubmissions } from './answer-submissions.ts';

// The answer service's side of the batch, as its internal API answers (its own tests and the
// gateway–answer pact hold it to that): here every call is recorded, and an answer "Kimchi"
// is refused as the service refuses a second, different answer. While `unavailable`, the
// whole call is refused.
const calls: AnswerInBatch[][] = [];
let unavailable = false;
const answerService = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    if (unavailable) {
      response.writeHead(503, { 'content-type': 'application/problem+json' }).end('{"status":503}');
      return;
    }
    const { answers } = JSON.parse(Buffer.concat(chunks).toString()) as { answers: AnswerInBatch[] };
    calls.push(answers);
    const outcomes = answers.map(({ questionId, text }) =>
      text === 'Kimchi'
        ? { status: 409, body: { type: 'https://haru.app/problems/conflict', status: 409 } }
        : { status: 201, body: { questionId, text } },
    );
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ outcomes }));
  });
});
let submit: ReturnType<typeof answerSubmissions>;
let submitOneCallAtATime: ReturnType<typeof answerSubmissions>;

before(async () => {
  answerService.listen(0, '127.0.0.1');
  await once(answerService, 'listening');
  const url = `http://127.0.0.1:${(answerService.address() as AddressInfo).port}`;
  submit = answerSubmissions(serviceClient(url, 'the-gateway-credential'));
  submitOneCallAtATime = answerSubmissions(serviceClient(url, 'the-gateway-credential'), { inFlight: 1 });
});
after(() => {
  answerService.closeAllConnections();
  answerService.close();
});

const answerBy = (uid: string, text: string): AnswerInBatch => ({
  familyId: 'family-1',
  questionId: 'question-1',
  uid,
  correlationId: `c-${uid}`,
  text,
});

describe('the gateway handing answers to the answer service', () => {
  test('when members answer at once, then their answers go in one call and each gets its own response', async () => {
    calls.length = 0;
    const responses = await Promise.all([
      submit(answerBy('dad', 'Pizza')),
      submit(answerBy('mom', 'Kimchi')),
      submit(answerBy('min', 'Noodles')),
    ]);
    assert.deepEqual(
      calls.map((answers) => answers.map((answer) => answer.uid)),
      [['dad', 'mom', 'min']],
    );
    assert.deepEqual(
      responses.map((response) => [response.status, response.contentType]),
      [
        [201, 'application/json'],
        [409, 'application/problem+json'],
        [201, 'application/json'],
      ],
    );
    assert.deepEqual(await responses[2]?.json(), { questionId: 'question-1', text: 'Noodles' });
  });

  test('when answers come while the calls allowed are under way, then they go together in the next call', async () => {
    calls.length = 0;
    const first = submitOneCallAtATime(answerBy('dad', 'Pizza'));
    // The call is made at the end of this turn; these come on the next one.
    await new Promise((resolve) => setImmediate(resolve));
    const later = [
      submitOneCallAtATime(answerBy('mom', 'Rice')),
      submitOneCallAtATime(answerBy('min', 'Noodles')),
      submitOneCallAtATime(answerBy('jun', 'Soup')),
    ];
    await Promise.all([first, ...later]);
    assert.deepEqual(
      calls.map((answers) => answers.map((answer) => answer.uid)),
      [['dad'], ['mom', 'min', 'jun']],
    );
  });

  test('when more answers arrive at once than the answer service takes in a call, then they go in several calls, each within its bound', async () => {
    calls.length = 0;
    const many = Array.from({ length: maxAnswersPerBatch + 1 }, (_, index) => answerBy(`member-${index}`, 'Pizza'));
    const responses = await Promise.all(many.map((answer) => submit(answer)));
    assert.deepEqual(
      calls.map((answers) => answers.length),
      [maxAnswersPerBatch, 1],
    );
    assert.ok(responses.every((response) => response.status === 201));
  });

  test('when the answer service refuses the call as a whole, then every answer in it gets that refusal', async () => {
    unavailable = true;
    try {
      const responses = await Promise.all([submit(answerBy('dad', 'Pizza')), submit(answerBy('mom', 'Rice'))]);
      assert.deepEqual(
        responses.map((response) => response.status),
        [503, 503],
      );
    } finally {
      unavailable = false;
    }
  });
});

describe('ids in a batch', () => {
  test('when the gateway takes a path segment for an id, then so does the batch schema, and only then', () => {
    // The answer route lets through only what `isUuid` takes; a batch whose schema refused
    // one of them would be refused whole (400), every other member's answer with it.
    const takenInABatch = (id: string) =>
      answerBatchSchema.safeParse({ answers: [{ ...answerBy('dad', 'Pizza'), familyId: id, questionId: id }] }).success;
    const uuid = '0193f5a0-0000-7000-8000-0000000000aa';
    const edges = [
      uuid,
      uuid.toUpperCase(),
      '00000000-0000-0000-0000-000000000000',
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
      '0193f5a0-0000-0000-8000-0000000000aa',
      '0193f5a0-0000-9000-8000-0000000000aa',
      '0193f5a0-0000-7000-c000-0000000000aa',
      `{${uuid}}`,
      `${uuid}\n`,
      uuid.replaceAll('-', ''),
      '',
    ];
    for (const id of edges) assert.equal(takenInABatch(id), isUuid(id), id);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uuid(),
          fc.uuid().map((id) => id.toUpperCase()),
          fc.string(),
        ),
        (id) => {
          assert.equal(takenInABatch(id), isUuid(id), id);
        },
      ),
    );
  });
});
